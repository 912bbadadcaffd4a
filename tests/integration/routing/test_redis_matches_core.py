"""The Lua script and the Python core are one state machine: random operation
sequences give the same answers, events and records on both stores."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.breaker import BreakerStore, MemoryBreakerStore, RedisBreakerStore
from tests.fixtures.redis_server import RedisServer
from tests.integration.routing.conftest import SETTINGS
from tests.unit.routing.helpers import FakeClock

LPS = ["lp-a", "lp-fragile"]  # 3 failures/10 s/reset 30 s/2 trials; 1/5 s/5 s/1
lp_names = st.sampled_from(LPS)
# Waits land exactly on the window and reset boundaries, where off-by-one bugs live.
OPS = st.one_of(
    st.tuples(st.just("failure"), lp_names),
    st.tuples(st.just("admit"), st.lists(lp_names, min_size=1, unique=True), st.sampled_from([None, 1])),
    st.tuples(st.just("wait"), st.sampled_from([0.0, 5.0, 10.0, 30.0])),
    st.tuples(st.sampled_from(["success", "down", "trip", "reset"]), lp_names),
    st.tuples(st.just("poll")),
)

async def apply(store: BreakerStore, op: tuple[Any, ...], now_s: float) -> object:
    kind = op[0]
    if kind == "admit":
        return await store.admit(op[1], now_s, op[2])
    if kind == "poll":
        return await store.poll([], now_s)
    if kind == "success":
        return await store.record_success(op[1], now_s)
    if kind == "failure":
        return await store.record_failure(op[1], "reject", now_s)
    if kind == "down":
        return await store.session_down(op[1], "dropped", now_s)
    if kind == "trip":
        return await store.trip(op[1], "ops", now_s)
    return await store.reset(op[1], "ops", now_s)


async def compare(url: str, ops: list[tuple[Any, ...]]) -> None:
    clock = FakeClock()
    memory = MemoryBreakerStore(SETTINGS)
    redis = RedisBreakerStore.from_url(url, SETTINGS, prefix=f"t{uuid.uuid4().hex}", timeout_s=1.0)
    try:
        for op in ops:
            if op[0] == "wait":
                clock.advance(op[1])
                continue
            assert await apply(redis, op, clock()) == await apply(memory, op, clock()), op
        assert await redis.snapshot(LPS) == await memory.snapshot(LPS)
    finally:
        await redis.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, max_size=30))
def test_redis_store_and_memory_store_agree(redis_server: RedisServer, ops: list[tuple[Any, ...]]) -> None:
    # Each example uses its own key prefix, so sharing the server between examples is safe.
    asyncio.run(compare(redis_server.url, ops))
