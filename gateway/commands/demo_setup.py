"""The demo's world: sessions.cfg moved onto free ports and a scratch folder, and its LPs."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from gateway.config.model import GatewayConfig, SessionSettings
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.sim_config import SimulatedLP, lps_from_gateway_config
from gateway.transport.ports import free_port

# Three LPs with different prices and depth, so every strategy has something to choose.
LP_BEHAVIOURS = {
    "LP1": LPBehaviour(skew=Decimal("-0.2"), quote_size=Decimal(2_000_000), seed=1),
    "LP2": LPBehaviour(skew=Decimal("0"), quote_size=Decimal(3_000_000), seed=2),
    "LP3": LPBehaviour(skew=Decimal("0.2"), quote_size=Decimal(5_000_000), seed=3),
}


def relocate(config: GatewayConfig, scratch: Path) -> GatewayConfig:
    """The same gateway, on free loopback ports, with data, stores and logs in `scratch`.

    A demo must not depend on ports 9876-9883 being free or leave files in the repository.
    """
    sessions: list[SessionSettings] = []
    client_ports: dict[int, int] = {}
    for settings in config.sessions:
        changes: dict[str, object] = {"file_store_path": scratch / "store",
                                      "file_log_path": scratch / "log"}
        if settings.is_acceptor and settings.socket_accept_port is not None:
            port = client_ports.setdefault(settings.socket_accept_port, free_port())
            changes["socket_accept_port"] = port
        elif settings.is_initiator:
            changes.update(socket_connect_port=free_port(), socket_connect_host="127.0.0.1",
                           reconnect_interval_s=1)
        sessions.append(dataclasses.replace(settings, **changes))  # type: ignore[arg-type]
    gateway = dataclasses.replace(config.gateway, data_path=scratch / "data",
                                  admin_http_port=free_port() if config.gateway.admin_http_port else 0)
    return dataclasses.replace(config, gateway=gateway, sessions=tuple(sessions))


def simulated_lps(config: GatewayConfig) -> list[SimulatedLP]:
    return lps_from_gateway_config(config, LP_BEHAVIOURS)


def client_port(config: GatewayConfig) -> tuple[int, str, str]:
    """Port, client CompID and gateway CompID of the first client session."""
    for settings in config.acceptors:
        if settings.client is not None and settings.socket_accept_port is not None:
            sid = settings.session_id
            return settings.socket_accept_port, sid.target_comp_id, sid.sender_comp_id
    raise ValueError("sessions.cfg has no client (acceptor) session")
