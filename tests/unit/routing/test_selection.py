"""Who is asked per strategy, and the refusals with the seed's texts."""

from __future__ import annotations

import pytest

from routing.model import NO_DECISIONS, NO_HEALTHY_LPS, NO_QUOTES, Refusal, RoutingResult
from routing.selection import CandidatePlan, candidates, decide, require_admitted
from routing.strategies import UnknownStrategyError
from tests.unit.routing.helpers import T0, FakeClock, lp, lps, quote, request

CONFIG = lps(lp("lp-a"), lp("lp-b"), lp("lp-c"), lp("lp-gbp", symbols=("GBP/USD",)))
ALL = {"lp-a", "lp-b", "lp-c", "lp-gbp"}


def test_best_and_split_ask_every_connected_lp_listing_the_symbol() -> None:
    for name in ("best", "split"):
        plan = candidates(request(strategy=name), CONFIG, connected={"lp-a", "lp-c", "lp-gbp"})
        assert plan == CandidatePlan(("lp-a", "lp-c"), None)


def test_sequential_asks_one_lp_in_preference_order_then_configuration_order() -> None:
    plan = candidates(request(strategy="sequential", preferred=("lp-c", "lp-x", "lp-a")), CONFIG, ALL)
    assert plan == CandidatePlan(("lp-c", "lp-a", "lp-b"), 1)


def test_sequential_fallback_excludes_the_lp_that_failed() -> None:
    plan = candidates(request(strategy="sequential", preferred=("lp-c",)), CONFIG, ALL, exclude={"lp-c"})
    assert plan == CandidatePlan(("lp-a", "lp-b"), 1)


def test_manual_asks_only_the_named_lp_and_has_no_fallback() -> None:
    assert candidates(request(strategy="manual", manual="lp-b"), CONFIG, ALL) == CandidatePlan(("lp-b",), 1)
    assert candidates(request(strategy="manual", manual="lp-b"), CONFIG, {"lp-a"}) == Refusal(NO_HEALTHY_LPS)
    assert candidates(request(strategy="manual", manual="lp-gbp"), CONFIG, ALL) == Refusal(NO_HEALTHY_LPS)


def test_no_lp_listing_the_symbol_or_connected_is_refused() -> None:
    assert candidates(request(), CONFIG, connected=set()) == Refusal(NO_HEALTHY_LPS)
    assert candidates(request(), {}, ALL) == Refusal(NO_HEALTHY_LPS)
    assert require_admitted(()) == Refusal(NO_HEALTHY_LPS)
    assert require_admitted(("lp-a",)) is None


def test_unknown_strategy_is_an_error_before_anything_is_asked() -> None:
    with pytest.raises(UnknownStrategyError):
        candidates(request(strategy="twap"), CONFIG, ALL)


def test_decide_refuses_without_quotes_or_without_placeable_decisions() -> None:
    clock = FakeClock()
    assert decide(request(), (), CONFIG, clock) == Refusal(NO_QUOTES)
    expired = (quote("lp-a", "1.08", valid_until_s=T0 - 1),)
    assert decide(request(), expired, CONFIG, clock) == Refusal(NO_DECISIONS)
    result = decide(request("1000"), (quote("lp-a", "1.08"),), CONFIG, clock)
    assert isinstance(result, RoutingResult) and result.decisions[0].lp == "lp-a"
