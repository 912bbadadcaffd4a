"""Cancel, cancel/replace and status of client orders (SPEC §4.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing.actions import CancelChild, CancelReject, ParentReport, SendChild
from routing.amend import ALREADY_PENDING, DUPLICATE_CL_ORD_ID, OTHER, TOO_LATE, UNKNOWN_ORDER
from tests.unit.routing.router_harness import SESSION, T0, ChildReply, Harness, QuoteReply, only
from tests.unit.routing.router_invariants import Invariants

D = Decimal
GTC = {"LP1": ("2", "1"), "LP2": ("2", "1"), "LP3": ("2", "1")}   # limit GTC children


def resting(h: Harness, fill: str = "300000", tif: str = "1") -> str:
    """C1: a GTC/Day limit buy of 1M; LP1 takes `fill` of it and keeps the rest working."""
    for name, sim in h.sims.items():
        sim.quote_default = QuoteReply(offer=D("1.0850") if name == "LP1" else D("1.0870"))
    h.sims["LP1"].child_default = ChildReply(qty=D(fill))
    h.submit("C1", price="1.0860", tif=tif)
    h.run(0.5)
    return h.order("C1").order_id


def test_cancel_of_a_resting_order_cancels_its_working_children() -> None:
    h = Harness(child_terms=GTC)
    inv = Invariants(h)
    resting(h)
    child = h.order("C1").children[0]
    assert child.state.name == "WORKING" and child.time_in_force == "1"
    actions = h.cancel("X1", "C1")
    assert [type(a).__name__ for a in actions] == ["ParentReport", "CancelChild"]
    pending = actions[0]
    assert isinstance(pending, ParentReport) and isinstance(actions[1], CancelChild)
    assert (pending.exec_type, pending.ord_status, pending.cl_ord_id, pending.orig_cl_ord_id) == (
        "6", "6", "X1", "C1")
    assert pending.cum_qty == D(300_000) and pending.leaves_qty == D(700_000)
    h.run(1)
    assert child.state.name == "CLOSED"           # the LP's 150=4 came with 41=<child id>
    done = h.last("C1")
    assert (done.exec_type, done.ord_status, done.cl_ord_id, done.orig_cl_ord_id) == (
        "4", "4", "X1", "C1")
    assert (done.cum_qty, done.leaves_qty, done.avg_px) == (D(300_000), D(0), D("1.0850"))
    assert len(h.of_type(SendChild)) == 1         # no round after the cancel
    inv.check_end()


def test_cancel_with_all_children_done_is_immediate() -> None:
    h = Harness()
    inv = Invariants(h)
    resting(h, tif="0")                       # IOC children: the rest waits for a requote
    assert not h.order("C1").has_live
    actions = h.cancel("X1", "C1")
    assert [(a.exec_type, a.ord_status) for a in actions if isinstance(a, ParentReport)] == [
        ("6", "6"), ("4", "4")]
    assert not [a for a in actions if isinstance(a, CancelChild)]
    h.run(3)
    assert len(h.reports_for("C1")) == 4      # New, Trade, Pending Cancel, Canceled: no more
    inv.check_end()


def test_cancel_refusals() -> None:
    h = Harness()
    h.submit("F1")
    h.run(1)
    assert h.last("F1").ord_status == "2"
    too_late = only(CancelReject, h.cancel("X1", "F1"))
    unknown = only(CancelReject, h.cancel("X2", "NOPE"))
    assert [(a.reason, a.response_to, a.ord_status) for a in too_late] == [(TOO_LATE, "1", "2")]
    assert "Too late" in too_late[0].text
    assert [(a.reason, a.ord_status, a.text) for a in unknown] == [
        (UNKNOWN_ORDER, "8", "Unknown order")]


def test_duplicate_cancel_is_refused_as_pending() -> None:
    h = Harness(child_terms=GTC)
    resting(h)
    h.cancel("X1", "C1")
    again = h.cancel("X2", "C1")
    assert len(again) == 1 and isinstance(again[0], CancelReject)
    assert (again[0].reason, again[0].ord_status, again[0].cl_ord_id) == (ALREADY_PENDING, "6", "X2")


def test_replace_quantity_down_and_price() -> None:
    h = Harness(resting_requote_s=0.5)
    inv = Invariants(h)
    order_id = resting(h, tif="0")
    actions = h.replace("R1", "C1", qty="800000", price="1.0875")
    (replaced,) = [a for a in actions if isinstance(a, ParentReport)]
    assert (replaced.exec_type, replaced.cl_ord_id, replaced.orig_cl_ord_id) == ("5", "R1", "C1")
    assert (replaced.quantity, replaced.limit_price) == (D(800_000), D("1.0875"))
    assert (replaced.cum_qty, replaced.leaves_qty, replaced.ord_status) == (D(300_000), D(500_000), "1")
    h.run(1)                                  # the next round may take LP2/LP3 at 1.0870
    later = [a.child for a in h.of_type(SendChild)][1:]
    assert later and all(c.price <= D("1.0875") for c in later)
    assert h.router.book.orders[order_id].cum_qty == D(800_000)
    last = h.last("R1")
    assert (last.ord_status, last.cl_ord_id, last.quantity) == ("2", "R1", D(800_000))
    inv.check_end()


def test_replace_below_filled_plus_in_flight_is_refused() -> None:
    h = Harness(child_terms=GTC)
    resting(h)                                # 300k filled, 700k working at LP1
    actions = h.replace("R1", "C1", qty="900000")
    assert len(actions) == 1 and isinstance(actions[0], CancelReject)
    assert (actions[0].reason, actions[0].response_to) == (OTHER, "2")
    assert "1000000" in actions[0].text
    assert h.order("C1").quantity == D(1_000_000)


def test_replace_of_unknown_or_done_orders_is_refused() -> None:
    h = Harness()
    h.submit("F1")
    h.run(1)
    assert [a.reason for a in only(CancelReject, h.replace("R1", "F1", qty="1"))] == [TOO_LATE]
    assert [a.reason for a in only(CancelReject, h.replace("R2", "NOPE", qty="1"))] == [
        UNKNOWN_ORDER]


def test_replace_down_to_the_filled_quantity_stops_the_round_in_flight() -> None:
    h = Harness()
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.quote_default = QuoteReply(size=D(300_000), delay_s=0.2)
    h.submit("C1", price="1.0860", tif="1")
    h.run(0.25)                               # round 1: 900k filled; round 2 asking for 100k
    assert h.order("C1").cum_qty == D(900_000)
    h.replace("R1", "C1", qty="900000")
    assert h.last("R1").ord_status == "2"
    h.run(3)
    assert len(h.of_type(SendChild)) == 3
    inv.check_end()


def test_replace_of_an_ioc_order_during_its_rfq_caps_the_placement() -> None:
    h = Harness()
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.quote_default = QuoteReply(delay_s=0.2)
    h.submit("C1", price="1.0860")
    h.run(0.1)
    h.replace("R1", "C1", qty="400000")
    h.run(3)
    assert [a.child.quantity for a in h.of_type(SendChild)] == [D(400_000)]
    assert (h.last("R1").ord_status, h.last("R1").cum_qty) == ("2", D(400_000))
    inv.check_end()


def test_status_is_a_snapshot() -> None:
    h = Harness(child_terms=GTC)
    resting(h)
    order = h.order("C1")
    (by_id,) = only(ParentReport, h.status("", order.order_id))
    (by_cl,) = only(ParentReport, h.status("C1"))
    for snap in (by_id, by_cl):
        assert (snap.exec_type, snap.ord_status, snap.cum_qty, snap.leaves_qty, snap.avg_px) == (
            "I", "1", D(300_000), D(700_000), D("1.0850"))
    assert by_id.exec_id != by_cl.exec_id
    assert order.exec_seq == 2                # status answers use no order ExecID


def test_status_of_an_unknown_order() -> None:
    h = Harness()
    h.submit("C1")
    (answer,) = only(ParentReport, h.status("NOPE"))
    (other,) = only(ParentReport, h.status("C1", session="FIX.4.4:GW->OTHER"))
    for snap in (answer, other):
        assert (snap.exec_type, snap.ord_status, snap.order_id, snap.text) == (
            "I", "8", "NONE", "Unknown order")
    assert answer.cl_ord_id == "NOPE" and answer.session == SESSION


def test_cancel_while_a_resting_child_is_unknown_cancels_it_once_reconciled() -> None:
    h = Harness(child_terms=GTC)
    inv = Invariants(h)
    resting(h)                                # 300k filled, 700k working at LP1
    h.lp_down("LP1")
    actions = h.cancel("X1", "C1")
    assert [(a.exec_type, a.ord_status) for a in only(ParentReport, actions)] == [("6", "6")]
    h.lp_up("LP1")                            # status: still working at the LP
    h.run(1)
    assert [c.child.lp for c in h.of_type(CancelChild)] == ["LP1"]
    done = h.last("C1")
    assert (done.exec_type, done.ord_status, done.cum_qty) == ("4", "4", D(300_000))
    inv.check_end()


def test_replace_refusals_pending_cancel_and_duplicate_cl_ord_id() -> None:
    h = Harness(child_terms=GTC)
    resting(h)
    (dup,) = only(CancelReject, h.replace("C1", "C1", qty="900000"))
    assert (dup.reason, dup.text) == (DUPLICATE_CL_ORD_ID, "Duplicate ClOrdID C1")
    h.cancel("X1", "C1")
    (pending,) = only(CancelReject, h.replace("R1", "C1", price="1.0870"))
    assert (pending.reason, pending.response_to, pending.ord_status) == (ALREADY_PENDING, "2", "6")


def test_quotes_of_a_superseded_round_do_not_count_as_answers_to_the_new_one() -> None:
    h = Harness()
    for sim in h.sims.values():
        sim.quote_default = QuoteReply(offer=D("1.0870"), delay_s=0.2)
    h.submit("C1", price="1.0860", tif="1")
    h.run(0.1)
    h.replace("R1", "C1", price="1.0875")     # a new round; round 1's quotes come at +0.2
    h.run(0.25)
    (decided,) = h.router.book.rounds[h.order("R1").order_id]
    assert decided.started_at_s == pytest.approx(T0 + 0.1, abs=1e-6)
    assert [q[5] for q in decided.quotes] == [pytest.approx(T0 + 0.3, abs=1e-6)] * 3
    assert decided.at_s == pytest.approx(T0 + 0.3, abs=1e-6)
    assert [a.kind for a in h.alerts].count("quote_ignored") == 3
    requests = [r.quote_req_id for r in h.sims["LP1"].requests]
    assert len(requests) == len(set(requests)) == 2


def test_day_order_expires_at_the_end_of_the_trading_session() -> None:
    from routing.router import DAY_EXPIRED
    h = Harness(resting_requote_s=0.5)
    inv = Invariants(h)
    h.submit("DAY1", price="1.0000", tif="0", expire_at_s=h.now + 3)   # buys far below the market
    h.run(2)
    assert h.last("DAY1").ord_status == "0"          # resting, re-asking for quotes
    asked = sum(len(sim.requests) for sim in h.sims.values())
    assert asked >= 6
    h.run(2)
    last = h.last("DAY1")
    assert (last.exec_type, last.ord_status, last.text) == ("4", "4", DAY_EXPIRED)
    after = sum(len(sim.requests) for sim in h.sims.values())
    h.run(2)
    assert sum(len(sim.requests) for sim in h.sims.values()) == after   # no more quote rounds
    inv.check_end()
