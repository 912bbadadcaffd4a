"""Engines wired with the production store, session logs and event sink."""

from __future__ import annotations

from gateway.config.model import GatewayConfig
from gateway.session.application import Application
from gateway.transport.engine import Engine


def build_engine(config: GatewayConfig, application: Application) -> Engine:
    return Engine(config, application)
