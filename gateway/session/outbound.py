"""The sending half of a FIX session: headers, persistence, admin messages, timers.

`SessionOutput` is the base of `Session` (core.py): everything the session
sends goes through `_send_raw`, which fills the header (CompIDs, MsgSeqNum,
SendingTime with milliseconds), stores application messages before writing
them (persist before send; the transport group-commits), and only lets Logon,
Logout, ResendRequest and SequenceReset out before the logon completes. `poll`
runs QuickFIX's timers: Heartbeat after HeartBtInt idle, TestRequest "TEST"
after 1.2 x HeartBtInt of silence, disconnect after 2.4 x, logon/logout timeouts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, cast

from gateway.config.model import SessionID, SessionSettings
from gateway.fix.codec import encode
from gateway.fix.errors import Rejection
from gateway.fix.message import Message
from gateway.fix.timefmt import utc_timestamp
from gateway.fix.validation import Validator
from gateway.session import admin
from gateway.session.application import Application, DoNotSend
from gateway.session.clock import Clock
from gateway.session.log import SessionLog
from gateway.session.state import SessionEvent, SessionState, transition
from gateway.session.store.base import MessageStore

if TYPE_CHECKING:
    from gateway.session.core import Session

_SEND_BEFORE_LOGON = frozenset("A524")  # admin messages that may go out before logon completes

class Responder(Protocol):
    """The connection as the session sees it."""

    def send(self, data: bytes) -> None: ...

    def disconnect(self) -> None: ...


class SessionStats:
    """Counters the metrics endpoint reads at scrape time (plain ints: free on the hot path)."""

    __slots__ = ("messages_in", "messages_out", "rejects_sent", "resend_requests_received",
                 "resend_requests_sent")

    def __init__(self) -> None:
        self.messages_in = 0
        self.messages_out = 0
        self.resend_requests_sent = 0
        self.resend_requests_received = 0
        self.rejects_sent: dict[int, int] = {}   # SessionRejectReason (373) -> count


class SessionOutput:
    """Sending, persistence and timers of a `Session` (state lives on the session)."""

    settings: SessionSettings
    session_id: SessionID
    store: MessageStore
    application: Application
    log: SessionLog
    clock: Clock
    validator: Validator
    state: SessionState
    responder: Responder | None
    heartbeat_s: int
    received_logon: bool
    sent_logon: bool
    received_reset: bool
    sent_reset: bool
    test_requests: int
    last_sent_s: float
    last_received_s: float
    stats: SessionStats
    _sender: str
    _target: str

    def disconnect(self, reason: str = "") -> None:
        raise NotImplementedError

    @property
    def _session(self) -> Session:
        """This object as the `Session` the application callbacks are given."""
        return cast("Session", self)

    # -- status -------------------------------------------------------------
    @property
    def is_logged_on(self) -> bool:
        return self.received_logon and self.sent_logon

    @property
    def connected(self) -> bool:
        return self.responder is not None

    def _now_s(self) -> float:
        return self.clock.time_ns() / 1e9

    def event(self, text: str) -> None:
        self.log.on_event(text)

    def _enter(self, event: SessionEvent) -> None:
        self.state = transition(self.state, event)

    def reset_sequences(self) -> None:
        """Both sequence numbers back to 1 and the store emptied (QuickFIX `reset`)."""
        self.store.reset(_utc(self.clock.time_ns()))
        self.event("Sequence numbers reset to 1")

    # -- outbound -------------------------------------------------------------
    def send(self, message: Message) -> bool:
        """Send an application (or admin) message; False when it was not sent."""
        header = message.header
        header.pop(43, None)
        header.pop(122, None)
        return self._send_raw(message)

    def _fill_header(self, message: Message, seq: int) -> None:
        now_ns = self.clock.time_ns()
        header = message.header
        header[49] = self._sender
        header[56] = self._target
        header[34] = str(seq)
        header[52] = utc_timestamp(now_ns)
        self.last_sent_s = now_ns / 1e9

    def _send_raw(self, message: Message, seq: int = 0) -> bool:
        msg_type = message.msg_type
        store = self.store
        self._fill_header(message, seq or store.next_sender_seq)
        if msg_type in admin.ADMIN_MSG_TYPES:
            self.application.to_admin(message, self._session)
            if msg_type == "A" and not self.received_reset:
                if message.get(141) == "Y":
                    self.reset_sequences()
                    message.header[34] = str(store.next_sender_seq)
                self.sent_reset = message.get(141) == "Y"
            data = encode(message)
            if not seq:
                store.incr_next_sender_seq()
            if msg_type in _SEND_BEFORE_LOGON or self.is_logged_on:
                self._write(data)
            return True
        if not self.is_logged_on and self._should_send_reset():
            return False
        try:
            self.application.to_app(message, self._session)
        except DoNotSend:
            return False
        data = encode(message)
        if not seq:
            if self.settings.persist_messages:
                store.set(store.next_sender_seq, data)
            store.incr_next_sender_seq()
        if self.is_logged_on:
            self._write(data)
        return True

    def _write(self, data: bytes) -> None:
        self.log.on_outgoing(data)
        self.stats.messages_out += 1
        if self.responder is not None:
            self.responder.send(data)

    def _should_send_reset(self) -> bool:
        settings = self.settings
        return ((settings.reset_on_logon or settings.reset_on_logout or settings.reset_on_disconnect)
                and self.store.next_sender_seq == 1 and self.store.next_target_seq == 1)

    def _send_logon(self) -> None:
        if self.settings.reset_on_logon:
            self.reset_sequences()
        self.last_received_s = self._now_s()
        self.test_requests = 0
        self._send_raw(admin.logon(self.heartbeat_s, self._should_send_reset()))
        self.sent_logon = True
        self._enter(SessionEvent.SEND_LOGON)
        self.event("Initiated logon request")

    def _send_logout(self, text: str = "") -> None:
        self._send_raw(admin.logout(text))
        self._enter(SessionEvent.SEND_LOGOUT)

    def _reject(self, message: Message, rejection: Rejection) -> None:
        seq = message.int_value(34)
        if message.msg_type not in ("A", "4") and seq == self.store.next_target_seq:
            self.store.incr_next_target_seq()
        self.event(f"Message {message.get(34)} Rejected: {rejection.message_text}"
                   + (f":{rejection.ref_tag}" if rejection.ref_tag is not None else ""))
        if not self.received_logon:
            self.disconnect("invalid message before logon")
            return
        rejects = self.stats.rejects_sent
        rejects[rejection.reason] = rejects.get(rejection.reason, 0) + 1
        self._send_raw(admin.reject(message, rejection))
        if message.msg_type not in admin.ADMIN_MSG_TYPES:
            self._tell_refused(message, rejection)

    def _tell_refused(self, message: Message, rejection: Rejection) -> None:
        """A rejected application message never reaches `from_app`: say so instead."""
        try:
            self.application.on_refused(message, rejection, self._session)
        except Exception as error:
            self.event(f"Application error on refused {message.msg_type} "
                       f"seq {message.get(34)}: {error!r}")

    def _reject_then_logout(self, message: Message, rejection: Rejection) -> None:
        self._reject(message, rejection)
        # Before logon the Reject already dropped the connection, silently (QuickFIX's
        # generateReject throws there), so there is no session left to log out.
        if self.received_logon:
            self._send_logout()

    def _business_reject(self, message: Message, reason: int, text: str = "",
                         ref_tag: int | None = None) -> None:
        self.store.incr_next_target_seq()
        self.event(f"Message {message.get(34)} Rejected: business reason {reason} {text}".rstrip())
        self._send_raw(admin.business_reject(message, reason, text, ref_tag))

    # -- timers ---------------------------------------------------------------
    def poll(self) -> None:
        """Heartbeat, TestRequest, logon and logout timeouts (QuickFIX `next()`)."""
        if self.responder is None:
            return
        now = self._now_s()
        if not self.received_logon:
            if now - self.last_received_s >= self.settings.logon_timeout_s:
                self.disconnect("Timed out waiting for logon")
            return
        heartbeat = self.heartbeat_s
        if heartbeat <= 0:
            return
        if self.state is SessionState.LOGOUT_SENT and now - self.last_sent_s >= self.settings.logout_timeout_s:
            self.disconnect("Timed out waiting for logout response")
            return
        since_received = now - self.last_received_s
        if now - self.last_sent_s < heartbeat and since_received < heartbeat:
            return
        if since_received >= 2.4 * heartbeat:
            self.disconnect("Timed out waiting for heartbeat")
        elif since_received >= 1.2 * (self.test_requests + 1) * heartbeat:
            self._send_raw(admin.test_request("TEST"))
            self.test_requests += 1
            self.event("Sent test request TEST")
        elif now - self.last_sent_s >= heartbeat and not self.test_requests:
            self._send_raw(admin.heartbeat())


def _utc(epoch_ns: int) -> datetime:
    return datetime.fromtimestamp(epoch_ns / 1e9, UTC)
