"""The seed's four test cases (US-09-05), through the routing core as the gateway
drives it: candidates → breaker admission → RFQ → strategy."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from routing.breaker import MemoryBreakerStore
from routing.model import NO_HEALTHY_LPS, LPInfo, LPQuote, Refusal, RouteRequest, RoutingResult
from routing.rfq import RFQ
from routing.selection import candidates, decide, require_admitted
from tests.unit.routing.helpers import SYMBOL, FakeClock, lp, lps, request

D = Decimal
CONFIG = lps(lp("lp-1"), lp("lp-2"))


async def route(
    req: RouteRequest,
    offers: Mapping[str, tuple[str, str]],
    breakers: MemoryBreakerStore,
    config: Mapping[str, LPInfo] = CONFIG,
) -> RoutingResult | Refusal:
    """What the gateway does for one order; each LP answers with (offer px, size)."""
    clock = FakeClock()
    plan = candidates(req, config, connected=set(config))
    if isinstance(plan, Refusal):
        return plan
    admission = await breakers.admit(plan.lps, clock(), plan.limit)
    refusal = require_admitted(admission.admitted)
    if refusal is not None:
        return refusal
    rfq = RFQ("R1", req, admission.admitted, clock(), timeout_s=0.25, default_quote_ttl_s=1.0)
    for qr in rfq.requests():
        px, size = offers[qr.lp]
        rfq.on_quote(LPQuote(qr.lp, qr.quote_req_id, f"Q-{qr.lp}", SYMBOL, offer_px=D(px), offer_size=D(size)), clock.advance(0.001))
    assert rfq.is_complete
    return decide(req, rfq.usable_quotes(clock()), config, clock)


OFFERS = {"lp-1": ("1.0860", "1000000"), "lp-2": ("1.0850", "1000000")}


async def test_should_route_to_best_price_lp() -> None:
    result = await route(request(strategy="best"), OFFERS, MemoryBreakerStore())
    assert isinstance(result, RoutingResult)
    assert result.decisions[0].lp == "lp-2"


async def test_should_skip_lp_with_open_circuit() -> None:
    breakers = MemoryBreakerStore()
    await breakers.trip("lp-2", "test", FakeClock()())  # the better-priced LP
    result = await route(request(), OFFERS, breakers)
    assert isinstance(result, RoutingResult) and result.decisions
    assert all(d.lp != "lp-2" for d in result.decisions)


async def test_should_split_across_lps_proportionally() -> None:
    offers = {"lp-1": ("1.0860", "500000"), "lp-2": ("1.0850", "500000")}
    result = await route(request("1000000", strategy="split"), offers, MemoryBreakerStore())
    assert isinstance(result, RoutingResult)
    assert len(result.decisions) == 2
    assert result.total_quantity == D(1000000)


async def test_should_fail_gracefully_when_no_lps_available() -> None:
    result = await route(request(), {}, MemoryBreakerStore(), config={})
    assert result == Refusal(NO_HEALTHY_LPS)
    breakers = MemoryBreakerStore()
    for name in CONFIG:
        await breakers.trip(name, "test", FakeClock()())
    assert await route(request(), OFFERS, breakers) == Refusal(NO_HEALTHY_LPS)
