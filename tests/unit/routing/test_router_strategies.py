"""Strategies end to end through the router: who is asked, where children go (SPEC §3, §4.1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing.actions import ParentReport, SendChild
from routing.model import NO_DECISIONS, NO_HEALTHY_LPS, NO_QUOTES, LPInfo
from tests.unit.routing.router_harness import SYMBOL, ChildReply, Harness, QuoteReply, only
from tests.unit.routing.router_invariants import Invariants

D = Decimal


def priced(h: Harness, offers: dict[str, str], bids: dict[str, str] | None = None,
           size: str | None = None) -> None:
    for lp, offer in offers.items():
        bid = (bids or {}).get(lp, "1.0800")
        h.sims[lp].quote_default = QuoteReply(bid=D(bid), offer=D(offer),
                                              size=None if size is None else D(size))


def placed(h: Harness) -> list[tuple[str, Decimal, Decimal]]:
    return [(a.child.lp, a.child.quantity, a.child.price) for a in h.of_type(SendChild)]


def test_best_buys_the_lowest_offer() -> None:
    h = Harness()
    inv = Invariants(h)
    priced(h, {"LP1": "1.0853", "LP2": "1.0851", "LP3": "1.0852"})
    h.submit("B1")
    h.run(1)
    assert placed(h) == [("LP2", D(1_000_000), D("1.0851"))]
    last = h.last("B1")
    assert (last.ord_status, last.avg_px, last.last_mkt) == ("2", D("1.0851"), "LP2")
    inv.check_end()


def test_best_sells_to_the_highest_bid_and_sweeps_by_size() -> None:
    h = Harness()
    inv = Invariants(h)
    priced(h, {"LP1": "1.09", "LP2": "1.09", "LP3": "1.09"},
           bids={"LP1": "1.0848", "LP2": "1.0847", "LP3": "1.0849"}, size="400000")
    h.submit("S1", side="2")
    h.run(1)
    assert placed(h) == [("LP3", D(400_000), D("1.0849")), ("LP1", D(400_000), D("1.0848")),
                         ("LP2", D(200_000), D("1.0847"))]
    assert h.last("S1").avg_px == (D(433_960) + D(433_920) + D(216_940)) / D(1_000_000)
    inv.check_end()


def test_split_is_proportional_to_quoted_size() -> None:
    h = Harness()
    inv = Invariants(h)
    for lp, size in (("LP1", "1000000"), ("LP2", "500000"), ("LP3", "500000")):
        h.sims[lp].quote_default = QuoteReply(size=D(size))
    h.submit("S1", strategy="split")
    h.run(1)
    assert sorted(placed(h)) == [("LP1", D(500_000), D("1.0851")), ("LP2", D(250_000), D("1.0851")),
                                 ("LP3", D(250_000), D("1.0851"))]
    assert h.last("S1").ord_status == "2"
    inv.check_end()


def test_sequential_asks_one_lp_at_a_time_and_falls_back() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP3"].quote_default = QuoteReply(kind="reject")
    h.sims["LP1"].quote_default = QuoteReply(kind="silent")
    h.submit("Q1", strategy="sequential", preferred=("LP3", "LP1", "LP2"))
    h.run(0.005)
    assert [len(s.requests) for s in h.sims.values()] == [0, 0, 1]   # LP3 only, at first
    h.run(0.1)
    assert [len(s.requests) for s in h.sims.values()] == [1, 0, 1]   # LP3 rejected: LP1 (silent)
    h.run(0.1)
    assert [len(s.requests) for s in h.sims.values()] == [1, 0, 1]
    h.run(1)
    assert [len(s.requests) for s in h.sims.values()] == [1, 1, 1]   # after the RFQ timeout, LP2
    assert placed(h) == [("LP2", D(1_000_000), D("1.0851"))]
    assert h.last("Q1").ord_status == "2"
    inv.check_end()


def test_sequential_falls_back_when_the_child_is_rejected() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].child_default = ChildReply(kind="reject")
    h.submit("Q1", strategy="sequential", preferred=("LP1", "LP2"))
    h.run(1)
    assert [c[0] for c in placed(h)] == ["LP1", "LP2"]
    assert h.last("Q1").ord_status == "2"
    inv.check_end()


def test_manual_asks_only_ex_destination() -> None:
    h = Harness()
    inv = Invariants(h)
    h.submit("M1", strategy="manual", manual="LP2")
    h.run(1)
    assert [len(s.requests) for s in h.sims.values()] == [0, 1, 0]
    assert placed(h) == [("LP2", D(1_000_000), D("1.0851"))]
    inv.check_end()


@pytest.mark.parametrize("failure", ["quote_reject", "child_reject"])
def test_manual_has_no_fallback(failure: str) -> None:
    h = Harness()
    inv = Invariants(h)
    if failure == "quote_reject":
        h.sims["LP2"].quote_default = QuoteReply(kind="reject")
    else:
        h.sims["LP2"].child_default = ChildReply(kind="reject")
    h.submit("M1", strategy="manual", manual="LP2")
    h.run(3)
    assert len(h.sims["LP1"].requests) == len(h.sims["LP3"].requests) == 0
    last = h.last("M1")
    assert (last.exec_type, last.ord_status, last.cum_qty) == ("4", "4", D(0))
    assert last.text == (NO_QUOTES if failure == "quote_reject" else NO_HEALTHY_LPS)
    inv.check_end()


def test_manual_lp_disconnected_is_rejected() -> None:
    h = Harness()
    h.lp_down("LP2")
    reports = only(ParentReport, h.submit("M1", strategy="manual", manual="LP2"))
    assert [(r.exec_type, r.text) for r in reports] == [("8", NO_HEALTHY_LPS)]


@pytest.mark.parametrize(("side", "limit", "expected", "never"), [
    ("1", "1.0852", ["LP2", "LP3"], "LP1"),     # buy: offers at or below 1.0852
    ("2", "1.0848", ["LP1", "LP2"], "LP3"),     # sell: bids at or above 1.0848
])
def test_limit_price_excludes_worse_quotes(side: str, limit: str, expected: list[str],
                                           never: str) -> None:
    h = Harness()
    inv = Invariants(h)
    priced(h, {"LP1": "1.0853", "LP2": "1.0851", "LP3": "1.0852"},
           bids={"LP1": "1.0849", "LP2": "1.0848", "LP3": "1.0847"}, size="400000")
    h.submit("L1", side=side, price=limit)
    h.run(0.015)
    assert [c[0] for c in placed(h)] == expected
    h.run(3)                             # the remainder goes to the best LP within the limit
    prices = [c[2] for c in placed(h)]
    assert all(p <= D(limit) for p in prices) if side == "1" else all(p >= D(limit) for p in prices)
    assert never not in {c[0] for c in placed(h)}
    assert (h.last("L1").ord_status, h.last("L1").cum_qty) == ("2", D(1_000_000))
    inv.check_end()


def test_limit_price_leaves_the_rest_unfilled_when_the_market_moves() -> None:
    h = Harness()
    inv = Invariants(h)
    priced(h, {"LP1": "1.0853", "LP2": "1.0851", "LP3": "1.0852"}, size="400000")
    h.sims["LP2"].quote_script = [QuoteReply(offer=D("1.0851"), size=D(400_000))]
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0855"), size=D(400_000))
    h.sims["LP3"].quote_script = [QuoteReply(offer=D("1.0852"), size=D(400_000))]
    h.sims["LP3"].quote_default = QuoteReply(offer=D("1.0855"), size=D(400_000))
    h.submit("L1", price="1.0852")
    h.run(3)
    last = h.last("L1")
    assert (last.ord_status, last.cum_qty, last.text) == ("4", D(800_000), NO_DECISIONS)
    assert last.avg_px == D("1.08515")
    inv.check_end()


def test_quote_expired_on_arrival_is_never_used() -> None:
    h = Harness()
    inv = Invariants(h)
    priced(h, {"LP1": "1.0840", "LP2": "1.0851", "LP3": "1.0852"})
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0840"), ttl_s=-0.001)
    h.submit("E1")
    h.run(1)
    assert placed(h) == [("LP2", D(1_000_000), D("1.0851"))]
    inv.check_end()


def test_quote_expiring_before_the_decision_is_not_used() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0840"), ttl_s=0.05, delay_s=0.01)
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0851"), delay_s=0.2)
    h.sims["LP3"].quote_default = QuoteReply(kind="silent")
    h.submit("E1")
    h.run(0.22)
    assert placed(h) == []               # LP3 still awaited
    h.run(1)
    assert placed(h) == [("LP2", D(1_000_000), D("1.0851"))]
    rounds = h.router.book.rounds[h.order("E1").order_id]
    assert [q[0] for q in rounds[0].quotes] == ["LP2"]
    inv.check_end()


def test_quote_without_valid_until_lives_default_ttl() -> None:
    h = Harness(default_quote_ttl_s=0.1)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0840"), ttl_s=None, delay_s=0.01)
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0851"), ttl_s=None, delay_s=0.2)
    h.sims["LP3"].quote_default = QuoteReply(kind="silent")
    h.submit("E1")
    h.run(1)
    assert placed(h)[0][0] == "LP2"


def test_fok_goes_to_one_lp_that_can_fill_it_all() -> None:
    h = Harness()
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0849"), size=D(600_000))
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0852"), size=D(1_000_000))
    h.sims["LP3"].quote_default = QuoteReply(offer=D("1.0853"), size=D(2_000_000))
    h.submit("F1", tif="4")
    h.run(1)
    assert placed(h) == [("LP2", D(1_000_000), D("1.0852"))]
    assert h.of_type(SendChild)[0].child.time_in_force == "4"
    inv.check_end()


@pytest.mark.parametrize("strategy", ["best", "split"])
def test_fok_never_splits(strategy: str) -> None:
    h = Harness()
    inv = Invariants(h)
    for lp in h.sims:
        h.sims[lp].quote_default = QuoteReply(size=D(2_000_000))
    h.submit("F1", tif="4", strategy=strategy)
    h.run(1)
    assert [(lp, qty) for lp, qty, _ in placed(h)] == [("LP1", D(1_000_000))]
    inv.check_end()


def test_fok_lot_rounding_never_sends_part_of_the_order() -> None:
    infos = [LPInfo("LP1", frozenset({SYMBOL}), lot_size=D(1_000_000)),
             LPInfo("LP2", frozenset({SYMBOL}), lot_size=D(1))]
    h = Harness(infos)
    inv = Invariants(h)
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0849"), size=D(2_000_000))
    h.sims["LP2"].quote_default = QuoteReply(offer=D("1.0852"), size=D(600_000))
    h.submit("F1", qty="1500000", tif="4")
    h.run(3)
    assert placed(h) == []
    last = h.last("F1")
    assert (last.ord_status, last.cum_qty) == ("4", D(0))
    inv.check_end()


def test_fok_without_a_big_enough_quote_is_canceled() -> None:
    h = Harness()
    inv = Invariants(h)
    for lp in h.sims:
        h.sims[lp].quote_default = QuoteReply(size=D(900_000))
    h.submit("F1", tif="4")
    h.run(3)
    assert placed(h) == []
    last = h.last("F1")
    assert (last.exec_type, last.ord_status, last.cum_qty) == ("4", "4", D(0))
    assert last.text == NO_DECISIONS     # quotes came, none can take it all
    inv.check_end()


@pytest.mark.parametrize(("reply", "text"), [
    (QuoteReply(kind="reject"), NO_QUOTES),
    (QuoteReply(kind="silent"), NO_QUOTES),
    (QuoteReply(offer=D("1.0900")), NO_DECISIONS),      # above the limit
])
def test_sequential_having_tried_every_lp_names_the_cause(reply: QuoteReply, text: str) -> None:
    h = Harness()
    inv = Invariants(h)
    for sim in h.sims.values():
        sim.quote_default = reply
    h.submit("Q1", price="1.0860", strategy="sequential")
    h.run(3)
    assert [len(s.requests) for s in h.sims.values()] == [1, 1, 1]
    last = h.last("Q1")
    assert (last.exec_type, last.ord_status, last.text) == ("4", "4", text)
    inv.check_end()


def test_sequential_skips_an_lp_whose_breaker_is_open() -> None:
    h = Harness()
    h.open_breakers = {"LP3"}
    h.submit("Q1", strategy="sequential", preferred=("LP3", "LP2"))
    h.run(1)
    assert [len(s.requests) for s in h.sims.values()] == [0, 1, 0]
    assert h.last("Q1").ord_status == "2"
