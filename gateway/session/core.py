"""The FIX session: a sans-IO state machine fed frames and a clock (QuickFIX semantics).

The transport hands it frames (`on_frame`), tells it when the connection comes
and goes (`connect` / `on_disconnect`) and calls `poll` a few times a second for
the heartbeat, TestRequest, logon and logout timers. The session answers by
writing bytes to its `Responder`, by calling the `Application`, and by writing
to its `SessionLog`. It never blocks, never reads a socket, never sleeps.

The handling of each message follows QuickFIX's `Session::next` (FORMAT.md §8.3):
CompIDs present → BeginString → dictionary validation → per-type handler, whose
`_verify` checks logon state, SendingTime, CompIDs and MsgSeqNum before the
application sees the message. Too-high messages wait in `queue` until the gap is
filled.
"""

from __future__ import annotations

from gateway.config.model import SessionSettings
from gateway.fix.errors import Garbled, GarbledReason, Rejection, SessionRejectReason
from gateway.fix.message import Message
from gateway.fix.timefmt import timestamp_seconds
from gateway.fix.validation import Structured, Validator
from gateway.session import admin
from gateway.session.application import (
    Application,
    BusinessReject,
    RejectLogon,
    UnsupportedMessageType,
)
from gateway.session.clock import Clock
from gateway.session.log import SessionLog
from gateway.session.outbound import Responder, SessionOutput, SessionStats
from gateway.session.resend import resend
from gateway.session.state import SessionEvent, SessionState
from gateway.session.store.base import MessageStore

Reason = SessionRejectReason


class Session(SessionOutput):
    """One FIX session (a CompID pair), acceptor or initiator."""

    def __init__(self, settings: SessionSettings, store: MessageStore, application: Application,
                 log: SessionLog, clock: Clock, validator: Validator) -> None:
        self.settings = settings
        self.session_id = settings.session_id
        self.initiator = settings.is_initiator
        self.store = store
        self.application = application
        self.log = log
        self.clock = clock
        self.validator = validator
        self.state = SessionState.DISCONNECTED
        self.responder: Responder | None = None
        self.heartbeat_s = settings.heartbeat_interval_s or 0
        self.received_logon = self.sent_logon = False
        self.received_reset = self.sent_reset = False
        self.enabled = True
        self.test_requests = 0
        self.last_sent_s = self.last_received_s = 0.0
        self.resend_range: tuple[int, int] | None = None
        self.queue: dict[int, Structured] = {}
        self.stats = SessionStats()
        self._sender = self.session_id.sender_comp_id
        self._target = self.session_id.target_comp_id
        application.on_create(self)

    def __repr__(self) -> str:
        return f"Session({self.session_id}, {self.state.name})"

    # -- connection lifecycle ---------------------------------------------------
    def connect(self, responder: Responder) -> None:
        """A transport is attached; an initiator sends its Logon at once."""
        self._enter(SessionEvent.CONNECT)
        self.responder = responder
        now = self._now_s()
        self.last_received_s = self.last_sent_s = now
        self.test_requests = 0
        self.event("Connected")
        if self.initiator and self.enabled:
            self._send_logon()

    def on_disconnect(self) -> None:
        """The transport went away on its own (peer closed, I/O error)."""
        self.responder = None
        self.disconnect("connection closed")

    def disconnect(self, reason: str = "") -> None:
        responder, self.responder = self.responder, None
        if responder is not None:
            self.event(f"Disconnecting: {reason}" if reason else "Disconnecting")
            responder.disconnect()
        was_logged_on = self.received_logon or self.sent_logon
        self.received_logon = self.sent_logon = False
        self.received_reset = self.sent_reset = False
        self.queue.clear()
        self.resend_range = None
        self.test_requests = 0
        self._enter(SessionEvent.DISCONNECT)
        if self.settings.reset_on_disconnect:
            self.reset_sequences()
        if was_logged_on:
            self.application.on_logout(self)

    def logout(self, text: str = "") -> None:
        """Start a Logout handshake (operator or schedule)."""
        if self.state in (SessionState.LOGGED_ON, SessionState.LOGON_SENT):
            self._send_logout(text)
        elif self.responder is not None:
            self.disconnect(text or "logout before logon")

    # -- inbound --------------------------------------------------------------
    def on_frame(self, frame: bytes | Garbled) -> None:
        """One frame from the framer (or what it could not frame)."""
        if isinstance(frame, Garbled):
            self._on_garbled(frame)
            return
        self.log.on_incoming(frame)
        self.stats.messages_in += 1
        decoded = self.validator.decode(frame)
        if isinstance(decoded, Garbled):
            self._on_garbled(decoded)
            return
        self.next_message(decoded)

    def _on_garbled(self, garbled: Garbled) -> None:
        self.event(f"Garbled message dropped ({garbled.reason.value}: {garbled.detail})")
        if not self.received_logon and garbled.reason is not GarbledReason.JUNK:
            self.disconnect("garbled message before logon")

    def next_message(self, structured: Structured, queued: bool = False) -> None:
        message = structured.message
        header = message.header
        missing = 49 if 49 not in header else 56 if 56 not in header else 0
        if missing:
            self._reject(message, Rejection(Reason.REQUIRED_TAG_MISSING, missing))
        elif message.begin_string != self.session_id.begin_string:
            if message.msg_type == "5":
                self._next_logout(structured)
            else:
                self._send_logout("Incorrect BeginString")
                self.store.incr_next_target_seq()
        else:
            rejection = self.validator.validate(structured)
            if rejection is not None:
                self._reject(message, rejection)
            else:
                self._dispatch(structured)
        if not queued:
            self._process_queue()
        if self.is_logged_on:
            self.poll()

    def _dispatch(self, structured: Structured) -> None:
        message = structured.message
        handler = _HANDLERS.get(message.msg_type)
        if handler is not None:
            handler(self, structured)
        elif self._verify(structured):
            self.store.incr_next_target_seq()

    def _next_logon(self, structured: Structured) -> None:
        message = structured.message
        if not self.enabled:
            self.disconnect("session is not enabled for logon")
            return
        reset = message.get(141) == "Y"
        self.received_reset = reset
        if reset:
            self.event("Logon contains ResetSeqNumFlag=Y, resetting sequence numbers to 1")
            if not self.sent_reset:
                self.reset_sequences()
        if self.initiator and self.state is SessionState.CONNECTED and not reset:
            self.disconnect("received logon response before sending request")
            return
        if not self.initiator and self.settings.reset_on_logon:
            self.reset_sequences()
        if not self._verify(structured, check_too_high=False, check_too_low=True):
            return
        self.received_logon = True
        if not self.initiator or (self.received_reset and not self.sent_reset):
            self.heartbeat_s = message.int_value(108) or 0
            self.event("Received logon request")
            self._send_raw(admin.logon(self.heartbeat_s, self.received_reset))
            self.sent_logon = True
            self.event("Responding to logon request")
        else:
            self.event("Received logon response")
        self.sent_reset = self.received_reset = False
        self._enter(SessionEvent.LOGON_ACCEPTED)
        seq = _seq(message)
        if seq is not None and seq > self.store.next_target_seq and not reset:
            self._target_too_high(structured, seq)
        else:
            self.store.incr_next_target_seq()
            self._process_queue()
        if self.is_logged_on:
            self.application.on_logon(self)

    def _next_heartbeat(self, structured: Structured) -> None:
        if self._verify(structured):
            self.store.incr_next_target_seq()
            self._process_queue()

    def _next_test_request(self, structured: Structured) -> None:
        if self._verify(structured):
            self._send_raw(admin.heartbeat(structured.message.get(112)))
            self.store.incr_next_target_seq()
            self._process_queue()

    def _next_logout(self, structured: Structured) -> None:
        if not self._verify(structured, check_too_high=False, check_too_low=False):
            return
        if self.state is not SessionState.LOGOUT_SENT:
            self.event("Received logout request")
            self._send_logout()
            self.event("Sending logout response")
        else:
            self.event("Received logout response")
        # Only the expected MsgSeqNum is consumed (QuickFIX/J QFJ-750): counting a
        # too-high Logout would skip the gap before it, a stale one a live seq.
        if _seq(structured.message) == self.store.next_target_seq:
            self.store.incr_next_target_seq()
        if self.settings.reset_on_logout:
            self.reset_sequences()
        self.disconnect("logout")

    def _next_resend_request(self, structured: Structured) -> None:
        message = structured.message
        if not self._verify(structured, check_too_high=False, check_too_low=False):
            return
        begin, end = message.int_value(7) or 0, message.int_value(16) or 0
        self.event(f"Received ResendRequest FROM: {begin} TO: {end}")
        self.stats.resend_requests_received += 1
        resend(self, begin, end)
        if _seq(message) == self.store.next_target_seq:
            self.store.incr_next_target_seq()

    def _next_reject(self, structured: Structured) -> None:
        if self._verify(structured, check_too_high=False, check_too_low=True):
            self.store.incr_next_target_seq()
            self._process_queue()

    def _next_sequence_reset(self, structured: Structured) -> None:
        message = structured.message
        gap_fill = message.get(123) == "Y"
        if not self._verify(structured, check_too_high=gap_fill, check_too_low=gap_fill):
            return
        new_seq = message.int_value(36)
        if new_seq is None:
            return
        expected = self.store.next_target_seq
        self.event(f"Received SequenceReset FROM: {expected} TO: {new_seq}")
        if new_seq > expected:
            self.store.set_next_target_seq(new_seq)
        elif new_seq < expected:
            self._reject(message, Rejection(Reason.VALUE_IS_INCORRECT))

    def _process_queue(self) -> None:
        while self.queue:
            expected = self.store.next_target_seq
            structured = self.queue.pop(expected, None)
            if structured is None:
                return
            self.event(f"Processing QUEUED message: {expected}")
            if structured.message.msg_type in ("A", "2"):
                self.store.incr_next_target_seq()
            else:
                self.next_message(structured, queued=True)

    # -- checks every handler runs (QuickFIX `verify`) ---------------------------
    def _verify(self, structured: Structured, check_too_high: bool = True,
                check_too_low: bool = True) -> bool:
        message = structured.message
        if not self._valid_logon_state(message.msg_type):
            self.disconnect("Logon state is not valid for message")
            return False
        header = message.header
        sending_time = header.get(52)
        seq = _seq(message)
        if not isinstance(sending_time, str) or (seq is None and (check_too_high or check_too_low)):
            self.disconnect("message without SendingTime or MsgSeqNum")
            return False
        settings = self.settings
        if settings.check_latency and not self._good_time(sending_time):
            self._reject_then_logout(message, Rejection(Reason.SENDINGTIME_ACCURACY_PROBLEM))
            return False
        if settings.check_comp_id and (header.get(49) != self._target or header.get(56) != self._sender):
            self._reject_then_logout(message, Rejection(Reason.COMPID_PROBLEM))
            return False
        if seq is not None:
            expected = self.store.next_target_seq
            if check_too_high and seq > expected:
                self._target_too_high(structured, seq)
                return False
            if check_too_low and seq < expected:
                self._target_too_low(message, seq, expected)
                return False
            if (check_too_high or check_too_low) and self.resend_range and seq >= self.resend_range[1]:
                self.event(f"ResendRequest for messages FROM: {self.resend_range[0]} "
                           f"TO: {self.resend_range[1]} has been satisfied.")
                self.resend_range = None
        self.last_received_s = self._now_s()
        self.test_requests = 0
        return self._deliver(message)

    def _valid_logon_state(self, msg_type: str) -> bool:
        if (msg_type == "A" and self.sent_reset) or self.received_reset:
            return True
        if (msg_type == "A") != self.received_logon:
            return True
        if msg_type == "5" and self.sent_logon:
            return True
        if msg_type != "5" and self.state is SessionState.LOGOUT_SENT:
            return True
        return msg_type in ("4", "3")

    def _good_time(self, sending_time: str) -> bool:
        sent = timestamp_seconds(sending_time)
        return sent is not None and abs(self._now_s() - sent) <= self.settings.max_latency_s

    def _target_too_high(self, structured: Structured, seq: int) -> None:
        expected = self.store.next_target_seq
        self.event(f"MsgSeqNum too high, expecting {expected} but received {seq}")
        self.queue[seq] = structured
        pending = self.resend_range
        if pending and not self.settings.send_redundant_resend_requests and seq >= pending[0]:
            self.event(f"Already sent ResendRequest FROM: {pending[0]} TO: {pending[1]}.  "
                       "Not sending another.")
            return
        self._send_raw(admin.resend_request(expected, 0))
        self.stats.resend_requests_sent += 1
        self.event(f"Sent ResendRequest FROM: {expected} TO: 0")
        self.resend_range = (expected, seq - 1)

    def _target_too_low(self, message: Message, seq: int, expected: int) -> None:
        if message.header.get(43) != "Y":
            text = f"MsgSeqNum too low, expecting {expected} but received {seq}"
            self._send_logout(text)
            self.disconnect(text)
            return
        if message.msg_type == "4":
            return
        original = message.header.get(122)
        if not isinstance(original, str):
            self._reject(message, Rejection(Reason.REQUIRED_TAG_MISSING, 122))
            return
        original_s, sent_s = timestamp_seconds(original), timestamp_seconds(str(message.header[52]))
        if original_s is None or sent_s is None or original_s > sent_s:
            self._reject_then_logout(message, Rejection(Reason.SENDINGTIME_ACCURACY_PROBLEM))

    def _deliver(self, message: Message) -> bool:
        """Hand a verified message to the application; its refusals become FIX answers."""
        try:
            if message.msg_type in admin.ADMIN_MSG_TYPES:
                self.application.from_admin(message, self)
            else:
                self.application.from_app(message, self)
        except RejectLogon as refusal:
            self.event(f"Logon rejected by application: {refusal}")
            self._send_logout(str(refusal))
            self.disconnect("logon rejected")
            return False
        except UnsupportedMessageType:
            self._business_reject(message, admin.UNSUPPORTED_MESSAGE_TYPE)
            return False
        except BusinessReject as refusal:
            self._business_reject(message, refusal.reason, refusal.text, refusal.ref_tag)
            return False
        except Exception as error:
            self.event(f"Application error on {message.msg_type} seq {message.get(34)}: {error!r}")
            self._business_reject(message, 0, "Application error")
            return False
        return True

def _seq(message: Message) -> int | None:
    return message.int_value(34)



_HANDLERS = {
    "A": Session._next_logon,
    "0": Session._next_heartbeat,
    "1": Session._next_test_request,
    "2": Session._next_resend_request,
    "3": Session._next_reject,
    "4": Session._next_sequence_reset,
    "5": Session._next_logout,
}
