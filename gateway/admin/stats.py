"""Plain counters the routing observer bumps on the hot path; Prometheus reads them at scrape time.

Why not prometheus-client's own Counter and Histogram: each `inc()`/`observe()`
takes a lock and `.labels()` does a dict build and lookup per call. The gateway
runs the order flow on one event-loop thread, so plain attribute increments are
enough, cost tens of nanoseconds, and the collector (`collector.py`) turns them
into metric families only when someone scrapes `/metrics`.

Quantities are summed as `Decimal` (exact); they become floats only in the
exposition, which is float by definition.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from decimal import Decimal

ZERO = Decimal(0)

LATENCY_BUCKETS_S: tuple[float, ...] = (
    0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.0075, 0.01,
    0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
)
"""Upper bounds (seconds) of the routing latency buckets: 50 µs to 5 s, sub-millisecond visible."""

RFQ_BUCKETS_S: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0, 2.5, 5.0,
)
"""Upper bounds (seconds) of the RFQ response time buckets: 100 µs to 5 s."""


class Histogram:
    """A Prometheus-style histogram as plain numbers: per-bucket counts and the sum.

    `counts[i]` holds observations `bounds[i-1] < v <= bounds[i]` (the `le`
    convention); the last slot is the +Inf bucket.
    """

    __slots__ = ("bounds", "counts", "total")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = tuple(bounds)
        self.counts = [0] * (len(self.bounds) + 1)
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.total += value

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[str, float]]:
        """(le, cumulative count) pairs ending with +Inf, as Prometheus exposes them."""
        out: list[tuple[str, float]] = []
        running = 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(bound), float(running)))
        return out


class LPStats:
    """What the order flow did with one LP (counters only; ratios are derived at scrape)."""

    __slots__ = ("child_orders", "child_qty", "child_rejects", "filled_qty", "fills",
                 "quote_rejects", "quote_requests", "quote_responses", "rfq_timeouts",
                 "status_requests", "valid_quotes")

    def __init__(self) -> None:
        self.quote_requests = 0
        self.quote_responses = Histogram(RFQ_BUCKETS_S)   # Quote or QuoteRequestReject arrival
        self.valid_quotes = 0
        self.quote_rejects = 0
        self.rfq_timeouts = 0
        self.child_orders = 0
        self.child_qty = ZERO
        self.child_rejects = 0                            # last-look rejects of our children
        self.fills = 0
        self.filled_qty = ZERO
        self.status_requests = 0                          # OrderStatusRequests (reconciliation)

    @property
    def fill_ratio(self) -> float | None:
        """Filled quantity / quantity sent in child orders; None before the first child.

        A float because it is only ever a Prometheus gauge value; the counts stay Decimal."""
        return float(self.filled_qty / self.child_qty) if self.child_qty else None

    @property
    def reject_ratio(self) -> float | None:
        """Child orders rejected / child orders sent; None before the first child."""
        return self.child_rejects / self.child_orders if self.child_orders else None


class OrderStats:
    """Client order counters and the routing latency histogram."""

    __slots__ = ("canceled", "filled", "latency", "received", "rejected", "routed")

    def __init__(self) -> None:
        self.received = 0
        self.routed = 0                                   # got their first child order
        self.rejected: dict[int, int] = {}                # OrdRejReason(103) -> count
        self.filled = 0                                   # reached OrdStatus 2
        self.canceled = 0                                 # ended 150=4 (remainder canceled)
        self.latency = Histogram(LATENCY_BUCKETS_S)
