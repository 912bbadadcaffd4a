"""The acceptance-test application of FORMAT.md §8.2 (`fixgw at`).

Echoes NewOrderSingle, SecurityDefinition and Email back with a fresh header,
drops a PossResend(97)=Y order whose ClOrdID this session already saw, and
answers anything else with BusinessMessageReject "Unsupported Message Type".
"""

from __future__ import annotations

from gateway.fix.message import Message
from gateway.session.application import BaseApplication, UnsupportedMessageType
from gateway.session.core import Session

_ECHOED = frozenset({"D", "d", "C"})
_SESSION_HEADER = frozenset({49, 56, 34, 52, 43, 122})


class AcceptanceApplication(BaseApplication):
    def __init__(self) -> None:
        self._seen: dict[str, set[str]] = {}

    def on_create(self, session: Session) -> None:
        session.reset_sequences()

    def on_logout(self, session: Session) -> None:
        self._seen.pop(str(session.session_id), None)

    def from_app(self, message: Message, session: Session) -> None:
        if message.msg_type not in _ECHOED:
            raise UnsupportedMessageType()
        if message.msg_type == "D":
            seen = self._seen.setdefault(str(session.session_id), set())
            cl_ord_id = message.get(11) or ""
            if message.header.get(97) == "Y" and cl_ord_id in seen:
                return
            seen.add(cl_ord_id)
        header = {tag: value for tag, value in message.header.items() if tag not in _SESSION_HEADER}
        session.send(Message(message.msg_type, list(message.body), header))
