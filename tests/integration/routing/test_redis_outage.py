"""A Redis outage does not stop routing (SPEC §5): a real redis-server is killed
or frozen mid-test; routing goes on from local state within a bounded wait, the
outage is logged and counted, and the state re-syncs when Redis is back."""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterator

import pytest
from structlog.testing import capture_logs

from routing.breaker import (
    BreakerState,
    BreakerTransition,
    RedisBreakerStore,
    ResilientBreakerStore,
)
from routing.model import RoutingResult
from routing.selection import CandidatePlan, candidates, decide
from tests.fixtures.redis_server import RedisServer
from tests.integration.routing.conftest import SETTINGS
from tests.unit.routing.helpers import FakeClock, lp, lps, quote, request

S = BreakerState
CONFIG = lps(lp("lp-1"), lp("lp-2"), lp("lp-3"))
NAMES = list(CONFIG)
PRICES = {"lp-1": "1.0850", "lp-2": "1.0855", "lp-3": "1.0840"}


@pytest.fixture
async def resilient(redis_server: RedisServer) -> AsyncIterator[ResilientBreakerStore]:
    remote = RedisBreakerStore.from_url(redis_server.url, SETTINGS, timeout_s=0.2)
    store = ResilientBreakerStore(remote, bound_s=0.3, retry_interval_s=1.0)
    yield store
    await store.close()


async def route_one_order(store: ResilientBreakerStore, clock: FakeClock) -> RoutingResult:
    """candidates -> admission -> (every admitted LP quotes) -> best; timed in wall time."""
    started = time.monotonic()
    plan = candidates(request("1000"), CONFIG, connected=set(NAMES))
    assert isinstance(plan, CandidatePlan)
    admission = await store.admit(plan.lps, clock(), plan.limit)
    quotes = [quote(name, PRICES[name], valid_until_s=clock() + 1) for name in admission.admitted]
    result = decide(request("1000"), quotes, CONFIG, clock)
    assert time.monotonic() - started < 1.0, "routing waited too long on Redis"
    assert isinstance(result, RoutingResult)
    return result


async def test_killing_redis_keeps_routing_on_local_state_and_resyncs_on_return(
    redis_server: RedisServer, resilient: ResilientBreakerStore
) -> None:
    clock = FakeClock()
    await resilient.trip("lp-3", "ops", clock())  # open in Redis before the outage
    assert (await route_one_order(resilient, clock)).decisions[0].lp == "lp-1"

    redis_server.kill()
    with capture_logs() as logs:
        result = await route_one_order(resilient, clock)
    assert result.decisions[0].lp == "lp-1"  # lp-3 still skipped: last view of Redis
    assert not resilient.redis_up and resilient.outages == 1
    assert [e["event"] for e in logs] == ["breaker_redis_unavailable"]

    events: list[BreakerTransition] = []
    for _ in range(3):
        events += await resilient.record_failure("lp-1", "RFQ timeout", clock.advance(0.1))
    assert [(e.lp, e.to_state) for e in events] == [("lp-1", S.OPEN)]
    assert (await route_one_order(resilient, clock)).decisions[0].lp == "lp-2"
    assert resilient.fallback_calls >= 5

    redis_server.start()  # back, and empty: it had no persistence
    clock.advance(0.2)  # before the retry interval: still local, no waiting
    assert (await route_one_order(resilient, clock)).decisions[0].lp == "lp-2"
    assert not resilient.redis_up
    clock.advance(1.0)
    with capture_logs() as logs:
        assert (await route_one_order(resilient, clock)).decisions[0].lp == "lp-2"
    assert resilient.redis_up and resilient.resyncs == 1 and resilient.outages == 1
    assert [e["event"] for e in logs] == ["breaker_redis_recovered"]

    other = RedisBreakerStore.from_url(redis_server.url, SETTINGS)  # another gateway
    try:
        snapshot = await other.snapshot()
        assert snapshot["lp-1"].state is S.OPEN and snapshot["lp-3"].state is S.FORCED_OPEN
        assert (await other.admit(NAMES, clock())).admitted == ("lp-2",)
    finally:
        await other.close()


async def test_hung_redis_costs_one_bounded_wait_and_open_in_either_view_stays_open(
    redis_server: RedisServer, resilient: ResilientBreakerStore
) -> None:
    clock = FakeClock()
    assert redis_server.process is not None
    await resilient.admit(NAMES, clock())
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        assert (await resilient.admit(NAMES, clock())).admitted == tuple(NAMES)
        first_wait = time.monotonic() - started
        started = time.monotonic()
        await resilient.session_down("lp-1", "Logout", clock.advance(0.1))  # local only
        later_wait = time.monotonic() - started
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
    assert resilient.outages == 1 and first_wait < resilient.bound_s + 0.2
    assert later_wait < 0.05  # while down, calls do not wait on Redis again

    other = RedisBreakerStore.from_url(redis_server.url, SETTINGS)
    try:
        await other.trip("lp-2", "ops, other instance", clock())  # Redis view only
        clock.advance(1.0)
        admission = await resilient.admit(NAMES, clock())
        assert resilient.redis_up and admission.admitted == ("lp-3",)
        snapshot = await other.snapshot()
        assert snapshot["lp-1"].state is S.OPEN  # from the local view
        assert snapshot["lp-2"].state is S.FORCED_OPEN  # from the Redis view
    finally:
        await other.close()


async def test_redis_still_down_at_retry_time_stays_on_local_state(
    redis_server: RedisServer, resilient: ResilientBreakerStore
) -> None:
    clock = FakeClock()
    redis_server.kill()
    await resilient.record_failure("lp-1", "timeout", clock())
    clock.advance(1.0)
    result = await resilient.admit(NAMES, clock())
    assert result.admitted == tuple(NAMES)
    assert not resilient.redis_up and resilient.outages == 1 and resilient.resyncs == 0
    assert (await resilient.snapshot())["lp-1"].failures == (clock() - 1.0,)
    assert resilient.fallback_calls == 2

