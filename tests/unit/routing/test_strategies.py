"""Strategies on hand-picked inputs, including every seed defect SPEC §4.1 lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing.model import RouteRequest, Side
from routing.strategies import STRATEGIES, UnknownStrategyError, get_strategy
from tests.unit.routing.helpers import SYMBOL, T0, FakeClock, lp, lps, quote, request

D = Decimal
CLOCK = FakeClock()
TWO = lps(lp("lp-1"), lp("lp-2"))


def run(req: RouteRequest, quotes: list, infos: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
    return get_strategy(req.strategy)(req, quotes, TWO if infos is None else infos, CLOCK)


def test_best_buy_takes_lowest_offer() -> None:
    result = run(request("1000"), [quote("lp-1", "1.0860"), quote("lp-2", "1.0850")])
    assert [(d.lp, d.price, d.priority) for d in result.decisions] == [("lp-2", D("1.0850"), 1)]


def test_best_sell_takes_highest_bid() -> None:
    quotes = [quote("lp-1", "1.0860", side=Side.SELL), quote("lp-2", "1.0850", side=Side.SELL)]
    result = run(request("1000", side=Side.SELL), quotes)
    assert [d.lp for d in result.decisions] == ["lp-1"]


def test_best_sweeps_to_next_quote_until_covered() -> None:
    quotes = [quote("lp-1", "1.0860", "1000000"), quote("lp-2", "1.0850", "1000000")]
    result = run(request("1500000"), quotes)
    assert [(d.lp, d.quantity, d.priority) for d in result.decisions] == [
        ("lp-2", D(1000000), 1),
        ("lp-1", D(500000), 2),
    ]
    assert result.total_quantity == D(1500000)
    assert result.best_price == D("1.0850")
    assert result.average_price == (D("1.0850") * 1000000 + D("1.0860") * 500000) / 1500000


def test_limit_price_excludes_worse_quotes_for_buy_and_sell() -> None:
    buy = run(request("2000000", limit="1.0855"), [quote("lp-1", "1.0860"), quote("lp-2", "1.0850")])
    assert [d.lp for d in buy.decisions] == ["lp-2"]
    sells = [quote("lp-1", "1.0860", side=Side.SELL), quote("lp-2", "1.0850", side=Side.SELL)]
    sell = run(request("2000000", side=Side.SELL, limit="1.0855"), sells)
    assert [d.lp for d in sell.decisions] == ["lp-1"]


def test_quote_at_or_past_valid_until_is_never_used() -> None:
    quotes = [quote("lp-1", "1.0800", valid_until_s=T0), quote("lp-2", "1.0900")]
    result = run(request("1000"), quotes)
    assert [d.lp for d in result.decisions] == ["lp-2"]


def test_quotes_for_other_symbol_side_or_unknown_lp_are_ignored() -> None:
    quotes = [
        quote("lp-1", "1.0", symbol="GBP/USD"),
        quote("lp-1", "1.0", side=Side.SELL, quote_id="s"),
        quote("lp-9", "1.0"),
        quote("lp-2", "1.1"),
    ]
    assert [d.lp for d in run(request("1000"), quotes).decisions] == ["lp-2"]


def test_lp_not_listing_the_symbol_is_ignored() -> None:
    infos = lps(lp("lp-1", symbols=("GBP/USD",)), lp("lp-2"))
    result = run(request("1000"), [quote("lp-1", "1.0"), quote("lp-2", "1.1")], infos)
    assert [d.lp for d in result.decisions] == ["lp-2"]


def test_best_rounds_down_to_lot_and_skips_below_min_qty() -> None:
    infos = lps(lp("lp-1", lot="1000", min_qty="5000"), lp("lp-2", lot="100"))
    quotes = [quote("lp-1", "1.0", "4999999"), quote("lp-2", "1.1", "1000000")]
    result = run(request("5000750"), quotes, infos)
    assert [(d.lp, d.quantity) for d in result.decisions] == [
        ("lp-1", D(4999000)),
        ("lp-2", D(1700)),
    ]
    small = run(request("4999"), quotes, infos)  # lp-1 can take only 4000 < its MinQty
    assert [(d.lp, d.quantity) for d in small.decisions] == [("lp-2", D(4900))]


def test_split_seed_case_two_lps_of_500k_cover_1m() -> None:
    quotes = [quote("lp-1", "1.0850", "500000"), quote("lp-2", "1.0860", "500000")]
    result = run(request("1000000", strategy="split"), quotes)
    assert len(result.decisions) == 2
    assert result.total_quantity == D(1000000)


def test_split_gives_no_share_to_quotes_excluded_by_limit_or_expiry() -> None:
    quotes = [
        quote("lp-1", "1.0850", "600000"),
        quote("lp-2", "1.0900", "600000"),  # above the limit
        quote("lp-3", "1.0800", "600000", valid_until_s=T0 - 1),  # expired
    ]
    infos = lps(lp("lp-1"), lp("lp-2"), lp("lp-3"))
    result = run(request("900000", strategy="split", limit="1.0860"), quotes, infos)
    assert [(d.lp, d.quantity) for d in result.decisions] == [("lp-1", D(600000))]


def test_split_remainder_never_exceeds_a_quote_size() -> None:
    infos = lps(lp("lp-1", lot="1000"), lp("lp-2", lot="1000"), lp("lp-3", lot="1000"))
    quotes = [
        quote("lp-1", "1.0850", "334000"),
        quote("lp-2", "1.0860", "1000000"),
        quote("lp-3", "1.0870", "1000000"),
    ]
    result = run(request("1000000", strategy="split"), quotes, infos)
    by_lp = {d.lp: d.quantity for d in result.decisions}
    # shares 143,101.9 / 428,449.0 / 428,449.0 round down to 143,000 / 428,000 /
    # 428,000; the one lot left goes to the best-priced LP, which has room for it.
    assert by_lp == {"lp-1": D(144000), "lp-2": D(428000), "lp-3": D(428000)}
    assert result.total_quantity <= D(1000000)
    assert all(q <= (D(334000) if name == "lp-1" else D(1000000)) for name, q in by_lp.items())


def test_split_full_best_lp_remainder_goes_to_next_best_with_room() -> None:
    infos = lps(*(lp(f"lp-{i}", lot="1000") for i in (1, 2, 3)))
    quotes = [
        quote("lp-1", "1.0850", "1999"),  # one lot of room at most, taken by its share
        quote("lp-2", "1.0860", "4001"),
        quote("lp-3", "1.0870", "2000"),
    ]
    result = run(request("6000", strategy="split"), quotes, infos)
    # shares 1,499.25 / 3,000.75 / 1,500 -> 1,000 / 3,000 / 1,000; the lot left over
    # cannot go to lp-1 (its 1,999 hold no second lot), so lp-2 gets it.
    assert [(d.lp, d.quantity) for d in result.decisions] == [
        ("lp-1", D(1000)),
        ("lp-2", D(4000)),
        ("lp-3", D(1000)),
    ]


def test_split_three_equal_lps_rounds_to_lots_and_gives_remainder_to_best() -> None:
    infos = lps(*(lp(f"lp-{i}", lot="1000") for i in (1, 2, 3)))
    quotes = [quote("lp-1", "1.0860"), quote("lp-2", "1.0850"), quote("lp-3", "1.0870")]
    result = run(request("1000000", strategy="split"), quotes, infos)
    assert [(d.lp, d.quantity) for d in result.decisions] == [
        ("lp-2", D(334000)),
        ("lp-1", D(333000)),
        ("lp-3", D(333000)),
    ]


def test_split_share_below_min_qty_is_dropped_and_refilled_elsewhere() -> None:
    infos = lps(lp("lp-1"), lp("lp-2", min_qty="200000"))
    quotes = [quote("lp-1", "1.0850", "900000"), quote("lp-2", "1.0840", "100000")]
    # lp-2's 100,000 is below its MinQty: it cannot be used at all.
    result = run(request("500000", strategy="split"), quotes, infos)
    assert [(d.lp, d.quantity) for d in result.decisions] == [("lp-1", D(500000))]


def test_split_proportional_share_below_min_qty_is_not_sent() -> None:
    infos = lps(lp("lp-1"), lp("lp-2", min_qty="200000"))
    quotes = [quote("lp-1", "1.0850", "1000000"), quote("lp-2", "1.0860", "1000000")]
    # Equal shares of 150,000: lp-2's is below its MinQty, so lp-1 takes it all.
    result = run(request("300000", strategy="split"), quotes, infos)
    assert [(d.lp, d.quantity) for d in result.decisions] == [("lp-1", D(300000))]


def test_split_with_no_eligible_quote_divides_nothing() -> None:
    result = run(request("1000", strategy="split"), [quote("lp-1", "1.0", "0")])
    assert result.decisions == () and result.total_quantity == 0
    assert result.average_price is None and result.best_price is None


def test_sequential_routes_everything_to_first_preferred_lp_with_a_quote() -> None:
    quotes = [quote("lp-1", "1.0850"), quote("lp-2", "1.0900")]
    req = request("1000", strategy="sequential", preferred=("lp-3", "lp-2", "lp-1"))
    result = run(req, quotes, lps(lp("lp-1"), lp("lp-2"), lp("lp-3")))
    assert [(d.lp, d.quantity) for d in result.decisions] == [("lp-2", D(1000))]


def test_sequential_without_preference_takes_best_price_and_only_one_lp() -> None:
    quotes = [quote("lp-1", "1.0850", "600"), quote("lp-2", "1.0800", "600")]
    result = run(request("1000", strategy="sequential"), quotes)
    assert [(d.lp, d.quantity) for d in result.decisions] == [("lp-2", D(600))]


def test_sequential_skips_lp_whose_quote_is_below_its_min_qty() -> None:
    infos = lps(lp("lp-1", min_qty="5000"), lp("lp-2"))
    quotes = [quote("lp-1", "1.08", "4000"), quote("lp-2", "1.09", "4000")]
    result = run(request("4000", strategy="sequential", preferred=("lp-1", "lp-2")), quotes, infos)
    assert [d.lp for d in result.decisions] == ["lp-2"]


def test_manual_uses_only_the_named_lp_even_at_a_worse_price() -> None:
    quotes = [quote("lp-1", "1.0850"), quote("lp-2", "1.0900")]
    result = run(request("1000", strategy="manual", manual="lp-2"), quotes)
    assert [d.lp for d in result.decisions] == ["lp-2"]


def test_manual_without_a_quote_from_the_named_lp_has_no_fallback() -> None:
    result = run(request("1000", strategy="manual", manual="lp-2"), [quote("lp-1", "1.0850")])
    assert result.decisions == ()
    assert run(request("1000", strategy="manual"), [quote("lp-1", "1.0850")]).decisions == ()


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_zero_quantity_routes_nothing(name: str) -> None:
    result = run(request("0", strategy=name, manual="lp-1"), [quote("lp-1", "1.0")])
    assert result.decisions == () and result.strategy == name


def test_unknown_strategy_name_is_a_clear_error() -> None:
    with pytest.raises(UnknownStrategyError, match=r"Unknown routing strategy: 'fastest' \(known: best, manual, sequential, split\)"):
        get_strategy("fastest")


def test_routing_time_is_measured_with_the_clock_passed_in() -> None:
    ticks = iter([T0, T0 + 0.000_012])
    result = get_strategy("best")(request("1000"), [quote("lp-1", "1.0")], TWO, lambda: next(ticks))
    assert result.routing_time_s == pytest.approx(0.000_012, abs=1e-6)


def test_floats_are_refused_for_money() -> None:
    with pytest.raises(TypeError, match="quantity must be a Decimal"):
        RouteRequest(SYMBOL, Side.BUY, 1000.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="limit_price must be a Decimal"):
        RouteRequest(SYMBOL, Side.BUY, D(1), 1.08)  # type: ignore[arg-type]
