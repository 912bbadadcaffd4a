"""After a crash: fills the journal knows of but the client was never told.

The journal is synced before the session stores (see gateway/transport/flush.py),
so after a power loss it can hold a fill whose client ExecutionReport never
reached the client's session store; the LP, whose own sequence number was not
stored either, resends the fill and the router drops it as a duplicate. At
start-up the gateway therefore compares the fills in the book with the ExecIDs
stored for each client session, and reports the missing ones, each with the
order's figures as they stood after that fill.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from routing.actions import ParentReport
from routing.book import OrderBook
from routing.orders import ParentOrder


def unreported_fills(book: OrderBook, reported_exec_ids: Collection[str],
                     sessions: Collection[str]) -> list[ParentReport]:
    """Trade reports for fills of orders of `sessions` whose ExecID was never stored."""
    reports: list[ParentReport] = []
    for order_id, fills in book.fills.items():
        order = book.orders[order_id]
        if order.session not in sessions:
            continue
        cum = notional = Decimal(0)
        for fill in fills:
            cum += fill.quantity
            notional += fill.quantity * fill.price
            if fill.exec_id not in reported_exec_ids:
                reports.append(_trade(order, fill.exec_id, cum, notional, fill.quantity, fill.price,
                                      book.children[fill.child_id].lp, fill.lp_order_id, fill.lp_exec_id))
    return reports


def _trade(order: ParentOrder, exec_id: str, cum: Decimal, notional: Decimal, qty: Decimal,
           price: Decimal, lp: str, lp_order_id: str, lp_exec_id: str) -> ParentReport:
    filled = cum >= order.quantity
    return ParentReport(
        session=order.session, order_id=order.order_id, cl_ord_id=order.cl_ord_id,
        orig_cl_ord_id=order.orig_cl_ord_id, exec_id=exec_id, exec_type="F",
        ord_status="2" if filled else "1", symbol=order.symbol, side=order.side,
        quantity=order.quantity, ord_type=order.ord_type, limit_price=order.limit_price,
        time_in_force=order.time_in_force, cum_qty=cum,
        leaves_qty=Decimal(0) if filled else order.quantity - cum, avg_px=notional / cum,
        last_qty=qty, last_px=price, last_mkt=lp, lp_order_id=lp_order_id, lp_exec_id=lp_exec_id)
