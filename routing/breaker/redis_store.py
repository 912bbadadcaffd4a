"""Redis breaker store: state shared by several gateway instances (SPEC §5).

Layout: one hash per LP, `<prefix>:{breaker}:lp:<name>`, with the `BreakerRecord`
fields, and a set `<prefix>:{breaker}:lps` of the LPs that have a hash, so
listing them never needs KEYS or SCAN. The `{breaker}` hash tag keeps all keys
in one slot, so the multi-key script would also run on a Redis Cluster.

Atomicity: every operation is one EVALSHA of the script in `lua.py`; Redis runs
it alone, so two instances never interleave a read and a write (the seed's
HGETALL-then-HSET race). Time comes from the caller (`now_s`), not Redis TIME:
the in-memory store, the fallback and the tests' fake clock must see the same
clock, and the thresholds are seconds while NTP skew is milliseconds.

Round trips: `admit` for all of an order's candidate LPs is one call.
`record_success` costs nothing for an LP this instance last saw CLOSED (a success
only matters to a HALF_OPEN breaker, and an order admitted while CLOSED is not
a trial), so the hot path is one round trip per order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from routing.breaker.core import (
    CLOSED_RECORD,
    BreakerRecord,
    BreakerSettings,
    BreakerTransition,
)
from routing.breaker.lua import BREAKER_LUA, FIELDS
from routing.breaker.store import Admission, Transitions
from routing.breaker.table import BreakerState, Trigger, reason_text

_CLOSED = BreakerState.CLOSED
_STATES = {s.value: s for s in BreakerState}  # ~10x cheaper than BreakerState(value)


def _fmt(value: float) -> str:
    # repr() is the shortest text that parses back to the same double in Lua too.
    return repr(float(value))


def _record(values: Sequence[str | None]) -> BreakerRecord:
    state, failures, since, trials, trial_at, trigger, detail = values
    if state is None:
        return CLOSED_RECORD
    return BreakerRecord(
        _STATES[state],
        tuple(float(t) for t in (failures or "").split()),
        float(since or 0),
        int(trials or 0),
        float(trial_at or 0),
        Trigger(trigger) if trigger else None,
        detail or "",
    )


def _transitions(events: list[str], now_s: float) -> Transitions:
    out: list[BreakerTransition] = []
    for i in range(0, len(events), 5):
        lp, src, dst, trigger, detail = events[i : i + 5]
        t = Trigger(trigger)
        out.append(
            BreakerTransition(lp, _STATES[src], _STATES[dst], t, reason_text(t, detail), now_s)
        )
    return tuple(out)


class RedisBreakerStore:
    """`BreakerStore` on a Redis server, via `redis.asyncio`."""

    def __init__(
        self,
        client: Redis,
        settings: BreakerSettings | None = None,
        prefix: str = "fixgw",
    ) -> None:
        """`client` must decode responses (`decode_responses=True`); the store owns it."""
        self.settings = settings if settings is not None else BreakerSettings()
        self._client = client
        self._script = client.register_script(BREAKER_LUA)
        self._registry = f"{prefix}:{{breaker}}:lps"
        self._key_prefix = f"{prefix}:{{breaker}}:lp:"
        self._prefix_len = str(len(self._key_prefix))
        self._thresholds: dict[str, str] = {}
        # LP -> (state, since) as Redis last answered; since stays text until needed.
        self._seen: dict[str, tuple[BreakerState, str]] = {}

    @classmethod
    def from_url(
        cls,
        url: str,
        settings: BreakerSettings | None = None,
        prefix: str = "fixgw",
        timeout_s: float = 0.05,
    ) -> RedisBreakerStore:
        """A store with its own client; `timeout_s` bounds connect and each reply.

        One immediate retry lets a pooled connection that died with a restarted
        server reconnect; no backoff, so a dead server costs about twice timeout_s.
        """
        client = Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1),
        )
        return cls(client, settings, prefix)

    def key(self, lp: str) -> str:
        """The Redis hash holding `lp`'s record."""
        return self._key_prefix + lp

    def _thresholds_of(self, lp: str) -> str:
        text = self._thresholds.get(lp)
        if text is None:
            c = self.settings.for_lp(lp)
            text = f"{c.failure_threshold} {_fmt(c.window_s)} {_fmt(c.reset_s)} {c.half_open_trials}"
            self._thresholds[lp] = text
        return text

    async def _call(
        self, op: str, lps: Sequence[str], now_s: float, extra: str, per_lp: list[str]
    ) -> Any:
        """One EVALSHA; remembers the states Redis answered for the LPs it examined."""
        keys = [self._registry]
        keys.extend(self._key_prefix + lp for lp in lps)
        args = [op, _fmt(now_s), extra, self._prefix_len, *per_lp]
        reply: Any = await self._script(keys=keys, args=args)
        pairs = reply[1].split(" ") if reply[1] else []
        seen = self._seen
        for i in range(len(pairs) // 2):
            seen[lps[i]] = (_STATES[pairs[2 * i]], pairs[2 * i + 1])
        return reply

    async def _run(self, op: str, lps: Sequence[str], now_s: float, extra: str) -> Transitions:
        per_lp = [self._thresholds_of(lp) for lp in lps]
        reply = await self._call(op, lps, now_s, extra, per_lp)
        return _transitions(reply[2], now_s)

    async def admit(
        self, lps: Sequence[str], now_s: float, limit: int | None = None
    ) -> Admission:
        """See `BreakerStore.admit`; one round trip for all `lps`."""
        if not lps:
            return Admission((), ())
        per_lp = [self._thresholds_of(lp) for lp in lps]
        extra = "-1" if limit is None else str(limit)
        reply = await self._call("admit", lps, now_s, extra, per_lp)
        flags: str = reply[0]
        admitted = tuple(lp for lp, flag in zip(lps, flags, strict=False) if flag == "1")
        return Admission(admitted, _transitions(reply[2], now_s))

    async def record_success(self, lp: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_success`; free while `lp` was last seen CLOSED."""
        seen = self._seen.get(lp)
        if seen is not None and seen[0] is _CLOSED:
            return ()
        return await self._run("success", (lp,), now_s, "")

    async def record_failure(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.record_failure`."""
        return await self._run("fail", (lp,), now_s, reason)

    async def session_down(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.session_down`."""
        return await self._run("down", (lp,), now_s, reason)

    async def trip(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.trip`."""
        return await self._run("trip", (lp,), now_s, reason)

    async def reset(self, lp: str, reason: str, now_s: float) -> Transitions:
        """See `BreakerStore.reset`."""
        return await self._run("reset", (lp,), now_s, reason)

    async def _names(self, lps: Sequence[str]) -> list[str]:
        """`lps` and then every LP in the registry set (no KEYS scan)."""
        known = await self._client.smembers(self._registry)
        decoded = sorted(k if isinstance(k, str) else k.decode() for k in known)
        return list(dict.fromkeys([*lps, *decoded]))

    async def poll(self, lps: Sequence[str], now_s: float) -> Transitions:
        """See `BreakerStore.poll`: `lps` plus every LP with a record."""
        names = await self._names(lps)
        return await self._run("poll", names, now_s, "") if names else ()

    async def snapshot(self, lps: Sequence[str] = ()) -> Mapping[str, BreakerRecord]:
        """See `BreakerStore.snapshot` (two round trips: the LP set, then the hashes)."""
        names = await self._names(lps)
        async with self._client.pipeline(transaction=False) as pipe:
            for lp in names:
                pipe.hmget(self.key(lp), list(FIELDS))
            rows = await pipe.execute()
        return {lp: _record(row) for lp, row in zip(names, rows, strict=True)}

    async def merge(self, records: Mapping[str, BreakerRecord], now_s: float) -> None:
        """Re-sync after an outage: write each local record that is more open than
        Redis's (an LP open in either view stays open); keep Redis's otherwise."""
        if not records:
            await self._client.ping()
            return
        per_lp: list[str] = []
        for r in records.values():
            failures = " ".join(_fmt(t) for t in r.failures)
            per_lp += [r.state.value, failures, _fmt(r.since_s), str(r.trials),
                       _fmt(r.trial_at_s), r.trigger or "", r.detail]
        await self._call("merge", list(records), now_s, "", per_lp)

    def last_seen(self) -> dict[str, BreakerRecord]:
        """The state and since-time of each LP as this instance last saw it in Redis,
        the starting point of the local fallback when Redis goes away."""
        return {
            lp: CLOSED_RECORD if state is _CLOSED else BreakerRecord(state, (), float(since))
            for lp, (state, since) in self._seen.items()
        }

    async def close(self) -> None:
        """Close the client's connections."""
        await self._client.aclose()
