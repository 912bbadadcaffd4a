"""Business checks and pre-trade risk, before an order is acknowledged (SPEC §4.2).

Each check returns a `Rejection` value (the client's Text and OrdRejReason) or
None; nothing here raises for bad input. The reference price for the notional
limit and the price collar is the latest mid the LPs quoted for the symbol; with
no quote seen yet, the limit price (if any) stands in for notional and the
collar is not applied.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from routing.inbound import NewOrder

UNKNOWN_SYMBOL = 1
EXCEEDS_LIMIT = 3
DUPLICATE_ORDER = 6
UNSUPPORTED = 11
INCORRECT_QUANTITY = 13
OTHER = 99

SUPPORTED_ORD_TYPES = frozenset({"1", "2"})       # market, limit
SUPPORTED_TIME_IN_FORCE = frozenset({"0", "1", "3", "4"})
STRATEGIES = frozenset({"best", "split", "sequential", "manual"})


class Rejection(NamedTuple):
    text: str
    ord_rej_reason: int


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """Per client session (MaxOrderQty, MaxOrderNotional, PriceCollarPct, MaxOrdersPerSecond)."""

    max_order_qty: Decimal | None = None
    max_order_notional: Decimal | None = None
    price_collar_pct: Decimal | None = None
    max_orders_per_second: int | None = None


@dataclass(slots=True)
class RateLimiter:
    """Orders accepted in the last second, per session."""

    times: deque[float] = field(default_factory=deque)

    def allow(self, limit: int, now_s: float) -> bool:
        times = self.times
        while times and now_s - times[0] >= 1.0:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now_s)
        return True


def check_fields(order: NewOrder, known_symbols: frozenset[str],
                 lp_names: Mapping[str, object]) -> Rejection | None:
    """What the business needs beyond the dictionary (which requires only 11, 54, 60, 40)."""
    if not order.symbol:
        return Rejection("Missing Symbol(55)", OTHER)
    if order.symbol not in known_symbols:
        return Rejection(f"Unknown symbol {order.symbol}: no LP lists it", UNKNOWN_SYMBOL)
    if order.side not in ("1", "2"):
        return Rejection(f"Unsupported Side(54) {order.side}", UNSUPPORTED)
    if order.quantity is None:
        return Rejection("Missing OrderQty(38)", INCORRECT_QUANTITY)
    if order.quantity <= 0:
        return Rejection("OrderQty(38) must be greater than zero", INCORRECT_QUANTITY)
    if order.ord_type not in SUPPORTED_ORD_TYPES:
        return Rejection(f"Unsupported OrdType(40) {order.ord_type}: market (1) or limit (2)", UNSUPPORTED)
    if order.ord_type == "2" and (order.limit_price is None or order.limit_price <= 0):
        return Rejection("Limit order without a valid Price(44)", OTHER)
    if order.time_in_force not in SUPPORTED_TIME_IN_FORCE:
        return Rejection(f"Unsupported TimeInForce(59) {order.time_in_force}", UNSUPPORTED)
    if order.ord_type == "1" and order.time_in_force in ("0", "1"):
        return Rejection("Market orders are IOC or FOK: they cannot rest", UNSUPPORTED)
    if order.strategy not in STRATEGIES:
        return Rejection(f"Unknown RoutingStrategy(9601) {order.strategy}", UNSUPPORTED)
    if order.strategy == "manual" and order.manual_lp not in lp_names:
        return Rejection(f"Manual routing needs ExDestination(100) naming an LP, got {order.manual_lp}", OTHER)
    return None


def check_risk(order: NewOrder, limits: RiskLimits, reference_price: Decimal | None,
               limiter: RateLimiter, now_s: float) -> Rejection | None:
    """Pre-trade limits; the rate limit is checked last so refused orders do not count."""
    quantity = order.quantity or Decimal(0)
    if limits.max_order_qty is not None and quantity > limits.max_order_qty:
        return Rejection(f"OrderQty {quantity} exceeds MaxOrderQty {limits.max_order_qty}", EXCEEDS_LIMIT)
    price = reference_price if reference_price is not None else order.limit_price
    if limits.max_order_notional is not None and price is not None:
        notional = quantity * price
        if notional > limits.max_order_notional:
            return Rejection(f"Notional {notional:f} exceeds MaxOrderNotional "
                             f"{limits.max_order_notional}", EXCEEDS_LIMIT)
    if (limits.price_collar_pct is not None and order.limit_price is not None
            and reference_price is not None and reference_price > 0):
        deviation = abs(order.limit_price - reference_price) / reference_price * 100
        if deviation > limits.price_collar_pct:
            return Rejection(f"Price {order.limit_price} is {deviation:.2f}% from the market "
                             f"{reference_price}, outside PriceCollarPct {limits.price_collar_pct}",
                             EXCEEDS_LIMIT)
    if limits.max_orders_per_second is not None and not limiter.allow(limits.max_orders_per_second, now_s):
        return Rejection(f"Order rate above MaxOrdersPerSecond {limits.max_orders_per_second}",
                         EXCEEDS_LIMIT)
    return None
