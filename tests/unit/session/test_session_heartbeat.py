"""Heartbeat, TestRequest, logon and logout timers on the ManualClock (FORMAT.md §6.4).

`rig.at(t)` sets the clock to t seconds after the logon and polls, as the
transport does several times a second; boundaries are probed 1 ms either side.
"""

from __future__ import annotations

from gateway.session.state import SessionState
from tests.unit.session.harness import Rig, briefs, logged_on

H = 6  # HeartBtInt of the suite's timing tests
EPS = 0.001


def _at(rig: Rig, seconds: float) -> list[str]:
    return briefs(rig.at(seconds))


def test_heartbeat_after_heartbtint_idle() -> None:
    rig = logged_on(H)

    assert _at(rig, H - EPS) == []
    sent = rig.at(H + EPS)

    assert briefs(sent) == ["35=0|34=2"]
    assert 112 not in sent[0]


def test_heartbeats_repeat_every_heartbtint_while_peer_keeps_talking() -> None:
    rig = logged_on(H)
    beats = []
    for n in range(1, 5):
        beats += _at(rig, n * H + EPS)
        rig.feed(rig.peer.heartbeat())

    assert beats == ["35=0|34=2", "35=0|34=3", "35=0|34=4", "35=0|34=5"]
    assert not rig.wire.disconnected


def test_no_heartbeat_while_we_keep_sending() -> None:
    rig = logged_on(H)
    rig.at(H - 1)
    rig.feed(rig.peer.test_request("x"))  # our answer counts as sending

    assert _at(rig, 2 * H - 1 - EPS) == []
    assert _at(rig, 2 * H - 1 + EPS) == ["35=0|34=3"]


def test_test_request_after_1_2_heartbtint_without_input() -> None:
    rig = logged_on(H)
    assert _at(rig, H + EPS) == ["35=0|34=2"]

    assert _at(rig, 1.2 * H - EPS) == []
    assert _at(rig, 1.2 * H + EPS) == ["35=1|34=3|112=TEST"]
    assert rig.session.test_requests == 1


def test_no_heartbeat_while_test_request_outstanding_then_disconnect_at_2_4_heartbtint() -> None:
    rig = logged_on(H)
    assert _at(rig, H + EPS) == ["35=0|34=2"]
    assert _at(rig, 1.2 * H + EPS) == ["35=1|34=3|112=TEST"]

    # Polled every 0.1 s: nothing goes out, not even the Heartbeat due H after the TR.
    quiet = [sent for tick in range(1, 72) for sent in _at(rig, 1.2 * H + tick * 0.1 - EPS)]
    assert quiet == []
    assert not rig.wire.disconnected

    assert _at(rig, 2.4 * H + EPS) == []   # dropped without a Logout
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
    rig.at(H + EPS)
    assert _at(rig, 1.2 * H + EPS) == ["35=1|34=3|112=TEST"]

    rig.at(8)
    rig.feed(rig.peer.order("late"))   # not a Heartbeat, still clears it

    assert rig.session.test_requests == 0
    # A Heartbeat may go again (none goes while a TestRequest is outstanding) ...
    assert _at(rig, 1.2 * H + H + 2 * EPS) == ["35=0|34=4"]
    # ... the next TestRequest and the drop count from the order, not from the logon.
    assert _at(rig, 8 + 1.2 * H + EPS) == ["35=1|34=5|112=TEST"]
    assert _at(rig, 8 + 2.4 * H - EPS) == []
    assert not rig.wire.disconnected
    rig.at(8 + 2.4 * H + EPS)
    assert rig.wire.disconnected


def test_test_request_cycle_restarts_after_answer() -> None:
    rig = logged_on(10)
    rig.at(10 + EPS)
    assert _at(rig, 12 + EPS) == ["35=1|34=3|112=TEST"]
    rig.feed(rig.peer.heartbeat("TEST"))

    assert _at(rig, 22 + 2 * EPS) == ["35=0|34=4"]   # idle for H since the TestRequest
    assert _at(rig, 24 + 2 * EPS) == ["35=1|34=5|112=TEST"]


def test_rejected_message_does_not_count_as_input() -> None:
    rig = logged_on(H)
    rig.at(H + EPS)
    rig.at(6.6)
    rejected = rig.feed(rig.peer.frame("D", "11=X|21=4|40=1|54=1|60=" + rig.peer.now()))
    assert [s.msg_type for s in rejected] == ["3"]

    assert _at(rig, 1.2 * H + EPS) == ["35=1|34=4|112=TEST"]


def test_reconnected_session_sends_nothing_before_logon() -> None:
    rig = logged_on(H)
    rig.session.on_disconnect()
    rig.connect()

    sent = [s for tick in range(1, 40) for s in rig.at(tick * 0.5)]

    assert sent == []
    assert rig.wire.disconnected  # LogonTimeout (10 s) passed, nothing else happened


def test_logout_timeout_disconnects_when_peer_does_not_answer_our_logout() -> None:
    rig = logged_on(30, logout_timeout_s=2)
    rig.session.logout("bye")
    assert briefs(rig.wire.take()) == ["35=5|34=2|58=bye"]

    assert rig.at(2 - EPS) == []
    assert not rig.wire.disconnected
    assert rig.at(2 + EPS) == []
    assert rig.wire.disconnected
    assert rig.app.logouts == 1
