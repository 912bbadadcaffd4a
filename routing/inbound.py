"""Typed values the gateway builds from FIX messages and hands to the router."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class NewOrder(NamedTuple):
    """A client NewOrderSingle(35=D); absent or unreadable fields are None."""

    session: str
    cl_ord_id: str
    symbol: str | None
    side: str | None
    quantity: Decimal | None
    ord_type: str | None
    limit_price: Decimal | None
    time_in_force: str
    strategy: str | None          # tag 9601, else the session's RoutingStrategy
    preferred_lps: tuple[str, ...]  # tag 9602, else the session's PreferredLPs
    manual_lp: str | None         # ExDestination(100)
    poss_resend: bool = False     # PossResend(97)=Y
    expire_at_s: float | None = None  # Day orders: end of the client's trading session


class ReplaceOrder(NamedTuple):
    """A client OrderCancelReplaceRequest(35=G)."""

    session: str
    cl_ord_id: str
    orig_cl_ord_id: str
    symbol: str | None
    side: str | None
    quantity: Decimal | None
    limit_price: Decimal | None


class ChildReport(NamedTuple):
    """An LP's ExecutionReport(35=8) about one of our child orders."""

    lp: str
    child_id: str                 # ClOrdID(11), or OrigClOrdID(41) on cancel answers
    lp_order_id: str              # OrderID(37)
    lp_exec_id: str               # ExecID(17)
    exec_type: str                # ExecType(150)
    ord_status: str               # OrdStatus(39)
    last_qty: Decimal | None
    last_px: Decimal | None
    cum_qty: Decimal | None
    avg_px: Decimal | None
    leaves_qty: Decimal | None
    text: str
    ord_rej_reason: str | None = None
