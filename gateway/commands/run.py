"""`fixgw run -c sessions.cfg`: the gateway (SPEC §9)."""

from __future__ import annotations

import argparse

from gateway.commands.serve import fail, run_until_signalled
from gateway.config import FixgwConfigError, load_config
from gateway.logging_setup import configure_logging
from gateway.service import Gateway


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("run", help="run the gateway")
    parser.add_argument("-c", "--config", default="sessions.cfg", help="sessions file (default sessions.cfg)")
    parser.add_argument("--json-logs", action="store_true", help="structured event log as JSON lines")
    parser.add_argument("--log-level", default="INFO")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    configure_logging(json=args.json_logs, level=args.log_level)
    try:
        config = load_config(args.config)
    except FixgwConfigError as error:
        return fail(str(error))
    try:
        gateway = Gateway(config)
        return run_until_signalled(gateway.start, gateway.stop)
    except FixgwConfigError as error:
        return fail(str(error))
