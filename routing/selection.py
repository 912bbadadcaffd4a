"""Who is asked for quotes, and the final routing decision (SPEC §3, §4.1, §4.2).

The order flow in `gateway/` drives these steps; each one either moves on or
returns a `Refusal` whose reason is the Text(58) the client sees:

1. `candidates(request, lps, connected, exclude)` — the LPs the strategy may ask,
   in preference order, and how many of them the breakers should admit.
   No LP lists the symbol / none is connected → "No healthy LPs available".
2. `await breakers.admit(plan.lps, now_s, limit=plan.limit)` (routing.breaker) —
   drops LPs whose breaker is open and takes half-open trial permits atomically.
   `require_admitted(admitted)` turns an empty answer into the same refusal.
3. An `RFQ` (routing.rfq) to the admitted LPs, driven until complete or timed out.
4. `decide(request, rfq.usable_quotes(now_s), lps, clock)` — runs the strategy.
   No usable quote → "No quotes received from LPs"; nothing placeable →
   "No valid routing decisions".

Strategy semantics for step 1: `best` and `split` ask every healthy LP listing
the symbol; `sequential` asks the first admissible LP in preference order
(`preferred_lps`, then the others in configuration order), and the caller asks
the next one after a reject or timeout by adding the failed LP to `exclude`;
`manual` asks only the named LP, with no fallback.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from routing.model import (
    NO_DECISIONS,
    NO_HEALTHY_LPS,
    NO_QUOTES,
    Clock,
    LPInfo,
    Quote,
    Refusal,
    RouteRequest,
    RoutingResult,
)
from routing.strategies import get_strategy


@dataclass(frozen=True, slots=True)
class CandidatePlan:
    """LPs a request may be quoted by, in the order the breakers should try them.

    `limit` is how many of them to admit (None: all; 1 for sequential and manual,
    so an LP that will not be asked does not use up a half-open trial permit).
    """

    lps: tuple[str, ...]
    limit: int | None


def candidates(
    request: RouteRequest,
    lps: Mapping[str, LPInfo],
    connected: Collection[str],
    exclude: Collection[str] = (),
) -> CandidatePlan | Refusal:
    """The connected LPs listing the symbol that `request.strategy` may ask.

    Raises `UnknownStrategyError` for an unknown strategy name (the gateway's
    dictionary validation should have rejected it first).
    """
    get_strategy(request.strategy)
    symbol = request.symbol
    listing = [
        name
        for name, info in lps.items()
        if symbol in info.symbols and name in connected and name not in exclude
    ]
    plan = _plan(request, listing)
    return plan if plan.lps else Refusal(NO_HEALTHY_LPS)


def _plan(request: RouteRequest, listing: list[str]) -> CandidatePlan:
    strategy = request.strategy
    if strategy == "manual":
        named = request.manual_lp
        return CandidatePlan((named,) if named in listing else (), 1)
    if strategy == "sequential":
        preferred = [lp for lp in request.preferred_lps if lp in listing]
        rest = [lp for lp in listing if lp not in preferred]
        return CandidatePlan(tuple(dict.fromkeys(preferred + rest)), 1)
    return CandidatePlan(tuple(listing), None)


def require_admitted(admitted: Sequence[str]) -> Refusal | None:
    """"No healthy LPs available" when the breakers admitted no LP, else None."""
    return None if admitted else Refusal(NO_HEALTHY_LPS)


def decide(
    request: RouteRequest,
    quotes: Sequence[Quote],
    lps: Mapping[str, LPInfo],
    clock: Clock,
) -> RoutingResult | Refusal:
    """Run the request's strategy on the usable quotes, or refuse with the reason."""
    if not quotes:
        return Refusal(NO_QUOTES)
    result = get_strategy(request.strategy)(request, quotes, lps, clock)
    if not result.decisions:
        return Refusal(NO_DECISIONS)
    return result
