"""What the router asks the gateway to do, as values (the router itself does no I/O).

The gateway executes actions in the order given, after the records that caused
them are in the journal. Reports are snapshots: a `ParentReport` carries the
order's figures as they were when it was produced, so several reports from one
step (a fill, then the cancel of the remainder) each tell their own moment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from routing.inbound import NewOrder
from routing.model import Side
from routing.orders import ChildOrder, ParentOrder
from routing.rfq import QuoteRequest


class ParentReport(NamedTuple):
    """An ExecutionReport(35=8) to the client."""

    session: str
    order_id: str
    cl_ord_id: str
    orig_cl_ord_id: str
    exec_id: str
    exec_type: str         # ExecType(150)
    ord_status: str        # OrdStatus(39)
    symbol: str
    side: Side
    quantity: Decimal
    ord_type: str
    limit_price: Decimal | None
    time_in_force: str
    cum_qty: Decimal
    leaves_qty: Decimal
    avg_px: Decimal
    last_qty: Decimal | None = None
    last_px: Decimal | None = None
    last_mkt: str = ""             # LPName of the fill (LastMkt 30)
    lp_order_id: str = ""          # SecondaryOrderID(198)
    lp_exec_id: str = ""           # SecondaryExecID(527)
    text: str = ""
    ord_rej_reason: int | None = None
    ord_status_req_id: str = ""    # OrdStatusReqID(790) echoed in a status answer


class CancelReject(NamedTuple):
    """An OrderCancelReject(35=9) to the client."""

    session: str
    order_id: str
    cl_ord_id: str
    orig_cl_ord_id: str
    ord_status: str
    response_to: str               # CxlRejResponseTo(434): 1 cancel, 2 cancel/replace
    reason: int                    # CxlRejReason(102)
    text: str


class Admit(NamedTuple):
    """Ask the breakers which of `lps` may be used (at most `limit`), then call
    `Router.on_admitted` with the answer."""

    order_id: str
    round_no: int
    lps: tuple[str, ...]
    limit: int | None


class SendQuoteRequest(NamedTuple):
    request: QuoteRequest


class SendChild(NamedTuple):
    child: ChildOrder
    symbol: str
    side: Side


class CancelChild(NamedTuple):
    child: ChildOrder
    symbol: str
    side: Side
    request_id: str


class QueryChild(NamedTuple):
    """OrderStatusRequest(35=H) to reconcile a child in UNKNOWN state."""

    child: ChildOrder
    symbol: str
    side: Side


class BreakerOutcome(NamedTuple):
    lp: str
    success: bool
    reason: str


class Alert(NamedTuple):
    """An event for the logs and metrics: re-routes, unknown children, reconciliation."""

    kind: str
    order_id: str
    text: str


Action = (ParentReport | CancelReject | Admit | SendQuoteRequest | SendChild | CancelChild
          | QueryChild | BreakerOutcome | Alert)


def report(order: ParentOrder, exec_type: str, exec_id: str, *, text: str = "",
           last_qty: Decimal | None = None, last_px: Decimal | None = None, last_mkt: str = "",
           lp_order_id: str = "", lp_exec_id: str = "", ord_status: str | None = None,
           cl_ord_id: str | None = None, orig_cl_ord_id: str | None = None) -> ParentReport:
    """A snapshot report of `order` as it stands now."""
    return ParentReport(
        session=order.session, order_id=order.order_id,
        cl_ord_id=cl_ord_id if cl_ord_id is not None else order.cl_ord_id,
        orig_cl_ord_id=orig_cl_ord_id if orig_cl_ord_id is not None else order.orig_cl_ord_id,
        exec_id=exec_id, exec_type=exec_type,
        ord_status=ord_status if ord_status is not None else order.status.value,
        symbol=order.symbol, side=order.side, quantity=order.quantity, ord_type=order.ord_type,
        limit_price=order.limit_price, time_in_force=order.time_in_force, cum_qty=order.cum_qty,
        leaves_qty=order.leaves_qty, avg_px=order.avg_px, last_qty=last_qty, last_px=last_px,
        last_mkt=last_mkt, lp_order_id=lp_order_id, lp_exec_id=lp_exec_id, text=text)


def refusal_report(order: NewOrder, text: str, reason: int, exec_id: str) -> ParentReport:
    """ExecutionReport 150=8/39=8 for an order refused before acknowledgement."""
    zero = Decimal(0)
    side = Side(order.side) if order.side in ("1", "2") else Side.BUY
    return ParentReport(
        session=order.session, order_id="NONE", cl_ord_id=order.cl_ord_id, orig_cl_ord_id="",
        exec_id=exec_id, exec_type="8", ord_status="8", symbol=order.symbol or "", side=side,
        quantity=order.quantity or zero, ord_type=order.ord_type or "",
        limit_price=order.limit_price, time_in_force=order.time_in_force, cum_qty=zero,
        leaves_qty=zero, avg_px=zero, text=text, ord_rej_reason=reason)
