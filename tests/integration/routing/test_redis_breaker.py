"""Redis breaker store on a real redis-server: shared state, atomicity, cost."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from routing.breaker import BreakerState, RedisBreakerStore, Trigger
from tests.fixtures.redis_server import RedisServer
from tests.integration.routing.conftest import SETTINGS, StoreFactory
from tests.unit.routing.helpers import T0

S = BreakerState


class CountingRedis(Redis):
    """A client that counts the commands it sends (each one a round trip)."""

    sent = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]


async def evalsha_calls(admin: Redis) -> int:
    stats = await admin.info("commandstats")
    return int(stats["cmdstat_evalsha"]["calls"])


async def test_two_clients_on_one_redis_see_one_state(redis_stores: StoreFactory) -> None:
    a, b = redis_stores(), redis_stores()
    await a.trip("lp-1", "ops", T0)
    assert (await b.admit(["lp-1", "lp-2"], T0)).admitted == ("lp-2",)
    for i in range(3):
        await b.record_failure("lp-2", "timeout", T0 + i)
    assert (await a.admit(["lp-1", "lp-2"], T0 + 3)).admitted == ()
    # Half-open trial permits are shared too: 2 permits, whoever asks first.
    assert (await a.admit(["lp-2"], T0 + 32)).admitted == ("lp-2",)
    assert (await b.admit(["lp-2"], T0 + 32)).admitted == ("lp-2",)
    assert (await a.admit(["lp-2"], T0 + 32)).admitted == ()
    assert (await b.snapshot())["lp-2"].trials == 2
    await b.reset("lp-1", "ops done", T0 + 40)
    assert (await a.admit(["lp-1"], T0 + 40)).admitted == ("lp-1",)


async def test_fifty_concurrent_failures_from_two_clients_trip_exactly_once(
    redis_stores: StoreFactory,
) -> None:
    a, b = redis_stores(), redis_stores()
    calls = [
        (a if i % 2 else b).record_failure("lp-1", f"reject {i}", T0 + i * 0.01) for i in range(50)
    ]
    results = await asyncio.gather(*calls)
    events = [e for r in results for e in r]
    assert [(e.from_state, e.to_state, e.trigger) for e in events] == [
        (S.CLOSED, S.OPEN, Trigger.FAILURES)
    ]
    assert (await a.snapshot())["lp-1"].state is S.OPEN


async def test_concurrent_half_open_admissions_hand_out_exactly_the_trial_permits(
    redis_stores: StoreFactory,
) -> None:
    a, b = redis_stores(), redis_stores()
    await a.session_down("lp-1", "dropped", T0)
    results = await asyncio.gather(
        *((a if i % 2 else b).admit(["lp-1"], T0 + 30) for i in range(40))
    )
    assert sum(len(r.admitted) for r in results) == 2  # half_open_trials
    assert sum(len(r.transitions) for r in results) == 1  # one OPEN -> HALF_OPEN


async def test_routing_hot_path_is_one_round_trip_per_order(redis_server: RedisServer) -> None:
    client = CountingRedis.from_url(redis_server.url, decode_responses=True)
    assert isinstance(client, CountingRedis)
    store = RedisBreakerStore(client, SETTINGS)
    admin = Redis.from_url(redis_server.url, decode_responses=True)
    lps = [f"lp-{i}" for i in range(10)]
    try:
        await store.admit(lps, T0)  # warm-up: script loaded, connection open
        sent, evalsha = client.sent, await evalsha_calls(admin)
        for n in range(20):
            admission = await store.admit(lps, T0 + n)
            for lp in admission.admitted:  # every LP quoted: a success each
                await store.record_success(lp, T0 + n)
        assert client.sent - sent == 20
        assert await evalsha_calls(admin) - evalsha == 20
    finally:
        await admin.aclose()
        await store.close()


async def test_no_keys_or_scan_commands_are_ever_sent(
    redis_server: RedisServer, redis_stores: StoreFactory
) -> None:
    store = redis_stores()
    await store.record_failure("lp-1", "x", T0)
    await store.trip("lp-2", "x", T0)
    await store.admit(["lp-1", "lp-2", "lp-3"], T0)
    await store.poll(["lp-3"], T0 + 100)
    snapshot = await store.snapshot()
    assert set(snapshot) == {"lp-1", "lp-2"}
    admin = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        stats = await admin.info("commandstats")
    finally:
        await admin.aclose()
    assert "cmdstat_evalsha" in stats
    assert not {"cmdstat_keys", "cmdstat_scan"} & set(stats)
