"""Inbound MsgSeqNum handling: gaps, duplicates, SequenceReset (FORMAT.md §8.3 "Sequence numbers")."""

from __future__ import annotations

from gateway.session.state import SessionState
from tests.unit.session.harness import Rig, acceptor_settings, briefs, logged_on

TOO_LOW_TEXT = "MsgSeqNum too low, expecting {} but received {}"


def _gap(rig: Rig) -> None:
    """Orders 5 and 6 arrive while 2 is expected: queued, one ResendRequest."""
    rig.peer.next_seq = 5
    assert briefs(rig.feed(rig.peer.order("O5"))) == ["35=2|34=2|7=2|16=0"]
    assert rig.feed(rig.peer.order("O6")) == []


def test_too_high_message_is_queued_with_one_resend_request() -> None:
    rig = logged_on()

    _gap(rig)

    assert rig.app.from_app_messages == []
    assert sorted(rig.session.queue) == [5, 6]
    assert rig.session.resend_range == (2, 4)
    assert rig.store.next_target_seq == 2


def test_redundant_resend_request_sent_when_configured() -> None:
    rig = logged_on(send_redundant_resend_requests=True)
    rig.peer.next_seq = 5
    rig.feed(rig.peer.order("O5"))

    sent = rig.feed(rig.peer.order("O6"))

    assert briefs(sent) == ["35=2|34=3|7=2|16=0"]
    assert rig.session.resend_range == (2, 5)


def test_queued_messages_processed_in_order_when_gap_fills() -> None:
    rig = logged_on()
    _gap(rig)

    sent = rig.feed(*(rig.peer.poss_dup_order(seq, f"O{seq}") for seq in (2, 3, 4)))

    assert sent == []
    assert rig.app.cl_ord_ids() == ["O2", "O3", "O4", "O5", "O6"]
    assert rig.store.next_target_seq == 7
    assert rig.session.queue == {}
    assert rig.session.resend_range is None


def test_queued_messages_processed_when_gap_fill_covers_the_gap() -> None:
    rig = logged_on()
    _gap(rig)

    sent = rig.feed(rig.peer.gap_fill(5, seq=2, header=f"43=Y|122={rig.peer.now()}"))

    assert sent == []
    assert rig.app.cl_ord_ids() == ["O5", "O6"]
    assert rig.store.next_target_seq == 7
    assert rig.session.resend_range is None


def test_queued_test_request_answered_when_gap_fills() -> None:
    rig = logged_on()
    rig.peer.next_seq = 3
    rig.feed(rig.peer.test_request("queued"))

    sent = rig.feed(rig.peer.heartbeat(seq=2))

    assert briefs(sent) == ["35=0|34=3|112=queued"]
    assert rig.store.next_target_seq == 4


def test_new_too_high_message_after_gap_filled_asks_again() -> None:
    rig = logged_on()
    _gap(rig)
    rig.feed(*(rig.peer.poss_dup_order(seq, f"O{seq}") for seq in (2, 3, 4)))
    rig.peer.next_seq = 9

    sent = rig.feed(rig.peer.order("O9"))

    assert briefs(sent) == ["35=2|34=3|7=7|16=0"]


def test_too_low_without_poss_dup_logs_out_with_text_and_disconnects() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat(), rig.peer.heartbeat())

    sent = rig.feed(rig.peer.heartbeat(seq=2))

    assert briefs(sent) == ["35=5|34=2|58=" + TOO_LOW_TEXT.format(5, 2)]
    assert rig.wire.disconnected
    assert rig.session.state is SessionState.DISCONNECTED


def test_too_low_with_poss_dup_is_ignored() -> None:
    rig = logged_on()
    rig.feed(rig.peer.order("O2"), rig.peer.order("O3"))

    sent = rig.feed(rig.peer.poss_dup_order(2, "O2"))

    assert sent == []
    assert rig.app.cl_ord_ids() == ["O2", "O3"]
    assert rig.store.next_target_seq == 4
    assert not rig.wire.disconnected


def test_too_low_with_poss_dup_without_orig_sending_time_rejected_seq_not_consumed() -> None:
    rig = logged_on()
    rig.feed(rig.peer.order("O2"), rig.peer.order("O3"))

    sent = rig.feed(rig.peer.poss_dup_order(2, "O2", orig_offset_s=None))

    assert briefs(sent) == ["35=3|34=2|45=2|58=Required tag missing|371=122|372=D|373=1"]
    assert rig.store.next_target_seq == 4
    assert rig.app.cl_ord_ids() == ["O2", "O3"]
    # Not delivered, so the application hears of it (every session Reject says so).
    assert [(m.get(11), r.ref_tag) for m, r in rig.app.refused] == [("O2", 122)]


def test_too_low_with_orig_sending_time_after_sending_time_rejected_then_logout() -> None:
    rig = logged_on()
    rig.feed(rig.peer.order("O2"), rig.peer.order("O3"))

    sent = rig.feed(rig.peer.poss_dup_order(2, "O2", orig_offset_s=10))

    assert briefs(sent) == ["35=3|34=2|45=2|58=SendingTime accuracy problem|372=D|373=10",
                            "35=5|34=3"]
    assert rig.session.state is SessionState.LOGOUT_SENT
    assert rig.feed(rig.peer.logout()) == []
    assert rig.wire.disconnected


def test_sequence_reset_with_seq_0_adopts_higher_new_seq_no() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.sequence_reset(20, seq=0))

    assert sent == []
    assert rig.store.next_target_seq == 20


def test_sequence_reset_with_gap_fill_n_is_a_reset() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.frame("4", "36=9|123=N", seq=0))

    assert sent == []
    assert rig.store.next_target_seq == 9


def test_sequence_reset_with_too_high_seq_is_processed_not_queued() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.sequence_reset(10, seq=50))

    assert sent == []
    assert rig.store.next_target_seq == 10
    assert rig.session.queue == {}


def test_sequence_reset_lower_than_expected_rejected_without_371_seq_not_consumed() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat(), rig.peer.heartbeat())

    sent = rig.feed(rig.peer.sequence_reset(2, seq=0))

    assert briefs(sent) == [
        "35=3|34=2|45=0|58=Value is incorrect (out of range) for this tag|372=4|373=5"]
    assert rig.store.next_target_seq == 5


def test_sequence_reset_equal_to_expected_changes_nothing() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.sequence_reset(2, seq=0))

    assert sent == []
    assert rig.store.next_target_seq == 2
    assert rig.store.next_sender_seq == 2


def test_gap_fill_with_expected_seq_moves_to_new_seq_no() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.gap_fill(20))

    assert sent == []
    assert rig.store.next_target_seq == 20


def test_gap_fill_too_high_is_queued_with_resend_request() -> None:
    rig = logged_on()
    rig.peer.next_seq = 4

    sent = rig.feed(rig.peer.gap_fill(8))

    assert briefs(sent) == ["35=2|34=2|7=2|16=0"]
    assert rig.store.next_target_seq == 2
    rig.peer.next_seq = 2
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat())
    assert rig.store.next_target_seq == 8


def test_gap_fill_too_low_without_poss_dup_logs_out() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat())

    sent = rig.feed(rig.peer.gap_fill(9, seq=2))

    assert briefs(sent) == ["35=5|34=2|58=" + TOO_LOW_TEXT.format(4, 2)]
    assert rig.wire.disconnected


def test_gap_fill_too_low_with_poss_dup_is_ignored_even_without_orig_sending_time() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat())

    sent = rig.feed(rig.peer.gap_fill(9, seq=2, header="43=Y"))

    assert sent == []
    assert rig.store.next_target_seq == 4


def test_incoming_reject_consumes_its_seq_without_answer() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.frame("3", "45=1|58=whatever|373=1"))

    assert sent == []
    assert rig.store.next_target_seq == 3
    assert [m.msg_type for m in rig.app.from_admin_messages] == ["A", "3"]


def test_heartbeats_in_sequence_accepted_silently() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat(), rig.peer.heartbeat())

    assert sent == []
    assert rig.store.next_target_seq == 5


def test_queued_logon_only_consumes_its_seq() -> None:
    rig = Rig(acceptor_settings())
    rig.connect()
    rig.feed(rig.peer.logon(seq=3))  # Logon reply + ResendRequest 7=1

    sent = rig.feed(rig.peer.gap_fill(3, seq=1, header="43=Y"))

    assert sent == []
    assert rig.store.next_target_seq == 4
    assert rig.app.logons == 1
    assert [m.msg_type for m in rig.app.from_admin_messages] == ["A", "4"]


def test_garbled_message_after_logon_dropped_without_consuming_seq() -> None:
    rig = logged_on()
    good = rig.peer.order("O2")
    garbled = good[:-4] + b"%03d\x01" % ((int(good[-4:-1]) + 1) % 256)

    assert rig.feed(garbled) == []
    assert rig.store.next_target_seq == 2
    assert not rig.wire.disconnected
    assert rig.feed(good) == []
    assert rig.app.cl_ord_ids() == ["O2"]
