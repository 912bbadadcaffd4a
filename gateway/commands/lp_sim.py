"""`fixgw lp-sim`: run simulated LPs as FIX acceptors (SPEC §7, §9).

One LP from the flags (``--port``, ``--comp-id``, behaviour flags), or, with
``-c sessions.cfg``, one LP per initiator session of a gateway config (its
TargetCompID on its SocketConnectPort), all with the behaviour the flags give.
Runs until SIGINT/SIGTERM, then prints each LP's counters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.commands.serve import fail, run_until_signalled
from gateway.config import FixgwConfigError, load_config
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.lp_app import LPSimulator
from gateway.sim.options import add_behaviour_arguments, behaviour_from_args
from gateway.sim.sim_config import SimulatedLP, lps_from_gateway_config

__all__ = ["build_parser", "main", "register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `lp-sim` subcommand."""
    parser = subparsers.add_parser(
        "lp-sim", help="run simulated LPs (FIX acceptors quoting and filling)",
        description=__doc__.splitlines()[0] if __doc__ else None)
    _add_arguments(parser)
    parser.set_defaults(handler=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_argument_group("sessions")
    where.add_argument("--port", type=int, help="port to listen on (required without -c)")
    where.add_argument("--comp-id", default="LP1", help="the LP's CompID (default LP1)")
    where.add_argument("--gateway-comp-id", default="FIXGW",
                       help="the gateway's CompID (default FIXGW)")
    where.add_argument("--host", default="127.0.0.1", help="address to listen on")
    where.add_argument("-c", "--config", type=Path,
                       help="simulate every LP this gateway config's initiator sessions connect to")
    where.add_argument("--store", type=Path,
                       help="folder for file message stores (default: in memory)")
    where.add_argument("--log", type=Path, help="folder for session logs (default: none)")
    add_behaviour_arguments(parser)


def _lps(args: argparse.Namespace, behaviour: LPBehaviour) -> list[SimulatedLP]:
    if args.config is not None:
        lps = lps_from_gateway_config(load_config(args.config), default=behaviour)
        if not lps:
            raise ValueError(f"{args.config}: no initiator session with a SocketConnectPort")
        return lps
    if args.port is None:
        raise ValueError("--port is required (or -c sessions.cfg)")
    return [SimulatedLP(args.comp_id, args.port, behaviour, args.gateway_comp_id)]


def run(args: argparse.Namespace) -> int:
    """Run the simulator until signalled; the exit code."""
    try:
        behaviour = behaviour_from_args(args)
        lps = _lps(args, behaviour)
        simulator = LPSimulator(lps, host=args.host, store_dir=args.store, log_dir=args.log,
                                on_event=_print)
    except (ValueError, FixgwConfigError) as error:
        return fail(str(error))

    async def start() -> None:
        await simulator.start()
        for lp in lps:
            _print(f"{lp.name}: listening on {args.host}:{lp.port} for {lp.gateway_comp_id}")

    async def stop() -> None:
        await simulator.stop()
        for name, counters in simulator.summary().items():
            _print(f"{name}: " + " ".join(f"{key}={value}" for key, value in counters.items()))

    try:
        return run_until_signalled(start, stop)
    except OSError as error:
        return fail(f"cannot listen: {error}")


def _print(text: str) -> None:
    print(text, flush=True)


def build_parser() -> argparse.ArgumentParser:
    """A standalone parser for ``lp-sim`` (tests, ``python -m gateway.commands.lp_sim``)."""
    parser = argparse.ArgumentParser(prog="fixgw lp-sim", description=__doc__)
    _add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse `argv` (default: the command line) and run."""
    return run(build_parser().parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
