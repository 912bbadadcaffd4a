"""Redis breaker store that keeps routing through a Redis outage (SPEC §5).

How it works: every call goes to Redis under a hard time bound. When Redis does
not answer (connection refused or reset, timeout, a hung server), the call is
answered from a local `MemoryBreakerStore` instead, seeded with the states this
instance last saw in Redis, and the outage is logged once and counted. While
Redis is down, calls go straight to the local store (no waiting), and at most
once per `retry_interval_s` a call first tries to re-sync: it merges the local
records into Redis (an LP open in either view stays open — see
`RedisBreakerStore.merge`) and, if that works, goes back to Redis.

Counters for the metrics layer: `outages` (episodes), `fallback_calls` (calls
answered locally), `resyncs` (successful re-syncs); `redis_up` is the current view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import redis.exceptions
import structlog

from routing.breaker.core import BreakerRecord
from routing.breaker.memory import MemoryBreakerStore
from routing.breaker.redis_store import RedisBreakerStore
from routing.breaker.store import Admission, BreakerStore, Transitions

T = TypeVar("T")

REDIS_UNAVAILABLE: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    TimeoutError,
    OSError,
)
"""Errors that mean "Redis is not there"; anything else (a script bug) propagates."""

_log = structlog.get_logger("routing.breaker")


class ResilientBreakerStore:
    """`BreakerStore` on Redis with a local fallback and re-sync."""

    def __init__(
        self,
        remote: RedisBreakerStore,
        local: MemoryBreakerStore | None = None,
        *,
        bound_s: float = 0.1,
        retry_interval_s: float = 1.0,
    ) -> None:
        self.remote = remote
        self.local = local if local is not None else MemoryBreakerStore(remote.settings)
        self.bound_s = bound_s
        self.retry_interval_s = retry_interval_s
        self.redis_up = True
        self.outages = 0
        self.fallback_calls = 0
        self.resyncs = 0
        self._retry_at_s = 0.0
        self._down_since_s = 0.0

    async def _call(self, now_s: float, op: Callable[[BreakerStore], Awaitable[T]]) -> T:
        if self.redis_up or await self._recover(now_s):
            try:
                async with asyncio.timeout(self.bound_s):
                    return await op(self.remote)
            except REDIS_UNAVAILABLE as exc:
                self._enter_outage(now_s, exc)
        self.fallback_calls += 1
        return await op(self.local)

    def _enter_outage(self, now_s: float, exc: BaseException) -> None:
        self.redis_up = False
        self.outages += 1
        self._down_since_s = now_s
        self._retry_at_s = now_s + self.retry_interval_s
        self.local.replace_all(self.remote.last_seen())
        _log.warning(
            "breaker_redis_unavailable",
            error=repr(exc),
            fallback="local state",
            outages=self.outages,
        )

    async def _recover(self, now_s: float) -> bool:
        if now_s < self._retry_at_s:
            return False
        try:
            async with asyncio.timeout(self.bound_s):
                await self.remote.merge(self.local.records(), now_s)
        except REDIS_UNAVAILABLE as exc:
            self._retry_at_s = now_s + self.retry_interval_s
            _log.debug("breaker_redis_still_unavailable", error=repr(exc))
            return False
        self.redis_up = True
        self.resyncs += 1
        _log.info(
            "breaker_redis_recovered",
            outage_s=round(now_s - self._down_since_s, 3),
            fallback_calls=self.fallback_calls,
            merged_lps=len(self.local.records()),
        )
        return True

    async def admit(
        self, lps: Sequence[str], now_s: float, limit: int | None = None
    ) -> Admission:
        """See `BreakerStore.admit`."""
        return await self._call(now_s, lambda s: s.admit(lps, now_s, limit))

    async def record_success(self, lp: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_success`."""
        return await self._call(now_s, lambda s: s.record_success(lp, now_s))

    async def record_failure(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_failure`."""
        return await self._call(now_s, lambda s: s.record_failure(lp, reason, now_s))

    async def session_down(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.session_down`."""
        return await self._call(now_s, lambda s: s.session_down(lp, reason, now_s))

    async def trip(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.trip`."""
        return await self._call(now_s, lambda s: s.trip(lp, reason, now_s))

    async def reset(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.reset`."""
        return await self._call(now_s, lambda s: s.reset(lp, reason, now_s))

    async def poll(self, lps: Sequence[str], now_s: float) -> Transitions:
        """See `BreakerStore.poll`; also the natural place to notice Redis is back."""
        return await self._call(now_s, lambda s: s.poll(lps, now_s))

    async def snapshot(self, lps: Sequence[str] = ()) -> Mapping[str, BreakerRecord]:
        """See `BreakerStore.snapshot`: Redis's view, or the local one while it is down."""
        if self.redis_up:
            try:
                async with asyncio.timeout(self.bound_s):
                    return await self.remote.snapshot(lps)
            except REDIS_UNAVAILABLE:
                pass  # the next timed call records the outage; this is a read
        return await self.local.snapshot(lps)

    async def close(self) -> None:
        """Close the Redis client."""
        await self.remote.close()
