"""In-memory breaker store: the default, and the Redis store's fallback.

One process, one event loop: each method runs to completion without awaiting,
so calls are atomic without locks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from routing.breaker.core import (
    CLOSED_RECORD,
    BreakerRecord,
    BreakerSettings,
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
from routing.breaker.store import Admission, Transitions


class MemoryBreakerStore:
    """`BreakerStore` keeping records in a dict (LP name → record)."""

    synchronous = True
    """Its coroutines never suspend, so a caller may drive them inline (no task per call)."""

    def __init__(self, settings: BreakerSettings | None = None) -> None:
        self.settings = settings if settings is not None else BreakerSettings()
        self._records: dict[str, BreakerRecord] = {}

    def _apply(self, lp: str, step: Step) -> Transitions:
        self._records[lp] = step.record
        return () if step.transition is None else (step.transition,)

    def _get(self, lp: str) -> BreakerRecord:
        return self._records.get(lp, CLOSED_RECORD)

    async def admit(
        self, lps: Sequence[str], now_s: float, limit: int | None = None
    ) -> Admission:
        """See `BreakerStore.admit`."""
        admitted: list[str] = []
        events: list[BreakerTransition] = []
        for lp in lps:
            if limit is not None and len(admitted) >= limit:
                break
            record = self._records.get(lp)
            if record is None:  # never failed: CLOSED, nothing to store
                admitted.append(lp)
                continue
            step, ok = on_admit(lp, record, self.settings.for_lp(lp), now_s)
            events.extend(self._apply(lp, step))
            if ok:
                admitted.append(lp)
        return Admission(tuple(admitted), tuple(events))

    async def record_success(self, lp: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_success`."""
        record = self._records.get(lp)
        if record is None:
            return ()
        return self._apply(lp, on_success(lp, record, now_s))

    async def record_failure(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_failure`."""
        step = on_failure(lp, self._get(lp), self.settings.for_lp(lp), reason, now_s)
        return self._apply(lp, step)

    async def session_down(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.session_down`."""
        return self._apply(lp, on_session_down(lp, self._get(lp), reason, now_s))

    async def trip(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.trip`."""
        return self._apply(lp, on_trip(lp, self._get(lp), reason, now_s))

    async def reset(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.reset`."""
        return self._apply(lp, on_reset(lp, self._get(lp), reason, now_s))

    async def poll(self, lps: Sequence[str], now_s: float) -> Transitions:
        """See `BreakerStore.poll`."""
        events: list[BreakerTransition] = []
        for lp in dict.fromkeys([*lps, *sorted(self._records)]):
            record = self._records.get(lp)
            if record is not None:
                events.extend(self._apply(lp, on_poll(lp, record, self.settings.for_lp(lp), now_s)))
        return tuple(events)

    async def snapshot(self, lps: Sequence[str] = ()) -> Mapping[str, BreakerRecord]:
        """See `BreakerStore.snapshot`."""
        return {lp: self._get(lp) for lp in dict.fromkeys([*lps, *sorted(self._records)])}

    async def close(self) -> None:
        """Nothing to release."""

    def records(self) -> dict[str, BreakerRecord]:
        """A copy of every stored record (for the Redis re-sync)."""
        return dict(self._records)

    def replace_all(self, records: Mapping[str, BreakerRecord]) -> None:
        """Start over from `records` (the last view of Redis, when it goes away)."""
        self._records = dict(records)
