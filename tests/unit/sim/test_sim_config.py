"""Which LPs the simulator serves: its acceptor config, LPs from a gateway config, run tokens."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gateway.config import load_config, parse_config
from gateway.sim import LPBehaviour
from gateway.sim.sim_config import (
    SimulatedLP,
    acceptor_config_text,
    lps_from_gateway_config,
    run_token,
)

REPO = Path(__file__).resolve().parents[3]


def test_acceptor_config_parses_into_one_all_day_reset_on_logon_session_per_lp() -> None:
    text = acceptor_config_text([SimulatedLP("LP1", 9101), SimulatedLP("LP2", 9101)],
                                host="127.0.0.1")
    config = parse_config(text, "<sim>", base_dir="/tmp")
    assert [(str(s.session_id), s.socket_accept_port) for s in config.sessions] == [
        ("FIX.4.4:LP1->FIXGW", 9101), ("FIX.4.4:LP2->FIXGW", 9101)]
    assert all(s.reset_on_logon and s.is_acceptor for s in config.sessions)
    assert config.gateway.admin_http_port == 0


def test_the_sample_sessions_cfg_gives_the_lps_the_gateway_connects_to() -> None:
    slow = LPBehaviour(response_delay_ms=500)
    lps = lps_from_gateway_config(load_config(REPO / "sessions.cfg"), {"LP2": slow})
    assert [(lp.name, lp.port, lp.gateway_comp_id) for lp in lps] == [
        ("LP1", 9881, "FIXGW"), ("LP2", 9882, "FIXGW"), ("LP3", 9883, "FIXGW")]
    assert lps[1].behaviour is slow
    assert lps[0].behaviour == LPBehaviour()


def test_default_behaviour_applies_to_lps_not_named() -> None:
    default = LPBehaviour(skew=Decimal(1))
    lps = lps_from_gateway_config(load_config(REPO / "sessions.cfg"), default=default)
    assert {lp.behaviour for lp in lps} == {default}


def test_run_token_is_short_and_changes_with_time() -> None:
    first, second = run_token(1_767_225_600_000_000_000), run_token(1_767_225_600_001_000_000)
    assert first != second
    assert len(first) <= 9 and first.isalnum()
