"""Builders and a fake clock for the routing tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from routing.model import LPInfo, Quote, RouteRequest, Side

SYMBOL = "EUR/USD"
T0 = 1_700_000_000.0


@dataclass
class FakeClock:
    """A clock that moves only when told to."""

    now: float = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def lp(name: str, lot: str = "1", min_qty: str = "0", symbols: Iterable[str] = (SYMBOL,)) -> LPInfo:
    return LPInfo(name, frozenset(symbols), Decimal(lot), Decimal(min_qty))


def lps(*infos: LPInfo) -> dict[str, LPInfo]:
    return {info.name: info for info in infos}


def quote(
    lp_name: str,
    price: str,
    size: str = "1000000",
    side: Side = Side.BUY,
    valid_until_s: float = T0 + 5,
    quote_id: str | None = None,
    symbol: str = SYMBOL,
) -> Quote:
    return Quote(
        lp_name, quote_id or f"Q-{lp_name}", symbol, side, Decimal(price), Decimal(size),
        valid_until_s,
    )


def request(
    quantity: str = "1000000",
    side: Side = Side.BUY,
    strategy: str = "best",
    limit: str | None = None,
    preferred: tuple[str, ...] = (),
    manual: str | None = None,
) -> RouteRequest:
    return RouteRequest(
        SYMBOL, side, Decimal(quantity), None if limit is None else Decimal(limit), strategy,
        preferred, manual,
    )
