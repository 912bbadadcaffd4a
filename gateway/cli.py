"""The `fixgw` command line.

Each subcommand lives in its own module with `register(subparsers)`, which adds
its subparser and sets `handler`: a function taking the parsed arguments and
returning the exit code. Adding a command is one entry in `REGISTRARS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeAlias

from gateway import logview
from gateway.commands import at, demo, lp_sim, report, run

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

REGISTRARS: list[Callable[[Subparsers], None]] = [
    run.register,
    demo.register,
    lp_sim.register,
    at.register,
    logview.register,
    report.register,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fixgw", description="FIX 4.4 order-routing gateway")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for register in REGISTRARS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)
