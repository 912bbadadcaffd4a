"""`fixgw report`: LP scorecards and best-execution records from the order journal (SPEC §6).

    fixgw report -c sessions.cfg lps [--window 1h] [--until 2026-12-01T17:00] [--json]
    fixgw report -c sessions.cfg order ORDER_ID|CLORDID [--json]
    fixgw report -c sessions.cfg bestex --since 2026-12-01T00:00 [--until ...] [-o out.csv]

Reads `orders.journal` in the config's DataPath (or `--data-path`) without
writing to it, so it is safe to run beside a live gateway. Times without an
offset are UTC. The figures are the ones `GET /lps` and `GET /orders/{id}` give.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from gateway.commands.serve import fail
from gateway.config import FixgwConfigError, load_config
from gateway.config.model import GatewayConfig
from gateway.journal import JournalError
from gateway.reports.bestex import find_order, order_record, records_in, write_csv
from gateway.reports.periods import PeriodError, Window, parse_duration, parse_instant
from gateway.reports.render import order_text, scorecard_text
from gateway.reports.scorecard import scorecard
from gateway.reports.source import load_book
from routing.book import OrderBook


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report", help="LP scorecard and best-execution reports from the order journal")
    parser.add_argument("-c", "--config", default="sessions.cfg",
                        help="sessions file naming the DataPath (default sessions.cfg)")
    parser.add_argument("--data-path", type=Path, help="read this DataPath instead of the config's")
    kinds = parser.add_subparsers(dest="report", required=True)
    lps = kinds.add_parser("lps", help="per-LP scorecard over a time window")
    lps.add_argument("--window", default="1h", help="how far back from --until (default 1h)")
    lps.add_argument("--until", help="end of the window (default now), e.g. 2026-12-01T17:00")
    lps.add_argument("--json", action="store_true", help="JSON instead of a table")
    order = kinds.add_parser("order", help="best-execution record of one order")
    order.add_argument("order_id", help="OrderID, or the client's ClOrdID")
    order.add_argument("--json", action="store_true", help="JSON instead of text")
    bestex = kinds.add_parser("bestex", help="best-execution CSV, one row per order")
    bestex.add_argument("--since", required=True, help="orders accepted from, e.g. 2026-12-01T00:00")
    bestex.add_argument("--until", help="orders accepted up to (default now)")
    bestex.add_argument("-o", "--output", type=Path, help="write the CSV here (default stdout)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        book = load_book(args.data_path or config.gateway.data_path)
        if args.report == "lps":
            return _lps(args, config, book)
        if args.report == "order":
            return _order(args, config, book)
        return _bestex(args, book)
    except (FixgwConfigError, JournalError, PeriodError, OSError) as error:
        return fail(str(error))


def _lps(args: argparse.Namespace, config: GatewayConfig, book: OrderBook) -> int:
    end_s = parse_instant(args.until) if args.until else time.time()
    window = Window.last(parse_duration(args.window), end_s)
    scores = scorecard(book, window, [lp.name for lp in config.lps])
    if args.json:
        print(json.dumps({"window": window.as_dict(), "lps": [s.as_dict() for s in scores]}, indent=2))
    else:
        sys.stdout.write(scorecard_text(scores, window))
    return 0


def _order(args: argparse.Namespace, config: GatewayConfig, book: OrderBook) -> int:
    order = find_order(book, args.order_id, [str(s.session_id) for s in config.acceptors])
    if order is None:
        return fail(f"no order {args.order_id} in the journal", code=1)
    record = order_record(book, order)
    if args.json:
        print(json.dumps(record.as_dict(), indent=2))
    else:
        sys.stdout.write(order_text(record))
    return 0


def _bestex(args: argparse.Namespace, book: OrderBook) -> int:
    window = Window(parse_instant(args.since),
                    parse_instant(args.until) if args.until else time.time())
    records = records_in(book, window)
    if args.output is None:
        count = write_csv(records, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = write_csv(records, out)
    print(f"fixgw: {count} order(s) from {window.as_dict()['from']} to {window.as_dict()['to']}",
          file=sys.stderr)
    return 0
