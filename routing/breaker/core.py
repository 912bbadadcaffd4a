"""Circuit breaker logic for one LP as pure functions of (record, config, now).

How it works: a `BreakerRecord` is the whole state of one LP's breaker. Each
event (failure, success, session drop, manual trip/reset, admission check, poll)
is a function taking the record and the time and returning a `Step`: the new
record and, when the state changed, the `BreakerTransition` to report. The
state moves only along `table.TRANSITIONS`; entering a state starts it afresh
(failure list and trial count cleared, `since_s` = now).

- CLOSED keeps the times of recent failures (at most `failure_threshold`, none
  older than `window_s`); the threshold-th failure inside the window opens it.
- OPEN turns HALF_OPEN once `reset_s` has passed since it opened, lazily, at the
  next admission check or poll.
- HALF_OPEN hands out at most `half_open_trials` trial permits; admitting an LP
  to an order takes one. A success closes, a failure re-opens. Permits of
  orders that never reported an outcome are handed out again after `reset_s`
  (otherwise a lost outcome would keep the LP half-open and unused for ever).
- FORCED_OPEN (manual trip) ignores timeouts; only a manual reset closes it.

The Redis store runs the same logic in Lua (`lua.py`); one contract test runs
both stores through the same scenarios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NamedTuple

from routing.breaker.table import BreakerState, Trigger, next_state, reason_text

_CLOSED = BreakerState.CLOSED
_OPEN = BreakerState.OPEN
_HALF_OPEN = BreakerState.HALF_OPEN


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Thresholds of one LP (`Breaker*` keys of its session in sessions.cfg)."""

    failure_threshold: int = 5
    window_s: float = 60.0
    reset_s: float = 30.0
    half_open_trials: int = 1

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.half_open_trials < 1:
            raise ValueError("failure_threshold and half_open_trials must be >= 1")
        if self.window_s <= 0 or self.reset_s <= 0:
            raise ValueError("window_s and reset_s must be > 0")


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    """Breaker thresholds for every LP: `per_lp` entries, else `default`."""

    default: BreakerConfig = BreakerConfig()
    per_lp: Mapping[str, BreakerConfig] = field(default_factory=lambda: MappingProxyType({}))

    def for_lp(self, lp: str) -> BreakerConfig:
        """The thresholds that apply to `lp`."""
        return self.per_lp.get(lp, self.default)


@dataclass(frozen=True, slots=True)
class BreakerRecord:
    """Everything a breaker remembers about one LP.

    `since_s` is when the current state was entered (for OPEN: when it opened);
    `trigger` and `detail` say why.
    """

    state: BreakerState = _CLOSED
    failures: tuple[float, ...] = ()
    since_s: float = 0.0
    trials: int = 0
    trial_at_s: float = 0.0
    trigger: Trigger | None = None
    detail: str = ""

    @property
    def reason(self) -> str:
        """Why the breaker is in its current state ("" if it never moved)."""
        return "" if self.trigger is None else reason_text(self.trigger, self.detail)


CLOSED_RECORD = BreakerRecord()
"""The record of an LP the breaker has never seen fail."""


@dataclass(frozen=True, slots=True)
class BreakerTransition:
    """A breaker state change, to log, count and show operators."""

    lp: str
    from_state: BreakerState
    to_state: BreakerState
    trigger: Trigger
    reason: str
    at_s: float


class Step(NamedTuple):
    """The record after an event, and the transition it caused (if any)."""

    record: BreakerRecord
    transition: BreakerTransition | None


def _move(lp: str, record: BreakerRecord, trigger: Trigger, detail: str, now_s: float) -> Step:
    target = next_state(record.state, trigger)
    if target is None:
        return Step(record, None)
    moved = BreakerRecord(target, (), now_s, 0, 0.0, trigger, detail)
    event = BreakerTransition(
        lp, record.state, target, trigger, reason_text(trigger, detail), now_s
    )
    return Step(moved, event)


def on_failure(
    lp: str, record: BreakerRecord, config: BreakerConfig, detail: str, now_s: float
) -> Step:
    """A reject, RFQ timeout, QuoteRequestReject or session-level reject from `lp`."""
    if record.state is _HALF_OPEN:
        return _move(lp, record, Trigger.TRIAL_FAILURE, detail, now_s)
    if record.state is not _CLOSED:
        return Step(record, None)
    window = config.window_s
    recent = [t for t in record.failures if now_s - t < window]
    recent.append(now_s)
    if len(recent) >= config.failure_threshold:
        return _move(lp, record, Trigger.FAILURES, detail, now_s)
    return Step(replace(record, failures=tuple(recent)), None)


def on_success(lp: str, record: BreakerRecord, now_s: float) -> Step:
    """A valid quote or a fill from `lp`: closes a half-open breaker."""
    if record.state is _HALF_OPEN:
        return _move(lp, record, Trigger.TRIAL_SUCCESS, "", now_s)
    return Step(record, None)


def on_session_down(lp: str, record: BreakerRecord, detail: str, now_s: float) -> Step:
    """The LP's session dropped: open at once."""
    return _move(lp, record, Trigger.SESSION_DOWN, detail, now_s)


def on_trip(lp: str, record: BreakerRecord, detail: str, now_s: float) -> Step:
    """Operator trip: FORCED_OPEN until a manual reset."""
    return _move(lp, record, Trigger.MANUAL_TRIP, detail, now_s)


def on_reset(lp: str, record: BreakerRecord, detail: str, now_s: float) -> Step:
    """Operator reset: CLOSED with a clean failure count."""
    if record.state is _CLOSED:
        return Step(replace(record, failures=()), None)
    return _move(lp, record, Trigger.MANUAL_RESET, detail, now_s)


def on_poll(lp: str, record: BreakerRecord, config: BreakerConfig, now_s: float) -> Step:
    """Advance timers: OPEN becomes HALF_OPEN once the reset timeout has passed."""
    if record.state is _OPEN and now_s - record.since_s >= config.reset_s:
        return _move(lp, record, Trigger.RESET_TIMEOUT, "", now_s)
    return Step(record, None)


def on_admit(
    lp: str, record: BreakerRecord, config: BreakerConfig, now_s: float
) -> tuple[Step, bool]:
    """May `lp` take part in routing an order now? Takes a trial permit if half-open."""
    step = on_poll(lp, record, config, now_s)
    record = step.record
    if record.state is _CLOSED:
        return step, True
    if record.state is not _HALF_OPEN:
        return step, False
    trials = record.trials
    limit = config.half_open_trials
    if trials >= limit and now_s - record.trial_at_s >= config.reset_s:
        trials = 0
    if trials >= limit:
        return step, False
    return Step(replace(record, trials=trials + 1, trial_at_s=now_s), step.transition), True
