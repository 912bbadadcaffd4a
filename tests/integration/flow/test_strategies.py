"""Routing strategies end to end: a QuickFIX client, the gateway process, four QuickFIX LPs.

One setup serves the module (every LP is well behaved, so no test moves a breaker):
LP1 has the best prices and 2M, LP2 the middle and 3M, LP3 the worst and 5M and
answers quotes 150 ms late; LP4 quotes GBP/USD only, far better than the others,
but its quotes live 50 ms. Each test checks where the gateway routed (LastMkt,
quantities, prices, and which LPs it asked, from its own session logs).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.fixtures.qf_client import Received
from tests.integration.flow.conftest import module_world
from tests.integration.flow.reports import (
    Fill,
    exec_types,
    filled_by_lp,
    fills,
    last,
    order_id,
    quoted,
    vwap,
)
from tests.integration.flow.world import LP, World

# Its tests share module-scoped setups: keep them on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("flow-strategies")

BUY, SELL = "1", "2"
M = Decimal(1_000_000)
ZERO = Decimal(0)
BEHAVIOURS: dict[str, dict[str, Any]] = {
    "LP1": {"skew": Decimal("-0.2"), "quote_size": 2 * M, "seed": 1},
    "LP2": {"skew": Decimal("0"), "quote_size": 3 * M, "seed": 2},
    "LP3": {"skew": Decimal("0.2"), "quote_size": 5 * M, "seed": 3,
            "response_delay_ms": 150, "order_delay_ms": 0},
    "LP4": {"mids": {"GBP/USD": Decimal("1.2690")}, "quote_size": 5 * M,
            "quote_valid_ms": 50, "seed": 4},
}
SYMBOLS = {"LP4": ("GBP/USD",)}


def px(lp: str, symbol: str, side: str) -> Decimal:
    return quoted(BEHAVIOURS[lp], symbol, side)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    lps = [LP.make(name, SYMBOLS.get(name, ("EUR/USD", "GBP/USD", "USD/JPY")), **behaviour)
           for name, behaviour in BEHAVIOURS.items()]
    yield from module_world(tmp_path_factory, "strategies", lps,
                            client={"RoutingStrategy": "best", "PreferredLPs": "LP2,LP1,LP3"})


def asked(world: World, reports: list[Received], lps: tuple[str, ...] = ("LP1", "LP2", "LP3", "LP4")) -> set[str]:
    """The LPs the gateway sent a QuoteRequest for this order."""
    oid = order_id(reports)
    return {lp for lp in lps if world.gateway.sent_to(lp, "R", oid)}


def routed(world: World, reports: list[Received], lps: tuple[str, ...] = ("LP1", "LP2", "LP3", "LP4")) -> set[str]:
    """The LPs the gateway sent a child order for this order."""
    oid = order_id(reports)
    return {lp for lp in lps if world.gateway.sent_to(lp, "D", oid)}


def test_best_is_the_session_default_and_sweeps_the_lowest_offers(world: World) -> None:
    reports = world.final(world.order("EUR/USD", BUY, 4 * M))
    assert exec_types(reports)[0] == ("0", "0")
    assert exec_types(reports)[-1] == ("F", "2")
    assert sorted(fills(reports)) == [Fill("LP1", 2 * M, px("LP1", "EUR/USD", BUY)),
                                      Fill("LP2", 2 * M, px("LP2", "EUR/USD", BUY))]
    assert last(reports).decimal(6) == vwap(fills(reports)) == Decimal("1.08504")
    assert routed(world, reports) == {"LP1", "LP2"}
    assert asked(world, reports) == {"LP1", "LP2", "LP3"}   # LP4 does not list EUR/USD


def test_best_sells_to_the_highest_bid(world: World) -> None:
    reports = world.final(world.order("EUR/USD", SELL, M, strategy="best"))
    assert fills(reports) == [Fill("LP3", M, px("LP3", "EUR/USD", SELL))]
    assert px("LP3", "EUR/USD", SELL) > px("LP2", "EUR/USD", SELL) > px("LP1", "EUR/USD", SELL)
    assert last(reports)[39] == "2"


def test_split_shares_in_proportion_to_quoted_size(world: World) -> None:
    reports = world.final(world.order("EUR/USD", SELL, 6 * M, strategy="split"))
    assert filled_by_lp(reports) == {"LP1": Decimal(1_200_000), "LP2": Decimal(1_800_000),
                                     "LP3": Decimal(3_000_000)}
    assert {f.lp: f.price for f in fills(reports)} == {
        lp: px(lp, "EUR/USD", SELL) for lp in ("LP1", "LP2", "LP3")}
    final = last(reports)
    assert (final[39], final.decimal(14), final.decimal(151)) == ("2", 6 * M, ZERO)
    assert final.decimal(6) == vwap(fills(reports)).quantize(Decimal("1e-10"))


def test_sequential_asks_the_preferred_lp_alone_whatever_its_price(world: World) -> None:
    reports = world.final(world.order("EUR/USD", BUY, 500_000, strategy="sequential",
                                      preferred="LP3,LP2"))
    assert fills(reports) == [Fill("LP3", Decimal(500_000), px("LP3", "EUR/USD", BUY))]
    assert px("LP3", "EUR/USD", BUY) > px("LP1", "EUR/USD", BUY)   # not chosen for its price
    assert asked(world, reports) == {"LP3"}


def test_sequential_without_tag_9602_uses_the_session_preference(world: World) -> None:
    reports = world.final(world.order("USD/JPY", SELL, M, strategy="sequential"))
    assert fills(reports) == [Fill("LP2", M, px("LP2", "USD/JPY", SELL))]
    assert asked(world, reports) == {"LP2"}


def test_manual_routes_to_exdestination_only(world: World) -> None:
    reports = world.final(world.order("EUR/USD", BUY, M, ex_destination="LP2"))
    assert fills(reports) == [Fill("LP2", M, px("LP2", "EUR/USD", BUY))]
    assert asked(world, reports) == routed(world, reports) == {"LP2"}


def test_limit_price_excludes_worse_quotes(world: World) -> None:
    limit = Decimal("1.08504")   # LP1's offer is inside; LP2's and LP3's are not
    assert px("LP1", "EUR/USD", BUY) <= limit < px("LP2", "EUR/USD", BUY)
    reports = world.final(world.order("EUR/USD", BUY, 3 * M, price=limit))
    assert all(f.lp == "LP1" and f.price <= limit for f in fills(reports)), fills(reports)
    # LP1 quotes 2M at a time: the rest is re-routed to LP1's next quote, never to LP2.
    assert filled_by_lp(reports) == {"LP1": 3 * M}
    assert routed(world, reports) == {"LP1"}
    assert last(reports)[39] == "2"


def test_limit_price_beyond_every_quote_cancels_with_nothing_filled(world: World) -> None:
    limit = Decimal("1.08500")
    reports = world.final(world.order("EUR/USD", BUY, M, price=limit))
    assert exec_types(reports) == [("0", "0"), ("4", "4")]
    final = last(reports)
    assert (final.decimal(14), final.decimal(151), final[58]) == (ZERO, ZERO, "No valid routing decisions")
    assert routed(world, reports) == set()


def test_expired_quote_is_not_used(world: World) -> None:
    # LP4's GBP/USD offer beats everyone's, but it lapses 50 ms after it is sent, while
    # the RFQ waits for LP3's answer (150 ms): the order must go to the best live quote.
    assert px("LP4", "GBP/USD", BUY) < px("LP1", "GBP/USD", BUY)
    reports = world.final(world.order("GBP/USD", BUY, M))
    assert fills(reports) == [Fill("LP1", M, px("LP1", "GBP/USD", BUY))]
    oid = order_id(reports)
    assert world.gateway.received_from("LP4", "S", oid), "LP4 never quoted: the test proves nothing"
    assert routed(world, reports) == {"LP1"}
