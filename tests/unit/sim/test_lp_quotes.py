"""The simulated LP's answers to QuoteRequest: prices, spread, skew, sizes, validity, rejects."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.fix.message import Group
from gateway.fix.timefmt import utc_timestamp
from gateway.sim import LPBehaviour, LPLogic, SpreadUnit
from tests.fixtures.lp_messages import quote_request
from tests.unit.sim.support import MS, NOW_NS, handled, lp, quote


def test_two_sided_quote_straddles_the_mid_by_half_the_spread() -> None:
    quoted = quote(lp())
    assert (quoted[132], quoted[133]) == ("1.08495", "1.08505")
    assert (quoted[134], quoted[135]) == ("1000000", "1000000")
    assert quoted[131] == "RQ"
    assert quoted[55] == "EUR/USD"


def test_jpy_pair_uses_a_pip_of_0_01_and_three_decimals() -> None:
    quoted = quote(lp(spread=Decimal(2)), symbol="USD/JPY")
    assert (quoted[132], quoted[133]) == ("151.190", "151.210")


def test_spread_in_basis_points_of_the_mid() -> None:
    quoted = quote(lp(spread=Decimal(2), spread_unit=SpreadUnit.BPS,
                      mids={"EUR/USD": Decimal("1.0000")}))
    assert (quoted[132], quoted[133]) == ("0.99990", "1.00010")


def test_rounding_never_narrows_the_spread() -> None:
    quoted = quote(lp(spread=Decimal("0.15")))  # 0.15 pip = 0.000015: bid down, offer up
    assert (quoted[132], quoted[133]) == ("1.08499", "1.08501")


def test_skew_moves_both_sides_so_lps_quote_different_prices() -> None:
    plain, skewed = quote(lp()), quote(lp(skew=Decimal("-0.5")))
    assert Decimal(skewed[132]) == Decimal(plain[132]) - Decimal("0.00005")
    assert Decimal(skewed[133]) == Decimal(plain[133]) - Decimal("0.00005")


def test_configured_quote_size_is_quoted_whatever_the_request() -> None:
    quoted = quote(lp(quote_size=Decimal(250000)), quantity="1000000")
    assert (quoted[134], quoted[135]) == ("250000", "250000")


def test_size_defaults_to_one_million_when_the_request_names_none() -> None:
    quoted = quote(lp(), quantity=None)
    assert quoted[135] == "1000000"
    assert 38 not in quoted


@pytest.mark.parametrize(("side", "present", "absent"), [("1", 133, 132), ("2", 132, 133)])
def test_one_sided_quote_has_only_the_side_the_client_needs(side: str, present: int,
                                                            absent: int) -> None:
    quoted = quote(lp(two_sided=False), side=side)
    assert present in quoted
    assert absent not in quoted


def test_one_sided_lp_quotes_both_sides_when_the_request_names_no_side() -> None:
    quoted = quote(lp(two_sided=False), side=None)
    assert 132 in quoted and 133 in quoted


def test_valid_until_time_is_now_plus_validity() -> None:
    quoted = quote(lp(quote_valid_ms=250))
    assert quoted[62] == utc_timestamp(NOW_NS + 250 * MS)
    assert quoted[60] == utc_timestamp(NOW_NS)


def test_no_valid_until_time_when_validity_is_none() -> None:
    assert 62 not in quote(lp(quote_valid_ms=None))


def test_quote_ids_are_unique_and_name_the_lp() -> None:
    logic = lp()
    ids = [quote(logic)[117] for _ in range(5)]
    assert len(set(ids)) == 5
    assert all(i.startswith("LP1-Q") for i in ids)


def test_one_quote_per_requested_instrument() -> None:
    request = quote_request("RQ")
    request.set(146, Group([[(55, "EUR/USD"), (54, "1")], [(55, "GBP/USD"), (54, "2")]]))
    reaction = handled(lp(), request)
    assert [(m.msg_type, m[55]) for m in reaction.messages] == [("S", "EUR/USD"), ("S", "GBP/USD")]


def test_unknown_symbol_gets_quote_request_reject_658_1_echoing_the_group() -> None:
    reaction = handled(lp(), quote_request("RQ9", "XAU/USD", "2", "5"))
    (reject,) = reaction.messages
    assert reject.msg_type == "AG"
    assert (reject[131], reject[658]) == ("RQ9", "1")
    group = reject.group(146)
    assert group is not None and group.entries == [[(55, "XAU/USD"), (54, "2"), (38, "5")]]


def test_reject_rate_one_rejects_every_request_with_the_configured_reason() -> None:
    logic = lp(quote_reject_rate=1.0, quote_reject_reason=3)
    reactions = [handled(logic, quote_request(f"R{i}")) for i in range(10)]
    assert {(r.messages[0].msg_type, r.messages[0][658]) for r in reactions} == {("AG", "3")}
    assert (logic.counters.quote_rejects, logic.counters.quotes_sent) == (10, 0)


def _reject_pattern(seed: int, rate: float = 0.5, count: int = 200) -> list[bool]:
    logic = LPLogic(LPBehaviour(quote_reject_rate=rate, seed=seed))
    return [handled(logic, quote_request(f"R{i}")).messages[0].msg_type == "AG"
            for i in range(count)]


def test_reject_rate_is_deterministic_under_a_seed_and_roughly_the_rate() -> None:
    first = _reject_pattern(seed=7)
    assert first == _reject_pattern(seed=7)
    assert first != _reject_pattern(seed=8)
    assert 60 <= sum(first) <= 140


def test_zero_reject_rate_never_rejects() -> None:
    assert not any(_reject_pattern(seed=1, rate=0.0))


def test_quote_reaction_carries_the_response_delay() -> None:
    assert handled(lp(response_delay_ms=40), quote_request("RQ")).delay_ms == 40


def test_counters_count_requests_and_quotes() -> None:
    logic = lp()
    quote(logic)
    handled(logic, quote_request("RQ2", "XAU/USD"))
    counters = logic.counters
    assert (counters.quote_requests, counters.quotes_sent, counters.quote_rejects) == (2, 1, 1)


def test_unhandled_message_type_returns_none() -> None:
    from gateway.fix.message import Message

    assert lp().handle(Message("G", [(11, "X")]), NOW_NS) is None


@pytest.mark.parametrize("bad", [
    {"fill_ratio": Decimal("1.5")}, {"quote_reject_rate": 2.0}, {"fills_per_order": 0},
    {"spread": Decimal(-1)}, {"mids": {"EUR/USD": Decimal(0)}}, {"disconnect_after_orders": 0},
    {"response_delay_ms": -1}, {"quote_size": Decimal(-5)},
])
def test_inconsistent_behaviour_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LPBehaviour(**bad)  # type: ignore[arg-type]


def test_behaviour_money_must_be_decimal() -> None:
    with pytest.raises(TypeError):
        LPBehaviour(spread=1.5)  # type: ignore[arg-type]
