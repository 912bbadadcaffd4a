"""Client requests on existing orders: cancel, cancel/replace, status; and crash recovery.

Cancel stops further rounds, asks LPs to cancel resting children, and ends the
order once no child is live or UNKNOWN (ExecutionReport 6 Pending Cancel first,
4 Canceled at the end). Replace changes quantity (never below what is filled or
in flight) and limit price for the rounds still to come.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from routing.actions import Action, CancelReject, ParentReport, report
from routing.inbound import ReplaceOrder
from routing.model import Side
from routing.orders import ChildState, ParentOrder, ParentStatus
from routing.records import CancelRequested, ChildUnknown, OrderReplaced, Record

if TYPE_CHECKING:
    from routing.router import Router

TOO_LATE = 0
UNKNOWN_ORDER = 1
ALREADY_PENDING = 3
DUPLICATE_CL_ORD_ID = 6
OTHER = 99


def _cancel_reject(session: str, cl_ord_id: str, orig: str, order: ParentOrder | None,
                   response_to: str, reason: int, text: str) -> list[Action]:
    return [CancelReject(session, order.order_id if order else "NONE", cl_ord_id, orig,
                         order.status.value if order else "8", response_to, reason, text)]


def _refusal(router: Router, session: str, cl_ord_id: str, orig: str,
             order: ParentOrder | None, response_to: str) -> list[Action] | None:
    """The reasons every cancel or replace is refused, or None when it may go ahead."""
    if order is None:
        return _cancel_reject(session, cl_ord_id, orig, None, response_to, UNKNOWN_ORDER, "Unknown order")
    if order.is_terminal and not order.has_unknown:
        return _cancel_reject(session, cl_ord_id, orig, order, response_to, TOO_LATE,
                              f"Too late: order is {order.status.name}")
    if order.cancel_requested:
        return _cancel_reject(session, cl_ord_id, orig, order, response_to, ALREADY_PENDING,
                              "Order already in pending cancel status")
    if router.book.knows_cl_ord_id(session, cl_ord_id):
        return _cancel_reject(session, cl_ord_id, orig, order, response_to, DUPLICATE_CL_ORD_ID,
                              f"Duplicate ClOrdID {cl_ord_id}")
    return None


def cancel(router: Router, session: str, cl_ord_id: str, orig_cl_ord_id: str,
           now_s: float) -> list[Action]:
    order = router.book.by_client(session, orig_cl_ord_id)
    refused = _refusal(router, session, cl_ord_id, orig_cl_ord_id, order, "1")
    if refused is not None or order is None:
        return refused or []
    exec_id = router.next_exec_id(order)
    router.record(CancelRequested(order.order_id, cl_ord_id, exec_id, now_s))
    router.rounds.pop(order.order_id, None)
    router.requote_at.pop(order.order_id, None)
    actions: list[Action] = [report(order, "6", exec_id, cl_ord_id=cl_ord_id,
                                    orig_cl_ord_id=orig_cl_ord_id)]
    actions += router.cancel_resting_children(order)
    return actions + router.after_child_change(order, now_s)


def replace(router: Router, request: ReplaceOrder, now_s: float) -> list[Action]:
    session, cl_ord_id, orig = request.session, request.cl_ord_id, request.orig_cl_ord_id
    order = router.book.by_client(session, orig)
    refused = _refusal(router, session, cl_ord_id, orig, order, "2")
    if refused is not None or order is None:
        return refused or []
    problem = _replace_problem(order, request)
    if problem:
        return _cancel_reject(session, cl_ord_id, orig, order, "2", OTHER, problem)
    quantity = request.quantity if request.quantity is not None else order.quantity
    price = request.limit_price if request.limit_price is not None else order.limit_price
    exec_id = router.next_exec_id(order)
    router.record(OrderReplaced(order.order_id, cl_ord_id, quantity, price, exec_id, now_s))
    actions: list[Action] = [report(order, "5", exec_id)]
    if order.resting and not order.is_terminal:
        actions += router.start_round(order, now_s)
    return actions


def _replace_problem(order: ParentOrder, request: ReplaceOrder) -> str:
    if request.symbol not in (None, order.symbol) or request.side not in (None, order.side.value):
        return "Symbol and Side cannot be changed"
    if request.quantity is not None:
        if request.quantity <= 0:
            return "OrderQty must be greater than zero"
        floor = order.cum_qty + order.reserved_qty
        if request.quantity < floor:
            return f"OrderQty {request.quantity} is below the quantity filled or in flight ({floor})"
    if request.limit_price is not None and order.ord_type != "2":
        return "Only limit orders have a price to replace"
    return ""


def status(router: Router, session: str, cl_ord_id: str, order_id: str, *, symbol: str = "",
           side: Side = Side.BUY, ord_status_req_id: str = "") -> list[Action]:
    """ExecutionReport 150=I; an order the book does not know is answered 39=8 with the
    request's own Symbol and Side (a strict peer rejects empty values)."""
    order = router.book.by_client(session, cl_ord_id) or router.book.orders.get(order_id)
    if order is None or order.session != session:
        zero = Decimal(0)
        return [ParentReport(session, order_id or "NONE", cl_ord_id, "", router.status_exec_id("NONE"),
                             "I", "8", symbol, side, zero, "", None, "", zero, zero, zero,
                             text="Unknown order", ord_rej_reason=5,
                             ord_status_req_id=ord_status_req_id)]
    answer = report(order, "I", router.status_exec_id(order.order_id))
    return [answer._replace(ord_status_req_id=ord_status_req_id)]


def recover(router: Router, records: Iterable[Record], now_s: float) -> list[Action]:
    """Rebuild the book after a restart. Children without a final answer become UNKNOWN
    (asked again when their LP logs on); routing of IOC orders stops and their
    remainder is canceled once those children are resolved; resting orders go on."""
    for record in records:
        router.book.apply(record)
    actions: list[Action] = []
    for order in list(router.book.open_orders()):
        for child in order.children:
            if child.is_live:
                router.record(ChildUnknown(order.order_id, child.child_id, "gateway restarted", now_s))
        if order.status is ParentStatus.FILLED and not order.has_unknown:
            continue
        if order.resting and not order.cancel_requested:
            router.requote_at[order.order_id] = now_s
        elif not order.is_terminal:
            text = "Canceled by client" if order.cancel_requested else "Gateway restarted: routing stopped"
            actions += router.finish(order, text, now_s)
    return actions


def unknown_children(router: Router) -> int:
    return sum(1 for c in router.book.children.values() if c.state is ChildState.UNKNOWN)
