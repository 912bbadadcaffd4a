"""The breaker store protocol: where breaker state lives (memory or Redis).

The gateway is asyncio, so the API is async even for the in-memory store. Every
method takes `now_s` from the caller (epoch seconds, see `routing.model`) and
returns the transitions it caused; the caller logs them to the LP's session
event log and updates metrics. All methods are atomic per call: two gateway
instances sharing a Redis store never interleave inside one of them.

Hot path per order: one `admit` call for all candidate LPs, then
`record_success` for the LPs that quoted (free while the LP is known CLOSED).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from routing.breaker.core import BreakerRecord, BreakerTransition

Transitions = tuple[BreakerTransition, ...]


class Admission(NamedTuple):
    """Result of `BreakerStore.admit`: the LPs that may be used, in the order asked."""

    admitted: tuple[str, ...]
    transitions: Transitions


class BreakerStore(Protocol):
    """Per-LP circuit breakers (SPEC §5)."""

    async def admit(
        self, lps: Sequence[str], now_s: float, limit: int | None = None
    ) -> Admission:
        """Check `lps` in order and admit each whose breaker allows routing, at most
        `limit` of them (None: no limit). CLOSED admits; OPEN past its reset timeout
        turns HALF_OPEN; HALF_OPEN admits while a trial permit is left, taking it.
        LPs after the limit is reached are not looked at (no permit taken)."""
        ...

    async def record_success(self, lp: str, now_s: float) -> Transitions:
        """A valid quote or a fill from `lp`."""
        ...

    async def record_failure(self, lp: str, reason: str, now_s: float) -> Transitions:
        """A reject, RFQ timeout, QuoteRequestReject or session-level reject from `lp`."""
        ...

    async def session_down(self, lp: str, reason: str, now_s: float) -> Transitions:
        """The LP session dropped: trip at once."""
        ...

    async def trip(self, lp: str, reason: str, now_s: float) -> Transitions:
        """Operator trip; stays open until `reset`."""
        ...

    async def reset(self, lp: str, reason: str, now_s: float) -> Transitions:
        """Operator reset to CLOSED."""
        ...

    async def poll(self, lps: Sequence[str], now_s: float) -> Transitions:
        """Advance timers of `lps` (OPEN → HALF_OPEN after the reset timeout), so
        metrics and logs show the change without waiting for the next order."""
        ...

    async def snapshot(self, lps: Sequence[str] = ()) -> Mapping[str, BreakerRecord]:
        """Records of `lps` plus every LP the store has a record for (admin, metrics)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
