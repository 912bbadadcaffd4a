"""Properties every strategy keeps, on generated quotes, LPs and requests.

The eligibility oracle here is written independently of `routing.strategies`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.model import LPInfo, Quote, RouteRequest, RoutingResult, Side
from routing.strategies import STRATEGIES, get_strategy, route_best
from tests.unit.routing.helpers import SYMBOL, T0

D = Decimal
LOTS = (D(1), D(1000), D(10000))
NAMES = sorted(STRATEGIES)


@dataclass(frozen=True)
class Scenario:
    request: RouteRequest
    quotes: list[Quote]
    lps: dict[str, LPInfo]

    def run(self, name: str, quotes: list[Quote] | None = None) -> RoutingResult:
        req = replace(self.request, strategy=name)
        return get_strategy(name)(req, self.quotes if quotes is None else quotes, self.lps, lambda: T0)


def _price() -> st.SearchStrategy[Decimal]:
    return st.integers(10_800, 10_900).map(lambda v: D(v).scaleb(-4))


@st.composite
def scenarios(draw: st.DrawFn, uniform_lot: bool = False, unit_lots: bool = False) -> Scenario:
    """Random LPs, quotes and a request. `uniform_lot`: one lot for every LP, sizes and
    quantity multiples of it, MinQty 0 or one lot. `unit_lots`: lot 1, MinQty 0."""
    common_lot = D(1) if unit_lots else draw(st.sampled_from(LOTS))
    infos: dict[str, LPInfo] = {}
    for i in range(draw(st.integers(1, 5))):
        if unit_lots or uniform_lot:
            lot = common_lot
            min_qty = D(0) if unit_lots else draw(st.sampled_from((D(0), lot)))
        else:
            lot = draw(st.sampled_from(LOTS))
            min_qty = draw(st.sampled_from((D(0), lot, lot * 3, D(2500))))
        listed = draw(st.integers(0, 9)) > 0  # now and then an LP that does not list it
        name = f"lp-{i}"
        infos[name] = LPInfo(name, frozenset({SYMBOL} if listed else {"GBP/USD"}), lot, min_qty)
    side = draw(st.sampled_from(Side))
    step = common_lot if (uniform_lot or unit_lots) else D(1)
    size = st.integers(0, 300).map(lambda n: D(n) * 10_000) | st.integers(0, 3_000_000).map(D)
    if uniform_lot or unit_lots:
        size = st.integers(0, 3_000_000 // int(step)).map(lambda n: D(n) * step)
    quotes = []
    for j in range(draw(st.integers(0, 8))):
        quotes.append(
            Quote(
                draw(st.sampled_from([*infos, "lp-unknown"])),
                f"Q{j}",
                SYMBOL,
                side if draw(st.integers(0, 9)) else (Side.SELL if side is Side.BUY else Side.BUY),
                draw(_price()),
                draw(size),
                T0 + draw(st.sampled_from((-1.0, 0.0, 0.25, 10.0))),
            )
        )
    quantity = D(draw(st.integers(0, 5_000_000 // int(step)))) * step
    limit = draw(st.none() | _price())
    names = list(infos)
    preferred = tuple(draw(st.permutations(names))[: draw(st.integers(0, len(names)))])
    request = RouteRequest(SYMBOL, side, quantity, limit, "best", preferred, draw(st.sampled_from(names)))
    return Scenario(request, quotes, infos)


def usable(s: Scenario, q: Quote) -> bool:
    """Independent statement of which quotes a strategy may touch."""
    info, r = s.lps.get(q.lp), s.request
    if info is None or SYMBOL not in info.symbols or q.side != r.side or q.symbol != r.symbol:
        return False
    if q.valid_until_s <= T0 or q.price <= 0:
        return False
    if r.limit_price is not None:
        worse = q.price > r.limit_price if r.side is Side.BUY else q.price < r.limit_price
        if worse:
            return False
    capacity = (q.size // info.lot_size) * info.lot_size
    return capacity > 0 and capacity >= info.min_qty


def better(side: Side, a: Decimal, b: Decimal) -> bool:
    return a < b if side is Side.BUY else a > b


def allocations(result: RoutingResult) -> dict[str, Decimal]:
    return {d.quote_id: d.quantity for d in result.decisions}


@pytest.mark.parametrize("name", NAMES)
@given(s=scenarios())
def test_hard_constraints_hold_for_every_decision(name: str, s: Scenario) -> None:
    result = s.run(name)
    by_id = {q.quote_id: q for q in s.quotes}
    assert result.total_quantity == sum((d.quantity for d in result.decisions), D(0))
    assert result.total_quantity <= s.request.quantity  # never more than the order
    assert len({d.quote_id for d in result.decisions}) == len(result.decisions)
    assert [d.priority for d in result.decisions] == list(range(1, len(result.decisions) + 1))
    for d in result.decisions:
        q, info = by_id[d.quote_id], s.lps[d.lp]
        assert q.lp == d.lp and d.price == q.price
        assert usable(s, q)  # never expired, never worse than the limit, listed, right side
        assert 0 < d.quantity <= q.size  # never more than the quote's size
        assert d.quantity % info.lot_size == 0 and d.quantity >= info.min_qty


@pytest.mark.parametrize("name", NAMES)
@given(s=scenarios(), data=st.data())
def test_same_input_same_result_whatever_the_quote_order(name: str, s: Scenario, data: st.DataObject) -> None:
    first = s.run(name)
    assert s.run(name) == first
    assert s.run(name, data.draw(st.permutations(s.quotes))) == first


@given(s=scenarios(unit_lots=True))
def test_best_leaves_no_better_priced_capacity_unused_with_unit_lots(s: Scenario) -> None:
    result = s.run("best")
    used = allocations(result)
    for d in result.decisions:
        for q in filter(lambda q: usable(s, q) and better(s.request.side, q.price, d.price), s.quotes):
            assert used.get(q.quote_id) == q.size


@given(s=scenarios())
def test_best_no_lot_of_better_capacity_could_replace_worse_fills(s: Scenario) -> None:
    """With lots and minimums: moving worse-priced quantity onto an unused better
    quote never yields a placeable amount (a lot multiple reaching the LP's minimum)."""
    result = s.run("best")
    used = allocations(result)
    for q in filter(lambda q: usable(s, q), s.quotes):
        info, taken = s.lps[q.lp], used.get(q.quote_id, D(0))
        worse = sum((d.quantity for d in result.decisions if better(s.request.side, q.price, d.price)), D(0))
        extra = info.floor_lot(min(q.size - taken, worse))
        assert extra == 0 or taken + extra < info.min_qty


@given(s=scenarios(uniform_lot=True))
def test_split_is_proportional_to_quoted_size_within_one_lot(s: Scenario) -> None:
    result = s.run("split")
    used = allocations(result)
    eligible = [q for q in s.quotes if usable(s, q)]
    total_size = sum((q.size for q in eligible), D(0))
    fill = min(s.request.quantity, total_size)
    for q in eligible:
        share = q.size * fill / total_size
        assert abs(used.get(q.quote_id, D(0)) - share) <= s.lps[q.lp].lot_size
    assert result.total_quantity == fill


@given(s=scenarios())
def test_sequential_uses_one_lp_first_in_preference_then_price(s: Scenario) -> None:
    result = s.run("sequential")
    assert len(result.decisions) <= 1
    r = s.request

    def placeable(q: Quote) -> bool:
        if not usable(s, q):
            return False
        info = s.lps[q.lp]
        amount = info.floor_lot(min(r.quantity, q.size))
        return amount > 0 and amount >= info.min_qty

    def rank(q: Quote) -> int:
        return r.preferred_lps.index(q.lp) if q.lp in r.preferred_lps else len(r.preferred_lps)

    options = [q for q in s.quotes if placeable(q)]
    assert bool(result.decisions) == bool(options)
    if result.decisions:
        chosen = next(q for q in s.quotes if q.quote_id == result.decisions[0].quote_id)
        for q in options:
            assert rank(chosen) < rank(q) or (
                rank(chosen) == rank(q) and not better(r.side, q.price, chosen.price)
            )


@given(s=scenarios())
def test_manual_is_best_restricted_to_the_named_lp(s: Scenario) -> None:
    result = s.run("manual")
    named = [q for q in s.quotes if q.lp == s.request.manual_lp]
    assert all(d.lp == s.request.manual_lp for d in result.decisions)
    assert result.decisions == route_best(s.request, named, s.lps, lambda: T0).decisions
