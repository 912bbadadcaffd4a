"""The load client of the routing benchmark: paced and closed-loop phases of NewOrderSingles.

Every order is a 1,000,000 EUR/USD IOC market order (best strategy). The client
records when it sent each order and when the ExecutionReports New and final
arrived; the ER New tells which OrderID the gateway gave it, which is how LP-side
timestamps are joined to the client's.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

from bench.lean_fix import SOH, Fields, LeanFix
from gateway.fix.timefmt import utc_timestamp

FINAL = frozenset({"2", "4", "8"})


@dataclass
class OrderTimes:
    phase: str
    sent_ns: int
    order_id: str = ""
    new_ns: int = 0
    final_ns: int = 0
    status: str = ""


@dataclass
class LoadRun:
    orders: dict[str, OrderTimes] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    outstanding: int = 0


class E2EClient:
    def __init__(self) -> None:
        self.run = LoadRun()
        self.peer: LeanFix | None = None
        self._ids = itertools.count(1)
        self._on_final: asyncio.Queue[str] = asyncio.Queue()

    async def connect(self, port: int) -> None:
        loop = asyncio.get_running_loop()
        _, self.peer = await loop.create_connection(
            lambda: LeanFix("CLIENT1", "FIXGW", self._on_message, initiator=True), "127.0.0.1", port)
        async with asyncio.timeout(10):
            await self.peer.logged_on

    def _on_message(self, peer: LeanFix, msg_type: str, fields: Fields, now_ns: int) -> None:
        if msg_type != "8":
            return
        times = self.run.orders.get(fields.get(11, ""))
        if times is None:
            return
        if fields.get(150) == "0":
            times.order_id, times.new_ns = fields.get(37, ""), now_ns
        if fields.get(39) in FINAL and not times.final_ns:
            times.final_ns, times.status = now_ns, fields[39]
            self._on_final.put_nowait(fields[11])

    def send_order(self, phase: str) -> None:
        assert self.peer is not None
        cl_ord_id = f"B{next(self._ids)}"
        now = time.time_ns()
        self.run.orders[cl_ord_id] = OrderTimes(phase, now)
        self.peer.send("D", f"11={cl_ord_id}{SOH}21=1{SOH}38=1000000{SOH}40=1{SOH}54=1{SOH}"
                            f"55=EUR/USD{SOH}59=3{SOH}60={utc_timestamp(now)}{SOH}")

    async def paced(self, rate: float, count: int, phase: str | None = None) -> None:
        """`count` orders at `rate` per second, on an absolute schedule (no drift)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        for index in range(count):
            delay = start + index / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_order(phase or f"paced{rate:g}")
        await self._drain(count)

    async def closed_loop(self, window: int, count: int) -> None:
        """Keep `window` orders in flight until `count` were sent (the maximum sustained rate)."""
        sent = min(window, count)
        for _ in range(sent):
            self.send_order("max")
        for _ in range(count):
            async with asyncio.timeout(30):
                await self._on_final.get()
            if sent < count:
                self.send_order("max")
                sent += 1

    async def _drain(self, count: int) -> None:
        for _ in range(count):
            async with asyncio.timeout(30):
                await self._on_final.get()

    async def close(self) -> None:
        if self.peer is not None:
            await self.peer.logout()
