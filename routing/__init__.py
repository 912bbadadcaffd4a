"""The routing core (SPEC §3-§5): quotes, strategies, RFQ aggregation, breakers.

Pure Python fed small typed values by `gateway/`; no sockets, no FIX parsing.
The breaker stores (`routing.breaker`) are the only part doing I/O (Redis).
"""

from routing.model import (
    NO_DECISIONS,
    NO_HEALTHY_LPS,
    NO_QUOTES,
    Clock,
    LPInfo,
    LPQuote,
    Quote,
    Refusal,
    RouteRequest,
    RoutingDecision,
    RoutingResult,
    Side,
)
from routing.rfq import RFQ, QuoteRequest, QuoteVerdict
from routing.selection import CandidatePlan, candidates, decide, require_admitted
from routing.strategies import STRATEGIES, Strategy, UnknownStrategyError, get_strategy

__all__ = [
    "NO_DECISIONS",
    "NO_HEALTHY_LPS",
    "NO_QUOTES",
    "RFQ",
    "STRATEGIES",
    "CandidatePlan",
    "Clock",
    "LPInfo",
    "LPQuote",
    "Quote",
    "QuoteRequest",
    "QuoteVerdict",
    "Refusal",
    "RouteRequest",
    "RoutingDecision",
    "RoutingResult",
    "Side",
    "Strategy",
    "UnknownStrategyError",
    "candidates",
    "decide",
    "get_strategy",
    "require_admitted",
]
