"""`fixgw at -c FILE`: acceptor sessions with the acceptance-test application (SPEC §9)."""

from __future__ import annotations

import argparse

from gateway.at_app import AcceptanceApplication
from gateway.commands.engine_factory import build_engine
from gateway.commands.serve import fail, run_until_signalled
from gateway.config import FixgwConfigError, load_config


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("at", help="run acceptor sessions with the acceptance-test application")
    parser.add_argument("-c", "--config", required=True, help="QuickFIX-style sessions file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except FixgwConfigError as error:
        return fail(str(error))
    engine = build_engine(config, AcceptanceApplication())
    return run_until_signalled(engine.start, engine.stop)
