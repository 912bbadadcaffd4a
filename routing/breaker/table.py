"""Circuit breaker states and transitions (SPEC §5), as data.

What belongs here: the states, the triggers, the table of which trigger moves
which state where, and the reason text of each transition. What does not: when a
trigger fires (counting failures in the window, timing the reset) — that is
`core.py` for the in-memory store and the Lua script for Redis, which is rendered
from this same table so both stores agree.

A (state, trigger) pair that is not in the table leaves the state as it is:
a failure while OPEN, a success while CLOSED, a session drop while OPEN, a
manual trip while FORCED_OPEN. These are normal, not errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class BreakerState(StrEnum):
    """Breaker state of one LP."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
    FORCED_OPEN = "forced_open"

    @property
    def description(self) -> str:
        """One line for logs and the admin API."""
        return DESCRIPTIONS[self]

    @property
    def rank(self) -> int:
        """How open the state is; on a Redis re-sync the higher rank wins."""
        return _RANKS[self]


DESCRIPTIONS: Mapping[BreakerState, str] = MappingProxyType(
    {
        BreakerState.CLOSED: "routing to the LP normally; counting failures in the window",
        BreakerState.OPEN: "LP skipped until the reset timeout elapses",
        BreakerState.HALF_OPEN: "a limited number of trial orders may go to the LP",
        BreakerState.FORCED_OPEN: "opened by an operator; only a manual reset closes it",
    }
)

_RANKS: Mapping[BreakerState, int] = MappingProxyType(
    {
        BreakerState.CLOSED: 0,
        BreakerState.HALF_OPEN: 1,
        BreakerState.OPEN: 2,
        BreakerState.FORCED_OPEN: 3,
    }
)


class Trigger(StrEnum):
    """Why a breaker changes state."""

    FAILURES = "failures"
    """BreakerFailureThreshold failures within BreakerWindowSeconds."""
    SESSION_DOWN = "session_down"
    """The LP's FIX session dropped: trip at once."""
    RESET_TIMEOUT = "reset_timeout"
    """BreakerResetSeconds have passed since the breaker opened."""
    TRIAL_SUCCESS = "trial_success"
    """A valid quote or a fill while half-open."""
    TRIAL_FAILURE = "trial_failure"
    """A failure while half-open."""
    MANUAL_TRIP = "manual_trip"
    """An operator opened the breaker."""
    MANUAL_RESET = "manual_reset"
    """An operator closed the breaker."""


_C, _O, _H, _F = (
    BreakerState.CLOSED,
    BreakerState.OPEN,
    BreakerState.HALF_OPEN,
    BreakerState.FORCED_OPEN,
)

TRANSITIONS: Mapping[tuple[BreakerState, Trigger], BreakerState] = MappingProxyType(
    {
        (_C, Trigger.FAILURES): _O,
        (_C, Trigger.SESSION_DOWN): _O,
        (_C, Trigger.MANUAL_TRIP): _F,
        (_O, Trigger.RESET_TIMEOUT): _H,
        (_O, Trigger.MANUAL_TRIP): _F,
        (_O, Trigger.MANUAL_RESET): _C,
        (_H, Trigger.TRIAL_SUCCESS): _C,
        (_H, Trigger.TRIAL_FAILURE): _O,
        (_H, Trigger.SESSION_DOWN): _O,
        (_H, Trigger.MANUAL_TRIP): _F,
        (_H, Trigger.MANUAL_RESET): _C,
        (_F, Trigger.MANUAL_RESET): _C,
    }
)

_REASONS: Mapping[Trigger, str] = MappingProxyType(
    {
        Trigger.FAILURES: "failure threshold reached",
        Trigger.SESSION_DOWN: "LP session down",
        Trigger.RESET_TIMEOUT: "reset timeout elapsed",
        Trigger.TRIAL_SUCCESS: "trial succeeded",
        Trigger.TRIAL_FAILURE: "trial failed",
        Trigger.MANUAL_TRIP: "tripped by operator",
        Trigger.MANUAL_RESET: "reset by operator",
    }
)


def next_state(state: BreakerState, trigger: Trigger) -> BreakerState | None:
    """The state `trigger` moves `state` to, or None if it leaves it unchanged."""
    return TRANSITIONS.get((state, trigger))


def reason_text(trigger: Trigger, detail: str) -> str:
    """Human-readable reason of a transition: the trigger's text plus the detail
    the caller gave (the failure that tipped it, the operator's note)."""
    base = _REASONS[trigger]
    return f"{base}: {detail}" if detail else base
