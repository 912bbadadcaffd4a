"""Per-LP scorecard over a time window (`fixgw report lps`, `GET /lps`).

What is counted, and when it falls in the window:
- quote rounds (by decision time): asked, quoted (usable quotes), rejected
  (QuoteRequestReject, session drop), timed out, unusable (answered with a
  one-sided, expired or wrong-symbol quote), and how often the LP had the best
  price of the round;
- quote response times (arrival minus QuoteRequests sent), median and p99
  (nearest rank), of the usable quotes;
- child orders (by send time): how many, quantity, last-look rejects, quantity
  filled (fill ratio = filled / sent);
- price improvement of those children's fills against the best quote of the
  round that placed them, quantity-weighted, per unit and in basis points
  (positive: better than the best quote; negative: slippage).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.reports.periods import Window
from gateway.reports.quotes import (
    Weighted,
    best,
    find_round,
    improvement,
    in_bps,
    plain,
    seen_quotes,
)
from routing.book import OrderBook
from routing.orders import ChildState, ParentOrder
from routing.records import ChildFilled, RoundDecided

RATIO_PLACES = Decimal("0.0001")


@dataclass
class _Tally:
    asked: int = 0
    quoted: int = 0
    rejected: int = 0
    timed_out: int = 0
    best: int = 0
    response_ms: list[float] = field(default_factory=list)
    children: int = 0
    rejects: int = 0
    sent: Decimal = Decimal(0)
    filled: Decimal = Decimal(0)
    vs_best: Weighted = field(default_factory=Weighted)
    vs_best_bps: Weighted = field(default_factory=Weighted)


@dataclass(frozen=True)
class LPScore:
    """One LP's figures over the window (None: nothing to measure)."""

    lp: str
    quotes_asked: int
    quotes_received: int
    quote_rejects: int
    quotes_timed_out: int
    quotes_unusable: int
    best_quotes: int
    response_ms_median: float | None
    response_ms_p99: float | None
    child_orders: int
    last_look_rejects: int
    last_look_reject_rate: Decimal | None
    quantity_sent: Decimal
    quantity_filled: Decimal
    fill_ratio: Decimal | None
    price_improvement: Decimal | None
    price_improvement_bps: Decimal | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as exact plain strings, times in milliseconds."""
        return {name: plain(value) if isinstance(value, Decimal) else value
                for name, value in self.__dict__.items()}


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(RATIO_PLACES) if whole else None


def scorecard(book: OrderBook, window: Window, lps: Iterable[str] = ()) -> list[LPScore]:
    """One `LPScore` per LP, in name order; `lps` are listed even when idle."""
    tallies: dict[str, _Tally] = {lp: _Tally() for lp in lps}
    for order_id, rounds in book.rounds.items():
        order = book.orders.get(order_id)
        if order is not None:
            for round_ in rounds:
                if round_.at_s in window:
                    _count_round(tallies, order, round_)
    fills: dict[str, list[ChildFilled]] = {}
    for order_fills in book.fills.values():
        for fill in order_fills:
            fills.setdefault(fill.child_id, []).append(fill)
    for child in book.children.values():
        if child.sent_at_s not in window:
            continue
        tally = tallies.setdefault(child.lp, _Tally())
        tally.children += 1
        tally.sent += child.quantity
        tally.filled += child.cum_qty
        if child.state is ChildState.REJECTED:
            tally.rejects += 1
        _count_fills(tally, book, fills.get(child.child_id, ()), child.order_id, child.round_no)
    return [_score(lp, tallies[lp]) for lp in sorted(tallies)]


def _count_round(tallies: dict[str, _Tally], order: ParentOrder, round_: RoundDecided) -> None:
    for lp in round_.asked:
        tallies.setdefault(lp, _Tally()).asked += 1
    quotes = seen_quotes(round_)
    top = best(order.side, quotes)
    for quote in quotes:
        tally = tallies.setdefault(quote.lp, _Tally())
        tally.quoted += 1
        tally.response_ms.append((quote.arrived_at_s - round_.started_at_s) * 1000)
        if top is not None and quote.price == top.price:
            tally.best += 1
    for lp, reason in round_.misses:
        tally = tallies.setdefault(lp, _Tally())
        if reason == "timeout":
            tally.timed_out += 1
        else:
            tally.rejected += 1


def _count_fills(tally: _Tally, book: OrderBook, fills: Iterable[ChildFilled], order_id: str,
                 round_no: int) -> None:
    round_ = find_round(book, order_id, round_no)
    order = book.orders.get(order_id)
    top = best(order.side, seen_quotes(round_)) if round_ is not None and order else None
    if top is None or order is None:
        return
    for fill in fills:
        gain = improvement(order.side, top.price, fill.price)
        tally.vs_best.add(gain, fill.quantity)
        tally.vs_best_bps.add(in_bps(gain, top.price), fill.quantity)


def _score(lp: str, t: _Tally) -> LPScore:
    median = statistics.median(t.response_ms) if t.response_ms else None
    p99 = percentile(t.response_ms, 99)
    return LPScore(
        lp=lp, quotes_asked=t.asked, quotes_received=t.quoted, quote_rejects=t.rejected,
        quotes_timed_out=t.timed_out,
        quotes_unusable=max(0, t.asked - t.quoted - t.rejected - t.timed_out),
        best_quotes=t.best,
        response_ms_median=None if median is None else round(median, 3),
        response_ms_p99=None if p99 is None else round(p99, 3),
        child_orders=t.children, last_look_rejects=t.rejects,
        last_look_reject_rate=_ratio(Decimal(t.rejects), Decimal(t.children)),
        quantity_sent=t.sent, quantity_filled=t.filled, fill_ratio=_ratio(t.filled, t.sent),
        price_improvement=t.vs_best.mean(),
        price_improvement_bps=t.vs_best_bps.mean(Decimal("0.01")))
