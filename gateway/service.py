"""The gateway service: engine + router + breakers + journal, started and stopped together.

`fixgw run` and `fixgw demo` both use `Gateway`. Start-up replays the order
journal before any session connects, so late LP reports find their orders and
children that were in flight at the crash are reconciled (UNKNOWN, then asked).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import structlog

from gateway.admin.api import AdminApi
from gateway.admin.http import HttpServer
from gateway.admin.metrics import PrometheusObserver
from gateway.app import EventSink, GatewayApplication
from gateway.commands.engine_factory import SessionLogs
from gateway.config.errors import ConfigError, Location
from gateway.config.model import GatewayConfig
from gateway.fix.codec import split_fields
from gateway.fix.errors import Garbled
from gateway.ids import run_token
from gateway.journal import FileJournal
from gateway.router_setup import breaker_settings, require_lp_names, router_config
from gateway.transport.engine import Engine
from routing import amend
from routing.breaker.memory import MemoryBreakerStore
from routing.breaker.redis_store import RedisBreakerStore
from routing.breaker.resilient import ResilientBreakerStore
from routing.breaker.store import BreakerStore
from routing.recovery import unreported_fills
from routing.router import Router

TIMER_INTERVAL_S = 0.01
BREAKER_POLL_S = 1.0


class Gateway:
    """Everything `fixgw run` runs, for one sessions.cfg.

    Metrics are collected when they can be scraped, i.e. when AdminHttpPort is not 0;
    `metrics=True`/`False` overrides that (tests, the benchmark's on/off runs). With
    metrics off the Prometheus observer is not in the order flow at all and the
    admin API answers /metrics with 404.
    """

    def __init__(self, config: GatewayConfig, on_event: EventSink | None = None, *,
                 metrics: bool | None = None) -> None:
        require_lp_names(config)
        self.config = config
        self.logs = SessionLogs(config)
        self.log = structlog.get_logger("fixgw")
        self._listeners: list[EventSink] = [self._log_event] + ([on_event] if on_event else [])
        self.journal = FileJournal(config.gateway.data_path, config.gateway.persistence_sync)
        self.router = Router(router_config(config), self.journal, run_token())
        self.breakers = self._breaker_store()
        port = config.gateway.admin_http_port
        self.metrics = (PrometheusObserver([lp.name for lp in config.lps],
                                           lambda: self.engine.sessions.values())
                        if (bool(port) if metrics is None else metrics) else None)
        if self.metrics is not None:
            self._listeners.append(self.metrics.on_event)
        self.app = GatewayApplication(config, self.router, self.breakers, self._emit,
                                      observer=self.metrics)
        self.engine = Engine(config, self.app, log_factory=self.logs.create,
                             global_event=self.logs.event)
        self.admin = HttpServer(AdminApi(self), port) if port else None
        self._tasks: list[asyncio.Task[None]] = []

    def _breaker_store(self) -> BreakerStore:
        settings = breaker_settings(self.config)
        url = self.config.gateway.redis_url
        if not url:
            return MemoryBreakerStore(settings)
        return ResilientBreakerStore(RedisBreakerStore.from_url(url, settings))

    def add_listener(self, listener: EventSink) -> None:
        self._listeners.append(listener)

    def _emit(self, kind: str, text: str, fields: dict[str, Any]) -> None:
        for listener in self._listeners:
            listener(kind, text, fields)

    def _log_event(self, kind: str, text: str, fields: dict[str, Any]) -> None:
        self.logs.event(f"{kind}: {text}")
        self.log.info(kind, text=text, **fields)

    async def start(self) -> None:
        await self._start_admin()
        records = list(self.journal.replay())
        await self.engine.start()
        flusher = self.engine.flusher
        assert flusher is not None
        flusher.always_first(self.journal)
        self.app.on_actions_done(flusher.request)
        self.app.run(amend.recover(self.router, records, time.time()))
        if records:
            missing = unreported_fills(self.router.book, self._reported_exec_ids(), self.app.clients)
            self.app.run(list(missing))
            self._emit("recovered", f"replayed {len(records)} journal records; "
                       f"{amend.unknown_children(self.router)} children to reconcile; "
                       f"{len(missing)} fills reported to clients again", {})
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._timer()), loop.create_task(self._breaker_poll())]

    def _reported_exec_ids(self) -> set[str]:
        """ExecIDs of every report stored for the client sessions (what clients were told)."""
        exec_ids: set[str] = set()
        for key in self.app.clients:
            store = self.app.sessions[key].store
            for _, data in store.get(1, store.next_sender_seq - 1):
                split = split_fields(data)
                if not isinstance(split, Garbled) and 17 in split[0]:
                    exec_ids.add(split[1][split[0].index(17)])
        return exec_ids

    async def _start_admin(self) -> None:
        """Listen on 127.0.0.1:AdminHttpPort first, so a taken port stops start-up at once."""
        if self.admin is None:
            return
        try:
            await self.admin.start()
        except OSError as error:
            where = Location(str(self.config.path), "GATEWAY", key="AdminHttpPort")
            raise ConfigError(where, f"cannot listen on 127.0.0.1:{self.admin.requested_port}: "
                                     f"{error.strerror or error}") from error
        self._emit("admin", f"admin API listening on http://127.0.0.1:{self.admin.port}", {})

    async def _timer(self) -> None:
        while True:
            await asyncio.sleep(TIMER_INTERVAL_S)
            actions = self.router.on_timer(time.time())
            if actions:
                self.app.run(actions)

    async def _breaker_poll(self) -> None:
        lps = tuple(self.app.lp_sessions)
        while True:
            await asyncio.sleep(BREAKER_POLL_S)
            transitions = await self.breakers.poll(lps, time.time())
            self.app.log_transitions(transitions)

    async def stop(self) -> None:
        self.app.stopping = True
        if self.admin is not None:
            await self.admin.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.engine.stop()
        await self.breakers.close()
        self.journal.close()
        self.logs.close()
