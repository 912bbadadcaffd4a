"""Routing core speed: µs per routing decision and breaker cost per order.

Run from the repository root (it imports the test fixture that starts a private
redis-server on a free 127.0.0.1 port):

    .venv/bin/python -m bench.routing_core

Prints µs per decision for each strategy with 3, 10 and 50 quotes (CPU time,
and wall time min / median over repeats), the breaker check per order with the in-memory
store and with Redis (µs and round trips per order, counted at the client and
cross-checked with the server's EVALSHA count), and the issue's bars.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from redis.asyncio import Redis

from routing.breaker import (
    BreakerSettings,
    BreakerStore,
    MemoryBreakerStore,
    RedisBreakerStore,
    ResilientBreakerStore,
)
from routing.model import LPInfo, Quote, RouteRequest, Side
from routing.strategies import STRATEGIES
from tests.fixtures.ports import free_port
from tests.fixtures.redis_server import RedisServer

SYMBOL = "EUR/USD"
QUOTE_COUNTS = (3, 10, 50)
DECISION_BAR_US = 20.0
ORDERS = 3000


def market(n: int, now_s: float) -> tuple[list[Quote], dict[str, LPInfo]]:
    """`n` LPs with lot 1,000, each quoting 1-5 M at a spread of offers."""
    rng = random.Random(n)
    lps = {f"lp-{i:02d}": LPInfo(f"lp-{i:02d}", frozenset({SYMBOL}), Decimal(1000)) for i in range(n)}
    quotes = [
        Quote(
            name, f"Q{i}", SYMBOL, Side.BUY,
            Decimal(10_850 + rng.randrange(0, 40)).scaleb(-4),
            Decimal(rng.randrange(1_000, 5_000) * 1000 + rng.randrange(0, 1000)),
            now_s + 60,
        )
        for i, name in enumerate(lps)
    ]
    return quotes, lps


def request_for(strategy: str, lps: dict[str, LPInfo]) -> RouteRequest:
    names = list(lps)
    return RouteRequest(
        SYMBOL, Side.BUY, Decimal(7_500_000), Decimal("1.0890"), strategy,
        preferred_lps=tuple(reversed(names[:3])), manual_lp=names[len(names) // 2],
    )


class Timing(NamedTuple):
    """µs per call: CPU time (min over runs), wall time (min and median over runs)."""

    cpu: float
    wall_min: float
    wall_median: float


def time_us(call: Callable[[], object], number: int = 1000, repeat: int = 15) -> Timing:
    """Per-call cost over `repeat` runs of `number` calls. CPU time (process_time)
    leaves out the time this process waits for a CPU on a shared machine; the
    minimum is what the code costs (timeit's convention), the median what a busy
    machine gave."""
    cpu, wall = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(number):
            call()
        cpu.append((time.process_time() - started_cpu) / number * 1e6)
        wall.append((time.perf_counter() - started) / number * 1e6)
    return Timing(min(cpu), min(wall), statistics.median(wall))


def bench_strategies() -> dict[tuple[str, int], Timing]:
    clock = time.time
    figures = {}
    for n in QUOTE_COUNTS:
        quotes, lps = market(n, clock())
        for name, strategy in STRATEGIES.items():
            req = request_for(name, lps)
            assert strategy(req, quotes, lps, clock).decisions, (name, n)
            figures[name, n] = time_us(partial(strategy, req, quotes, lps, clock))
    return figures


class CountingRedis(Redis):
    """Counts the commands this client sends: each one is a round trip."""

    sent = 0

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]


async def per_order(store: BreakerStore, lps: list[str]) -> tuple[float, int]:
    """µs per order of the breaker hot path: one admission check for all candidate
    LPs, then a success for every LP that quoted."""

    async def order(now_s: float) -> None:
        admission = await store.admit(lps, now_s)
        for lp in admission.admitted:
            await store.record_success(lp, now_s)

    return await timed_orders(order)


async def timed_orders(order: Callable[[float], Awaitable[None]]) -> tuple[float, int]:
    now = time.time()
    for _ in range(200):
        await order(now)
    started = time.perf_counter()
    for _ in range(ORDERS):
        await order(now)
    return (time.perf_counter() - started) / ORDERS * 1e6, ORDERS


async def evalsha_calls(admin: Redis) -> int:
    stats = await admin.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


async def bench_breakers(url: str) -> list[tuple[str, int, float, float]]:
    """Rows of (store, LPs, µs per order, round trips per order)."""
    rows = []
    admin = Redis.from_url(url, decode_responses=True)
    for n in (3, 10, 50):
        lps = [f"lp-{i:02d}" for i in range(n)]
        memory_us, _ = await per_order(MemoryBreakerStore(), lps)
        rows.append(("memory", n, memory_us, 0.0))
        for label in ("redis", "redis+fallback"):
            client = CountingRedis.from_url(url, decode_responses=True, socket_timeout=0.05)
            assert isinstance(client, CountingRedis)
            remote = RedisBreakerStore(client, BreakerSettings())
            store: BreakerStore = remote if label == "redis" else ResilientBreakerStore(remote)
            await store.admit(lps, time.time())
            sent, evalsha = client.sent, await evalsha_calls(admin)
            us, orders = await per_order(store, lps)
            trips = (client.sent - sent) / (orders + 200)
            assert await evalsha_calls(admin) - evalsha == client.sent - sent
            rows.append((label, n, us, trips))
            await store.close()
    await admin.aclose()
    return rows


def main() -> None:
    print("fixgw routing core benchmark")
    print("PersistenceSync: n/a (the routing core persists nothing; Redis runs with --save '' --appendonly no)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other processes inflate wall times)")
    figures = bench_strategies()
    print("\nµs per routing decision, strategy function: CPU min | wall min / median (15 x 1000 calls)")
    print(f"{'strategy':<12}" + "".join(f"{f'{n} quotes':>26}" for n in QUOTE_COUNTS))
    for name in STRATEGIES:
        cells = (f"{t.cpu:.2f} | {t.wall_min:.2f} / {t.wall_median:.2f}"
                 for t in (figures[name, n] for n in QUOTE_COUNTS))
        print(f"{name:<12}" + "".join(f"{cell:>26}" for cell in cells))

    try:
        import uvloop

        runner: Callable[[Coroutine[Any, Any, Any]], Any] = uvloop.run
        loop_name = "uvloop"
    except ImportError:
        runner, loop_name = asyncio.run, "asyncio"
    with tempfile.TemporaryDirectory() as workdir:
        server = RedisServer(port=free_port(), workdir=Path(workdir))
        server.start()
        try:
            rows = runner(bench_breakers(server.url))
        finally:
            server.kill()
    print(f"\nbreaker check per order ({loop_name}, {ORDERS} orders, admit all LPs + success per LP)")
    print(f"{'store':<16}{'LPs':>5}{'µs/order':>12}{'round trips/order':>20}")
    for label, n, us, trips in rows:
        print(f"{label:<16}{n:>5}{us:>12.2f}{trips:>20.2f}")

    print("\nbars")
    worst = max((figures[name, 10] for name in STRATEGIES), key=lambda t: t.cpu)
    print(f"  decision for 10 quotes <= {DECISION_BAR_US:.0f} µs: slowest strategy {worst.cpu:.2f} µs CPU "
          f"(wall min {worst.wall_min:.2f}, median {worst.wall_median:.2f}) -> "
          f"{'PASS' if worst.cpu <= DECISION_BAR_US else 'FAIL'}")
    max_trips = max(trips for label, _, _, trips in rows if label != "memory")
    print(f"  Redis round trips per order <= 1: max {max_trips:.2f} -> "
          f"{'PASS' if max_trips <= 1.0 else 'FAIL'}")


if __name__ == "__main__":
    main()
