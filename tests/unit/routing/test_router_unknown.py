"""UNKNOWN children (SPEC §4.2, §10): reserved, reconciled, and the timeout policies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing import executions
from routing.actions import Action, QueryChild, SendChild
from routing.inbound import ChildReport
from routing.model import NO_QUOTES
from routing.orders import ChildState
from routing.router import BUDGET_EXHAUSTED
from tests.unit.routing.router_harness import ChildReply, Harness, QuoteReply
from tests.unit.routing.router_invariants import Invariants

D = Decimal


def split_two(h: Harness, slow: ChildReply) -> None:
    """C1 (1M, split) goes 500k to LP1 (rejects) and 500k to LP2 (answers per `slow`)."""
    h.sims["LP3"].quote_default = QuoteReply(kind="reject")
    h.sims["LP1"].child_default = ChildReply(kind="reject", delay_s=0.3)
    h.sims["LP2"].child_default = slow
    h.submit("C1", strategy="split")
    h.run(0.1)
    assert [a.child.lp for a in h.of_type(SendChild)] == ["LP1", "LP2"]


def test_lp_down_makes_children_unknown_and_reserved() -> None:
    h = Harness(routing_budget_s=30)
    inv = Invariants(h)
    split_two(h, ChildReply(kind="lost"))
    h.lp_down("LP2")
    order = h.order("C1")
    lp2_child = order.children[1]
    assert lp2_child.state is ChildState.UNKNOWN
    assert order.reserved_qty == D(1_000_000) and order.unplaced_qty == 0
    h.run(3)                             # LP1 rejects: only its 500k may be re-routed ...
    assert [r.quantity for r in h.sims["LP3"].requests] == [D(1_000_000), D(500_000)]
    assert len(h.of_type(SendChild)) == 2   # ... and LP3 declines it
    assert not order.is_terminal and order.has_unknown and order.reserved_qty == D(500_000)
    assert all(r.exec_type != "4" for r in h.reports_for("C1"))
    assert any(a.kind == "unknown_child" for a in h.alerts)
    # The LP comes back: asked for the status; "unknown order" closes the child, the order ends.
    query = [a for a in h.lp_up("LP2") if isinstance(a, QueryChild)]
    assert [q.child.child_id for q in query] == [lp2_child.child_id]
    h.run(1)
    assert lp2_child.state.name == "CLOSED"
    last = h.last("C1")
    assert (last.exec_type, last.ord_status, last.cum_qty) == ("4", "4", D(0))
    assert last.text == NO_QUOTES
    assert any(a.kind == "reconciled" for a in h.alerts)
    inv.check_end()


def test_status_answer_with_more_filled_catches_up_at_the_implied_price() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP2"].resend_on_logon = False   # the fill report is lost for good
    split_two(h, ChildReply(kind="fill", qty=D(300_000), delay_s=0.5, px=D("1.0860")))
    order = h.order("C1")
    child = order.children[1]
    # One fill of 200k at 1.0850 is known before the drop.
    h.feed(_fill(h, child.child_id, D(200_000), D("1.0850")))
    h.lp_down("LP2")
    h.run(1)                             # LP2 fills 500k at 1.0860 in total while down
    assert child.state is ChildState.UNKNOWN and child.cum_qty == D(200_000)
    h.lp_up("LP2")
    h.run(0.05)
    catch_up = [r for r in h.reports_for("C1") if r.exec_type == "F"][-1]
    assert (catch_up.last_qty, catch_up.last_px, catch_up.last_mkt) == (D(300_000), D("1.086"), "LP2")
    assert catch_up.avg_px == D("1.0856") and catch_up.cum_qty == D(500_000)
    assert child.state.name == "FILLED" and child.cum_qty == D(500_000)
    h.run(3)
    inv.check_end()


def _fill(h: Harness, child_id: str, qty: Decimal, px: Decimal) -> list[Action]:
    report = ChildReport("LP2", child_id, "LP2-O", "X1", "F", "1", qty, px, qty, px, D(300_000), "")
    # The LP's own book must agree with what it reported.
    lp_order = h.sims["LP2"].orders[child_id]
    lp_order.cum += qty
    lp_order.notional += qty * px
    return executions.on_child_report(h.router, report, h.now)


def test_resent_reports_after_logon_resolve_without_double_counting() -> None:
    h = Harness()
    inv = Invariants(h)
    split_two(h, ChildReply(kind="fill", delay_s=0.5))
    h.lp_down("LP2")
    h.run(1)
    h.lp_up("LP2")                       # resend first, then the status answer
    h.run(3)
    assert h.order("C1").children[1].cum_qty == D(500_000)
    inv.check_end()


def test_unknown_order_answer_frees_the_quantity_for_a_reroute() -> None:
    h = Harness(routing_budget_s=30)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="lost")
    h.submit("C1")
    h.run(0.1)
    h.lp_down("LP1")
    h.run(0.5)
    assert h.order("C1").children[0].state is ChildState.UNKNOWN
    h.lp_up("LP1")
    h.run(2)
    assert [a.child.lp for a in h.of_type(SendChild)] == ["LP1", "LP2"]
    assert h.last("C1").ord_status == "2"
    inv.check_end()


def test_unknown_resolved_after_the_budget_cancels_the_rest() -> None:
    h = Harness(routing_budget_s=1)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="lost")
    h.submit("C1")
    h.run(0.1)
    h.lp_down("LP1")
    h.run(5)
    h.lp_up("LP1")
    h.run(1)
    last = h.last("C1")
    assert (last.exec_type, last.ord_status, last.text) == ("4", "4", BUDGET_EXHAUSTED)
    inv.check_end()


def test_child_ack_timeout_makes_unknown_and_queries() -> None:
    h = Harness(routing_budget_s=30)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="lost")
    h.submit("C1")
    h.run(1.9)
    assert h.order("C1").children[0].state is ChildState.PENDING
    assert not h.of_type(QueryChild)
    h.run(0.2)
    assert [q.child.lp for q in h.of_type(QueryChild)] == ["LP1"]
    assert any(a.kind == "unknown_child" for a in h.alerts)
    h.run(2)                             # "unknown order" -> closed -> re-routed to LP2
    assert [a.child.lp for a in h.of_type(SendChild)] == ["LP1", "LP2"]
    assert h.last("C1").ord_status == "2"
    inv.check_end()


@pytest.mark.parametrize("policy", ["hold", "release"])
def test_unknown_child_timeout_policy(policy: str) -> None:
    h = Harness(routing_budget_s=60, unknown_child_timeout_s=5, release_unknown=policy == "release")
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="stuck")
    h.submit("C1")
    h.run(0.1)
    h.lp_down("LP1")
    h.run(4.5)
    assert not [a for a in h.alerts if a.kind.startswith("unknown_")][1:]
    h.run(10)
    order = h.order("C1")
    child = order.children[0]
    if policy == "hold":
        assert [a.kind for a in h.alerts if a.kind == "unknown_unresolved"] == ["unknown_unresolved"]
        assert child.state is ChildState.UNKNOWN and order.reserved_qty == D(1_000_000)
        assert not order.is_terminal and len(h.of_type(SendChild)) == 1
        h.lp_up("LP1")                   # the LP knows it as New: the child is working again
        h.run(0.1)
        assert child.state.name == "WORKING"
    else:
        assert [a.kind for a in h.alerts if a.kind == "unknown_released"] == ["unknown_released"]
        assert child.state is ChildState.CLOSED
        assert [a.child.lp for a in h.of_type(SendChild)] == ["LP1", "LP2"]
        assert h.last("C1").ord_status == "2"
        inv.check_end()


def test_status_answers_with_exec_id_zero_are_each_reconciled() -> None:
    # FIX 4.4: ExecID(17) is "0" on Order Status reports (ExecType I), every time.
    h = Harness(child_terms={"LP1": ("2", "1")}, routing_budget_s=60)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="stuck")
    h.submit("C1", price="1.0860", tif="1")
    h.run(0.05)
    child = h.order("C1").children[0]
    lp_order = h.sims["LP1"].orders[child.child_id]

    def status(cum: str, ord_status: str) -> None:
        lp_order.cum, lp_order.notional, lp_order.status = D(cum), D(cum) * D("1.0850"), ord_status
        leaves = child.quantity - D(cum) if ord_status in ("0", "1") else D(0)
        answer = ChildReport("LP1", child.child_id, "LPO", "0", "I", ord_status, None, None,
                             D(cum), D("1.0850"), leaves, "")
        h.feed(executions.on_child_report(h.router, answer, h.now))

    h.lp_down("LP1")
    status("300000", "1")                # first reconciliation: 300k, still working
    assert (child.cum_qty, child.state.name) == (D(300_000), "WORKING")
    h.lp_down("LP1")
    status("600000", "4")                # second one: 600k and canceled by the LP
    assert (child.cum_qty, child.state.name) == (D(600_000), "CLOSED")
    assert [r.last_qty for r in h.reports_for("C1") if r.exec_type == "F"] == [D(300_000), D(300_000)]
    h.lp_up("LP1")
    h.cancel("X1", "C1")
    h.run(1)
    assert (h.last("C1").ord_status, h.last("C1").cum_qty) == ("4", D(600_000))
    inv.check_end()


def test_release_then_a_late_fill_still_reaches_the_client() -> None:
    h = Harness(routing_budget_s=60, unknown_child_timeout_s=5, release_unknown=True)
    inv = Invariants(h, lp_overfills=True)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(delay_s=8)     # fills while its session is down
    h.submit("C1")
    h.run(0.1)
    h.lp_down("LP1")
    h.run(10)                            # released and re-routed to LP2: filled
    assert h.last("C1").ord_status == "2" and h.last("C1").cum_qty == D(1_000_000)
    h.lp_up("LP1")                       # LP1's fill comes in (resent at logon)
    h.run(1)
    last = h.last("C1")
    assert (last.exec_type, last.cum_qty, last.last_mkt) == ("F", D(2_000_000), "LP1")
    assert [a.kind for a in h.alerts if a.kind in ("unknown_released", "overfill")] == [
        "unknown_released", "overfill"]
    inv.check_end()


def test_ioc_child_acknowledged_but_never_ended_is_reconciled_once() -> None:
    h = Harness(routing_budget_s=30)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="hang")
    h.submit("C1")
    h.run(0.5)
    child = h.order("C1").children[0]
    assert child.state is ChildState.WORKING and not h.of_type(QueryChild)
    h.run(2)                              # past ChildAckTimeoutMs: an IOC child should be over
    assert [q.child.child_id for q in h.of_type(QueryChild)] == [child.child_id]
    assert any("IOC/FOK child still open" in a.text for a in h.alerts if a.kind == "unknown_child")
    h.run(5)                              # asked once only, whatever the LP answers
    assert len(h.of_type(QueryChild)) == 1


def test_a_refused_fill_report_makes_the_child_unknown_until_the_status_answer() -> None:
    # The LP fills, but our session refuses its report (a field our dictionary lacks):
    # the fill must still reach the client, through the status the router asks for.
    h = Harness(routing_budget_s=30)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].refused_exec_types = {"F"}
    h.submit("C1")
    h.run(1)
    child = h.order("C1").children[0]
    assert [q.child.child_id for q in h.of_type(QueryChild)] == [child.child_id]
    assert [a.kind for a in h.alerts if a.kind == "report_refused"] == ["report_refused"]
    assert any(a.kind == "reconciled" for a in h.alerts)   # it was UNKNOWN in between
    fill = [r for r in h.reports_for("C1") if r.exec_type == "F"]
    assert [(r.last_qty, r.last_px, r.last_mkt, r.lp_exec_id) for r in fill] == [
        (D(1_000_000), D("1.0850"), "LP1", f"{child.child_id}.status.1000000")]
    assert h.last("C1").ord_status == "2" and child.state.name == "FILLED"
    assert len(h.of_type(SendChild)) == 1, "the refused report's quantity was routed again"
    inv.check_end()


def test_a_refused_status_answer_keeps_the_quantity_reserved() -> None:
    h = Harness(routing_budget_s=60, unknown_child_timeout_s=5)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].refused_exec_types = {"F", "I"}
    h.submit("C1")
    h.run(10)
    order = h.order("C1")
    assert order.children[0].state is ChildState.UNKNOWN and order.reserved_qty == D(1_000_000)
    assert not order.is_terminal and len(h.of_type(SendChild)) == 1
    assert [r.exec_type for r in h.reports_for("C1")] == ["0"]
    assert any(a.kind == "unknown_unresolved" for a in h.alerts)
    assert inv.reports == 1


def test_a_refused_report_naming_no_child_of_ours_asks_about_every_live_child_on_that_lp() -> None:
    h = Harness(routing_budget_s=30)
    split_two(h, ChildReply(kind="stuck"))
    live = [c for c in h.order("C1").children if c.lp == "LP2"]
    h.feed(executions.report_refused(h.router, "LP2", (), "Required tag missing (tag 11)", h.now))
    assert [q.child.child_id for q in h.of_type(QueryChild)] == [c.child_id for c in live]
    assert all(c.state is ChildState.UNKNOWN for c in live)
    h.run(1)   # LP2 knows the order as New: working again
    assert all(c.state.name == "WORKING" for c in live)
