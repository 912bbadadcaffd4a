"""Heartbeat, TestRequest, logon and logout timers on the ManualClock (FORMAT.md §6.4)."""

from __future__ import annotations

from gateway.session.state import SessionState

from tests.unit.session.harness import briefs, logged_on

H = 6  # HeartBtInt of the suite's timing tests


def test_heartbeat_after_heartbtint_idle() -> None:
    rig = logged_on(H)

    assert rig.advance(H - 0.001) == []
    sent = rig.advance(0.001)

    assert briefs(sent) == ["35=0|34=2"]
    assert 112 not in sent[0]


def test_heartbeats_repeat_every_heartbtint_while_peer_keeps_talking() -> None:
    rig = logged_on(H)
    beats = []
    for _ in range(4):
        beats += rig.advance(H)
        rig.feed(rig.peer.heartbeat())

    assert briefs(beats) == ["35=0|34=2", "35=0|34=3", "35=0|34=4", "35=0|34=5"]
    assert not rig.wire.disconnected


def test_no_heartbeat_while_we_keep_sending() -> None:
    rig = logged_on(H)
    rig.advance(H - 1)
    rig.feed(rig.peer.test_request("x"))  # our answer counts as sending

    assert rig.advance(H - 1) == []


def test_test_request_after_1_2_heartbtint_without_input() -> None:
    rig = logged_on(H)
    assert briefs(rig.advance(H)) == ["35=0|34=2"]

    assert rig.advance(1.2 * H - H - 0.01) == []
    sent = rig.advance(0.01)

    assert briefs(sent) == ["35=1|34=3|112=TEST"]
    assert rig.session.test_requests == 1


def test_no_heartbeat_while_test_request_outstanding_then_disconnect_at_2_4_heartbtint() -> None:
    rig = logged_on(H)
    start_ns = rig.clock.now_ns

    def at(seconds: float) -> list[str]:
        rig.clock.now_ns = start_ns + round(seconds * 1e9)
        rig.session.poll()
        return briefs(rig.wire.take())

    assert at(H) == ["35=0|34=2"]
    assert at(1.2 * H) == ["35=1|34=3|112=TEST"]
    # The transport polls often; nothing goes out until the drop (H after the TR included).
    quiet = [sent for tick in range(1, 72) for sent in at(1.2 * H + tick * 0.1)]
    assert quiet == []
    assert not rig.wire.disconnected

    assert at(2.4 * H + 1e-6) == []   # dropped without a Logout
    assert rig.wire.disconnected
    assert rig.session.state is SessionState.DISCONNECTED
    assert rig.app.logouts == 1


def test_test_request_answered_with_heartbeat_carrying_its_id() -> None:
    rig = logged_on()

    sent = rig.feed(rig.peer.test_request("abc 123"))

    assert briefs(sent) == ["35=0|34=2|112=abc 123"]
    assert rig.store.next_target_seq == 3


def test_any_valid_message_clears_outstanding_test_request() -> None:
    rig = logged_on(H)
    rig.advance(H)
    assert briefs(rig.advance(0.2 * H)) == ["35=1|34=3|112=TEST"]

    rig.clock.advance(1)
    rig.feed(rig.peer.order("late"))   # not a Heartbeat, still clears it

    assert rig.session.test_requests == 0
    # A Heartbeat may go again (none is sent while a TestRequest is outstanding) ...
    assert briefs(rig.advance(H)) == ["35=0|34=4"]
    # ... and the 2.4 H drop counts from the order, not from the logon.
    rig.advance(2.4 * H - H - 1 - 0.01)
    assert not rig.wire.disconnected


def test_second_test_request_when_first_is_answered_late_by_silence() -> None:
    rig = logged_on(10)
    rig.advance(10)
    assert briefs(rig.advance(2)) == ["35=1|34=3|112=TEST"]
    rig.feed(rig.peer.heartbeat("TEST"))
    rig.advance(10)  # Heartbeat (we were idle)

    assert briefs(rig.advance(2)) == ["35=1|34=5|112=TEST"]


def test_rejected_message_does_not_count_as_input() -> None:
    rig = logged_on(H)
    rig.advance(H)
    rig.clock.advance(0.1 * H)
    rig.feed(rig.peer.frame("D", "11=X|21=4|40=1|54=1|60=" + rig.peer.now()))  # Reject, 21=4

    assert briefs(rig.advance(0.1 * H)) == ["35=1|34=4|112=TEST"]


def test_reconnected_session_sends_nothing_before_logon() -> None:
    rig = logged_on(H)
    rig.session.on_disconnect()
    rig.connect()

    assert rig.advance(3 * H) == []
    assert rig.wire.disconnected  # LogonTimeout (10 s) passed, nothing else happened


def test_logout_timeout_disconnects_when_peer_does_not_answer_our_logout() -> None:
    rig = logged_on(30, logout_timeout_s=2)
    rig.session.logout("bye")
    assert briefs(rig.wire.take()) == ["35=5|34=2|58=bye"]

    assert rig.advance(1.99) == []
    assert not rig.wire.disconnected
    assert rig.advance(0.01) == []
    assert rig.wire.disconnected
    assert rig.app.logouts == 1
