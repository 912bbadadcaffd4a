"""Breaker state machine on a fake clock: every row of the table, and the no-ops."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from routing.breaker.core import (
    CLOSED_RECORD,
    BreakerConfig,
    BreakerRecord,
    BreakerTransition,
    Step,
    on_admit,
    on_failure,
    on_poll,
    on_reset,
    on_session_down,
    on_success,
    on_trip,
)
from routing.breaker.table import DESCRIPTIONS, TRANSITIONS, BreakerState, Trigger, reason_text
from tests.unit.routing.helpers import T0

S = BreakerState
CFG = BreakerConfig(failure_threshold=3, window_s=10.0, reset_s=30.0, half_open_trials=2)


def in_state(state: BreakerState) -> BreakerRecord:
    return BreakerRecord(state=state, since_s=T0)


def fail(record: BreakerRecord, at: float, detail: str = "QuoteRequestReject") -> Step:
    return on_failure("lp-1", record, CFG, detail, at)


def admit(record: BreakerRecord, at: float) -> tuple[Step, bool]:
    return on_admit("lp-1", record, CFG, at)


ACTIONS: dict[Trigger, Callable[[BreakerRecord], Step]] = {
    Trigger.FAILURES: lambda r: on_failure("lp-1", r, BreakerConfig(failure_threshold=1), "x", T0 + 1),
    Trigger.SESSION_DOWN: lambda r: on_session_down("lp-1", r, "x", T0 + 1),
    Trigger.RESET_TIMEOUT: lambda r: on_poll("lp-1", r, CFG, T0 + CFG.reset_s),
    Trigger.TRIAL_SUCCESS: lambda r: on_success("lp-1", r, T0 + 1),
    Trigger.TRIAL_FAILURE: lambda r: fail(r, T0 + 1, "x"),
    Trigger.MANUAL_TRIP: lambda r: on_trip("lp-1", r, "x", T0 + 1),
    Trigger.MANUAL_RESET: lambda r: on_reset("lp-1", r, "x", T0 + 1),
}


@pytest.mark.parametrize(("row", "target"), list(TRANSITIONS.items()), ids=lambda v: str(v))
def test_every_table_row_is_reachable_and_reported(row: tuple[S, Trigger], target: S) -> None:
    state, trigger = row
    step = ACTIONS[trigger](in_state(state))
    at = T0 + (CFG.reset_s if trigger is Trigger.RESET_TIMEOUT else 1)
    reason = reason_text(trigger, "" if trigger in (Trigger.RESET_TIMEOUT, Trigger.TRIAL_SUCCESS) else "x")
    assert step.transition == BreakerTransition("lp-1", state, target, trigger, reason, at)
    assert step.record.state is target and step.record.since_s == at
    assert step.record.reason == reason


def test_every_state_has_a_description() -> None:
    assert set(DESCRIPTIONS) == set(S) and all(s.description for s in S)


def test_closed_opens_on_the_threshold_th_failure_within_the_window() -> None:
    r = fail(CLOSED_RECORD, T0).record
    r = fail(r, T0 + 4).record
    assert r.state is S.CLOSED and r.failures == (T0, T0 + 4)
    step = fail(r, T0 + 9.9, "RFQ timeout")
    assert step.record.state is S.OPEN
    assert step.transition is not None and step.transition.reason == "failure threshold reached: RFQ timeout"


def test_failures_older_than_the_window_do_not_count() -> None:
    r = fail(fail(CLOSED_RECORD, T0).record, T0 + 6).record
    step = fail(r, T0 + 10)  # the first is exactly window_s old: out
    assert step.transition is None and step.record.failures == (T0 + 6, T0 + 10)


def test_session_drop_opens_at_once_from_closed_and_half_open() -> None:
    for state in (S.CLOSED, S.HALF_OPEN):
        step = on_session_down("lp-1", in_state(state), "TCP reset", T0 + 1)
        assert step.record.state is S.OPEN
        assert step.transition is not None and step.transition.reason == "LP session down: TCP reset"


def test_open_half_opens_only_after_the_reset_timeout() -> None:
    opened = in_state(S.OPEN)
    step, ok = admit(opened, T0 + CFG.reset_s - 0.001)
    assert not ok and step.transition is None and step.record is opened
    step, ok = admit(opened, T0 + CFG.reset_s)
    assert ok and step.record.state is S.HALF_OPEN and step.record.trials == 1
    assert step.transition is not None and step.transition.trigger is Trigger.RESET_TIMEOUT


def test_half_open_admits_a_limited_number_of_trials() -> None:
    r = in_state(S.HALF_OPEN)
    (step1, ok1), at = admit(r, T0 + 1), T0 + 1
    (step2, ok2) = admit(step1.record, at)
    (step3, ok3) = admit(step2.record, at)
    assert (ok1, ok2, ok3) == (True, True, False)
    assert step3.record.trials == CFG.half_open_trials


def test_trial_success_closes_and_trial_failure_reopens_with_a_new_timer() -> None:
    trial = admit(in_state(S.HALF_OPEN), T0 + 1)[0].record
    closed = on_success("lp-1", trial, T0 + 2)
    assert closed.record == BreakerRecord(S.CLOSED, (), T0 + 2, 0, 0.0, Trigger.TRIAL_SUCCESS, "")
    reopened = fail(trial, T0 + 2, "last look reject")
    assert reopened.record.state is S.OPEN and reopened.record.since_s == T0 + 2
    assert not admit(reopened.record, T0 + 2 + CFG.reset_s - 1)[1]


def test_trial_permits_without_an_outcome_are_handed_out_again_after_the_reset_timeout() -> None:
    r = in_state(S.HALF_OPEN)
    for _ in range(CFG.half_open_trials):
        r = admit(r, T0 + 1)[0].record
    assert not admit(r, T0 + 1 + CFG.reset_s - 0.5)[1]
    step, ok = admit(r, T0 + 1 + CFG.reset_s)
    assert ok and step.record.trials == 1


def test_manual_trip_holds_until_a_manual_reset() -> None:
    forced = on_trip("lp-1", CLOSED_RECORD, "LP maintenance", T0).record
    assert forced.state is S.FORCED_OPEN and forced.reason == "tripped by operator: LP maintenance"
    assert not admit(forced, T0 + 10 * CFG.reset_s)[1]
    assert on_poll("lp-1", forced, CFG, T0 + 10 * CFG.reset_s).transition is None
    assert on_trip("lp-1", forced, "again", T0 + 1).transition is None
    reset = on_reset("lp-1", forced, "done", T0 + 100)
    assert reset.record.state is S.CLOSED and admit(reset.record, T0 + 100)[1]


def test_manual_reset_of_a_closed_breaker_only_clears_its_failures() -> None:
    r = fail(CLOSED_RECORD, T0).record
    step = on_reset("lp-1", r, "clean slate", T0 + 1)
    assert step.transition is None and step.record.failures == () and step.record.state is S.CLOSED


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.OPEN, lambda r: fail(r, T0 + 1)),
        (S.FORCED_OPEN, lambda r: fail(r, T0 + 1)),
        (S.CLOSED, lambda r: on_success("lp-1", r, T0 + 1)),
        (S.OPEN, lambda r: on_success("lp-1", r, T0 + 1)),
        (S.OPEN, lambda r: on_session_down("lp-1", r, "x", T0 + 1)),
        (S.FORCED_OPEN, lambda r: on_session_down("lp-1", r, "x", T0 + 1)),
        (S.HALF_OPEN, lambda r: on_poll("lp-1", r, CFG, T0 + 1000)),
        (S.CLOSED, lambda r: on_poll("lp-1", r, CFG, T0 + 1000)),
    ],
)
def test_events_outside_the_table_leave_the_state_alone(
    state: S, event: Callable[[BreakerRecord], Step]
) -> None:
    record = in_state(state)
    step = event(record)
    assert step.transition is None and step.record == record


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        BreakerConfig(failure_threshold=0)
    with pytest.raises(ValueError):
        BreakerConfig(reset_s=0)
