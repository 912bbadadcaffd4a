"""QuickFIX-style application callbacks, and the exceptions they use to steer the session.

The session calls these synchronously while it handles a message. Raising one of
the exceptions below is how an application refuses a Logon, declines to send a
message, or asks for a BusinessMessageReject - exactly as in QuickFIX, so FIX
developers know the contract at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from gateway.fix.errors import Rejection
from gateway.fix.message import Message

if TYPE_CHECKING:
    from gateway.session.core import Session


class RejectLogon(Exception):
    """Raised from `from_admin` on a Logon: answer with a Logout carrying the text, then disconnect."""


class DoNotSend(Exception):
    """Raised from `to_app`: the message is not sent (and, on resend, gap-filled)."""


class UnsupportedMessageType(Exception):
    """Raised from `from_app`: BusinessMessageReject 380=3 "Unsupported Message Type"."""


class BusinessReject(Exception):
    """Raised from `from_app`: BusinessMessageReject with this reason (380), text and ref tag."""

    def __init__(self, reason: int, text: str, ref_tag: int | None = None) -> None:
        super().__init__(text)
        self.reason = reason
        self.text = text
        self.ref_tag = ref_tag


class Application(Protocol):
    def on_create(self, session: Session) -> None: ...

    def on_logon(self, session: Session) -> None: ...

    def on_logout(self, session: Session) -> None: ...

    def to_admin(self, message: Message, session: Session) -> None: ...

    def from_admin(self, message: Message, session: Session) -> None: ...

    def to_app(self, message: Message, session: Session) -> None: ...

    def from_app(self, message: Message, session: Session) -> None: ...

    def on_refused(self, message: Message, rejection: Rejection, session: Session) -> None:
        """An application message the session answered with a session Reject (it failed
        validation, or a header check) and so never delivers. QuickFIX has no such
        callback; a gateway needs one, or what a refused ExecutionReport said would be
        lost without its knowing."""
        ...


class BaseApplication:
    """An application that accepts everything; subclass and override what you need."""

    def on_create(self, session: Session) -> None:
        pass

    def on_logon(self, session: Session) -> None:
        pass

    def on_logout(self, session: Session) -> None:
        pass

    def to_admin(self, message: Message, session: Session) -> None:
        pass

    def from_admin(self, message: Message, session: Session) -> None:
        pass

    def to_app(self, message: Message, session: Session) -> None:
        pass

    def from_app(self, message: Message, session: Session) -> None:
        raise UnsupportedMessageType()

    def on_refused(self, message: Message, rejection: Rejection, session: Session) -> None:
        pass
