"""A whole gateway in this process for the admin and metrics tests.

`Rig` runs three things on loopback, all real: the LP simulator (our engine as
acceptor, one session per LP), a `Gateway` built from a sessions file written
into tmp_path (one client acceptor, one initiator per LP, AdminHttpPort on a
free port) and a FIX client (our engine as initiator) that sends
NewOrderSingles and collects the ExecutionReports. `get`/`post` talk to the
admin API with urllib in a worker thread (the server runs on this loop).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from gateway.config import load_config, parse_config
from gateway.fix.message import Message
from gateway.service import Gateway
from gateway.session.application import BaseApplication
from gateway.session.core import Session
from gateway.session.filelog import GATEWAY_EVENT_FILE
from gateway.session.log import MemoryLog, SessionLog
from gateway.session.store.base import MessageStoreFactory
from gateway.session.store.memory import MemoryStoreFactory
from gateway.sim import LPBehaviour
from gateway.sim.lp_app import LPSimulator, SimulatedLP
from gateway.transport.engine import Engine
from routing.orders import ParentOrder
from tests.fixtures.ports import free_port

CLIENT = "CLIENT"
GATEWAY = "FIXGW"


def gateway_config_text(workdir: Path, client_port: int, lp_ports: Mapping[str, int],
                        admin_port: int, rfq_timeout_ms: int = 1000,
                        breaker_threshold: int = 100) -> str:
    """One client acceptor (strategy best) and one initiator per LP, all in `workdir`."""
    lines = [
        "[GATEWAY]", f"AdminHttpPort={admin_port}", f"RFQTimeoutMs={rfq_timeout_ms}",
        "RoutingTimeBudgetMs=3000", "PersistenceSync=none", f"DataPath={workdir / 'data'}", "",
        "[DEFAULT]", "BeginString=FIX.4.4", f"SenderCompID={GATEWAY}", "StartTime=00:00:00",
        "EndTime=00:00:00", "ResetOnLogon=Y", f"FileStorePath={workdir / 'store'}",
        f"FileLogPath={workdir / 'log'}", f"BreakerFailureThreshold={breaker_threshold}",
        "BreakerResetSeconds=600", "",
        "[SESSION]", "ConnectionType=acceptor", f"TargetCompID={CLIENT}",
        "SocketAcceptHost=127.0.0.1", f"SocketAcceptPort={client_port}", "RoutingStrategy=best",
    ]
    for lp, port in lp_ports.items():
        lines += ["", "[SESSION]", "ConnectionType=initiator", f"TargetCompID={lp}",
                  "SocketConnectHost=127.0.0.1", f"SocketConnectPort={port}", "HeartBtInt=30",
                  "ReconnectInterval=1", f"LPName={lp}", "LPSymbols=EUR/USD"]
    return "\n".join(lines) + "\n"


class ClientApp(BaseApplication):
    """Collects the ExecutionReports the gateway sends to the client."""

    def __init__(self) -> None:
        self.reports: asyncio.Queue[Message] = asyncio.Queue()
        self.session: Session | None = None

    def on_logon(self, session: Session) -> None:
        self.session = session

    def from_app(self, message: Message, session: Session) -> None:
        self.reports.put_nowait(message)


def new_order(cl_ord_id: str, quantity: str = "1000000", price: str = "1.1000",
              side: str = "1") -> Message:
    """A client limit IOC NewOrderSingle for EUR/USD."""
    now = datetime.now(UTC).strftime("%Y%m%d-%H:%M:%S.%f")[:-3]
    return Message("D", [(11, cl_ord_id), (38, quantity), (40, "2"), (44, price), (54, side),
                         (55, "EUR/USD"), (59, "3"), (60, now)])


class FixClient:
    """Our engine as the trading client (initiator) of the gateway's acceptor session."""

    def __init__(self, port: int, workdir: Path) -> None:
        text = "\n".join([
            "[GATEWAY]", "AdminHttpPort=0", "PersistenceSync=none", "",
            "[DEFAULT]", "ConnectionType=initiator", "BeginString=FIX.4.4",
            f"SenderCompID={CLIENT}", "StartTime=00:00:00", "EndTime=00:00:00",
            "ReconnectInterval=1", "HeartBtInt=30", "ResetOnLogon=Y", "",
            "[SESSION]", f"TargetCompID={GATEWAY}", "SocketConnectHost=127.0.0.1",
            f"SocketConnectPort={port}", "LPName=GATEWAY", "",
        ])
        self.app = ClientApp()

        def make_log(settings: object) -> SessionLog:
            return MemoryLog()

        def make_store(settings: object) -> MessageStoreFactory:
            return MemoryStoreFactory()

        self.engine = Engine(parse_config(text, "<client>", base_dir=workdir), self.app,
                             log_factory=make_log, store_factory=make_store)

    def send(self, message: Message) -> None:
        assert self.app.session is not None and self.app.session.send(message)

    async def report(self, timeout_s: float = 5.0) -> Message:
        return await asyncio.wait_for(self.app.reports.get(), timeout_s)

    async def until_done(self, cl_ord_id: str, timeout_s: float = 5.0) -> list[Message]:
        """Reports for `cl_ord_id` up to its terminal one (filled, canceled or rejected)."""
        seen: list[Message] = []
        async with asyncio.timeout(timeout_s):
            while True:
                report = await self.app.reports.get()
                if report.get(11) == cl_ord_id:
                    seen.append(report)
                    if report.get(39) in ("2", "4", "8"):
                        return seen


class Rig:
    """LP simulator + gateway + client, started together; `async with Rig(...) as rig`."""

    def __init__(self, workdir: Path, behaviours: Mapping[str, LPBehaviour], *,
                 rfq_timeout_ms: int = 1000, breaker_threshold: int = 100,
                 metrics: bool = True) -> None:
        self.workdir = workdir
        lp_ports = {lp: free_port() for lp in behaviours}
        self.client_port = free_port()
        self.admin_port = free_port()
        self.simulator = LPSimulator([SimulatedLP(lp, port, behaviours[lp], GATEWAY)
                                      for lp, port in lp_ports.items()])
        self.config_path = workdir / "gateway.cfg"
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(gateway_config_text(
            workdir, self.client_port, lp_ports, self.admin_port, rfq_timeout_ms, breaker_threshold))
        self.gateway = Gateway(load_config(self.config_path), metrics=metrics)
        self.client = FixClient(self.client_port, workdir)
        self.events: list[tuple[str, str]] = []
        self.gateway.add_listener(lambda kind, text, fields: self.events.append((kind, text)))

    async def __aenter__(self) -> Rig:
        await self.simulator.start()
        await self.gateway.start()
        await self.client.engine.start()
        async with asyncio.timeout(10):
            while not all(s.is_logged_on for s in self.gateway.engine.sessions.values()):
                await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        # Acceptor sides first: a stopping engine's initiators reconnect while it waits for
        # the Logouts (the wait then runs into its timeout), so stop each once its peer is gone.
        await self.simulator.stop()
        await self.client.engine.stop()
        await self.gateway.stop()

    async def order(self, cl_ord_id: str, **fields: str) -> list[Message]:
        """Send one order and wait for its terminal report."""
        self.client.send(new_order(cl_ord_id, **fields))
        return await self.client.until_done(cl_ord_id)

    def parent(self, cl_ord_id: str) -> ParentOrder:
        """The gateway's order for the client order `cl_ord_id`."""
        order = self.gateway.router.book.by_client(f"FIX.4.4:{GATEWAY}->{CLIENT}", cl_ord_id)
        assert order is not None, cl_ord_id
        return order

    def child_lps(self, cl_ord_id: str) -> list[str]:
        """The LPs the gateway sent child orders to for the client order `cl_ord_id`."""
        return [child.lp for child in self.parent(cl_ord_id).children]

    def asked(self, cl_ord_id: str) -> list[tuple[str, ...]]:
        """The LPs asked for quotes in each round of `cl_ord_id`."""
        rounds = self.gateway.router.book.rounds[self.parent(cl_ord_id).order_id]
        return [round_.asked for round_ in rounds]

    async def get(self, path: str) -> Answer:
        return await http(self.admin_port, "GET", path)

    async def post(self, path: str, body: Any = None) -> Answer:
        return await http(self.admin_port, "POST", path, body)

    def gateway_events(self) -> str:
        """The gateway's event log file (what operators `tail -f`)."""
        self.gateway.logs.global_log.flush()
        return (self.workdir / "log" / GATEWAY_EVENT_FILE).read_text()


class Answer(NamedTuple):
    status: int
    body: Any                    # parsed JSON, or text
    headers: Mapping[str, str]


async def http(port: int, method: str, path: str, body: Any = None,
               host: str = "127.0.0.1") -> Answer:
    """Status, parsed JSON (or text) and headers of one request to the admin API."""
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(f"http://{host}:{port}{path}", data=data, method=method)

    def call() -> tuple[int, bytes, dict[str, str]]:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    status, raw, headers = await asyncio.to_thread(call)
    parsed = (json.loads(raw) if headers.get("Content-Type", "").startswith("application/json")
              else raw.decode())
    return Answer(status, parsed, headers)
