"""The simulated LP's order desk: child NewOrderSingle, OrderCancelRequest, OrderStatusRequest.

A child order is checked like a real LP does (side, symbol, quantity, time in
force; OrdType=D against its QuoteID: known, not expired, same symbol, price as
quoted, quantity within the quoted size; a limit order against the LP's current
price), then put through last look, then executed:

- `fill_ratio` of the quantity fills (rounded down to the order's precision),
  split into `fills_per_order` executions at the quoted / current price;
- IOC: the rest is canceled (150=4); FOK: all or nothing (nothing fills unless
  the whole quantity can); Day/GTC: the rest stays on the book until canceled.

Rejected orders are booked too, so a status request answers with their state.
An order that rests always gets an ExecutionReport New, whatever
`send_new_ack` says: without one the gateway could not know it is working.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from gateway.fix.message import Message
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.common import IdSource, LPCounters
from gateway.sim.orders import (
    ExecType,
    Extra,
    LPOrder,
    OrderBook,
    cancel_reject,
    execution_report,
    unknown_order_status,
)
from gateway.sim.pricing import floor_quantity, quantity_step, two_way_price
from gateway.sim.quotes import QuoteBook

__all__ = ["Desk"]

_ZERO = Decimal(0)
_RESTING_TIF = frozenset({"0", "1"})           # Day, GTC
_SUPPORTED_TIF = frozenset({"0", "1", "3", "4"})
_FOK = "4"
# OrdRejReason(103)
_UNKNOWN_SYMBOL, _STALE, _DUPLICATE, _UNSUPPORTED, _QUANTITY, _OTHER = 1, 8, 6, 11, 13, 99
# CxlRejReason(102)
_TOO_LATE, _UNKNOWN_ORDER = 0, 1


@dataclass(frozen=True)
class _Refusal:
    reason: int
    text: str
    last_look: bool = False


@dataclass(frozen=True)
class _Plan:
    """How an accepted order executes: at `price`, or not at all for now (None: it rests)."""

    price: Decimal | None


class Desk:
    """Child orders of one simulated LP."""

    def __init__(self, ids: IdSource, counters: LPCounters, quotes: QuoteBook,
                 book: OrderBook) -> None:
        self.ids = ids
        self.counters = counters
        self.quotes = quotes
        self.book = book

    # -- NewOrderSingle -------------------------------------------------------------
    def new_order(self, behaviour: LPBehaviour, rng: random.Random, message: Message,
                  now_ns: int) -> list[Message]:
        """Validate, last-look and execute a child order; its ExecutionReports."""
        cl_ord_id = message.get(11) or ""
        known = self.book.get(cl_ord_id)
        if known is not None:
            return self._duplicate(known, message, now_ns)
        order = _order_from(message, self.ids.next("O"))
        self.book.add(order)
        draw = rng.random()  # drawn for every order so the sequence does not depend on rates
        outcome = _check(behaviour, self.quotes, order, message, now_ns)
        if isinstance(outcome, _Plan) and draw < behaviour.last_look_reject_rate:
            outcome = _Refusal(_OTHER, "Last look reject", last_look=True)
        if isinstance(outcome, _Refusal):
            return [self._reject(order, outcome, now_ns)]
        return self._execute(behaviour, order, outcome.price, now_ns)

    def _duplicate(self, known: LPOrder, message: Message, now_ns: int) -> list[Message]:
        if message.header.get(97) == "Y":
            # A possible resend of an order we have: tell its state, do not book it twice.
            return [execution_report(known, ExecType.ORDER_STATUS, self.ids.next("E"), now_ns)]
        self.counters.order_rejects += 1
        duplicate = _order_from(message, "NONE")
        duplicate.reject()
        return [execution_report(duplicate, ExecType.REJECTED, self.ids.next("E"), now_ns,
                                 Extra(text="Duplicate ClOrdID", rej_reason=_DUPLICATE))]

    def _reject(self, order: LPOrder, refusal: _Refusal, now_ns: int) -> Message:
        if refusal.last_look:
            self.counters.last_look_rejects += 1
        else:
            self.counters.order_rejects += 1
        order.reject()
        return execution_report(order, ExecType.REJECTED, self.ids.next("E"), now_ns,
                                Extra(text=refusal.text, rej_reason=refusal.reason))

    def _execute(self, behaviour: LPBehaviour, order: LPOrder, price: Decimal | None,
                 now_ns: int) -> list[Message]:
        step = quantity_step(order.quantity)
        fill_qty = _ZERO if price is None else floor_quantity(order.quantity * behaviour.fill_ratio, step)
        if order.time_in_force == _FOK and fill_qty < order.quantity:
            fill_qty = _ZERO
        rests = order.time_in_force in _RESTING_TIF and fill_qty < order.quantity
        reports = []
        if behaviour.send_new_ack or (rests and not fill_qty):
            reports.append(execution_report(order, ExecType.NEW, self.ids.next("E"), now_ns))
        if price is not None:
            for piece in _split(fill_qty, behaviour.fills_per_order, step):
                order.fill(piece, price)
                self.counters.fills += 1
                self.counters.filled_qty += piece
                reports.append(execution_report(order, ExecType.TRADE, self.ids.next("E"), now_ns,
                                                Extra(last_qty=piece, last_px=price)))
        if not rests and not order.terminal:
            order.cancel()
            self.counters.canceled += 1
            text = ("FOK: the whole quantity cannot be filled" if order.time_in_force == _FOK
                    else "IOC: unfilled quantity canceled")
            reports.append(execution_report(order, ExecType.CANCELED, self.ids.next("E"), now_ns,
                                            Extra(text=text)))
        return reports

    # -- OrderCancelRequest / OrderStatusRequest ----------------------------------------
    def cancel(self, message: Message, now_ns: int) -> list[Message]:
        """Cancel a resting order (150=4), or OrderCancelReject when unknown or too late."""
        order = self.book.find(message.get(41), message.get(37))
        if order is None or order.terminal:
            self.counters.cancel_rejects += 1
            if order is None:
                return [cancel_reject(message, None, _UNKNOWN_ORDER, "Unknown order", now_ns)]
            return [cancel_reject(message, order, _TOO_LATE,
                                  f"Too late to cancel: order is {order.status.name}", now_ns)]
        order.cancel()
        self.counters.canceled += 1
        return [execution_report(order, ExecType.CANCELED, self.ids.next("E"), now_ns, Extra(
            text="Canceled on request", cl_ord_id=message.get(11),
            orig_cl_ord_id=order.cl_ord_id))]

    def status(self, message: Message, now_ns: int) -> list[Message]:
        """ExecutionReport 150=I with the order's current state (or 'Unknown order')."""
        self.counters.status_requests += 1
        order = self.book.find(message.get(11), message.get(37))
        if order is None:
            return [unknown_order_status(message, self.ids.next("E"), now_ns)]
        return [execution_report(order, ExecType.ORDER_STATUS, self.ids.next("E"), now_ns,
                                 Extra(status_req_id=message.get(790)))]


def _order_from(message: Message, order_id: str) -> LPOrder:
    quantity = message.decimal(38)
    return LPOrder(
        order_id=order_id, cl_ord_id=message.get(11) or "", symbol=message.get(55) or "",
        side=message.get(54) or "",
        quantity=quantity if quantity is not None and quantity.is_finite() and quantity > 0 else _ZERO,
        ord_type=message.get(40) or "", price=message.decimal(44),
        time_in_force=message.get(59) or "0")  # FIX: no TimeInForce means Day


def _check(behaviour: LPBehaviour, quotes: QuoteBook, order: LPOrder, message: Message,
           now_ns: int) -> _Plan | _Refusal:
    """How the order executes, or why it is refused (before last look)."""
    if order.side not in ("1", "2"):
        return _Refusal(_OTHER, f"Unsupported Side {order.side}")
    current = two_way_price(behaviour, order.symbol)
    if current is None:
        return _Refusal(_UNKNOWN_SYMBOL, f"Unknown symbol {order.symbol}")
    if order.quantity <= 0:
        return _Refusal(_QUANTITY, "Invalid OrderQty")
    if order.time_in_force not in _SUPPORTED_TIF:
        return _Refusal(_UNSUPPORTED, f"Unsupported TimeInForce {order.time_in_force}")
    if order.ord_type == "D":
        return _check_quoted(quotes, order, message.get(117), now_ns)
    if order.ord_type not in ("1", "2"):
        return _Refusal(_UNSUPPORTED, f"Unsupported OrdType {order.ord_type}")
    if behaviour.quote_size and order.quantity > behaviour.quote_size:
        return _Refusal(_QUANTITY, "Quantity exceeds quoted size")
    price = current.for_side(order.side)
    if order.ord_type == "1":
        return _Plan(price)
    if order.price is None or order.price <= 0:
        return _Refusal(_OTHER, "Limit order without Price")
    if _worse(order.side, order.price, price):
        if order.time_in_force in _RESTING_TIF:
            return _Plan(None)
        return _Refusal(_OTHER, f"Last look: price moved ({price} vs limit {order.price})",
                        last_look=True)
    return _Plan(price)


def _check_quoted(quotes: QuoteBook, order: LPOrder, quote_id: str | None,
                  now_ns: int) -> _Plan | _Refusal:
    quote = quotes.get(quote_id) if quote_id else None
    if quote is None:
        return _Refusal(_OTHER, f"Unknown QuoteID {quote_id or ''}".rstrip())
    if quote.expired(now_ns):
        return _Refusal(_STALE, f"Quote {quote.quote_id} expired")
    if quote.symbol != order.symbol:
        return _Refusal(_OTHER, f"Quote {quote.quote_id} is for {quote.symbol}")
    price = quote.price_for(order.side)
    if price is None:
        return _Refusal(_OTHER, f"Quote {quote.quote_id} has no price for this side")
    if order.price is not None and _worse(order.side, order.price, price):
        return _Refusal(_OTHER, f"Price {order.price} does not match quote {price}")
    if order.quantity > quote.size:
        return _Refusal(_QUANTITY, "Quantity exceeds quoted size")
    return _Plan(price)


def _worse(side: str, limit: Decimal, price: Decimal) -> bool:
    """True when the LP's `price` is beyond the client's `limit` (above for buy, below for sell)."""
    return price > limit if side == "1" else price < limit


def _split(quantity: Decimal, parts: int, step: Decimal) -> list[Decimal]:
    """`quantity` in at most `parts` positive pieces, multiples of `step`, summing to it."""
    if quantity <= 0:
        return []
    base = floor_quantity(quantity / parts, step)
    if base <= 0:
        return [quantity]
    pieces = [base] * (parts - 1)
    pieces.append(quantity - base * (parts - 1))
    return pieces
