"""Reading a client order's ExecutionReports in tests: fills per LP, the final report, prices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from gateway.sim.behaviour import LPBehaviour
from gateway.sim.pricing import two_way_price
from tests.fixtures.qf_client import Received


class Fill(NamedTuple):
    lp: str
    quantity: Decimal
    price: Decimal


def fills(reports: Sequence[Received]) -> list[Fill]:
    """The order's fills (150=F) in the order they were reported."""
    return [Fill(r[30], r.decimal(32), r.decimal(31)) for r in reports if r.get(150) == "F"]


def filled_by_lp(reports: Sequence[Received]) -> dict[str, Decimal]:
    """LastMkt -> total LastQty."""
    totals: dict[str, Decimal] = {}
    for fill in fills(reports):
        totals[fill.lp] = totals.get(fill.lp, Decimal(0)) + fill.quantity
    return totals


def exec_types(reports: Sequence[Received]) -> list[tuple[str, str]]:
    """(ExecType, OrdStatus) of each report."""
    return [(r[150], r[39]) for r in reports]


def last(reports: Sequence[Received]) -> Received:
    assert reports, "no reports"
    return reports[-1]


def order_id(reports: Sequence[Received]) -> str:
    """The gateway's OrderID(37) of the order (from its first report)."""
    return reports[0][37]


def quoted(behaviour: Mapping[str, Any], symbol: str, side: str) -> Decimal:
    """The price an LP with this behaviour quotes for a client order of `side` (1 buy: offer)."""
    price = two_way_price(LPBehaviour(**behaviour), symbol)
    assert price is not None, f"the LP does not quote {symbol}"
    return price.for_side(side)


def vwap(items: Sequence[Fill]) -> Decimal:
    quantity = sum((f.quantity for f in items), Decimal(0))
    return sum((f.quantity * f.price for f in items), Decimal(0)) / quantity
