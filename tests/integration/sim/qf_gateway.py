"""QuickFIX C++ (quickfix-py) as the gateway side of an LP session: a SocketInitiator whose
application queues what it receives, as our `Message`, for an asyncio test to await.

QuickFIX runs on its own threads; the test's loop (which may be serving the LP)
must never block on it, so every wait goes through `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from pathlib import Path
from typing import Any

import quickfix  # type: ignore[import-untyped]

from gateway.fix.message import Message
from tests.fixtures.qf_base import QuietApplication
from tests.fixtures.qf_lp import Converter, quickfix_dictionary_path


class _Collector(QuietApplication):
    def __init__(self, converter: Converter) -> None:
        super().__init__()
        self.converter = converter
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.logged_on = threading.Event()
        self.logons = 0
        self.logouts = 0
        self.session_id: Any = None

    def onCreate(self, session_id: Any) -> None:
        self.session_id = session_id

    def onLogon(self, session_id: Any) -> None:
        self.logons += 1
        self.logged_on.set()

    def onLogout(self, session_id: Any) -> None:
        self.logouts += 1
        self.logged_on.clear()

    def fromApp(self, message: Any, session_id: Any) -> None:
        self.inbox.put(self.converter.to_ours(message))


class QuickFixGateway:
    """A QuickFIX initiator FIXGW -> `lp_comp_id` on 127.0.0.1:`port`."""

    def __init__(self, workdir: Path, port: int, lp_comp_id: str = "LP1",
                 gateway_comp_id: str = "FIXGW", reset_on_logon: bool = True) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        cfg = workdir / "initiator.cfg"
        cfg.write_text("\n".join([
            "[DEFAULT]", "ConnectionType=initiator", "ReconnectInterval=1", "HeartBtInt=30",
            "StartTime=00:00:00", "EndTime=00:00:00",
            f"ResetOnLogon={'Y' if reset_on_logon else 'N'}",
            f"FileStorePath={workdir / 'store'}", f"FileLogPath={workdir / 'log'}",
            "UseDataDictionary=Y", f"DataDictionary={quickfix_dictionary_path()}", "",
            "[SESSION]", "BeginString=FIX.4.4", f"SenderCompID={gateway_comp_id}",
            f"TargetCompID={lp_comp_id}", "SocketConnectHost=127.0.0.1",
            f"SocketConnectPort={port}", "",
        ]), encoding="ascii")
        self.converter = Converter()
        self.app = _Collector(self.converter)
        settings = quickfix.SessionSettings(str(cfg))
        self.initiator = quickfix.SocketInitiator(self.app, quickfix.MemoryStoreFactory(), settings,
                                                  quickfix.FileLogFactory(settings))
        self._started = False

    async def __aenter__(self) -> QuickFixGateway:
        self.initiator.start()
        self._started = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._started:
            # Forced: QuickFIX's graceful stop (and even its Logout) waits for its 1 s timer
            # tick, twice. Off the loop thread, which may be serving the other side.
            await asyncio.to_thread(self.initiator.stop, True)
            self._started = False

    async def wait_logged_on(self, timeout_s: float = 10.0) -> None:
        if not await asyncio.to_thread(self.app.logged_on.wait, timeout_s):
            raise TimeoutError("QuickFIX initiator did not log on")

    async def wait_logons(self, count: int, timeout_s: float = 10.0) -> None:
        async with asyncio.timeout(timeout_s):
            while self.app.logons < count or not self.app.logged_on.is_set():
                await asyncio.sleep(0.02)

    def send(self, message: Message) -> None:
        sent = quickfix.Session.sendToTarget(self.converter.to_quickfix(message), self.app.session_id)
        assert sent, f"QuickFIX did not send {message}"

    async def receive(self, timeout_s: float = 5.0) -> Message:
        try:
            return await asyncio.to_thread(self.app.inbox.get, True, timeout_s)
        except queue.Empty:
            raise TimeoutError("no message from the LP") from None

    async def receive_n(self, count: int, timeout_s: float = 5.0) -> list[Message]:
        return [await self.receive(timeout_s) for _ in range(count)]
