"""Two-way prices of a simulated LP, and the Decimal formatting of FIX values.

FX convention: a pip is 0.0001, or 0.01 when the quote currency is JPY; prices
carry one decimal more than the pip (5 decimals, 3 for JPY). The bid is rounded
down and the offer up, so rounding never narrows the configured spread.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import NamedTuple

from gateway.fixmap import fmt_avg
from gateway.sim.behaviour import LPBehaviour, SpreadUnit

__all__ = ["TwoWayPrice", "floor_quantity", "fmt", "fmt_avg", "pip_size", "price_step",
           "quantity_step", "two_way_price"]

_PIP = Decimal("0.0001")
_JPY_PIP = Decimal("0.01")
_BPS = Decimal("0.0001")
_TWO = Decimal(2)


class TwoWayPrice(NamedTuple):
    """The LP's current bid and offer for one symbol."""

    bid: Decimal
    offer: Decimal

    def for_side(self, side: str) -> Decimal:
        """The price a client order of Side(54) `side` trades at: offer for buy, bid for sell."""
        return self.offer if side == "1" else self.bid


def _is_jpy_quoted(symbol: str) -> bool:
    return symbol.upper().endswith("JPY")


def pip_size(symbol: str) -> Decimal:
    """One pip of `symbol` (written ``EUR/USD``)."""
    return _JPY_PIP if _is_jpy_quoted(symbol) else _PIP


def price_step(symbol: str) -> Decimal:
    """The price increment: a tenth of a pip."""
    return pip_size(symbol) / 10


def _amount(value: Decimal, unit: SpreadUnit, symbol: str, mid: Decimal) -> Decimal:
    if unit is SpreadUnit.BPS:
        return value * _BPS * mid
    return value * pip_size(symbol)


def two_way_price(behaviour: LPBehaviour, symbol: str) -> TwoWayPrice | None:
    """The LP's bid/offer for `symbol`, or None when it does not quote it."""
    mid = behaviour.mids.get(symbol)
    if mid is None:
        return None
    unit = behaviour.spread_unit
    centre = mid + _amount(behaviour.skew, unit, symbol, mid)
    half = _amount(behaviour.spread, unit, symbol, mid) / _TWO
    step = price_step(symbol)
    bid = (centre - half).quantize(step, ROUND_FLOOR)
    offer = (centre + half).quantize(step, ROUND_CEILING)
    if bid <= 0:
        bid = step  # a silly skew must not produce a non-positive price
    return TwoWayPrice(bid, max(offer, bid))


def quantity_step(quantity: Decimal) -> Decimal:
    """The smallest increment of `quantity` as written (whole units at least)."""
    exponent = quantity.as_tuple().exponent
    assert isinstance(exponent, int)
    return Decimal(1).scaleb(min(exponent, 0))


def floor_quantity(quantity: Decimal, step: Decimal) -> Decimal:
    """`quantity` rounded down to a multiple of `step`."""
    return quantity.quantize(step, ROUND_DOWN)


def fmt(value: Decimal) -> str:
    """A Decimal as FIX text: plain notation, never an exponent."""
    return format(value, "f")
