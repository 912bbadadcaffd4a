"""The order router's own cost per order, in process (no FIX, no sockets).

Usage: `.venv/bin/python -m bench.router_flow [--orders 3000]`

Drives `routing.Router` through one IOC order's life as the gateway would: submit
→ admission → three quotes → decision and one child → the child's fill, with the
journal in memory and as a file (PersistenceSync=none). Prints µs per step and
per order: the part of the gateway's CPU per order that is routing, as opposed
to FIX decoding, validation and sessions (see bench/routing_e2e.py).
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from gateway.journal import FileJournal, MemoryJournal
from gateway.session.store.base import SyncPolicy
from routing import executions
from routing.actions import Admit, SendChild, SendQuoteRequest
from routing.inbound import ChildReport, NewOrder
from routing.model import LPInfo, LPQuote
from routing.router import Router, RouterConfig

LPS = {name: LPInfo(name, frozenset({"EUR/USD"})) for name in ("LP1", "LP2", "LP3")}
STEPS = ("submit", "admitted", "quotes", "fill")


def run(journal: MemoryJournal | FileJournal, orders: int) -> dict[str, float]:
    router = Router(RouterConfig(lps=LPS), journal, "bench")
    for lp in LPS:
        router.on_lp_up(lp, 0.0)
    spent = dict.fromkeys(STEPS, 0.0)
    size = Decimal(5_000_000)
    for index in range(orders):
        marks = [time.perf_counter()]
        actions = router.submit(NewOrder("S", f"C{index}", "EUR/USD", "1", Decimal(1_000_000), "1",
                                         None, "3", "best", (), None), 1.0)
        marks.append(time.perf_counter())
        admit = next(a for a in actions if isinstance(a, Admit))
        actions = router.on_admitted(admit.order_id, admit.round_no, admit.lps, 1.0)
        marks.append(time.perf_counter())
        placed = []
        for number, action in enumerate(a for a in actions if isinstance(a, SendQuoteRequest)):
            request = action.request
            offer = Decimal("1.0851") + Decimal(number) / 10_000
            placed += router.on_quote(LPQuote(request.lp, request.quote_req_id, f"Q{number}", "EUR/USD",
                                              Decimal("1.0849"), size, offer, size, 10.0), 1.01)
        marks.append(time.perf_counter())
        child = next(a.child for a in placed if isinstance(a, SendChild))
        executions.on_child_report(router, ChildReport(
            child.lp, child.child_id, "L", f"E{index}", "F", "2", child.quantity, child.price,
            child.quantity, child.price, Decimal(0), ""), 1.02)
        journal.flush()
        marks.append(time.perf_counter())
        for step, start, end in zip(STEPS, marks, marks[1:], strict=False):
            spent[step] += end - start
    return {step: seconds / orders * 1e6 for step, seconds in spent.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=3000)
    args = parser.parse_args()
    print(f"router_flow: Python {platform.python_version()}, {args.orders} orders, 3 LPs; "
          "file journal with PersistenceSync=none")
    with tempfile.TemporaryDirectory() as folder:
        journals = {"memory journal": MemoryJournal(),
                    "file journal": FileJournal(Path(folder), SyncPolicy.NONE)}
        for name, journal in journals.items():
            figures = run(journal, args.orders)
            steps = "  ".join(f"{step} {value:6.1f}" for step, value in figures.items())
            print(f"  {name:<15} µs per order: {steps}  total {sum(figures.values()):6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
