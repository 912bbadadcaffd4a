"""What must hold for every ParentReport the router sends, and at the end of any run.

`Invariants(harness)` watches every action as the harness carries it out;
`check_end()` checks the settled state (every order terminal, quantities equal
to the LPs' own fills, the journal replaying to the same book).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

from routing.actions import Action, ParentReport, SendChild
from routing.book import OrderBook
from routing.orders import ChildState, ParentOrder
from routing.records import from_row, to_row
from tests.unit.routing.router_harness import Harness

ZERO = Decimal(0)
TERMINAL = frozenset({"2", "4", "8"})
LIVE_STATUSES = frozenset({"0", "1", "6"})


class Invariants:
    """Checks each report and placement as it happens; `check_end` after settling."""

    def __init__(self, harness: Harness, *, lp_overfills: bool = False) -> None:
        self.h = harness
        self.lp_overfills = lp_overfills
        self.exec_ids: set[str] = set()
        self.terminal: dict[str, ParentReport] = {}
        self.fill_qty: dict[str, Decimal] = defaultdict(Decimal)
        self.fill_notional: dict[str, Decimal] = defaultdict(Decimal)
        self.reports = 0
        harness.observers.append(self.on_action)

    def on_action(self, action: Action) -> None:
        if isinstance(action, ParentReport):
            self.reports += 1
            self.check_report(action)
        elif isinstance(action, SendChild):
            self.check_placement(action)

    def check_report(self, r: ParentReport) -> None:
        assert r.exec_id not in self.exec_ids, f"ExecID {r.exec_id} used twice"
        self.exec_ids.add(r.exec_id)
        if r.order_id == "NONE":
            assert r.ord_status == "8" and r.exec_type in ("8", "I"), r
            assert r.text, r
            return
        if r.exec_type != "I" and not self.lp_overfills:   # an over-fill comes after Filled
            assert r.order_id not in self.terminal, (
                f"report after terminal {self.terminal.get(r.order_id)}: {r}")
        if r.exec_type == "F":
            assert r.last_qty is not None and r.last_qty > 0 and r.last_px is not None, r
            assert r.last_mkt in self.h.sims, r
            self.fill_qty[r.order_id] += r.last_qty
            self.fill_notional[r.order_id] += r.last_qty * r.last_px
        self._check_figures(r)
        if r.ord_status in TERMINAL and r.exec_type != "I":
            self.terminal[r.order_id] = r
            order = self.h.router.book.orders[r.order_id]
            assert all(c.state.is_terminal for c in order.children), f"terminal, children open: {r}"

    def _check_figures(self, r: ParentReport) -> None:
        cum, leaves, qty = r.cum_qty, r.leaves_qty, r.quantity
        assert cum == self.fill_qty[r.order_id], f"CumQty {cum} != sum of fills: {r}"
        if cum:
            assert r.avg_px == self.fill_notional[r.order_id] / cum, f"AvgPx: {r}"
        else:
            assert r.avg_px == ZERO, r
        if not self.lp_overfills:
            assert cum <= qty, f"over-filled: {r}"
        assert r.ord_status in TERMINAL | LIVE_STATUSES, r
        if r.ord_status in LIVE_STATUSES:
            assert cum + leaves == qty, f"CumQty + LeavesQty != OrderQty: {r}"
            assert cum < qty, r
        else:
            assert leaves == ZERO, r
        if r.ord_status == "0":
            assert cum == ZERO, r
        elif r.ord_status == "1":
            assert ZERO < cum < qty, r
        elif r.ord_status == "2":
            assert cum >= qty, r

    def check_placement(self, action: SendChild) -> None:
        child = action.child
        assert child.quantity > 0, child
        order = self.h.router.book.orders[child.order_id]
        assert not order.is_terminal and not order.cancel_requested, f"child of a done order: {child}"
        if order.time_in_force == "4":   # FOK: one child for everything that is left
            others = order.reserved_qty - child.open_qty
            assert child.quantity == order.quantity - order.cum_qty - others, f"FOK split: {child}"
            assert [c for c in order.children if c.round_no == child.round_no] == [child], child
        committed = order.cum_qty + order.reserved_qty
        assert committed <= order.quantity or self.lp_overfills, (
            f"placed beyond the order: filled+reserved {committed} > {order.quantity}")

    def check_end(self) -> None:
        """Everything settled: all orders terminal, LP truth and journal agree with the book."""
        book = self.h.router.book
        lp_fills = {lp: {o.child.child_id: o for o in sim.orders.values()}
                    for lp, sim in self.h.sims.items()}
        for order in book.orders.values():
            assert order.is_terminal, f"order {order.order_id} not terminal: {order.status}"
            assert all(c.state.is_terminal for c in order.children), order.order_id
            truth = sum((lp_fills[c.lp][c.child_id].cum for c in order.children
                         if c.child_id in lp_fills[c.lp]), ZERO)
            assert order.cum_qty == truth, f"{order.order_id}: CumQty {order.cum_qty}, LPs filled {truth}"
            last = [r for r in self.h.reports[order.order_id] if r.exec_type != "I"][-1]
            assert last.ord_status == order.status.value and last.cum_qty == order.cum_qty, last
        assert book_view(replay(self.h)) == book_view(book), "journal replay differs from the book"


def replay(h: Harness) -> OrderBook:
    """The book rebuilt from the journal, each record through its JSON row."""
    book = OrderBook()
    for record in h.journal.records:
        book.apply(from_row(json.loads(json.dumps(to_row(record)))))
    return book


def book_view(book: OrderBook, unknown_live: bool = False) -> dict[str, Any]:
    """The parts of the book that records determine (optionally live children as UNKNOWN)."""
    return {order_id: _order_view(order, unknown_live) for order_id, order in book.orders.items()}


def _order_view(order: ParentOrder, unknown_live: bool) -> tuple[Any, ...]:
    children = tuple(
        (c.child_id, c.lp, c.quantity, c.price, c.quote_id, c.time_in_force,
         ChildState.UNKNOWN if unknown_live and c.is_live else c.state,
         c.cum_qty, c.notional, frozenset(c.exec_ids), c.lp_order_id)
        for c in order.children)
    return (order.session, order.cl_ord_id, order.orig_cl_ord_id, order.symbol, order.side,
            order.quantity, order.ord_type, order.limit_price, order.time_in_force, order.strategy,
            order.cum_qty, order.notional, order.closed, order.close_text, order.cancel_requested,
            order.exec_seq, order.rounds, children)
