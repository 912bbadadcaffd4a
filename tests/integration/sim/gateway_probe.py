"""Our engine as the gateway side of an LP session: an initiator and a tiny application
that hands every application message it receives to the test."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gateway.config import GatewayConfig, SessionSettings, parse_config
from gateway.fix.message import Message
from gateway.session.application import BaseApplication
from gateway.session.core import Session
from gateway.session.log import MemoryLog, SessionLog
from gateway.session.store.base import MessageStoreFactory
from gateway.session.store.memory import MemoryStoreFactory
from gateway.transport.engine import Engine


def initiator_config(port: int, lp_comp_id: str = "LP1", gateway_comp_id: str = "FIXGW",
                     folder: Path | None = None) -> GatewayConfig:
    """One LP (initiator) session to 127.0.0.1:`port`, reconnecting every second."""
    text = "\n".join([
        "[GATEWAY]", "AdminHttpPort=0", "PersistenceSync=none", "",
        "[DEFAULT]", "ConnectionType=initiator", "BeginString=FIX.4.4",
        f"SenderCompID={gateway_comp_id}", "StartTime=00:00:00", "EndTime=00:00:00",
        "ReconnectInterval=1", "HeartBtInt=30", "ResetOnLogon=Y", "",
        "[SESSION]", f"TargetCompID={lp_comp_id}", "SocketConnectHost=127.0.0.1",
        f"SocketConnectPort={port}", f"LPName={lp_comp_id}", "LPSymbols=EUR/USD,USD/JPY", "",
    ])
    return parse_config(text, "<probe>", base_dir=folder or Path.cwd())


class Probe(BaseApplication):
    """Collects inbound application messages; tracks logon."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.logons = 0
        self.logouts = 0
        self.session: Session | None = None

    def on_logon(self, session: Session) -> None:
        self.session = session
        self.logons += 1

    def on_logout(self, session: Session) -> None:
        self.logouts += 1

    def from_app(self, message: Message, session: Session) -> None:
        self.inbox.put_nowait(message)


class GatewayProbe:
    """An `Engine` with one initiator session to an LP, driven by the test."""

    def __init__(self, port: int, lp_comp_id: str = "LP1") -> None:
        self.config = initiator_config(port, lp_comp_id)
        self.app = Probe()
        self.logs: dict[str, MemoryLog] = {}

        def make_log(settings: SessionSettings) -> SessionLog:
            return self.logs.setdefault(str(settings.session_id), MemoryLog())

        def make_store(settings: SessionSettings) -> MessageStoreFactory:
            return MemoryStoreFactory()

        self.engine = Engine(self.config, self.app, log_factory=make_log, store_factory=make_store)

    async def __aenter__(self) -> GatewayProbe:
        await self.engine.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.engine.stop()

    @property
    def session(self) -> Session:
        (session,) = self.engine.sessions.values()
        return session

    async def wait_logons(self, count: int = 1, timeout_s: float = 10.0) -> None:
        async with asyncio.timeout(timeout_s):
            while self.app.logons < count or not self.session.is_logged_on:
                await asyncio.sleep(0.01)

    def send(self, message: Message) -> None:
        assert self.session.send(message), f"not sent: {message}"

    async def receive(self, timeout_s: float = 5.0) -> Message:
        return await asyncio.wait_for(self.app.inbox.get(), timeout_s)

    async def receive_n(self, count: int, timeout_s: float = 5.0) -> list[Message]:
        return [await self.receive(timeout_s) for _ in range(count)]

    async def nothing_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.app.inbox.get(), seconds)
        except TimeoutError:
            return True
        return False
