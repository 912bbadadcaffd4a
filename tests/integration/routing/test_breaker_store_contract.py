"""One contract for every breaker store (memory, Redis, Redis with fallback),
on a fake clock. Thresholds: 3 failures in 10 s, reset 30 s, 2 half-open trials;
"lp-fragile": 1 failure, reset 5 s, 1 trial."""

from __future__ import annotations

from routing.breaker import BreakerState, BreakerStore, Trigger
from tests.unit.routing.helpers import T0

S = BreakerState


async def open_lp(store: BreakerStore, lp: str, at: float = T0) -> None:
    for i in range(3):
        await store.record_failure(lp, f"reject {i}", at + i)  # opens at `at` + 2


async def test_unknown_lps_are_closed_and_admitted_in_the_order_asked(store: BreakerStore) -> None:
    admission = await store.admit(["lp-b", "lp-a"], T0)
    assert admission.admitted == ("lp-b", "lp-a") and admission.transitions == ()


async def test_threshold_failures_within_the_window_open_the_breaker_once(store: BreakerStore) -> None:
    assert await store.record_failure("lp-a", "timeout", T0) == ()
    assert await store.record_failure("lp-a", "timeout", T0 + 1) == ()
    (event,) = await store.record_failure("lp-a", "QuoteRequestReject", T0 + 2)
    assert (event.lp, event.from_state, event.to_state, event.trigger, event.at_s) == (
        "lp-a", S.CLOSED, S.OPEN, Trigger.FAILURES, T0 + 2,
    )
    assert event.reason == "failure threshold reached: QuoteRequestReject"
    assert await store.record_failure("lp-a", "more", T0 + 3) == ()
    assert (await store.admit(["lp-a", "lp-b"], T0 + 3)).admitted == ("lp-b",)
    record = (await store.snapshot())["lp-a"]
    assert record.state is S.OPEN and record.since_s == T0 + 2 and record.reason == event.reason


async def test_failures_spread_wider_than_the_window_do_not_open(store: BreakerStore) -> None:
    for at in (T0, T0 + 6, T0 + 12, T0 + 18):
        assert await store.record_failure("lp-a", "timeout", at) == ()
    assert (await store.snapshot())["lp-a"].failures == (T0 + 12, T0 + 18)


async def test_thresholds_are_per_lp(store: BreakerStore) -> None:
    (event,) = await store.record_failure("lp-fragile", "reject", T0)
    assert event.to_state is S.OPEN
    assert (await store.admit(["lp-fragile"], T0 + 5)).admitted == ("lp-fragile",)


async def test_reset_timeout_half_opens_and_trials_are_limited(store: BreakerStore) -> None:
    await open_lp(store, "lp-a")
    assert (await store.admit(["lp-a"], T0 + 31.9)).admitted == ()
    first = await store.admit(["lp-a"], T0 + 32)
    assert first.admitted == ("lp-a",)
    assert [(e.from_state, e.to_state, e.trigger) for e in first.transitions] == [
        (S.OPEN, S.HALF_OPEN, Trigger.RESET_TIMEOUT)
    ]
    assert (await store.admit(["lp-a"], T0 + 32)) == (("lp-a",), ())
    assert (await store.admit(["lp-a"], T0 + 32)).admitted == ()
    (closed,) = await store.record_success("lp-a", T0 + 33)
    assert (closed.from_state, closed.to_state) == (S.HALF_OPEN, S.CLOSED)
    assert (await store.admit(["lp-a"], T0 + 33)).admitted == ("lp-a",)


async def test_trial_failure_reopens_with_a_fresh_timer(store: BreakerStore) -> None:
    await open_lp(store, "lp-a")
    await store.admit(["lp-a"], T0 + 32)
    (event,) = await store.record_failure("lp-a", "last look", T0 + 33)
    assert (event.from_state, event.to_state, event.trigger) == (S.HALF_OPEN, S.OPEN, Trigger.TRIAL_FAILURE)
    assert (await store.admit(["lp-a"], T0 + 62)).admitted == ()
    assert (await store.admit(["lp-a"], T0 + 63)).admitted == ("lp-a",)


async def test_admission_limit_stops_before_taking_permits_it_does_not_need(store: BreakerStore) -> None:
    await store.record_failure("lp-fragile", "reject", T0)
    await store.admit(["lp-fragile"], T0 + 5)  # half-open now, its one permit taken
    await store.record_success("lp-fragile", T0 + 5)  # closed again
    await store.record_failure("lp-fragile", "reject", T0 + 6)
    admission = await store.admit(["lp-a", "lp-fragile"], T0 + 11, limit=1)
    assert admission == (("lp-a",), ())
    assert (await store.snapshot())["lp-fragile"].state is S.OPEN  # not even half-opened
    assert (await store.admit(["lp-fragile", "lp-a"], T0 + 11, limit=1)).admitted == ("lp-fragile",)


async def test_session_drop_opens_at_once(store: BreakerStore) -> None:
    (event,) = await store.session_down("lp-a", "Logout", T0)
    assert (event.to_state, event.trigger, event.reason) == (S.OPEN, Trigger.SESSION_DOWN, "LP session down: Logout")
    assert await store.session_down("lp-a", "again", T0 + 1) == ()


async def test_manual_trip_stays_open_until_manual_reset(store: BreakerStore) -> None:
    (event,) = await store.trip("lp-a", "LP maintenance", T0)
    assert event.to_state is S.FORCED_OPEN
    assert (await store.admit(["lp-a"], T0 + 3600)).admitted == ()
    assert await store.poll(["lp-a"], T0 + 3600) == ()
    (reset,) = await store.reset("lp-a", "maintenance over", T0 + 3601)
    assert (reset.from_state, reset.to_state, reset.reason) == (
        S.FORCED_OPEN, S.CLOSED, "reset by operator: maintenance over",
    )
    assert (await store.admit(["lp-a"], T0 + 3601)).admitted == ("lp-a",)


async def test_poll_half_opens_without_an_order(store: BreakerStore) -> None:
    await open_lp(store, "lp-a")
    (event,) = await store.poll(["lp-b"], T0 + 32)
    assert (event.lp, event.to_state) == ("lp-a", S.HALF_OPEN)
    snapshot = await store.snapshot(["lp-b"])
    assert snapshot["lp-a"].state is S.HALF_OPEN and snapshot["lp-b"].state is S.CLOSED


async def test_success_and_reset_on_a_closed_breaker_change_nothing_visible(store: BreakerStore) -> None:
    await store.record_failure("lp-a", "timeout", T0)
    assert await store.record_success("lp-a", T0 + 1) == ()
    assert await store.reset("lp-a", "clean", T0 + 2) == ()
    assert (await store.snapshot())["lp-a"].failures == ()


async def test_a_failure_exactly_window_old_no_longer_counts(store: BreakerStore) -> None:
    for at in (T0, T0 + 5, T0 + 10):
        assert await store.record_failure("lp-a", "timeout", at) == ()
    assert (await store.record_failure("lp-a", "timeout", T0 + 10.5))[0].to_state is S.OPEN


async def test_trial_permits_without_an_outcome_come_back_after_the_reset_timeout(
    store: BreakerStore,
) -> None:
    await store.record_failure("lp-fragile", "reject", T0)
    assert (await store.admit(["lp-fragile"], T0 + 5)).admitted == ("lp-fragile",)
    assert (await store.admit(["lp-fragile"], T0 + 9.9)).admitted == ()  # permit still out
    assert (await store.admit(["lp-fragile"], T0 + 10)).admitted == ("lp-fragile",)
    assert (await store.snapshot())["lp-fragile"].trial_at_s == T0 + 10
