"""Engines wired with the production stores, session log files and the gateway event log."""

from __future__ import annotations

from pathlib import Path

from gateway.config.model import GatewayConfig, SessionSettings
from gateway.session.application import Application
from gateway.session.clock import SystemClock
from gateway.session.filelog import FileLogFactory
from gateway.session.log import SessionLog
from gateway.transport.engine import Engine


class SessionLogs:
    """One FileLogFactory per FileLogPath, plus the gateway-wide event log."""

    def __init__(self, config: GatewayConfig) -> None:
        self.clock = SystemClock()
        self._factories: dict[Path, FileLogFactory] = {}
        first = config.sessions[0].file_log_path if config.sessions else config.gateway.data_path
        self.global_log = self._factory(first).global_log()

    def _factory(self, directory: Path) -> FileLogFactory:
        factory = self._factories.get(directory)
        if factory is None:
            factory = self._factories[directory] = FileLogFactory(directory, self.clock)
        return factory

    def create(self, settings: SessionSettings) -> SessionLog:
        return self._factory(settings.file_log_path).create(settings.session_id)

    def event(self, text: str) -> None:
        self.global_log.on_event(text)
        self.global_log.flush()

    def close(self) -> None:
        for factory in self._factories.values():
            factory.close()


def build_engine(config: GatewayConfig, application: Application) -> Engine:
    logs = SessionLogs(config)
    return Engine(config, application, log_factory=logs.create, global_event=logs.event)
