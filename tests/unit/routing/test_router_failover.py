"""Failover (SPEC §4.2): rejected or unfilled children are re-routed, within the budget."""

from __future__ import annotations

from decimal import Decimal

from routing.actions import BreakerOutcome, SendChild
from routing.model import NO_HEALTHY_LPS
from routing.router import BUDGET_EXHAUSTED
from tests.unit.routing.router_harness import ChildReply, Harness, QuoteReply
from tests.unit.routing.router_invariants import Invariants

D = Decimal


def children(h: Harness) -> list[tuple[str, Decimal]]:
    return [(a.child.lp, a.child.quantity) for a in h.of_type(SendChild)]


def test_last_look_reject_reroutes_the_remainder_to_the_others() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"), size=D(600_000))
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0851"), size=D(600_000))
    h.sims["LP3"].quote_default = QuoteReply(offer=D("1.0853"), size=D(600_000))
    h.sims["LP2"].child_default = ChildReply(kind="reject")
    h.submit("C1")
    h.run(2)
    # LP1 filled its part and is still the best; LP2 is not asked again.
    assert children(h) == [("LP1", D(600_000)), ("LP2", D(400_000)), ("LP1", D(400_000))]
    assert [len(s.requests) for s in h.sims.values()] == [2, 1, 2]
    reports = h.reports_for("C1")
    assert [(r.exec_type, r.ord_status) for r in reports] == [("0", "0"), ("F", "1"), ("F", "2")]
    assert {r.order_id for r in reports} == {h.order("C1").order_id}
    assert {r.cl_ord_id for r in reports} == {"C1"}
    assert reports[-1].avg_px == D("1.0850")
    assert [r.last_mkt for r in reports[1:]] == ["LP1", "LP1"]
    assert any(a.kind == "reroute" for a in h.alerts)
    assert BreakerOutcome("LP2", False, "child rejected: last look") in h.actions
    inv.check_end()


def test_ioc_partial_fill_then_cancel_reroutes_the_remainder() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(qty=D(300_000))        # 150=F 39=1, then 150=4
    h.submit("C1")
    h.run(2)
    assert children(h) == [("LP1", D(1_000_000)), ("LP2", D(700_000))]
    last = h.last("C1")
    assert (last.ord_status, last.cum_qty, last.leaves_qty) == ("2", D(1_000_000), D(0))
    inv.check_end()


def test_partial_fill_and_done_in_one_report_reroutes_too() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(qty=D(300_000), combined=True, ack=False)
    h.submit("C1")
    h.run(2)
    assert children(h) == [("LP1", D(1_000_000)), ("LP2", D(700_000))]
    child = h.order("C1").children[0]
    assert (child.state.name, child.cum_qty) == ("CLOSED", D(300_000))
    assert h.last("C1").ord_status == "2"
    inv.check_end()


def test_budget_exhausted_cancels_the_remainder_with_figures() -> None:
    h = Harness(routing_budget_s=0.3)
    inv = Invariants(h)
    for sim, px in zip(h.sims.values(), ("1.0850", "1.0852", "1.0854"), strict=True):
        sim.quote_default = QuoteReply(offer=D(px), delay_s=0.1)
        sim.child_default = ChildReply(qty=D(100_000), delay_s=0.1)
    h.submit("C1")
    h.run(3)
    assert children(h) == [("LP1", D(1_000_000)), ("LP2", D(900_000))]
    last = h.last("C1")
    assert (last.exec_type, last.ord_status, last.text) == ("4", "4", BUDGET_EXHAUSTED)
    assert (last.cum_qty, last.leaves_qty) == (D(200_000), D(0))
    assert last.avg_px == D("1.0851")
    inv.check_end()


def test_nothing_left_to_try_cancels_with_figures() -> None:
    h = Harness()
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.child_default = ChildReply(qty=D(100_000))
    h.submit("C1")
    h.run(3)
    assert [lp for lp, _ in children(h)] == ["LP1", "LP2", "LP3"]
    last = h.last("C1")
    assert (last.ord_status, last.cum_qty, last.text) == ("4", D(300_000), NO_HEALTHY_LPS)
    inv.check_end()


def test_split_waits_for_live_children_before_rerouting() -> None:
    h = Harness()
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.quote_default = QuoteReply(size=D(500_000))
    h.sims["LP1"].child_default = ChildReply(kind="reject", delay_s=0.01)
    h.sims["LP2"].child_default = ChildReply(delay_s=0.5)
    h.submit("C1", qty="1500000", strategy="split")
    h.run(0.2)
    assert len(children(h)) == 3         # LP1's reject is not re-routed while LP2 is working
    h.run(2)
    assert children(h)[3:] == [("LP2", D(250_000)), ("LP3", D(250_000))]   # not LP1
    assert h.last("C1").ord_status == "2"
    inv.check_end()


def test_a_breaker_opening_between_rounds_is_respected() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.sims["LP1"].child_default = ChildReply(kind="reject")
    h.submit("C1")
    h.run(0.015)
    h.open_breakers = {"LP2"}
    h.run(2)
    assert children(h) == [("LP1", D(1_000_000)), ("LP3", D(1_000_000))]
    inv.check_end()


def test_resting_order_asks_every_lp_again_at_the_next_requote() -> None:
    h = Harness(resting_requote_s=1.0)
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.child_script = [ChildReply(kind="reject")]   # each LP declines once
    h.submit("D1", price="1.0860", tif="0")
    h.run(0.5)
    assert [lp for lp, _ in children(h)] == ["LP1", "LP2", "LP3"]
    assert h.last("D1").ord_status == "0"                # still working: it rests
    h.run(2)
    assert len(children(h)) == 4 and h.last("D1").ord_status == "2"
    inv.check_end()
