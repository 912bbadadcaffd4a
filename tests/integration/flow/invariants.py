"""FIX 4.4 invariants of the parent ExecutionReports a client receives (SPEC §4.2).

`ReportChecker.check(fields)` is fed every ExecutionReport(35=8) of one client
session, in arrival order, and returns what is wrong with it (an empty list when
nothing is). It follows each order (by OrderID(37); by ClOrdID for rejects that
carry OrderID NONE) through its reports:

- ExecID(17) is unique across the session;
- CumQty(14) = the sum of LastQty(32) of the order's fills, never above OrderQty(38),
  never decreasing; only a fill (150=F, LastQty > 0, LastPx > 0, LastMkt set) moves it;
- CumQty + LeavesQty = OrderQty while the order lives; LeavesQty = 0 once terminal;
- AvgPx(6) = sum(LastPx x LastQty) / CumQty (0 before the first fill);
- OrdStatus(39) agrees with the quantities (0: nothing filled; 1: partly; 2: all)
  and with ExecType(150) (4 -> 4, 8 -> 8, 6 -> 6, 0 -> 0, F -> 1/2);
- after a terminal report only status answers (150=I) may follow, and they change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

TERMINAL = frozenset({"2", "3", "4", "8", "C"})
PENDING = frozenset({"6", "A", "E"})          # Pending Cancel / New / Replace: still live
STATUS = "I"
# ExecType -> the OrdStatus values it may carry (None: any, judged by quantities alone).
EXEC_TYPE_STATUSES: Mapping[str, frozenset[str] | None] = {
    "0": frozenset({"0"}),
    "F": frozenset({"1", "2"}) | PENDING,
    "4": frozenset({"4"}),
    "8": frozenset({"8"}),
    "6": frozenset({"6"}),
    "5": frozenset({"0", "1", "2"}),
    "C": frozenset({"C"}),
    "3": frozenset({"3"}),
    "I": None,
}
AVG_PX_TOLERANCE = Decimal("1e-9")   # the gateway writes AvgPx to 10 decimal places
ZERO = Decimal(0)


@dataclass
class OrderTrack:
    """What the client has been told about one order so far."""

    cum_qty: Decimal = ZERO
    notional: Decimal = ZERO
    terminal: bool = False
    reports: int = 0


@dataclass
class ReportChecker:
    """Checks a session's ExecutionReports one after the other (see the module docstring)."""

    exec_ids: set[str] = field(default_factory=set)
    orders: dict[str, OrderTrack] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    checked: int = 0

    def check(self, fields: Mapping[int, str]) -> list[str]:
        """The problems of this report (also appended to `violations`)."""
        problems = _Problems()
        self.checked += 1
        exec_id = fields.get(17)
        if not exec_id:
            problems.add("no ExecID(17)")
        elif exec_id in self.exec_ids:
            problems.add(f"ExecID {exec_id} seen before")
        else:
            self.exec_ids.add(exec_id)
        numbers = _numbers(fields, problems)
        if numbers is not None:
            self._check_order(fields, numbers, problems)
        found = [f"{text} in {_show(fields)}" for text in problems.items]
        self.violations += found
        return found

    def _check_order(self, fields: Mapping[int, str], numbers: _Numbers, problems: _Problems) -> None:
        order_id = fields.get(37) or "NONE"
        key = f"cl:{fields.get(11)}" if order_id == "NONE" else order_id
        track = self.orders.setdefault(key, OrderTrack())
        exec_type, status = fields.get(150, ""), fields.get(39, "")
        if track.terminal and exec_type != STATUS:
            problems.add("a report after the order was terminal")
        if track.reports == 0 and exec_type not in ("0", "8", STATUS):
            problems.add(f"first report of the order has ExecType {exec_type}, not 0 (New) or 8")
        track.reports += 1
        _check_fill(fields, numbers, track, problems)
        _check_quantities(numbers, status, track, problems)
        allowed = EXEC_TYPE_STATUSES.get(exec_type, frozenset())
        if allowed is not None and status not in allowed:
            problems.add(f"ExecType {exec_type} with OrdStatus {status}")
        if status in TERMINAL and exec_type != STATUS:
            track.terminal = True


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        self.items.append(text)


@dataclass(frozen=True)
class _Numbers:
    order_qty: Decimal
    cum_qty: Decimal
    leaves_qty: Decimal
    avg_px: Decimal
    last_qty: Decimal | None
    last_px: Decimal | None


def _decimal(fields: Mapping[int, str], tag: int, problems: _Problems,
             required: bool = True) -> Decimal | None:
    text = fields.get(tag)
    if text is None:
        if required:
            problems.add(f"no tag {tag}")
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        problems.add(f"tag {tag} is not a number: {text!r}")
        return None


def _numbers(fields: Mapping[int, str], problems: _Problems) -> _Numbers | None:
    for tag in (39, 150):
        if not fields.get(tag):
            problems.add(f"no tag {tag}")
    order_qty, cum_qty = _decimal(fields, 38, problems), _decimal(fields, 14, problems)
    leaves_qty, avg_px = _decimal(fields, 151, problems), _decimal(fields, 6, problems)
    last_qty = _decimal(fields, 32, problems, required=False)
    last_px = _decimal(fields, 31, problems, required=False)
    if order_qty is None or cum_qty is None or leaves_qty is None or avg_px is None:
        return None
    return _Numbers(order_qty, cum_qty, leaves_qty, avg_px, last_qty, last_px)


def _check_fill(fields: Mapping[int, str], n: _Numbers, track: OrderTrack, problems: _Problems) -> None:
    if fields.get(150) == "F":
        if n.last_qty is None or n.last_px is None or n.last_qty <= 0 or n.last_px <= 0:
            problems.add("a fill without a positive LastQty(32) and LastPx(31)")
            return
        if not fields.get(30):
            problems.add("a fill without LastMkt(30)")
        track.cum_qty += n.last_qty
        track.notional += n.last_qty * n.last_px
    elif n.last_qty:
        problems.add(f"LastQty {n.last_qty} on a report that is not a fill")
    if n.cum_qty != track.cum_qty:
        problems.add(f"CumQty {n.cum_qty} but the fills add up to {track.cum_qty}")


def _check_quantities(n: _Numbers, status: str, track: OrderTrack, problems: _Problems) -> None:
    if n.cum_qty > n.order_qty:
        problems.add(f"over-fill: CumQty {n.cum_qty} above OrderQty {n.order_qty}")
    if n.leaves_qty < 0 or n.cum_qty < 0:
        problems.add("a negative quantity")
    if status in TERMINAL:
        if n.leaves_qty != 0:
            problems.add(f"terminal OrdStatus {status} with LeavesQty {n.leaves_qty}")
    elif n.cum_qty + n.leaves_qty != n.order_qty:
        problems.add(f"CumQty {n.cum_qty} + LeavesQty {n.leaves_qty} != OrderQty {n.order_qty} "
                     "on a live order")
    expected_avg = track.notional / track.cum_qty if track.cum_qty else ZERO
    if abs(n.avg_px - expected_avg) > AVG_PX_TOLERANCE:
        problems.add(f"AvgPx {n.avg_px}, the fills give {expected_avg}")
    by_quantity = {"0": n.cum_qty == 0, "1": 0 < n.cum_qty < n.order_qty,
                   "2": n.cum_qty == n.order_qty > 0, "8": n.cum_qty == 0}
    if not by_quantity.get(status, True):
        problems.add(f"OrdStatus {status} with CumQty {n.cum_qty} of OrderQty {n.order_qty}")


def _show(fields: Mapping[int, str]) -> str:
    return "|".join(f"{tag}={fields[tag]}" for tag in (11, 37, 17, 150, 39, 38, 14, 151, 6, 31, 32, 30)
                    if tag in fields)
