"""Answering a ResendRequest (FORMAT.md §8.3 "Resending"): resent orders and gap fills."""

from __future__ import annotations

from typing import Any

from gateway.fix.message import Message
from tests.unit.session.harness import Rig, Sent, briefs, logged_on

T0 = "20260101-00:00:00.000"   # ManualClock's start: when everything below was first sent
T5 = "20260101-00:00:05.000"   # when the ResendRequest is answered
ORDER_BODY = "11={}|21=1|38=100|40=1|54=1|55=EUR/USD|60=" + T0


def _order(cl_ord_id: str) -> Message:
    return Message("D", [(11, cl_ord_id), (21, "1"), (38, "100"), (40, "1"), (54, "1"),
                         (55, "EUR/USD"), (60, T0)])


def _mixed_history(**overrides: Any) -> Rig:
    """Sent 1=Logon 2=Heartbeat 3=Heartbeat 4=order C4 5=Heartbeat 6=order C6 7=Heartbeat."""
    rig = logged_on(**overrides)
    rig.feed(rig.peer.test_request("a"), rig.peer.test_request("b"))
    rig.session.send(_order("C4"))
    rig.feed(rig.peer.test_request("c"))
    rig.session.send(_order("C6"))
    rig.feed(rig.peer.test_request("d"))
    assert rig.store.next_sender_seq == 8
    rig.clock.advance(5)
    return rig


def _gap_fill(first: int, new_seq: int) -> str:
    return f"35=4|34={first}|43=Y|49=ISLD|52={T5}|56=TW44|122={T5}|36={new_seq}|123=Y"


def _resent(seq: int, cl_ord_id: str) -> str:
    return f"35=D|34={seq}|43=Y|49=ISLD|52={T5}|56=TW44|122={T0}|" + ORDER_BODY.format(cl_ord_id)


def _texts(sent: list[Sent]) -> list[str]:
    return [frame.text() for frame in sent]


def test_resend_request_when_gap_then_gap_fill_over_admin_messages() -> None:
    rig = _mixed_history()

    sent = rig.feed(rig.peer.resend_request(2, 4))

    assert _texts(sent) == [_gap_fill(2, 4), _resent(4, "C4")]


def test_resend_request_2_to_6_alternates_gap_fills_and_resent_orders() -> None:
    rig = _mixed_history()

    sent = rig.feed(rig.peer.resend_request(2, 6))

    assert _texts(sent) == [_gap_fill(2, 4), _resent(4, "C4"), _gap_fill(5, 6), _resent(6, "C6")]


def test_resend_request_to_infinity_ends_with_gap_fill_to_next_outgoing_seq() -> None:
    rig = _mixed_history()

    sent = rig.feed(rig.peer.resend_request(2, 0))

    assert _texts(sent) == [_gap_fill(2, 4), _resent(4, "C4"), _gap_fill(5, 6), _resent(6, "C6"),
                            _gap_fill(7, 8)]


def test_resend_request_end_beyond_last_sent_is_up_to_last_sent() -> None:
    rig = _mixed_history()

    sent = rig.feed(rig.peer.resend_request(5, 99))

    assert _texts(sent) == [_gap_fill(5, 6), _resent(6, "C6"), _gap_fill(7, 8)]


def test_resend_request_over_only_admin_messages_is_one_gap_fill() -> None:
    rig = logged_on()
    rig.feed(rig.peer.test_request("a"), rig.peer.test_request("b"))

    sent = rig.feed(rig.peer.resend_request(1, 0))

    assert briefs(sent) == ["35=4|34=1|43=Y|36=4|123=Y"]


def test_resent_message_keeps_stored_fields_and_seq() -> None:
    rig = _mixed_history()
    (stored_seq, stored), = rig.store.get(6, 6)

    sent, = rig.feed(rig.peer.resend_request(6, 6))

    original = Sent.parse(stored)
    assert stored_seq == sent.seq == 6
    assert sent.body() == original.body()
    assert sent[122] == original[52] == T0
    assert sent[52] == T5
    assert 43 not in original


def test_resend_request_takes_no_outgoing_seq() -> None:
    rig = _mixed_history()

    rig.feed(rig.peer.resend_request(2, 0))

    assert rig.store.next_sender_seq == 8
    assert briefs(rig.feed(rig.peer.test_request("next"))) == ["35=0|34=8|112=next"]


def test_resend_request_with_expected_seq_consumes_it() -> None:
    rig = _mixed_history()
    expected = rig.store.next_target_seq

    rig.feed(rig.peer.resend_request(2, 4))

    assert rig.store.next_target_seq == expected + 1


def test_resend_request_with_stale_seq_is_answered_without_consuming_or_logout() -> None:
    rig = _mixed_history()
    expected = rig.store.next_target_seq

    sent = rig.feed(rig.peer.resend_request(2, 4, seq=2))

    assert _texts(sent) == [_gap_fill(2, 4), _resent(4, "C4")]
    assert rig.store.next_target_seq == expected
    assert not rig.wire.disconnected


def test_resend_request_with_too_high_seq_is_answered_not_queued() -> None:
    rig = _mixed_history()
    expected = rig.store.next_target_seq

    sent = rig.feed(rig.peer.resend_request(6, 6, seq=expected + 10))

    assert _texts(sent) == [_resent(6, "C6")]
    assert rig.store.next_target_seq == expected
    assert rig.session.queue == {}
    assert rig.session.resend_range is None


def test_do_not_send_during_resend_turns_message_into_gap_fill() -> None:
    rig = _mixed_history()
    rig.app.do_not_send = lambda message: message.header.get(43) == "Y" and message.get(11) == "C4"

    sent = rig.feed(rig.peer.resend_request(2, 0))

    assert _texts(sent) == [_gap_fill(2, 6), _resent(6, "C6"), _gap_fill(7, 8)]  # 2-5 one run


def test_without_persisted_messages_whole_range_is_one_gap_fill() -> None:
    rig = _mixed_history(persist_messages=False)

    sent = rig.feed(rig.peer.resend_request(2, 0))

    assert _texts(sent) == [_gap_fill(2, 8)]
    assert rig.store.get(1, 10) == []


def test_resend_request_with_begin_after_last_sent_sends_nothing() -> None:
    rig = _mixed_history()

    sent = rig.feed(rig.peer.resend_request(9, 0))

    assert sent == []
    assert not rig.wire.disconnected


def test_gap_fill_and_resent_order_go_through_to_admin_and_to_app() -> None:
    rig = _mixed_history()
    rig.app.to_admin_messages.clear()
    rig.app.to_app_messages.clear()

    rig.feed(rig.peer.resend_request(2, 4))

    assert [m.msg_type for m in rig.app.to_admin_messages] == ["4"]
    assert [(m.msg_type, m.header.get(43)) for m in rig.app.to_app_messages] == [("D", "Y")]
