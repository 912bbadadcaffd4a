"""Value types: side extraction from LP quotes, LP settings, result prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from routing.model import LPInfo, LPQuote, RoutingDecision, RoutingResult, Side
from tests.unit.routing.helpers import SYMBOL, T0

D = Decimal


def two_sided(**overrides: object) -> LPQuote:
    fields: dict[str, object] = {
        "bid_px": D("1.0848"), "bid_size": D(2_000_000),
        "offer_px": D("1.0852"), "offer_size": D(3_000_000), "valid_until_s": T0 + 2,
    }
    fields.update(overrides)
    return LPQuote("lp-1", "R1.1", "Q1", SYMBOL, **fields)  # type: ignore[arg-type]


def test_buy_order_takes_the_offer_and_sell_order_the_bid() -> None:
    buy = two_sided().for_side(Side.BUY, D(1000), T0 + 1)
    sell = two_sided().for_side(Side.SELL, D(1000), T0 + 1)
    assert buy is not None and (buy.price, buy.size, buy.side) == (D("1.0852"), D(3_000_000), Side.BUY)
    assert sell is not None and (sell.price, sell.size, sell.side) == (D("1.0848"), D(2_000_000), Side.SELL)
    assert buy.valid_until_s == T0 + 2


def test_one_sided_quote_has_nothing_for_the_other_side() -> None:
    assert two_sided(offer_px=None, offer_size=None).for_side(Side.BUY, D(1), T0) is None


def test_missing_size_and_valid_until_take_the_defaults() -> None:
    q = two_sided(offer_size=None, valid_until_s=None).for_side(Side.BUY, D(750_000), T0 + 0.5)
    assert q is not None and q.size == D(750_000) and q.valid_until_s == T0 + 0.5


def test_lp_quote_refuses_float_prices() -> None:
    with pytest.raises(TypeError, match="offer_px must be a Decimal"):
        two_sided(offer_px=1.0852)


def test_lp_info_checks_lot_and_min_qty_and_floors_to_lots() -> None:
    info = LPInfo("lp-1", frozenset({SYMBOL}), D(1000), D(5000))
    assert info.floor_lot(D(12_999)) == D(12_000)
    with pytest.raises(ValueError, match="lot_size must be > 0"):
        LPInfo("lp-1", frozenset(), D(0))
    with pytest.raises(ValueError, match="min_qty must be >= 0"):
        LPInfo("lp-1", frozenset(), D(1), D(-1))
    with pytest.raises(TypeError, match="lot_size must be a Decimal"):
        LPInfo("lp-1", frozenset(), 1000)  # type: ignore[arg-type]


def test_result_best_and_volume_weighted_price() -> None:
    decisions = (
        RoutingDecision("lp-1", D(300), D("1.10"), "Q1", 1),
        RoutingDecision("lp-2", D(100), D("1.20"), "Q2", 2),
    )
    result = RoutingResult("split", decisions, D(400), 0.0)
    assert result.best_price == D("1.10")
    assert result.average_price == D("1.125")


def test_values_are_immutable() -> None:
    result = RoutingResult("best", (), D(0), 0.0)
    with pytest.raises(AttributeError):
        result.total_quantity = D(1)  # type: ignore[misc]
    decision = RoutingDecision("lp-1", D(1), D(1), "Q", 1)
    with pytest.raises(AttributeError):
        decision.quantity = D(2)  # type: ignore[misc]
