"""Breaker stores for the integration tests: memory, Redis, and Redis with fallback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from routing.breaker import (
    BreakerConfig,
    BreakerSettings,
    BreakerStore,
    MemoryBreakerStore,
    RedisBreakerStore,
    ResilientBreakerStore,
)
from tests.fixtures.redis_server import RedisServer

SETTINGS = BreakerSettings(
    BreakerConfig(failure_threshold=3, window_s=10.0, reset_s=30.0, half_open_trials=2),
    {"lp-fragile": BreakerConfig(failure_threshold=1, window_s=5.0, reset_s=5.0, half_open_trials=1)},
)

StoreFactory = Callable[[], RedisBreakerStore]


@pytest.fixture
async def redis_stores(redis_server: RedisServer) -> AsyncIterator[StoreFactory]:
    """Makes Redis breaker stores (each its own client, like separate gateway
    instances) on the test's private server, and closes them afterwards."""
    made: list[RedisBreakerStore] = []

    def make() -> RedisBreakerStore:
        store = RedisBreakerStore.from_url(redis_server.url, SETTINGS, timeout_s=0.2)
        made.append(store)
        return store

    yield make
    for store in made:
        await store.close()


@pytest.fixture(params=["memory", "redis", "resilient"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[BreakerStore]:
    """Each breaker store, for the contract test."""
    if request.param == "memory":
        yield MemoryBreakerStore(SETTINGS)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    # Generous bounds: the contract is about behaviour while Redis is up, and a loaded test
    # machine must not turn a slow reply into a (correct, but different) local fallback.
    # test_redis_outage.py exercises the short bounds.
    remote = RedisBreakerStore.from_url(server.url, SETTINGS, timeout_s=2.0)
    yield remote if request.param == "redis" else ResilientBreakerStore(remote, bound_s=3.0)
    await remote.close()
