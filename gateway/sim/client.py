"""A trading client on our engine: sends orders to the gateway and follows their reports.

Used by `fixgw demo` (and handy in tests): `OrderClient` runs one initiator
session and gives an awaitable per order that completes on the order's final
ExecutionReport (Filled, Canceled, Rejected).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.config import parse_config
from gateway.fix.message import Item, Message
from gateway.fix.timefmt import utc_timestamp
from gateway.session.application import BaseApplication
from gateway.session.core import Session
from gateway.session.store.memory import MemoryStoreFactory
from gateway.transport.engine import Engine

FINAL_STATUSES = frozenset({"2", "4", "8", "C"})


@dataclass(frozen=True, slots=True)
class Execution:
    exec_type: str
    ord_status: str
    cum_qty: Decimal
    leaves_qty: Decimal
    avg_px: Decimal
    last_qty: Decimal | None
    last_px: Decimal | None
    last_mkt: str
    text: str


@dataclass(slots=True)
class ClientOrder:
    cl_ord_id: str
    symbol: str
    side: str
    quantity: Decimal
    reports: list[Execution] = field(default_factory=list)
    done: asyncio.Future[Execution] | None = None

    @property
    def last(self) -> Execution | None:
        return self.reports[-1] if self.reports else None


def _dec(message: Message, tag: int) -> Decimal:
    return message.decimal(tag) or Decimal(0)


class ClientApplication(BaseApplication):
    def __init__(self) -> None:
        self.orders: dict[str, ClientOrder] = {}
        self.logged_on = asyncio.Event()

    def on_logon(self, session: Session) -> None:
        self.logged_on.set()

    def on_logout(self, session: Session) -> None:
        self.logged_on.clear()

    def from_app(self, message: Message, session: Session) -> None:
        if message.msg_type != "8":
            return
        order = self.orders.get(message.get(11) or "") or self.orders.get(message.get(41) or "")
        if order is None:
            return
        last_qty = message.decimal(32)
        report = Execution(message.get(150) or "", message.get(39) or "", _dec(message, 14),
                           _dec(message, 151), _dec(message, 6), last_qty,
                           message.decimal(31) if last_qty else None, message.get(30) or "",
                           message.get(58) or "")
        order.reports.append(report)
        if report.ord_status in FINAL_STATUSES and order.done is not None and not order.done.done():
            order.done.set_result(report)


class OrderClient:
    """One FIX client session to the gateway."""

    def __init__(self, port: int, *, host: str = "127.0.0.1", sender: str = "CLIENT1",
                 target: str = "FIXGW", heartbeat_s: int = 30) -> None:
        text = "\n".join([
            "[GATEWAY]", "AdminHttpPort=0", "PersistenceSync=none", "",
            "[SESSION]", "ConnectionType=initiator", "BeginString=FIX.4.4",
            f"SenderCompID={sender}", f"TargetCompID={target}", f"SocketConnectHost={host}",
            f"SocketConnectPort={port}", f"HeartBtInt={heartbeat_s}", "ReconnectInterval=1",
            "StartTime=00:00:00", "EndTime=00:00:00", "ResetOnLogon=Y", ""])
        self.application = ClientApplication()
        self.engine = Engine(parse_config(text, "<client>"), self.application,
                             store_factory=lambda settings: MemoryStoreFactory())
        self._ids = itertools.count(1)
        self._prefix = f"C{int(time.time() * 1000) % 10**9}"

    async def start(self, timeout_s: float = 10.0) -> None:
        await self.engine.start()
        async with asyncio.timeout(timeout_s):
            await self.application.logged_on.wait()

    async def stop(self) -> None:
        await self.engine.stop()

    @property
    def session(self) -> Session:
        return next(iter(self.engine.sessions.values()))

    def send_order(self, symbol: str, side: str, quantity: Decimal, *, price: Decimal | None = None,
                   time_in_force: str = "3", strategy: str | None = None,
                   preferred: str | None = None, ex_destination: str | None = None) -> ClientOrder:
        cl_ord_id = f"{self._prefix}-{next(self._ids)}"
        body: list[Item] = [(11, cl_ord_id), (21, "1"), (38, str(quantity)),
                            (40, "2" if price is not None else "1"), (54, side), (55, symbol),
                            (59, time_in_force), (60, utc_timestamp(time.time_ns()))]
        if price is not None:
            body.append((44, str(price)))
        if ex_destination:
            body.append((100, ex_destination))
        if strategy:
            body.append((9601, strategy))
        if preferred:
            body.append((9602, preferred))
        order = ClientOrder(cl_ord_id, symbol, side, quantity,
                            done=asyncio.get_running_loop().create_future())
        self.application.orders[cl_ord_id] = order
        self.session.send(Message("D", body))
        return order

    async def order(self, symbol: str, side: str, quantity: Decimal, *, timeout_s: float = 10.0,
                    **options: str | Decimal | None) -> ClientOrder:
        """Send an order and wait for its final report."""
        order = self.send_order(symbol, side, quantity, **options)  # type: ignore[arg-type]
        assert order.done is not None
        async with asyncio.timeout(timeout_s):
            await order.done
        return order
