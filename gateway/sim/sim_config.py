"""Which LPs a simulator runs, and the acceptor sessions file that serves them.

Each simulated LP is one acceptor session: SenderCompID = the LP's CompID,
TargetCompID = the gateway's CompID, on its own port (several LPs may share a
port: the Logon's CompIDs pick the session). Sessions run all day
(StartTime = EndTime = 00:00:00) with ResetOnLogon=Y, so a gateway that
reconnects always starts both sequences at 1, as most LP test venues do - except
an LP whose behaviour sends `late_reports`: it keeps its sequence numbers
(ResetOnLogon=N), so that the reports it sent while down can be resent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gateway.config.model import GatewayConfig
from gateway.ids import run_token
from gateway.sim.behaviour import LPBehaviour

__all__ = ["SimulatedLP", "acceptor_config_text", "lps_from_gateway_config", "run_token"]



def _default_behaviour() -> LPBehaviour:
    return LPBehaviour()


@dataclass(frozen=True)
class SimulatedLP:
    """One simulated LP: its CompID, the port it listens on, and how it behaves."""

    name: str
    port: int
    behaviour: LPBehaviour = field(default_factory=_default_behaviour)
    gateway_comp_id: str = "FIXGW"


def acceptor_config_text(lps: Iterable[SimulatedLP], host: str = "127.0.0.1",
                         store_dir: Path | None = None, log_dir: Path | None = None) -> str:
    """A QuickFIX-style sessions file with one acceptor session per LP.

    Store and log folders only matter when the simulator uses file stores / logs.
    The admin HTTP API is off: a simulator has none.
    """
    lines = [
        "[GATEWAY]",
        "AdminHttpPort=0",
        "PersistenceSync=none",
        "",
        "[DEFAULT]",
        "ConnectionType=acceptor",
        "BeginString=FIX.4.4",
        f"SocketAcceptHost={host}",
        "StartTime=00:00:00",
        "EndTime=00:00:00",
        "ResetOnLogon=Y",
        f"FileStorePath={store_dir if store_dir is not None else 'store'}",
        f"FileLogPath={log_dir if log_dir is not None else 'log'}",
    ]
    for lp in lps:
        lines += [
            "",
            "[SESSION]",
            f"SenderCompID={lp.name}",
            f"TargetCompID={lp.gateway_comp_id}",
            f"SocketAcceptPort={lp.port}",
            *(["ResetOnLogon=N"] if lp.behaviour.late_reports else []),
        ]
    return "\n".join(lines) + "\n"


def lps_from_gateway_config(config: GatewayConfig,
                            behaviours: Mapping[str, LPBehaviour] | None = None,
                            default: LPBehaviour | None = None) -> list[SimulatedLP]:
    """The LPs a gateway config connects to, to simulate them (what `fixgw demo` needs).

    One per initiator session with a SocketConnectPort: the LP's CompID is the
    session's TargetCompID, the gateway's its SenderCompID. `behaviours` is keyed by
    LPName or CompID; others get `default`.
    """
    chosen = behaviours or {}
    out = []
    for settings in config.initiators:
        if settings.socket_connect_port is None:
            continue
        comp_id = settings.session_id.target_comp_id
        lp_name = settings.lp.name if settings.lp is not None else comp_id
        behaviour = chosen.get(lp_name) or chosen.get(comp_id) or default or LPBehaviour()
        out.append(SimulatedLP(comp_id, settings.socket_connect_port, behaviour,
                               settings.session_id.sender_comp_id))
    return out

