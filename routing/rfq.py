"""RFQ aggregation (SPEC §3): one request for quotes to several LPs, sans-IO.

The caller (the gateway's order flow) drives it:

    rfq = RFQ("R17", request, admitted_lps, now_s, timeout_s=0.25, default_quote_ttl_s=1.0)
    for qr in rfq.requests(): send QuoteRequest(35=R) built from `qr` on session qr.lp
    ... on Quote(35=S):              verdict = rfq.on_quote(lp_quote, now_s)
    ... on QuoteRequestReject(35=AG): rfq.on_reject(lp, quote_req_id, reason, now_s)
    ... when rfq.is_complete or rfq.timed_out(now_s): decide on rfq.usable_quotes(now_s)

Breaker bookkeeping stays with the caller: an ACCEPTED quote is a success; every
LP in `rejects` and, after the deadline, every LP in `unanswered()` is a failure.

Each LP gets its own QuoteReqID (`<rfq_id>.<n>`), so a Quote is matched to the
request it answers and a stray or stale one is told apart. A second Quote from
the same LP replaces the first (LPs may requote). Nothing is taken after the
deadline. Quotes keep their expiry: `usable_quotes(now_s)` drops those that have
lapsed since they arrived.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from routing.model import LPQuote, Quote, RouteRequest, Side


class QuoteVerdict(StrEnum):
    """What `RFQ.on_quote` did with a quote."""

    ACCEPTED = "accepted"
    """Usable: counts as the LP's answer and as a breaker success."""
    NO_SIDE = "no_side"
    """Answered, but without the side the order needs (one-sided quote)."""
    EXPIRED = "expired"
    """Answered, but already past ValidUntilTime on arrival."""
    WRONG_SYMBOL = "wrong_symbol"
    """Answered for another symbol than asked; not used."""
    UNSOLICITED = "unsolicited"
    """Not an answer to this RFQ (unknown LP or QuoteReqID); ignored."""
    LATE = "late"
    """Arrived at or after the deadline; ignored."""


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """One QuoteRequest(35=R) to send: QuoteReqID(131), Symbol(55), Side(54), OrderQty(38)."""

    lp: str
    quote_req_id: str
    symbol: str
    side: Side
    quantity: Decimal


class RFQ:
    """Collects quotes and rejects for one request until complete or timed out."""

    def __init__(
        self,
        rfq_id: str,
        request: RouteRequest,
        lps: Sequence[str],
        now_s: float,
        timeout_s: float,
        default_quote_ttl_s: float,
    ) -> None:
        self.rfq_id = rfq_id
        self.request = request
        self.started_s = now_s
        self.deadline_s = now_s + timeout_s
        self._ttl_s = default_quote_ttl_s
        unique = tuple(dict.fromkeys(lps))
        self._req_ids: dict[str, str] = {lp: f"{rfq_id}.{i}" for i, lp in enumerate(unique, 1)}
        self._answered: set[str] = set()
        self._quotes: dict[str, Quote] = {}
        self._rejects: dict[str, str] = {}

    @property
    def lps(self) -> tuple[str, ...]:
        """The LPs asked, in the order given."""
        return tuple(self._req_ids)

    def requests(self) -> tuple[QuoteRequest, ...]:
        """The QuoteRequests to send, one per LP."""
        r = self.request
        return tuple(
            QuoteRequest(lp, req_id, r.symbol, r.side, r.quantity)
            for lp, req_id in self._req_ids.items()
        )

    def on_quote(self, quote: LPQuote, now_s: float) -> QuoteVerdict:
        """Record an LP's Quote(35=S) and say whether it is usable."""
        lp = quote.lp
        if self._req_ids.get(lp) != quote.quote_req_id:
            return QuoteVerdict.UNSOLICITED
        if now_s >= self.deadline_s:
            return QuoteVerdict.LATE
        self._answered.add(lp)
        self._rejects.pop(lp, None)
        self._quotes.pop(lp, None)
        if quote.symbol != self.request.symbol:
            return QuoteVerdict.WRONG_SYMBOL
        usable = quote.for_side(self.request.side, self.request.quantity, now_s + self._ttl_s)
        if usable is None:
            return QuoteVerdict.NO_SIDE
        if not now_s < usable.valid_until_s:
            return QuoteVerdict.EXPIRED
        self._quotes[lp] = usable
        return QuoteVerdict.ACCEPTED

    def on_reject(self, lp: str, quote_req_id: str, reason: str, now_s: float) -> bool:
        """Record a QuoteRequestReject(35=AG); False if it does not belong to this RFQ
        or came after the deadline."""
        if self._req_ids.get(lp) != quote_req_id or now_s >= self.deadline_s:
            return False
        self._answered.add(lp)
        self._quotes.pop(lp, None)
        self._rejects[lp] = reason
        return True

    @property
    def is_complete(self) -> bool:
        """Every LP asked has answered (with a quote or a reject)."""
        return len(self._answered) == len(self._req_ids)

    def timed_out(self, now_s: float) -> bool:
        """The deadline passed before every LP answered."""
        return now_s >= self.deadline_s and not self.is_complete

    def is_done(self, now_s: float) -> bool:
        """Time to decide: complete, or the deadline has passed."""
        return self.is_complete or now_s >= self.deadline_s

    def usable_quotes(self, now_s: float) -> tuple[Quote, ...]:
        """The accepted quotes still valid at `now_s`, in the order the LPs were asked."""
        return tuple(
            q
            for lp in self._req_ids
            if (q := self._quotes.get(lp)) is not None and now_s < q.valid_until_s
        )

    def unanswered(self) -> tuple[str, ...]:
        """LPs that sent neither a quote nor a reject (failures once timed out)."""
        return tuple(lp for lp in self._req_ids if lp not in self._answered)

    @property
    def rejects(self) -> Mapping[str, str]:
        """LP → reject reason, for the LPs whose last answer was a reject."""
        return dict(self._rejects)
