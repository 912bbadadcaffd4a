"""Orders refused before acknowledgement (150=8) and ended after it (150=4) (SPEC §4.2)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from routing import amend
from routing.actions import Action, Admit, CancelReject, ParentReport, SendQuoteRequest
from routing.amend import OTHER
from routing.inbound import NewOrder, ReplaceOrder
from routing.model import NO_DECISIONS, NO_HEALTHY_LPS, NO_QUOTES, LPInfo
from routing.risk import RiskLimits
from tests.unit.routing.router_harness import (
    SESSION,
    SYMBOL,
    ChildReply,
    Harness,
    QuoteReply,
    only,
)
from tests.unit.routing.router_invariants import Invariants

D = Decimal


def refused(h: Harness, actions: Sequence[object], needle: str, reason: int) -> ParentReport:
    """Exactly one 150=8/39=8 report naming the cause, and nothing asked of anyone."""
    assert len(actions) == 1, actions
    report = actions[0]
    assert isinstance(report, ParentReport)
    assert (report.exec_type, report.ord_status) == ("8", "8")
    assert report.ord_rej_reason == reason
    assert needle in report.text, report.text
    assert report.cum_qty == report.leaves_qty == 0
    assert not h.of_type(Admit) and not h.router.book.orders
    return report


@pytest.mark.parametrize(("kwargs", "needle", "reason"), [
    ({"symbol": None}, "Symbol(55)", 99),
    ({"symbol": ""}, "Symbol(55)", 99),
    ({"qty": None}, "OrderQty(38)", 13),
    ({"qty": "0"}, "greater than zero", 13),
    ({"qty": "-5"}, "greater than zero", 13),
    ({"symbol": "XAU/JPY"}, "Unknown symbol XAU/JPY", 1),
    ({"ord_type": "2"}, "Price(44)", 99),
    ({"ord_type": "2", "price": "0"}, "Price(44)", 99),
    ({"ord_type": "3"}, "OrdType(40) 3", 11),
    ({"tif": "6"}, "TimeInForce(59) 6", 11),
    ({"tif": "0"}, "cannot rest", 11),
    ({"side": "5"}, "Side(54) 5", 11),
    ({"strategy": "fastest"}, "RoutingStrategy(9601) fastest", 11),
    ({"strategy": "manual"}, "ExDestination(100)", 99),
    ({"strategy": "manual", "manual": "LP9"}, "ExDestination(100)", 99),
])
def test_business_fields_are_refused_before_new(kwargs: dict[str, object], needle: str,
                                                reason: int) -> None:
    h = Harness()
    actions = h.submit("C1", **kwargs)  # type: ignore[arg-type]
    report = refused(h, actions, needle, reason)
    assert report.cl_ord_id == "C1" and report.session == SESSION


def test_duplicate_cl_ord_id_is_refused_also_after_a_reject() -> None:
    h = Harness()
    h.submit("C1")
    dup = only(ParentReport, h.submit("C1"))
    assert [(r.exec_type, r.ord_status, r.ord_rej_reason) for r in dup] == [("8", "8", 6)]
    assert "Duplicate ClOrdID C1" in dup[0].text
    h.submit("C2", qty="0")
    again = only(ParentReport, h.submit("C2"))
    assert len(again) == 1
    assert again[0].ord_rej_reason == 6 and "Duplicate" in again[0].text
    assert len(h.router.book.orders) == 1
    # Duplicates are per session: another client may use the same ClOrdID.
    other = only(ParentReport, h.submit("C1", session="FIX.4.4:GW->C2"))
    assert other[0].exec_type == "0"


def limits(**kwargs: object) -> dict[str, RiskLimits]:
    return {SESSION: RiskLimits(**kwargs)}  # type: ignore[arg-type]


def test_max_order_qty() -> None:
    h = Harness(risk=limits(max_order_qty=D(1_000_000)))
    refused(h, h.submit("BIG", qty="1000001"), "OrderQty 1000001 exceeds MaxOrderQty 1000000", 3)
    assert only(ParentReport, h.submit("OK", qty="1000000"))[0].exec_type == "0"


def test_max_order_notional_uses_limit_price_then_the_last_mid() -> None:
    h = Harness(risk=limits(max_order_notional=D(1_100_000)))
    refused(h, h.submit("L", qty="1000000", price="1.2"), "exceeds MaxOrderNotional", 3)
    h = Harness(risk=limits(max_order_notional=D(1_100_000)))
    h.submit("M1", qty="1000000")        # market, no reference yet: allowed
    h.run(1)                             # quotes seen: mid 1.0850
    actions = h.submit("M2", qty="1020000")
    assert isinstance(actions[0], ParentReport) and actions[0].exec_type == "8"
    assert "Notional 1106700" in actions[0].text


def test_price_collar_against_the_last_quoted_mid() -> None:
    h = Harness(risk=limits(price_collar_pct=D(1)))
    assert only(ParentReport, h.submit("C0", price="2.5"))[0].exec_type == "0"  # no mid yet
    h.run(1)
    h.submit("IN", price="1.0950")       # 0.92% from 1.0850
    assert h.last("IN").exec_type != "8"
    before = len(h.router.book.orders)
    actions = h.submit("OUT", price="1.0960")
    assert isinstance(actions[0], ParentReport) and actions[0].ord_rej_reason == 3
    assert "outside PriceCollarPct 1" in actions[0].text and "1.0850" in actions[0].text
    assert len(h.router.book.orders) == before


def test_max_orders_per_second_counts_only_accepted_orders() -> None:
    h = Harness(risk=limits(max_orders_per_second=2))
    h.submit("A")
    h.submit("BAD", qty="0")             # refused for its own reason: does not count
    h.submit("B")
    actions = h.submit("C")
    assert isinstance(actions[0], ParentReport) and actions[0].ord_rej_reason == 3
    assert "MaxOrdersPerSecond 2" in actions[0].text
    h.run(1.0)
    assert only(ParentReport, h.submit("D"))[0].exec_type == "0"


# -- after ExecutionReport New: a routing failure cancels ---------------------------------

def canceled_with(h: Harness, cl_ord_id: str, text: str) -> None:
    reports = h.reports_for(cl_ord_id)
    assert [(r.exec_type, r.ord_status) for r in reports] == [("0", "0"), ("4", "4")], reports
    assert reports[-1].text == text
    assert reports[-1].cum_qty == 0 and reports[-1].leaves_qty == 0


def refused_no_healthy_lps(h: Harness, actions: list[Action]) -> None:
    """SPEC §4.2: healthy LPs are checked before the New, so the answer is 150=8/39=8."""
    reports = only(ParentReport, actions)
    assert [(r.exec_type, r.ord_status) for r in reports] == [("8", "8")], reports
    assert reports[0].text == NO_HEALTHY_LPS and reports[0].cl_ord_id == "C1"
    assert not h.router.book.orders and not h.of_type(SendQuoteRequest)


def test_no_lp_connected_rejects_with_no_healthy_lps() -> None:
    h = Harness(connect=False)
    Invariants(h)
    refused_no_healthy_lps(h, h.submit("C1"))
    assert not h.of_type(Admit)


def test_no_connected_lp_lists_the_symbol() -> None:
    h = Harness([LPInfo("LP1", frozenset({SYMBOL})), LPInfo("LP2", frozenset({"GBP/USD"}))],
                connect=False)
    h.lp_up("LP2")
    refused_no_healthy_lps(h, h.submit("C1"))


def test_all_breakers_open_rejects_with_no_healthy_lps() -> None:
    h = Harness()
    Invariants(h)
    h.open_breakers = set(h.sims)
    actions = h.submit("C1")
    assert h.admits
    refused_no_healthy_lps(h, actions)


def test_breakers_opening_after_the_new_cancel_the_remainder() -> None:
    h = Harness()
    Invariants(h)
    for sim in h.sims.values():
        sim.child_default = ChildReply(kind="reject")
    h.submit("C1", qty="300000")
    h.run(3)
    reports = h.reports_for("C1")
    assert reports[0].exec_type == "0" and reports[-1].exec_type == "4"
    assert reports[-1].text == NO_HEALTHY_LPS


@pytest.mark.parametrize("kinds", [("reject", "reject", "reject"), ("silent", "silent", "silent"),
                                   ("reject", "silent", "reject")])
def test_all_quotes_failing_cancels_with_no_quotes(kinds: tuple[str, ...]) -> None:
    h = Harness()
    Invariants(h)
    for sim, kind in zip(h.sims.values(), kinds, strict=True):
        sim.quote_default = QuoteReply(kind=kind)
    h.submit("C1")
    h.run(5)
    canceled_with(h, "C1", NO_QUOTES)
    assert all(len(sim.requests) == 1 for sim in h.sims.values())


def test_limit_excluding_every_quote_cancels_with_no_valid_decisions() -> None:
    h = Harness()
    Invariants(h)
    h.submit("C1", price="1.0800")       # buy below every offer
    h.run(5)
    canceled_with(h, "C1", NO_DECISIONS)
    assert not any(sim.children for sim in h.sims.values())


def test_quote_below_lot_and_min_qty_cancels_with_no_valid_decisions() -> None:
    infos = [LPInfo("LP1", frozenset({SYMBOL}), lot_size=D(100_000)),
             LPInfo("LP2", frozenset({SYMBOL}), min_qty=D(500_000))]
    h = Harness(infos)
    Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(size=D(50_000))
    h.sims["LP2"].quote_default = QuoteReply(size=D(400_000))
    h.submit("C1")
    h.run(5)
    canceled_with(h, "C1", NO_DECISIONS)


def test_one_report_new_then_fills_on_the_happy_path() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].child_default = ChildReply(ack=False)
    h.submit("C1", qty="3000000")
    h.run(1)
    reports = h.reports_for("C1")
    assert reports[0].exec_type == "0" and reports[-1].ord_status == "2"
    assert reports[-1].cum_qty == D(3_000_000) and reports[-1].avg_px == D("1.0851")
    inv.check_end()


def test_poss_resend_of_a_known_order_answers_its_status() -> None:
    h = Harness()
    h.submit("C1")
    h.run(1)
    resent = NewOrder(SESSION, "C1", SYMBOL, "1", D(1_000_000), "1", None, "3", "best", (), None,
                      poss_resend=True)
    (status,) = only(ParentReport, h.feed(h.router.submit(resent, h.now)))
    assert (status.exec_type, status.ord_status, status.cum_qty) == ("I", "2", D(1_000_000))
    assert len(h.router.book.orders) == 1 and not h.refusals


def test_replace_with_a_bad_symbol_is_refused() -> None:
    h = Harness()
    h.submit("C1", price="1.0800", tif="0")
    h.run(1)
    replaced = h.feed(amend.replace(h.router, ReplaceOrder(SESSION, "R1", "C1", "GBP/USD", "1",
                                                           None, D("1.0810")), h.now))
    assert [(a.reason, a.text) for a in only(CancelReject, replaced)] == [
        (OTHER, "Symbol and Side cannot be changed")]
