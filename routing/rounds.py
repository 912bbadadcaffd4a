"""One quote round of an order, and the rules that shape what it may still place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from routing.model import LPInfo, Quote, RouteRequest
from routing.orders import ParentOrder
from routing.rfq import RFQ
from routing.strategies import eligible_quotes


@dataclass(slots=True)
class Round:
    order_id: str
    round_no: int
    request: RouteRequest
    started_at_s: float
    rfq: RFQ | None = None
    asked_at_s: float = 0.0
    answered_at_s: dict[str, float] = field(default_factory=dict)   # lp -> quote/reject arrival


def still_wanted(request: RouteRequest, order: ParentOrder) -> RouteRequest | None:
    """The round's request brought up to what the order needs now (None: nothing): a
    replace may have changed the quantity or the price while the quotes were coming in."""
    quantity = order.unplaced_qty
    if quantity <= 0 or order.cancel_requested:
        return None
    if quantity == request.quantity and order.limit_price == request.limit_price:
        return request
    return replace(request, quantity=quantity, limit_price=order.limit_price)


def whole_fill(request: RouteRequest, quotes: tuple[Quote, ...], lps: Mapping[str, LPInfo],
                now_s: float) -> tuple[Quote, ...]:
    """FOK: the best-priced quote one child can take the whole quantity from (size, lot
    and MinQty allowing), so no strategy can split or round the order down."""
    quantity = request.quantity
    for quote in eligible_quotes(request, quotes, lps, now_s):
        info = lps[quote.lp]
        if quote.size >= quantity and info.floor_lot(quantity) == quantity >= info.min_child_qty:
            return (quote,)
    return ()
