"""Comparing prices with the quotes a round saw: best quote, best alternative, improvement.

Sign convention everywhere in the reports: *improvement* is positive when the
client got a better price than the benchmark (a buy paid less, a sell received
more) and negative when it is slippage.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from routing.book import OrderBook
from routing.model import Side
from routing.records import QuoteSeen, RoundDecided

BPS = Decimal(10_000)
PRICE_PLACES = Decimal("1e-10")
BPS_PLACES = Decimal("0.01")


class SeenQuote(NamedTuple):
    """One quote a round could use, typed (a `QuoteSeen` row from the journal)."""

    lp: str
    quote_id: str
    price: Decimal
    size: Decimal
    valid_until_s: float
    arrived_at_s: float

    @classmethod
    def of(cls, row: QuoteSeen) -> SeenQuote:
        lp, quote_id, price, size, valid_until_s, arrived_at_s = row
        return cls(lp, quote_id, Decimal(price), Decimal(size), valid_until_s, arrived_at_s)


def plain(value: Decimal | None) -> str | None:
    """Plain decimal text without exponent or trailing zeros (`0E-10` -> `0`, `1.0850` -> `1.085`)."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def seen_quotes(round_: RoundDecided) -> list[SeenQuote]:
    return [SeenQuote.of(row) for row in round_.quotes]


def better(side: Side, a: Decimal, b: Decimal) -> bool:
    """Is price `a` better than `b` for an order on `side`?"""
    return a < b if side is Side.BUY else a > b


def best(side: Side, quotes: Iterable[SeenQuote]) -> SeenQuote | None:
    """The best-priced quote for `side` (the first asked among equals), or None."""
    chosen: SeenQuote | None = None
    for quote in quotes:
        if chosen is None or better(side, quote.price, chosen.price):
            chosen = quote
    return chosen


def improvement(side: Side, benchmark: Decimal, price: Decimal) -> Decimal:
    """Per unit: how much better `price` is than `benchmark` (negative: slippage)."""
    return benchmark - price if side is Side.BUY else price - benchmark


def in_bps(value: Decimal, benchmark: Decimal) -> Decimal:
    """`value` as basis points of `benchmark`."""
    return (value / benchmark * BPS).quantize(BPS_PLACES) if benchmark else Decimal(0)


def find_round(book: OrderBook, order_id: str, round_no: int) -> RoundDecided | None:
    """The round of `order_id` numbered `round_no` (the last one if recorded twice)."""
    found = None
    for round_ in book.rounds.get(order_id, ()):
        if round_.round_no == round_no:
            found = round_
    return found


class Weighted:
    """A quantity-weighted average of per-unit figures (exact, Decimal)."""

    __slots__ = ("quantity", "total")

    def __init__(self) -> None:
        self.quantity = Decimal(0)
        self.total = Decimal(0)

    def add(self, value: Decimal, quantity: Decimal) -> None:
        self.total += value * quantity
        self.quantity += quantity

    def mean(self, places: Decimal = PRICE_PLACES) -> Decimal | None:
        return (self.total / self.quantity).quantize(places) if self.quantity else None
