"""FIX messages <-> the routing core's typed values.

Inbound: NewOrderSingle, cancel/replace/status requests, Quotes, QuoteRequestRejects
and LP ExecutionReports become `routing` values. Outbound: reports and requests
the router asks for become FIX messages (header fields are the session's job).
Prices and quantities are Decimal throughout and written in plain notation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gateway.fix.message import Group, Item, Message
from gateway.fix.timefmt import timestamp_seconds, utc_timestamp
from routing.actions import CancelChild, CancelReject, ParentReport, QueryChild, SendChild
from routing.inbound import ChildReport, NewOrder, ReplaceOrder
from routing.model import LPQuote
from routing.rfq import QuoteRequest

_AVG_PX_PLACES = Decimal("1e-10")


def fmt(value: Decimal) -> str:
    """Plain (never scientific) text of a Decimal, without trailing zeros beyond the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def fmt_avg(value: Decimal) -> str:
    """An average price (AvgPx): at most 10 decimals, trailing zeros dropped."""
    return fmt(value.quantize(_AVG_PX_PLACES)) if value else "0"


def _decimal(message: Message, tag: int) -> Decimal | None:
    text = message.get(tag)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# -- client side ---------------------------------------------------------------------------
def new_order(message: Message, session: str, default_strategy: str,
              default_preferred: tuple[str, ...]) -> NewOrder:
    manual = message.get(100)
    strategy = message.get(9601) or ("manual" if manual else default_strategy)
    preferred_text = message.get(9602)
    preferred = (tuple(p.strip() for p in preferred_text.split(",") if p.strip())
                 if preferred_text else default_preferred)
    return NewOrder(
        session=session, cl_ord_id=message.get(11) or "", symbol=message.get(55),
        side=message.get(54), quantity=_decimal(message, 38), ord_type=message.get(40),
        limit_price=_decimal(message, 44), time_in_force=message.get(59) or "3",
        strategy=strategy, preferred_lps=preferred, manual_lp=manual,
        poss_resend=message.header.get(97) == "Y")


def replace_order(message: Message, session: str) -> ReplaceOrder:
    return ReplaceOrder(session, message.get(11) or "", message.get(41) or "", message.get(55),
                        message.get(54), _decimal(message, 38), _decimal(message, 44))


def execution_report(r: ParentReport, now_ns: int) -> Message:
    """The client's ExecutionReport. Empty values are left out (a strict peer rejects a
    tag without a value)."""
    body: list[Item] = [(6, fmt_avg(r.avg_px)),
                        (11, r.cl_ord_id), (14, fmt(r.cum_qty)), (17, r.exec_id)]
    if r.last_qty is not None and r.last_px is not None:
        body += [(30, r.last_mkt), (31, fmt(r.last_px)), (32, fmt(r.last_qty))]
    body += [(37, r.order_id), (38, fmt(r.quantity)), (39, r.ord_status)]
    if r.ord_type:
        body.append((40, r.ord_type))
    if r.orig_cl_ord_id:
        body.append((41, r.orig_cl_ord_id))
    if r.limit_price is not None:
        body.append((44, fmt(r.limit_price)))
    body.append((54, r.side.value))
    if r.symbol:
        body.append((55, r.symbol))
    if r.time_in_force:
        body.append((59, r.time_in_force))
    if r.text:
        body.append((58, r.text))
    body.append((60, utc_timestamp(now_ns)))
    if r.ord_rej_reason is not None:
        body.append((103, str(r.ord_rej_reason)))
    body += [(150, r.exec_type), (151, fmt(r.leaves_qty))]
    if r.lp_order_id:
        body.append((198, r.lp_order_id))
    if r.lp_exec_id:
        body.append((527, r.lp_exec_id))
    if r.ord_status_req_id:
        body.append((790, r.ord_status_req_id))
    return Message("8", body)


def cancel_reject(r: CancelReject, now_ns: int) -> Message:
    return Message("9", [(11, r.cl_ord_id), (37, r.order_id), (39, r.ord_status),
                         (41, r.orig_cl_ord_id), (58, r.text), (60, utc_timestamp(now_ns)),
                         (102, str(r.reason)), (434, r.response_to)])


# -- LP side ---------------------------------------------------------------------------------
def quote_request(r: QuoteRequest) -> Message:
    entry: list[Item] = [(55, r.symbol), (54, r.side.value), (38, fmt(r.quantity))]
    return Message("R", [(131, r.quote_req_id), (146, Group([entry]))])


def child_order(action: SendChild, now_ns: int) -> Message:
    child = action.child
    body: list[Item] = [(11, child.child_id), (38, fmt(child.quantity)), (40, child.ord_type),
                        (44, fmt(child.price)), (54, action.side.value), (55, action.symbol),
                        (59, child.time_in_force), (60, utc_timestamp(now_ns))]
    if child.ord_type == "D":
        body.append((117, child.quote_id))
    return Message("D", body)


def child_cancel(action: CancelChild, now_ns: int) -> Message:
    child = action.child
    body: list[Item] = [(11, action.request_id), (38, fmt(child.quantity)), (41, child.child_id),
                        (54, action.side.value), (55, action.symbol), (60, utc_timestamp(now_ns))]
    if child.lp_order_id:
        body.append((37, child.lp_order_id))
    return Message("F", body)


def child_status(action: QueryChild) -> Message:
    child = action.child
    body: list[Item] = [(11, child.child_id), (54, action.side.value), (55, action.symbol),
                        (790, f"{child.child_id}.Q")]
    if child.lp_order_id:
        body.append((37, child.lp_order_id))
    return Message("H", body)


def lp_quote(message: Message, lp: str) -> LPQuote:
    valid_until = message.get(62)
    return LPQuote(
        lp=lp, quote_req_id=message.get(131) or "", quote_id=message.get(117) or "",
        symbol=message.get(55) or "", bid_px=_decimal(message, 132), bid_size=_decimal(message, 134),
        offer_px=_decimal(message, 133), offer_size=_decimal(message, 135),
        valid_until_s=timestamp_seconds(valid_until) if valid_until else None)


def quote_reject_reason(message: Message) -> str:
    code = message.get(658) or "?"
    text = message.get(58)
    return f"{code} {text}" if text else code


def report_child_ids(message: Message) -> tuple[str, ...]:
    """The ids an ExecutionReport may name its child by: OrigClOrdID(41) (answers to our
    cancels carry the cancel's id in 11), then ClOrdID(11)."""
    return tuple(value for tag in (41, 11) if (value := message.get(tag)))


def child_report(message: Message, lp: str) -> ChildReport:
    exec_type = message.get(150) or ""
    child_id = message.get(11) or ""
    if exec_type in ("4", "5", "6") and message.get(41):
        child_id = message.get(41) or child_id
    return ChildReport(
        lp=lp, child_id=child_id, lp_order_id=message.get(37) or "",
        lp_exec_id=message.get(17) or "", exec_type=exec_type, ord_status=message.get(39) or "",
        last_qty=_decimal(message, 32), last_px=_decimal(message, 31), cum_qty=_decimal(message, 14),
        avg_px=_decimal(message, 6), leaves_qty=_decimal(message, 151), text=message.get(58) or "",
        ord_rej_reason=message.get(103))
