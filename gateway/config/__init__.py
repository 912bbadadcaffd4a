"""``sessions.cfg``: QuickFIX's INI session settings plus fixgw's routing keys.

``load_config(path)`` / ``parse_config(text, path)`` return a frozen
`GatewayConfig`; any problem raises `ConfigError` naming file, section, line and
key. See `loader` (paths, cross-section checks), `sessions` (required keys),
`keys` (accepted, ignored and unsupported keys) and `model` (fields and defaults).
"""

from gateway.config.errors import ConfigError, FixgwConfigError, Location
from gateway.config.loader import load_config, parse_config
from gateway.config.model import (
    DEFAULT_DATA_DICTIONARY,
    ChildOrdType,
    ClientSettings,
    ConnectionType,
    GatewayConfig,
    GatewaySettings,
    LPSettings,
    RoutingStrategy,
    SessionID,
    SessionSettings,
    SyncPolicy,
    TimeInForce,
    UnknownChildPolicy,
)

__all__ = [
    "DEFAULT_DATA_DICTIONARY",
    "ChildOrdType",
    "ClientSettings",
    "ConfigError",
    "ConnectionType",
    "FixgwConfigError",
    "GatewayConfig",
    "GatewaySettings",
    "LPSettings",
    "Location",
    "RoutingStrategy",
    "SessionID",
    "SessionSettings",
    "SyncPolicy",
    "TimeInForce",
    "UnknownChildPolicy",
    "load_config",
    "parse_config",
]
