"""The best-execution record of a client order, and the CSV export of many.

For one parent order, from the order store: every quote round (LPs asked, every
usable quote with its LP, price, size and arrival time, LPs that rejected or
timed out), the decision and why, the child orders and their fills, and each
fill's price against the best quote and the best alternative of its round.
The *best alternative* is the best quote from an LP that got nothing in that
round: what the client could have had elsewhere. Improvement is positive when
the fill was better (see `quotes.py`).

`fixgw report order ID` prints it, `GET /orders/{id}` returns it as JSON, and
`fixgw report bestex --since ...` writes one CSV row per order (`CSV_COLUMNS`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from gateway.reports.periods import Window, iso
from gateway.reports.quotes import (
    PRICE_PLACES,
    SeenQuote,
    Weighted,
    best,
    better,
    improvement,
    in_bps,
    plain,
    seen_quotes,
)
from routing.book import OrderBook
from routing.orders import ChildOrder, ParentOrder, ParentStatus
from routing.records import ChildFilled, RoundDecided

RULES = {
    "best": "best price first, then the next best until the quantity is covered",
    "split": "split across LPs in proportion to their quoted size",
    "sequential": "one LP at a time in preference order",
    "manual": "only the LP the client named",
}


@dataclass(frozen=True)
class RoundLine:
    """One quote round and its decision."""

    round_no: int
    strategy: str
    asked: tuple[str, ...]
    started_at_s: float
    decided_at_s: float
    quotes: tuple[SeenQuote, ...]
    misses: tuple[tuple[str, str], ...]
    placements: tuple[tuple[str, Decimal, Decimal, str], ...]   # lp, quantity, price, quote id
    outcome: str
    why: str
    best: SeenQuote | None
    best_alternative: SeenQuote | None


@dataclass(frozen=True)
class FillLine:
    """One execution of a child, priced against its round's quotes."""

    exec_id: str
    child_id: str
    lp: str
    quantity: Decimal
    price: Decimal
    at_s: float
    lp_exec_id: str
    best_quote: Decimal | None
    vs_best: Decimal | None
    best_alternative: Decimal | None
    vs_alternative: Decimal | None


@dataclass(frozen=True)
class OrderRecord:
    """Everything the best-execution review of one order needs."""

    order: ParentOrder
    rounds: tuple[RoundLine, ...]
    fills: tuple[FillLine, ...]
    vs_best: Decimal | None            # quantity-weighted, per unit
    vs_best_bps: Decimal | None
    vs_alternative: Decimal | None
    vs_alternative_bps: Decimal | None

    @property
    def status(self) -> str:
        return ParentStatus(self.order.status).name

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view: parent, children, executions, routing record, comparison."""
        return {
            "parent": _parent(self.order, self.status),
            "children": [_child(child) for child in self.order.children],
            "executions": [_fill(fill) for fill in self.fills],
            "routing": [_round(line) for line in self.rounds],
            "best_execution": {
                "vs_best_quote": _text(self.vs_best), "vs_best_quote_bps": _text(self.vs_best_bps),
                "vs_best_alternative": _text(self.vs_alternative),
                "vs_best_alternative_bps": _text(self.vs_alternative_bps),
            },
        }


def find_order(book: OrderBook, key: str, sessions: Iterable[str] = ()) -> ParentOrder | None:
    """The order with OrderID `key`, else the one with ClOrdID `key` on one of `sessions`."""
    order = book.orders.get(key)
    if order is not None:
        return order
    for session in sessions:
        order = book.by_client(session, key)
        if order is not None:
            return order
    return None


def order_record(book: OrderBook, order: ParentOrder) -> OrderRecord:
    """The best-execution record of `order` from `book`."""
    rounds = {r.round_no: _round_line(order, r) for r in book.rounds.get(order.order_id, ())}
    children = {child.child_id: child for child in order.children}
    fills = tuple(_fill_line(order, fill, children.get(fill.child_id), rounds)
                  for fill in book.fills.get(order.order_id, ()))
    vs_best, vs_best_bps, vs_alt, vs_alt_bps = Weighted(), Weighted(), Weighted(), Weighted()
    for fill in fills:
        if fill.vs_best is not None and fill.best_quote:
            vs_best.add(fill.vs_best, fill.quantity)
            vs_best_bps.add(in_bps(fill.vs_best, fill.best_quote), fill.quantity)
        if fill.vs_alternative is not None and fill.best_alternative:
            vs_alt.add(fill.vs_alternative, fill.quantity)
            vs_alt_bps.add(in_bps(fill.vs_alternative, fill.best_alternative), fill.quantity)
    bps = Decimal("0.01")
    return OrderRecord(order, tuple(rounds.values()), fills, vs_best.mean(), vs_best_bps.mean(bps),
                       vs_alt.mean(), vs_alt_bps.mean(bps))


def _round_line(order: ParentOrder, r: RoundDecided) -> RoundLine:
    quotes = tuple(seen_quotes(r))
    placed = {lp for lp, *_ in r.placements}
    top = best(order.side, quotes)
    alternative = best(order.side, (q for q in quotes if q.lp not in placed))
    placements = tuple((lp, Decimal(qty), Decimal(px), quote_id) for lp, qty, px, quote_id in r.placements)
    return RoundLine(r.round_no, r.strategy, r.asked, r.started_at_s, r.at_s, quotes, r.misses,
                     placements, r.outcome, explain(order, r, quotes, top), top, alternative)


def explain(order: ParentOrder, r: RoundDecided, quotes: tuple[SeenQuote, ...],
            top: SeenQuote | None) -> str:
    """Why the round ended as it did, in one line."""
    parts = [f"{r.strategy}: {RULES.get(r.strategy, 'custom strategy')}",
             f"asked {', '.join(r.asked) or 'no LP'}", f"{len(quotes)} usable quote(s)"]
    if r.misses:
        parts.append("no quote from " + ", ".join(f"{lp} ({reason})" for lp, reason in r.misses))
    limit = order.limit_price
    if limit is not None:
        beyond = [q for q in quotes if better(order.side, limit, q.price)]
        if beyond:
            parts.append(f"beyond limit {limit}: " + ", ".join(f"{q.lp} @ {q.price}" for q in beyond))
    if r.placements:
        placed = [f"{qty} on {lp} @ {px}" + (" (best quote)" if top and Decimal(px) == top.price else "")
                  for lp, qty, px, _ in r.placements]
        parts.append("placed " + ", ".join(placed))
    else:
        parts.append(f"nothing placed: {r.outcome}")
    return "; ".join(parts)


def _fill_line(order: ParentOrder, fill: ChildFilled, child: ChildOrder | None,
               rounds: dict[int, RoundLine]) -> FillLine:
    line = rounds.get(child.round_no) if child is not None else None
    top = line.best if line is not None else None
    alternative = line.best_alternative if line is not None else None
    return FillLine(
        fill.exec_id, fill.child_id, child.lp if child is not None else "", fill.quantity,
        fill.price, fill.at_s, fill.lp_exec_id, top.price if top else None,
        improvement(order.side, top.price, fill.price) if top else None,
        alternative.price if alternative else None,
        improvement(order.side, alternative.price, fill.price) if alternative else None)


# -- JSON views ------------------------------------------------------------------------------
_text = plain


def _avg(value: Decimal) -> Decimal:
    return value.quantize(PRICE_PLACES)


def _parent(o: ParentOrder, status: str) -> dict[str, Any]:
    return {
        "order_id": o.order_id, "session": o.session, "cl_ord_id": o.cl_ord_id,
        "orig_cl_ord_id": o.orig_cl_ord_id or None, "symbol": o.symbol, "side": o.side.name,
        "quantity": _text(o.quantity), "ord_type": o.ord_type, "limit_price": _text(o.limit_price),
        "time_in_force": o.time_in_force, "strategy": o.strategy,
        "preferred_lps": list(o.preferred_lps), "manual_lp": o.manual_lp,
        "accepted_at": iso(o.accepted_at_s), "status": status, "cum_qty": _text(o.cum_qty),
        "leaves_qty": _text(o.leaves_qty), "avg_px": _text(_avg(o.avg_px) if o.cum_qty else None),
        "text": o.close_text or None,
    }


def _child(c: ChildOrder) -> dict[str, Any]:
    avg = _avg(c.notional / c.cum_qty) if c.cum_qty else None
    return {
        "child_id": c.child_id, "lp": c.lp, "round": c.round_no, "quantity": _text(c.quantity),
        "price": _text(c.price), "quote_id": c.quote_id, "ord_type": c.ord_type,
        "time_in_force": c.time_in_force, "state": c.state.name, "cum_qty": _text(c.cum_qty),
        "avg_px": _text(avg), "lp_order_id": c.lp_order_id or None, "text": c.text or None,
        "sent_at": iso(c.sent_at_s),
    }


def _fill(f: FillLine) -> dict[str, Any]:
    return {"exec_id": f.exec_id, "child_id": f.child_id, "lp": f.lp, "quantity": _text(f.quantity),
            "price": _text(f.price), "at": iso(f.at_s), "lp_exec_id": f.lp_exec_id or None,
            "best_quote": _text(f.best_quote), "vs_best_quote": _text(f.vs_best),
            "best_alternative": _text(f.best_alternative),
            "vs_best_alternative": _text(f.vs_alternative)}


def _quote(q: SeenQuote, started_at_s: float) -> dict[str, Any]:
    return {"lp": q.lp, "quote_id": q.quote_id, "price": _text(q.price), "size": _text(q.size),
            "arrived_at": iso(q.arrived_at_s),
            "response_ms": round((q.arrived_at_s - started_at_s) * 1000, 3),
            "valid_until": iso(q.valid_until_s)}


def _round(r: RoundLine) -> dict[str, Any]:
    return {
        "round": r.round_no, "strategy": r.strategy, "asked": list(r.asked),
        "started_at": iso(r.started_at_s), "decided_at": iso(r.decided_at_s),
        "quotes": [_quote(q, r.started_at_s) for q in r.quotes],
        "misses": [{"lp": lp, "reason": reason} for lp, reason in r.misses],
        "placements": [{"lp": lp, "quantity": _text(qty), "price": _text(px), "quote_id": quote_id}
                       for lp, qty, px, quote_id in r.placements],
        "outcome": r.outcome, "why": r.why,
        "best_quote": None if r.best is None else {"lp": r.best.lp, "price": _text(r.best.price)},
        "best_alternative": (None if r.best_alternative is None else
                             {"lp": r.best_alternative.lp, "price": _text(r.best_alternative.price)}),
    }


# -- CSV -------------------------------------------------------------------------------------
CSV_COLUMNS = (
    "order_id", "session", "cl_ord_id", "symbol", "side", "order_qty", "ord_type", "limit_price",
    "strategy", "accepted_at", "status", "filled_qty", "avg_px", "rounds", "quotes_seen",
    "best_quote_lp", "best_quote_px", "best_alternative_lp", "best_alternative_px",
    "vs_best_quote", "vs_best_quote_bps", "vs_best_alternative", "vs_best_alternative_bps",
    "fills_by_lp", "text",
)


def csv_row(record: OrderRecord) -> list[str]:
    """One CSV row (`CSV_COLUMNS`); the benchmark quotes are those of the first round."""
    o = record.order
    first = record.rounds[0] if record.rounds else None
    top = first.best if first else None
    alt = first.best_alternative if first else None
    by_lp: dict[str, Decimal] = {}
    for fill in record.fills:
        by_lp[fill.lp] = by_lp.get(fill.lp, Decimal(0)) + fill.quantity
    values: list[object] = [
        o.order_id, o.session, o.cl_ord_id, o.symbol, o.side.name, o.quantity, o.ord_type,
        o.limit_price, o.strategy, iso(o.accepted_at_s), record.status, o.cum_qty,
        _avg(o.avg_px) if o.cum_qty else None, len(record.rounds), sum(len(r.quotes) for r in record.rounds),
        top.lp if top else None, top.price if top else None, alt.lp if alt else None,
        alt.price if alt else None, record.vs_best, record.vs_best_bps, record.vs_alternative,
        record.vs_alternative_bps, " ".join(f"{lp}:{qty}" for lp, qty in by_lp.items()),
        o.close_text,
    ]
    return [_cell(value) for value in values]


def _cell(value: object) -> str:
    if value is None:
        return ""
    return plain(value) or "" if isinstance(value, Decimal) else str(value)


def records_in(book: OrderBook, window: Window) -> Iterator[OrderRecord]:
    """Records of the orders accepted within `window`, oldest first."""
    orders = sorted((o for o in book.orders.values() if o.accepted_at_s in window),
                    key=lambda o: (o.accepted_at_s, o.order_id))
    for order in orders:
        yield order_record(book, order)


def write_csv(records: Iterable[OrderRecord], out: TextIO) -> int:
    """Write the header and one row per record to `out`; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count
