"""`fixgw lp-sim` argument handling (the running command is tested in tests/integration/sim)."""

from __future__ import annotations

import argparse

import pytest

from gateway.commands import lp_sim
from gateway.sim import LPBehaviour


def test_register_adds_the_lp_sim_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="fixgw")
    lp_sim.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lp-sim", "--port", "9881", "--comp-id", "LP2", "--no-new-ack"])
    assert (args.handler, args.port, args.comp_id, args.gateway_comp_id) == (
        lp_sim.run, 9881, "LP2", "FIXGW")
    assert args.no_new_ack


@pytest.mark.parametrize(("argv", "message"), [
    ([], "--port is required"),
    (["--port", "9881", "--fill-ratio", "2"], "fill_ratio"),
    (["-c", "/nonexistent/sessions.cfg"], "cannot read"),
])
def test_bad_arguments_exit_2_with_a_message(argv: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert lp_sim.main(argv) == 2
    assert message in capsys.readouterr().err


def test_flags_default_to_the_default_behaviour() -> None:
    from gateway.sim.options import behaviour_from_args

    assert behaviour_from_args(lp_sim.build_parser().parse_args(["--port", "1"])) == LPBehaviour()
