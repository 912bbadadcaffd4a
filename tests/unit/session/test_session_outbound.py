"""Outbound application messages: header, persistence before send, DoNotSend."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from gateway.fix.message import Message
from gateway.session.clock import ManualClock
from gateway.session.store.base import MessageStore, SyncPolicy
from gateway.session.store.file import FileStoreFactory
from tests.unit.session.harness import (
    ACCEPTOR_ID,
    Rig,
    Sent,
    Wire,
    acceptor_settings,
    briefs,
    logged_on,
)

BODY = [(11, "C1"), (21, "1"), (38, "100"), (40, "1"), (54, "1"), (55, "EUR/USD"),
        (60, "20260101-00:00:00")]


def _order(cl_ord_id: str = "C1", header: dict[int, str] | None = None) -> Message:
    body = [(11, cl_ord_id), *BODY[1:]]
    return Message("D", list(body), dict(header or {}))


class CheckingWire(Wire):
    """A wire that records whether each frame was already in the store when written."""

    def __init__(self, store: MessageStore) -> None:
        super().__init__()
        self.store = store
        self.stored_before_send: list[bool] = []

    def send(self, data: bytes) -> None:
        seq = Sent.parse(data).seq
        self.stored_before_send.append(self.store.get(seq, seq) == [(seq, data)])
        super().send(data)


def test_send_fills_header_with_millisecond_sending_time() -> None:
    rig = logged_on()
    rig.clock.advance(1.25)

    assert rig.session.send(_order(header={49: "X", 56: "Y", 34: "99", 52: "old"}))

    sent, = rig.wire.take()
    assert sent.text() == ("35=D|34=2|49=ISLD|52=20260101-00:00:01.250|56=TW44|"
                           "11=C1|21=1|38=100|40=1|54=1|55=EUR/USD|60=20260101-00:00:00")


def test_send_strips_poss_dup_and_orig_sending_time() -> None:
    rig = logged_on()

    rig.session.send(_order(header={43: "Y", 122: "20250101-00:00:00", 97: "Y"}))

    sent, = rig.wire.take()
    assert 43 not in sent
    assert 122 not in sent
    assert sent[97] == "Y"


def test_send_persists_application_message_before_writing_it() -> None:
    rig = logged_on()
    wire = CheckingWire(rig.store)
    rig.session.responder = wire  # same connection, observed at the moment of writing

    rig.session.send(_order())
    rig.feed(rig.peer.test_request("x"))

    assert wire.stored_before_send == [True, False]  # the order stored; the Heartbeat not
    assert rig.store.next_sender_seq == 4


def test_send_increments_sender_seq_per_message() -> None:
    rig = logged_on()

    for n in range(3):
        rig.session.send(_order(f"C{n}"))

    assert [s.seq for s in rig.wire.take()] == [2, 3, 4]
    assert rig.store.next_sender_seq == 5
    assert [seq for seq, _ in rig.store.get(1, 10)] == [2, 3, 4]


def test_to_app_sees_the_filled_header() -> None:
    rig = logged_on()

    rig.session.send(_order())

    seen, = rig.app.to_app_messages
    assert (seen.header[34], seen.header[49], seen.header[56]) == ("2", "ISLD", "TW44")


def test_do_not_send_means_not_sent_not_stored_no_seq_consumed() -> None:
    rig = logged_on()
    rig.app.do_not_send = lambda message: message.get(11) == "NO"

    assert rig.session.send(_order("NO")) is False

    assert rig.wire.take() == []
    assert rig.store.next_sender_seq == 2
    assert rig.store.get(1, 10) == []
    rig.session.send(_order("YES"))
    assert [s.seq for s in rig.wire.take()] == [2]


def test_message_sent_while_disconnected_is_stored_and_resent_after_relogon() -> None:
    rig = logged_on()
    rig.feed(rig.peer.logout())
    rig.wire.take()

    assert rig.session.send(_order("OFFLINE")) is True

    assert rig.wire.take() == []
    assert rig.store.next_sender_seq == 4
    (_, data), = rig.store.get(3, 3)
    rig.clock.advance(2)
    rig.connect()
    assert briefs(rig.feed(rig.peer.logon())) == ["35=A|34=4|98=0|108=30"]

    sent = rig.feed(rig.peer.resend_request(3, 0))

    assert [s.brief() for s in sent] == [
        "35=D|34=3|43=Y|11=OFFLINE|21=1|38=100|40=1|54=1|55=EUR/USD|60=20260101-00:00:00",
        "35=4|34=4|43=Y|36=5|123=Y"]
    assert sent[0][122] == Sent.parse(data)[52] == "20260101-00:00:00.000"
    assert sent[0][52] == "20260101-00:00:02.000"


def test_application_message_before_logon_of_resetting_session_is_refused() -> None:
    rig = Rig(acceptor_settings(reset_on_logon=True))
    rig.connect()

    assert rig.session.send(_order()) is False

    assert rig.store.next_sender_seq == 1
    assert rig.store.get(1, 10) == []


def test_application_message_not_persisted_when_persist_messages_off() -> None:
    rig = logged_on(persist_messages=False)

    rig.session.send(_order())

    assert [s.seq for s in rig.wire.take()] == [2]
    assert rig.store.get(1, 10) == []
    assert rig.store.next_sender_seq == 3


def test_admin_message_sent_through_send_is_not_persisted() -> None:
    rig = logged_on()

    rig.session.send(Message("1", [(112, "ours")]))

    assert briefs(rig.wire.take()) == ["35=1|34=2|112=ours"]
    assert rig.store.get(1, 10) == []
    assert [m.msg_type for m in rig.app.to_admin_messages] == ["A", "1"]


def test_file_store_session_resends_messages_sent_before_a_restart(tmp_path: Path) -> None:
    factory = FileStoreFactory(tmp_path, SyncPolicy.NONE)
    clock = ManualClock()
    now = datetime.fromtimestamp(clock.time_ns() / 1e9, UTC)
    first = Rig(clock=clock, store=factory.open(str(ACCEPTOR_ID), now))
    first.logon()
    first.session.send(_order("DURABLE"))
    first.feed(first.peer.logout())
    first.store.close()

    second = Rig(clock=clock, store=factory.open(str(ACCEPTOR_ID), now))  # the restart
    second.peer.next_seq = 3
    second.connect()
    assert briefs(second.feed(second.peer.logon())) == ["35=A|34=4|98=0|108=30"]
    sent = second.feed(second.peer.resend_request(1, 0))

    assert [s.brief() for s in sent] == [
        "35=4|34=1|43=Y|36=2|123=Y",
        "35=D|34=2|43=Y|11=DURABLE|21=1|38=100|40=1|54=1|55=EUR/USD|60=20260101-00:00:00",
        "35=4|34=3|43=Y|36=5|123=Y"]
