"""Reports as text for a terminal: the LP scorecard table and one order's best-execution record."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from gateway.reports.bestex import OrderRecord
from gateway.reports.periods import Window, iso
from gateway.reports.quotes import plain
from gateway.reports.scorecard import LPScore

_SCORE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("LP", "lp"), ("asked", "quotes_asked"), ("quoted", "quotes_received"),
    ("rejected", "quote_rejects"), ("timed out", "quotes_timed_out"), ("best", "best_quotes"),
    ("median ms", "response_ms_median"), ("p99 ms", "response_ms_p99"),
    ("children", "child_orders"), ("LL rejects", "last_look_rejects"),
    ("LL reject rate", "last_look_reject_rate"), ("fill ratio", "fill_ratio"),
    ("vs best", "price_improvement"), ("vs best bps", "price_improvement_bps"),
)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return plain(value) or "-" if isinstance(value, Decimal) else str(value)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned others, widths fitted to the content."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = []
    for row in (header, *rows):
        cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:],
                                                                              strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def scorecard_text(scores: Sequence[LPScore], window: Window) -> str:
    """The scorecard as a table with its window on top."""
    header = [title for title, _ in _SCORE_COLUMNS]
    rows = [[_cell(getattr(score, name)) for _, name in _SCORE_COLUMNS] for score in scores]
    return (f"LP scorecard {iso(window.start_s)} .. {iso(window.end_s)}\n"
            "(vs best: fill price against the best quote of its round, + better, - slippage)\n\n"
            + table(header, rows) + "\n")


def order_text(record: OrderRecord) -> str:
    """A best-execution record, readable top to bottom: order, rounds, children, fills, verdict."""
    o = record.order
    limit = f" limit {o.limit_price}" if o.limit_price is not None else ""
    lines = [
        f"Order {o.order_id}  ClOrdID {o.cl_ord_id}  session {o.session}",
        f"  {o.side.name} {o.quantity} {o.symbol}{limit}  TIF {o.time_in_force}  "
        f"strategy {o.strategy}  accepted {iso(o.accepted_at_s)}",
        f"  status {record.status}  filled {o.cum_qty}  avg px {o.avg_px if o.cum_qty else '-'}"
        + (f"  ({o.close_text})" if o.close_text else ""),
    ]
    for line in record.rounds:
        lines += ["", f"Round {line.round_no}  asked {', '.join(line.asked) or '-'}  "
                      f"at {iso(line.started_at_s)}  decided {iso(line.decided_at_s)}"]
        top = line.best
        for quote in line.quotes:
            mark = "  <- best" if top is not None and quote.price == top.price else ""
            lines.append(f"  quote {quote.lp:<10} {quote.price} x {quote.size}  "
                         f"{(quote.arrived_at_s - line.started_at_s) * 1000:.3f} ms  "
                         f"id {quote.quote_id}{mark}")
        for lp, reason in line.misses:
            lines.append(f"  miss  {lp:<10} {reason}")
        lines.append(f"  why: {line.why}")
    if o.children:
        lines += ["", "Children"]
        for child in o.children:
            lines.append(f"  {child.child_id:<16} {child.lp:<10} {child.quantity} @ {child.price}  "
                         f"{child.state.name}  filled {child.cum_qty}"
                         + (f"  ({child.text})" if child.text else ""))
    if record.fills:
        lines += ["", "Fills (vs best quote / vs best alternative, + better)"]
        for fill in record.fills:
            lines.append(f"  {fill.exec_id:<16} {fill.lp:<10} {fill.quantity} @ {fill.price}  "
                         f"{iso(fill.at_s)}  {_signed(fill.vs_best)} / {_signed(fill.vs_alternative)}")
    lines += ["", f"Best execution: vs best quote {_signed(record.vs_best)} "
                  f"({_signed(record.vs_best_bps)} bps), vs best alternative "
                  f"{_signed(record.vs_alternative)} ({_signed(record.vs_alternative_bps)} bps)"]
    return "\n".join(lines) + "\n"


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"+{plain(value)}" if value > 0 else plain(value) or "-"
