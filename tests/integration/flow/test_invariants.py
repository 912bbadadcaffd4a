"""The report checker itself: it passes a correct order life and catches each broken invariant."""

from __future__ import annotations

import itertools

import pytest

from tests.integration.flow.invariants import ReportChecker

_ids = itertools.count(1)


def er(exec_type: str, status: str, cum: str, leaves: str, avg: str = "0", qty: str = "100",
       last: tuple[str, str, str] | None = None, order: str = "O1", **extra: str) -> dict[int, str]:
    """An ExecutionReport's fields; `last` is (LastQty, LastPx, LastMkt)."""
    fields = {11: "C1", 17: f"E{next(_ids)}", 37: order, 38: qty, 39: status, 150: exec_type,
              14: cum, 151: leaves, 6: avg}
    if last is not None:
        fields.update({32: last[0], 31: last[1], 30: last[2]})
    fields.update({int(tag[1:]): value for tag, value in extra.items()})
    return fields


def run(*reports: dict[int, str]) -> list[str]:
    checker = ReportChecker()
    for report in reports:
        checker.check(report)
    return checker.violations


NEW = er("0", "0", "0", "100")
PART = er("F", "1", "40", "60", "1.5", last=("40", "1.5", "LP1"))


def test_a_correct_order_life_passes() -> None:
    assert run(NEW, PART, er("F", "2", "100", "0", "1.56", last=("60", "1.6", "LP2")),
               er("I", "2", "100", "0", "1.56")) == []


def test_partial_fill_then_cancel_and_a_reject_pass() -> None:
    assert run(NEW, PART, er("6", "6", "40", "60", "1.5"), er("4", "4", "40", "0", "1.5"),
               er("8", "8", "0", "0", order="NONE")) == []


@pytest.mark.parametrize(("reports", "expected"), [
    ((NEW, er("F", "1", "40", "60", "1.5", last=("40", "1.5", "LP1")), NEW), "seen before"),
    ((NEW, er("F", "1", "40", "50", "1.5", last=("40", "1.5", "LP1"))), "+ LeavesQty"),
    ((NEW, er("F", "1", "40", "60", "1.4", last=("40", "1.5", "LP1"))), "AvgPx 1.4"),
    ((NEW, er("F", "2", "40", "60", "1.5", last=("40", "1.5", "LP1"))), "OrdStatus 2"),
    ((NEW, er("4", "4", "0", "100")), "terminal OrdStatus 4 with LeavesQty 100"),
    ((NEW, er("F", "2", "120", "0", "1.5", last=("120", "1.5", "LP1"))), "over-fill"),
    ((NEW, er("F", "1", "80", "20", "1.5", last=("40", "1.5", "LP1"))), "fills add up to 40"),
    ((NEW, er("F", "1", "40", "60", "1.5", last=("40", "1.5", ""))), "without LastMkt"),
    ((NEW, er("4", "4", "0", "0"), er("F", "1", "40", "60", "1.5", last=("40", "1.5", "LP1"))),
     "after the order was terminal"),
    ((er("F", "1", "40", "60", "1.5", last=("40", "1.5", "LP1")),), "first report"),
    ((NEW, er("4", "0", "0", "100")), "ExecType 4 with OrdStatus 0"),
    ((er("0", "1", "0", "100"),), "OrdStatus 1 with CumQty 0"),
    ((NEW, er("5", "0", "0", "100", s32="10")), "not a fill"),
])
def test_each_broken_invariant_is_reported(reports: tuple[dict[int, str], ...],
                                           expected: str) -> None:
    violations = run(*reports)
    assert any(expected in v for v in violations), violations
