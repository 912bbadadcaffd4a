"""Test harness for the sans-IO session core: no sockets, no sleeping.

* `Peer` builds the counterparty's frames (its own sequence counter, SendingTime
  from the shared `ManualClock`, BodyLength and CheckSum computed here, not by the
  codec under test).
* `Wire` is the `Responder` a session writes to; `Sent` decodes what it wrote.
* `Recorder` is an `Application` that records every callback and can be told to
  refuse logons, decline sends or raise from `from_app`.
* `Rig` bundles one session with its clock, wire, peer, store, log and recorder.
* `Pair` joins an initiator and an acceptor session back to back through
  in-memory links, like h11's tests join a client and a server; `pump` moves
  frames until both directions are quiet, through tamper hooks that may drop,
  duplicate or hold back frames.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.config.model import ConnectionType, SessionID, SessionSettings
from gateway.fix.codec import split_fields
from gateway.fix.dictionary import DataDictionary
from gateway.fix.errors import Garbled, Rejection
from gateway.fix.message import Message
from gateway.fix.timefmt import utc_timestamp
from gateway.fix.validation import ValidationOptions, Validator
from gateway.session.application import DoNotSend, RejectLogon
from gateway.session.clock import ManualClock
from gateway.session.core import Session
from gateway.session.log import MemoryLog
from gateway.session.store.base import MessageStore
from gateway.session.store.memory import MemoryStore

SOH = "\x01"
ACCEPTOR_ID = SessionID("FIX.4.4", "ISLD", "TW44")
INITIATOR_ID = SessionID("FIX.4.4", "TW44", "ISLD")
ROUTINE_TAGS = frozenset({8, 9, 10, 49, 52, 56, 122})  # left out of `Sent.brief`
HEADER_TAGS = frozenset({8, 9, 35, 34, 43, 49, 52, 56, 97, 115, 116, 122, 128, 129, 144, 145, 10})


def acceptor_settings(**overrides: Any) -> SessionSettings:
    """Settings of the ISLD->TW44 acceptor session with QuickFIX defaults."""
    return SessionSettings(session_id=ACCEPTOR_ID, connection_type=ConnectionType.ACCEPTOR,
                           **overrides)


def initiator_settings(**overrides: Any) -> SessionSettings:
    """Settings of the TW44->ISLD initiator session (HeartBtInt 30)."""
    values = {"heartbeat_interval_s": 30, "socket_connect_host": "127.0.0.1",
              "socket_connect_port": 5001, **overrides}
    return SessionSettings(session_id=INITIATOR_ID, connection_type=ConnectionType.INITIATOR, **values)


def validator(settings: SessionSettings) -> Validator:
    """The validator the engine would build for `settings`."""
    return Validator(DataDictionary.load(settings.data_dictionary), ValidationOptions(
        fields_out_of_order=settings.validate_fields_out_of_order,
        fields_have_values=settings.validate_fields_have_values,
        user_defined_fields=settings.validate_user_defined_fields,
        allow_unknown_msg_fields=settings.allow_unknown_msg_fields,
    ))


def wrap(fields: str, begin_string: str = "FIX.4.4") -> bytes:
    """A frame around `|`-separated fields starting with `35=`; 8, 9 and 10 computed here."""
    body = (fields.rstrip("|") + "|").replace("|", SOH).encode("latin-1")
    head = f"8={begin_string}{SOH}9={len(body)}{SOH}".encode("latin-1") + body
    return head + b"10=%03d\x01" % (sum(head) % 256)


# -- what a session sent ---------------------------------------------------------

@dataclasses.dataclass
class Sent:
    """One frame a session wrote, split into fields (in wire order)."""

    raw: bytes
    fields: list[tuple[int, str]]

    @classmethod
    def parse(cls, raw: bytes) -> Sent:
        split = split_fields(raw)
        assert not isinstance(split, Garbled), f"session sent a garbled frame: {raw!r}"
        tags, values = split
        return cls(raw, list(zip(tags, values, strict=True)))

    @property
    def msg_type(self) -> str:
        return self[35]

    @property
    def seq(self) -> int:
        return int(self[34])

    def get(self, tag: int) -> str | None:
        for field_tag, value in self.fields:
            if field_tag == tag:
                return value
        return None

    def __getitem__(self, tag: int) -> str:
        value = self.get(tag)
        if value is None:
            raise KeyError(f"tag {tag} not in {self.text()}")
        return value

    def __contains__(self, tag: object) -> bool:
        return any(field_tag == tag for field_tag, _ in self.fields)

    def text(self, skip: frozenset[int] | set[int] = frozenset({8, 9, 10})) -> str:
        """`tag=value|...` without the `skip` tags, for exact comparisons."""
        return "|".join(f"{tag}={value}" for tag, value in self.fields if tag not in skip)

    def brief(self) -> str:
        """`text()` without framing, CompIDs and timestamps: `35=A|34=1|98=0|108=30`."""
        return self.text(ROUTINE_TAGS)

    def body(self) -> str:
        """Fields after the standard header, without the trailer: `tag=value|...`."""
        return self.text(HEADER_TAGS)


class Wire:
    """A `Responder` that records the frames written and whether it was closed."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.disconnected = False
        self._taken = 0

    def send(self, data: bytes) -> None:
        assert not self.disconnected, "session wrote to a closed connection"
        self.frames.append(data)

    def disconnect(self) -> None:
        self.disconnected = True  # what the session asked for; no close is reported back

    def take(self) -> list[Sent]:
        """Frames written since the last `take`, decoded."""
        new, self._taken = self.frames[self._taken:], len(self.frames)
        return [Sent.parse(frame) for frame in new]


# -- the counterparty ------------------------------------------------------------

class Peer:
    """Builds the counterparty's frames with its own MsgSeqNum counter."""

    def __init__(self, clock: ManualClock, sender: str = "TW44", target: str = "ISLD",
                 begin_string: str = "FIX.4.4") -> None:
        self.clock = clock
        self.sender, self.target, self.begin_string = sender, target, begin_string
        self.next_seq = 1

    def now(self, offset_s: float = 0.0) -> str:
        return utc_timestamp(self.clock.time_ns() + int(offset_s * 1e9))

    def frame(self, msg_type: str, body: str = "", *, seq: int | None = None, header: str = "",
              sending_time: str | None = None, begin_string: str | None = None) -> bytes:
        """A frame `35|49|56|34|52|<header>|<body>`; `seq=None` takes the next seq."""
        if seq is None:
            seq, self.next_seq = self.next_seq, self.next_seq + 1
        fields = [f"35={msg_type}", f"49={self.sender}", f"56={self.target}", f"34={seq}",
                  f"52={sending_time or self.now()}"]
        fields += [part for part in (header, body) if part]
        return wrap("|".join(fields), begin_string or self.begin_string)

    def logon(self, heartbeat_s: int = 30, reset: bool = False, **kw: Any) -> bytes:
        return self.frame("A", f"98=0|108={heartbeat_s}" + ("|141=Y" if reset else ""), **kw)

    def heartbeat(self, test_request_id: str | None = None, **kw: Any) -> bytes:
        return self.frame("0", f"112={test_request_id}" if test_request_id else "", **kw)

    def test_request(self, test_request_id: str = "PEER", **kw: Any) -> bytes:
        return self.frame("1", f"112={test_request_id}", **kw)

    def logout(self, text: str = "", **kw: Any) -> bytes:
        return self.frame("5", f"58={text}" if text else "", **kw)

    def resend_request(self, begin: int, end: int = 0, **kw: Any) -> bytes:
        return self.frame("2", f"7={begin}|16={end}", **kw)

    def gap_fill(self, new_seq: int, **kw: Any) -> bytes:
        return self.frame("4", f"36={new_seq}|123=Y", **kw)

    def sequence_reset(self, new_seq: int, seq: int = 0, **kw: Any) -> bytes:
        return self.frame("4", f"36={new_seq}", seq=seq, **kw)

    def order(self, cl_ord_id: str = "ORD1", **kw: Any) -> bytes:
        """A valid NewOrderSingle (D)."""
        return self.frame("D", f"11={cl_ord_id}|21=1|38=100|40=1|54=1|55=EUR/USD|60={self.now()}", **kw)

    def poss_dup_order(self, seq: int, cl_ord_id: str = "ORD1", orig_offset_s: float | None = -1.0,
                       **kw: Any) -> bytes:
        """A resent order: 43=Y, 122 = now + `orig_offset_s` (None: no 122)."""
        header = "43=Y" + (f"|122={self.now(orig_offset_s)}" if orig_offset_s is not None else "")
        return self.order(cl_ord_id, seq=seq, header=header, **kw)


# -- the application -------------------------------------------------------------

class Recorder:
    """An `Application` that records every callback; behaviour switches are attributes."""

    def __init__(self) -> None:
        self.created = self.logons = self.logouts = 0
        self.from_app_messages: list[Message] = []
        self.from_admin_messages: list[Message] = []
        self.to_app_messages: list[Message] = []
        self.to_admin_messages: list[Message] = []
        self.reject_logon: str | None = None      # RejectLogon(text) on the peer's Logon
        self.do_not_send: Callable[[Message], bool] = lambda message: False
        self.from_app_error: Exception | None = None
        self.refused: list[tuple[Message, Rejection]] = []

    def on_create(self, session: Session) -> None:
        self.created += 1

    def on_logon(self, session: Session) -> None:
        self.logons += 1

    def on_logout(self, session: Session) -> None:
        self.logouts += 1

    def to_admin(self, message: Message, session: Session) -> None:
        self.to_admin_messages.append(message)

    def from_admin(self, message: Message, session: Session) -> None:
        self.from_admin_messages.append(message)
        if message.msg_type == "A" and self.reject_logon is not None:
            raise RejectLogon(self.reject_logon)

    def to_app(self, message: Message, session: Session) -> None:
        self.to_app_messages.append(message)
        if self.do_not_send(message):
            raise DoNotSend()

    def from_app(self, message: Message, session: Session) -> None:
        if self.from_app_error is not None:
            raise self.from_app_error
        self.from_app_messages.append(message)

    def on_refused(self, message: Message, rejection: Rejection, session: Session) -> None:
        self.refused.append((message, rejection))

    def cl_ord_ids(self) -> list[str]:
        """ClOrdID(11) of every application message delivered, in order."""
        return [message.get(11) or "" for message in self.from_app_messages]


# -- one session on a fake clock -------------------------------------------------

class Rig:
    """One session with its clock, wire, counterparty, store, log and recorder."""

    def __init__(self, settings: SessionSettings | None = None, *, clock: ManualClock | None = None,
                 store: MessageStore | None = None, app: Recorder | None = None) -> None:
        self.settings = settings or acceptor_settings()
        self.clock = clock or ManualClock()
        self.start_ns = self.clock.time_ns()
        self.store: MessageStore = store or MemoryStore(datetime.fromtimestamp(
            self.clock.time_ns() / 1e9, UTC))
        self.app = app or Recorder()
        self.log = MemoryLog()
        self.session = Session(self.settings, self.store, self.app, self.log, self.clock,
                               validator(self.settings))
        ids = self.settings.session_id
        self.peer = Peer(self.clock, sender=ids.target_comp_id, target=ids.sender_comp_id,
                         begin_string=ids.begin_string)
        self.wire = Wire()

    def connect(self) -> None:
        """Attach a fresh wire."""
        self.wire = Wire()
        self.session.connect(self.wire)

    def feed(self, *frames: bytes | Garbled) -> list[Sent]:
        """Hand frames to the session; what it sent in response."""
        for frame in frames:
            self.session.on_frame(frame)
        return self.wire.take()

    def advance(self, seconds: float) -> list[Sent]:
        """Move the clock by `seconds`, poll once; what the session sent."""
        self.clock.advance(seconds)
        self.session.poll()
        return self.wire.take()

    def at(self, seconds: float, poll: bool = True) -> list[Sent]:
        """Set the clock to `seconds` after the rig was made (and poll); what was sent."""
        self.clock.now_ns = self.start_ns + round(seconds * 1e9)
        if poll:
            self.session.poll()
        return self.wire.take()

    def logon(self, heartbeat_s: int = 30) -> list[Sent]:
        """Connect and complete the acceptor's logon handshake; the replies."""
        self.connect()
        sent = self.feed(self.peer.logon(heartbeat_s))
        assert self.session.is_logged_on, self.log.events
        return sent


def logged_on(heartbeat_s: int = 30, **overrides: Any) -> Rig:
    """An acceptor rig (settings `overrides`) logged on with the peer, replies taken."""
    rig = Rig(acceptor_settings(**overrides))
    rig.logon(heartbeat_s)
    return rig


def briefs(sent: list[Sent]) -> list[str]:
    """`Sent.brief()` of each frame."""
    return [frame.brief() for frame in sent]


# -- two sessions back to back -------------------------------------------------------

Tamper = Callable[[bytes], list[bytes]]


def _intact(data: bytes) -> list[bytes]:  # a perfect wire
    return [data]


class Link:
    """One direction's wire of a `Pair`: a `Responder` whose frames wait in a queue."""

    def __init__(self) -> None:
        self.queue: deque[bytes] = deque()
        self.sent: list[Sent] = []
        self.closed = False

    def send(self, data: bytes) -> None:
        assert not self.closed, "session wrote to a closed connection"
        self.queue.append(data)
        self.sent.append(Sent.parse(data))

    def disconnect(self) -> None:
        self.closed = True


class Pair:
    """An initiator and an acceptor session joined through in-memory links.

    `tamper_to_acceptor` / `tamper_to_initiator` see every frame in flight and
    return what arrives instead: `[]` drops it, `[data, data]` duplicates it.
    """

    def __init__(self, initiator: SessionSettings | None = None,
                 acceptor: SessionSettings | None = None) -> None:
        self.clock = ManualClock()
        self.initiator = Rig(initiator or initiator_settings(), clock=self.clock)
        self.acceptor = Rig(acceptor or acceptor_settings(), clock=self.clock)
        self.to_acceptor, self.to_initiator = Link(), Link()
        self.tamper_to_acceptor: Tamper = _intact
        self.tamper_to_initiator: Tamper = _intact

    def connect(self) -> None:
        """New links both ways; the acceptor is attached first, then the initiator logs on."""
        self.to_acceptor, self.to_initiator = Link(), Link()
        self.acceptor.session.connect(self.to_initiator)
        self.initiator.session.connect(self.to_acceptor)
        self.pump()

    def reconnect(self) -> None:
        """Drop whichever side is still attached, then `connect`."""
        for session in (self.initiator.session, self.acceptor.session):
            if session.connected:
                session.disconnect("test reconnect")
        self.connect()

    @property
    def logged_on(self) -> bool:
        return self.initiator.session.is_logged_on and self.acceptor.session.is_logged_on

    def pump(self, limit: int = 10_000) -> int:
        """Deliver queued frames both ways until quiet; the number delivered.

        Frames written before a side closed still arrive (as over TCP); frames to
        a side that is no longer attached are lost; once quiet, a side whose peer
        closed sees its own connection close.
        """
        delivered = 0
        initiator, acceptor = self.initiator.session, self.acceptor.session
        routes = ((self.to_acceptor, acceptor, self.to_initiator, self.tamper_to_acceptor),
                  (self.to_initiator, initiator, self.to_acceptor, self.tamper_to_initiator))
        while self.to_acceptor.queue or self.to_initiator.queue:
            for inbound, receiver, own, tamper in routes:
                while inbound.queue:
                    for data in tamper(inbound.queue.popleft()):
                        if receiver.responder is own:
                            receiver.on_frame(data)
                            delivered += 1
                    assert delivered <= limit, "pump did not settle"
        for inbound, receiver, own, _ in routes:
            if inbound.closed and receiver.responder is own:
                own.closed = True
                receiver.on_disconnect()
        return delivered

    def advance(self, seconds: float) -> None:
        """Move the shared clock, poll both sessions, pump."""
        self.clock.advance(seconds)
        self.initiator.session.poll()
        self.acceptor.session.poll()
        self.pump()
