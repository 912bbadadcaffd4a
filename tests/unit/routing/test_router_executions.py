"""LP execution reports on child orders: dedup, with or without 150=0, strays (SPEC §4.2, §10)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing import executions
from routing.actions import Alert, ParentReport, SendChild
from routing.inbound import ChildReport
from routing.orders import ChildState
from tests.unit.routing.router_harness import ChildReply, Harness, QuoteReply
from tests.unit.routing.router_invariants import Invariants

D = Decimal


def one_child(h: Harness, reply: ChildReply | None = None) -> str:
    """C1 (1M) placed whole on LP1; returns the child's ClOrdID."""
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = reply or ChildReply(kind="stuck")
    h.submit("C1")
    h.run(0.05)
    (sent,) = h.of_type(SendChild)
    return sent.child.child_id


def lp(child_id: str, exec_type: str, status: str, last: str | None = None, cum: str = "0",
       exec_id: str = "E1", px: str = "1.0850", lp_name: str = "LP1") -> ChildReport:
    qty = None if last is None else D(last)
    return ChildReport(lp_name, child_id, "LPO-1", exec_id, exec_type, status, qty,
                       None if qty is None else D(px), D(cum), D(px), D(0), "")


def test_duplicate_lp_exec_id_is_ignored() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(qty=D(400_000), duplicate=True)
    h.submit("C1")
    h.run(2)
    fills = [r for r in h.reports_for("C1") if r.exec_type == "F"]
    assert [(r.last_mkt, r.last_qty) for r in fills] == [("LP1", D(400_000)), ("LP2", D(600_000))]
    inv.check_end()


def test_same_report_twice_changes_nothing() -> None:
    h = Harness()
    child_id = one_child(h)
    first = h.feed(executions.on_child_report(h.router, lp(child_id, "F", "1", "100000", "100000"), h.now))
    again = h.feed(executions.on_child_report(h.router, lp(child_id, "F", "1", "100000", "100000"), h.now))
    assert any(isinstance(a, ParentReport) for a in first) and again == []
    assert h.order("C1").cum_qty == D(100_000)


@pytest.mark.parametrize("ack", [True, False])
def test_with_or_without_execution_report_new(ack: bool) -> None:
    h = Harness()
    inv = Invariants(h)
    child_id = one_child(h, ChildReply(ack=ack))
    h.run(1)
    child = h.router.book.children[child_id]
    assert child.state is ChildState.FILLED and child.lp_order_id.startswith("LP1-O")
    fill = next(r for r in h.reports_for("C1") if r.exec_type == "F")
    assert fill.lp_order_id == child.lp_order_id and fill.lp_exec_id.startswith("LP1-E")
    assert [r.exec_type for r in h.reports_for("C1")] == ["0", "F"]   # the LP's New is not passed on
    inv.check_end()


def test_ack_then_fills_in_several_reports() -> None:
    h = Harness()
    inv = Invariants(h)
    child_id = one_child(h)
    feed = [lp(child_id, "0", "0"), lp(child_id, "F", "1", "300000", "300000", "E2", "1.0850"),
            lp(child_id, "F", "2", "700000", "1000000", "E3", "1.0852")]
    for report in feed:
        h.feed(executions.on_child_report(h.router, report, h.now))
    last = h.last("C1")
    assert (last.ord_status, last.cum_qty, last.leaves_qty) == ("2", D(1_000_000), D(0))
    assert last.avg_px == D("1.08514")
    assert [r.ord_status for r in h.reports_for("C1")] == ["0", "1", "2"]
    h.sims["LP1"].orders[child_id].cum = D(1_000_000)     # the LP's book, for check_end
    inv.check_end()


def test_fill_and_canceled_in_one_report() -> None:
    h = Harness(routing_budget_s=0)
    inv = Invariants(h)
    child_id = one_child(h)
    h.feed(executions.on_child_report(h.router, lp(child_id, "F", "4", "250000", "250000"), h.now))
    child = h.router.book.children[child_id]
    assert (child.state, child.cum_qty) == (ChildState.CLOSED, D(250_000))
    reports = h.reports_for("C1")
    assert [(r.exec_type, r.ord_status, r.cum_qty) for r in reports[1:]] == [
        ("F", "1", D(250_000)), ("4", "4", D(250_000))]
    h.sims["LP1"].orders[child_id].cum = D(250_000)
    inv.check_end()


def test_lp_ord_status_is_not_passed_through() -> None:
    h = Harness()
    child_id = one_child(h)
    # The LP claims "filled" on a partial: the parent follows the quantities.
    h.feed(executions.on_child_report(h.router, lp(child_id, "F", "2", "100000", "100000"), h.now))
    assert h.last("C1").ord_status == "1" and h.last("C1").leaves_qty == D(900_000)


def test_overfill_by_an_lp_is_reported_and_alerted() -> None:
    h = Harness()
    inv = Invariants(h, lp_overfills=True)
    child_id = one_child(h, ChildReply(qty=D(1_100_000)))
    h.run(1)
    assert any(a.kind == "overfill" for a in h.alerts)
    last = h.last("C1")
    assert (last.ord_status, last.cum_qty, last.leaves_qty) == ("2", D(1_100_000), D(0))
    assert h.router.book.children[child_id].state is ChildState.FILLED
    inv.check_end()


def test_stray_report_is_only_an_alert() -> None:
    h = Harness()
    child_id = one_child(h)
    before = h.router.book.orders[h.order("C1").order_id].cum_qty
    records = len(h.journal.records)
    for report in (lp("NOPE-1", "F", "2", "100", "100"),
                   lp(child_id, "F", "2", "100", "100", lp_name="LP2")):   # right id, wrong LP
        actions = executions.on_child_report(h.router, report, h.now)
        assert len(actions) == 1 and isinstance(actions[0], Alert)
        assert actions[0].kind == "stray_report"
    assert len(h.journal.records) == records and h.order("C1").cum_qty == before


def test_late_report_on_a_rejected_child_does_not_revive_it() -> None:
    h = Harness(routing_budget_s=0)
    child_id = one_child(h)
    h.feed(executions.on_child_report(h.router, lp(child_id, "8", "8"), h.now))
    assert h.router.book.children[child_id].state is ChildState.REJECTED
    h.feed(executions.on_child_report(h.router, lp(child_id, "0", "0", exec_id="E9"), h.now))
    assert h.router.book.children[child_id].state is ChildState.REJECTED
