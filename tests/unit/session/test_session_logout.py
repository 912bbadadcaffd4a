"""Logout handshakes and the sequence resets tied to them (FORMAT.md §8.3, QuickFIX settings)."""

from __future__ import annotations

from gateway.session.state import SessionState
from tests.unit.session.harness import Rig, acceptor_settings, briefs, logged_on


def test_peer_logout_answered_with_logout_then_disconnect() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.logout("done"))

    assert briefs(sent) == ["35=5|34=2"]
    assert rig.wire.disconnected
    assert rig.session.state is SessionState.DISCONNECTED
    assert rig.store.next_target_seq == 3
    assert rig.app.logouts == 1


def test_peer_logout_with_too_high_seq_answered_not_queued() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.logout(seq=6))

    assert briefs(sent) == ["35=5|34=2"]
    assert rig.wire.disconnected
    assert rig.session.queue == {}


def test_peer_logout_with_too_high_seq_does_not_skip_the_gap() -> None:
    # Regression: counting a too-high Logout moved the expected seq past the
    # missing messages, so they were never asked for again (QuickFIX/J QFJ-750).
    rig = logged_on()
    rig.peer.next_seq = 6
    rig.feed(rig.peer.logout())
    assert rig.store.next_target_seq == 2

    rig.connect()
    sent = rig.feed(rig.peer.logon())

    assert briefs(sent) == ["35=A|34=3|98=0|108=30", "35=2|34=4|7=2|16=0"]


def test_peer_logout_with_stale_seq_answered_without_too_low_logout() -> None:
    rig = logged_on()
    rig.feed(rig.peer.heartbeat(), rig.peer.heartbeat())

    sent = rig.feed(rig.peer.logout(seq=1))

    assert briefs(sent) == ["35=5|34=2"]
    assert rig.wire.disconnected
    assert rig.store.next_target_seq == 4


def test_peer_logout_while_gap_outstanding_answered() -> None:
    rig = logged_on()
    rig.peer.next_seq = 4
    assert briefs(rig.feed(rig.peer.heartbeat())) == ["35=2|34=2|7=2|16=0"]

    sent = rig.feed(rig.peer.logout())

    assert briefs(sent) == ["35=5|34=3"]
    assert rig.wire.disconnected


def test_our_logout_then_peer_reply_ends_session_without_second_logout() -> None:
    rig = logged_on()

    rig.session.logout("end of day")

    assert briefs(rig.wire.take()) == ["35=5|34=2|58=end of day"]
    assert rig.session.state is SessionState.LOGOUT_SENT
    assert not rig.wire.disconnected
    assert rig.feed(rig.peer.logout()) == []
    assert rig.wire.disconnected
    assert rig.app.logouts == 1
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (3, 3)


def test_messages_still_processed_while_waiting_for_logout_reply() -> None:
    rig = logged_on()
    rig.session.logout()
    rig.wire.take()

    sent = rig.feed(rig.peer.order("in flight"), rig.peer.test_request("tr"))

    assert rig.app.cl_ord_ids() == ["in flight"]
    assert briefs(sent) == ["35=0|34=3|112=tr"]


def test_logout_timeout_drops_silent_peer() -> None:
    rig = logged_on(logout_timeout_s=3)
    rig.session.logout()
    rig.wire.take()

    assert rig.at(3 - 0.001) == []
    assert not rig.wire.disconnected
    rig.at(3 + 0.001)
    assert rig.wire.disconnected


def test_logout_before_logon_disconnects_without_sending() -> None:
    rig = Rig()
    rig.connect()

    rig.session.logout("no")

    assert rig.wire.take() == []
    assert rig.wire.disconnected


def test_logout_when_disconnected_does_nothing() -> None:
    rig = Rig()

    rig.session.logout("nobody there")

    assert rig.session.state is SessionState.DISCONNECTED
    assert rig.store.next_sender_seq == 1


def test_reset_on_logout_resets_store_after_peer_logout() -> None:
    rig = logged_on(reset_on_logout=True)
    rig.feed(rig.peer.heartbeat())

    rig.feed(rig.peer.logout())

    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (1, 1)


def test_reset_on_logout_resets_store_after_our_logout() -> None:
    rig = logged_on(reset_on_logout=True)
    rig.session.logout()
    rig.feed(rig.peer.logout())

    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (1, 1)
    assert rig.store.get(1, 100) == []


def test_reset_on_disconnect_resets_store_when_connection_drops() -> None:
    rig = logged_on(reset_on_disconnect=True)
    rig.feed(rig.peer.test_request("a"))
    assert rig.store.next_sender_seq == 3

    rig.session.on_disconnect()

    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (1, 1)


def test_without_reset_settings_sequences_survive_disconnect_and_relogon() -> None:
    rig = logged_on()
    rig.feed(rig.peer.test_request("a"), rig.peer.logout())
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (4, 4)

    rig.connect()
    sent = rig.feed(rig.peer.logon())

    assert briefs(sent) == ["35=A|34=4|98=0|108=30"]
    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (5, 5)


def test_reset_sequences_empties_store_and_restarts_at_1() -> None:
    rig = Rig(acceptor_settings())
    rig.store.set_next_sender_seq(9)
    rig.store.set(8, b"stored")

    rig.session.reset_sequences()

    assert (rig.store.next_sender_seq, rig.store.next_target_seq) == (1, 1)
    assert rig.store.get(1, 10) == []
