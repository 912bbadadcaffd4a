"""The order router: client order → risk → quote rounds → child orders → failover (sans-IO).

The gateway feeds it what happened (a client order, a breaker admission, a
quote, an LP report, a session going up or down, the clock) and executes the
actions it returns. Every change to the order book is a record appended to the
journal first (`_record`), so the book can be rebuilt after a crash.

A *round* is one RFQ and the children it places. Client IOC/FOK/market orders
run rounds until filled, nothing is left to try, or RoutingTimeBudgetMs is
spent; Day/GTC limit orders keep re-asking every RestingRequoteMs. A parent is
never terminal while one of its children is UNKNOWN, and UNKNOWN quantity is
never routed again (unless UnknownChildPolicy=release says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

import routing.executions as executions
from routing.actions import (
    Action,
    Admit,
    Alert,
    BreakerOutcome,
    CancelChild,
    SendChild,
    SendQuoteRequest,
    refusal_report,
    report,
)
from routing.book import OrderBook
from routing.inbound import NewOrder
from routing.model import (
    NO_DECISIONS,
    NO_HEALTHY_LPS,
    NO_QUOTES,
    LPInfo,
    LPQuote,
    Refusal,
    RouteRequest,
    Side,
)
from routing.orders import ChildState, ParentOrder, ParentStatus
from routing.records import (
    ChildSent,
    OrderAccepted,
    OrderClosed,
    OrderRefused,
    Record,
    RoundDecided,
)
from routing.rfq import RFQ, QuoteVerdict
from routing.risk import DUPLICATE_ORDER, OTHER, RateLimiter, RiskLimits, check_fields, check_risk
from routing.rounds import Round, still_wanted, whole_fill
from routing.selection import candidates, decide, require_admitted

BUDGET_EXHAUSTED = "Routing time budget exhausted"
DAY_EXPIRED = "Day order expired at the end of the trading session"


class Journal(Protocol):
    def append(self, record: Record) -> None: ...


@dataclass(frozen=True, slots=True)
class RouterConfig:
    lps: Mapping[str, LPInfo]
    child_terms: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # lp -> (OrdType, TIF)
    risk: Mapping[str, RiskLimits] = field(default_factory=dict)               # client session -> limits
    rfq_timeout_s: float = 0.25
    routing_budget_s: float = 2.0
    default_quote_ttl_s: float = 1.0
    child_ack_timeout_s: float = 2.0
    unknown_child_timeout_s: float = 60.0
    release_unknown: bool = False
    resting_requote_s: float = 1.0


class Router:
    """Owns the order book; every public method returns the actions to carry out."""

    def __init__(self, config: RouterConfig, journal: Journal, boot_id: str) -> None:
        self.config = config
        self.journal = journal
        self.book = OrderBook()
        self.connected: set[str] = set()
        self.mids: dict[str, Decimal] = {}
        self.rounds: dict[str, Round] = {}          # order_id -> round in progress
        self.by_quote_req: dict[str, str] = {}      # QuoteReqID -> order_id
        self.requote_at: dict[str, float] = {}      # resting order_id -> next round time
        self.finishing: dict[str, str] = {}         # order_id -> text, waiting for UNKNOWN children
        self.limiters: dict[str, RateLimiter] = {}
        self.pending: dict[str, tuple[NewOrder, RouteRequest, float]] = {}   # awaiting admission
        self._pending_keys: set[tuple[str, str]] = set()
        self.known_symbols = frozenset(s for lp in config.lps.values() for s in lp.symbols)
        self._boot_id = boot_id
        self._order_seq = 0
        self._status_seq = 0

    # -- plumbing -------------------------------------------------------------------------
    def record(self, record: Record) -> None:
        self.journal.append(record)
        self.book.apply(record)

    def next_exec_id(self, order: ParentOrder) -> str:
        return f"{order.order_id}.{order.exec_seq + 1}"

    def status_exec_id(self, order_id: str) -> str:
        self._status_seq += 1
        return f"{order_id}.S{self._boot_id}{self._status_seq}"

    # -- client orders ----------------------------------------------------------------------
    def submit(self, order: NewOrder, now_s: float) -> list[Action]:
        """Validate, check risk and healthy LPs; the ExecutionReport New follows admission.

        SPEC §4.2: every check before the New — healthy LPs included — answers a refusal
        with ExecutionReport 150=8. So the first breaker admission happens before the
        order is accepted; `on_admitted` accepts it (New, then quotes) or refuses it.
        """
        key = (order.session, order.cl_ord_id)
        if self.book.knows_cl_ord_id(*key) or key in self._pending_keys:
            known = self.book.by_client(*key)
            if order.poss_resend and known is not None:
                return [report(known, "I", self.status_exec_id(known.order_id))]
            return self._refuse(order, f"Duplicate ClOrdID {order.cl_ord_id}", DUPLICATE_ORDER, now_s)
        rejection = check_fields(order, self.known_symbols, self.config.lps)
        if rejection is None:
            limits = self.config.risk.get(order.session, RiskLimits())
            limiter = self.limiters.setdefault(order.session, RateLimiter())
            rejection = check_risk(order, limits, self.mids.get(order.symbol or ""), limiter, now_s)
        if rejection is not None:
            return self._refuse(order, rejection.text, rejection.ord_rej_reason, now_s)
        request = RouteRequest(order.symbol or "", Side(order.side or "1"), order.quantity or Decimal(0),
                               order.limit_price, order.strategy or "best", order.preferred_lps,
                               order.manual_lp)
        plan = candidates(request, self.config.lps, self.connected)
        if isinstance(plan, Refusal):
            return self._refuse(order, plan.reason, OTHER, now_s)
        self._order_seq += 1
        order_id = f"{self._boot_id}-{self._order_seq}"
        self.pending[order_id] = (order, request, now_s)
        self._pending_keys.add(key)
        return [Admit(order_id, 1, plan.lps, plan.limit)]

    def _accept(self, order_id: str, admitted: tuple[str, ...], now_s: float) -> list[Action]:
        """The first admission of a new order: refuse it (no healthy LP) or acknowledge it."""
        order, request, received_s = self.pending.pop(order_id)
        self._pending_keys.discard((order.session, order.cl_ord_id))
        if not admitted:
            return self._refuse(order, NO_HEALTHY_LPS, OTHER, now_s)
        self.record(OrderAccepted(
            order_id=order_id, session=order.session, cl_ord_id=order.cl_ord_id,
            symbol=request.symbol, side=request.side.value, quantity=request.quantity,
            ord_type=order.ord_type or "", limit_price=order.limit_price,
            time_in_force=order.time_in_force, strategy=request.strategy,
            preferred_lps=order.preferred_lps, manual_lp=order.manual_lp,
            exec_id=f"{order_id}.1", at_s=received_s, expire_at_s=order.expire_at_s))
        parent = self.book.orders[order_id]
        current = Round(order_id, 1, request, now_s)
        self.rounds[order_id] = current
        return [report(parent, "0", f"{order_id}.1"), *self._ask_quotes(current, admitted, now_s)]

    def _refuse(self, order: NewOrder, text: str, reason: int, now_s: float) -> list[Action]:
        self.record(OrderRefused(order.session, order.cl_ord_id, order.symbol or "",
                                  order.side or "", text, reason, now_s))
        self._status_seq += 1
        return [refusal_report(order, text, reason, f"R{self._boot_id}.{self._status_seq}")]

    # -- rounds ----------------------------------------------------------------------------------
    def start_round(self, order: ParentOrder, now_s: float) -> list[Action]:
        """Ask the breakers for LPs to quote the unplaced quantity."""
        self.requote_at.pop(order.order_id, None)
        if order.is_terminal or order.cancel_requested:
            return []
        quantity = order.unplaced_qty
        if quantity <= 0:
            return []
        if not order.resting and now_s - order.accepted_at_s > self.config.routing_budget_s:
            return self.finish(order, BUDGET_EXHAUSTED, now_s)
        request = RouteRequest(order.symbol, order.side, quantity, order.limit_price, order.strategy,
                               order.preferred_lps, order.manual_lp)
        plan = candidates(request, self.config.lps, self.connected, order.excluded_lps)
        if isinstance(plan, Refusal):
            return self._round_failed(order, plan.reason, now_s)
        # A round superseded before its decision (a replace) keeps its number: the new one
        # needs another, or the old QuoteReqIDs and Admit answer would pass for its own.
        superseded = self.rounds.get(order.order_id)
        round_no = max(order.rounds, superseded.round_no if superseded else 0) + 1
        self.rounds[order.order_id] = Round(order.order_id, round_no, request, now_s)
        return [Admit(order.order_id, round_no, plan.lps, plan.limit)]

    def on_admitted(self, order_id: str, round_no: int, admitted: tuple[str, ...],
                    now_s: float) -> list[Action]:
        """The breakers' answer to an `Admit`: accept a new order, or send the QuoteRequests."""
        if order_id in self.pending:
            return self._accept(order_id, admitted, now_s)
        current = self.rounds.get(order_id)
        if current is None or current.round_no != round_no or current.rfq is not None:
            return []
        order = self.book.orders[order_id]
        refusal = require_admitted(admitted)
        if refusal is not None:
            del self.rounds[order_id]
            return self._record_round(order, current, (), refusal.reason, now_s)
        return self._ask_quotes(current, admitted, now_s)

    def _ask_quotes(self, current: Round, admitted: tuple[str, ...], now_s: float) -> list[Action]:
        rfq = RFQ(f"{current.order_id}.R{current.round_no}", current.request, admitted, now_s,
                  self.config.rfq_timeout_s, self.config.default_quote_ttl_s)
        current.rfq = rfq
        current.asked_at_s = now_s
        actions: list[Action] = []
        for request in rfq.requests():
            self.by_quote_req[request.quote_req_id] = current.order_id
            actions.append(SendQuoteRequest(request))
        return actions

    def on_quote(self, quote: LPQuote, now_s: float) -> list[Action]:
        current = self._round_for(quote.quote_req_id)
        if current is None or current.rfq is None:
            return []
        verdict = current.rfq.on_quote(quote, now_s)
        actions: list[Action] = []
        if verdict is QuoteVerdict.ACCEPTED:
            self._note_mid(quote)
            actions.append(BreakerOutcome(quote.lp, True, "valid quote"))
        elif verdict is QuoteVerdict.UNSOLICITED or verdict is QuoteVerdict.LATE:
            return [Alert("quote_ignored", current.order_id, f"{verdict.value} quote from {quote.lp}")]
        current.answered_at_s.setdefault(quote.lp, now_s)
        if current.rfq.is_complete:
            actions += self._decide(current, now_s)
        return actions

    def on_quote_reject(self, lp: str, quote_req_id: str, reason: str, now_s: float) -> list[Action]:
        current = self._round_for(quote_req_id)
        if current is None or current.rfq is None or not current.rfq.on_reject(lp, quote_req_id, reason, now_s):
            return []
        current.answered_at_s.setdefault(lp, now_s)
        actions: list[Action] = [BreakerOutcome(lp, False, f"QuoteRequestReject: {reason}")]
        if current.rfq.is_complete:
            actions += self._decide(current, now_s)
        return actions

    def _round_for(self, quote_req_id: str) -> Round | None:
        order_id = self.by_quote_req.get(quote_req_id)
        return self.rounds.get(order_id) if order_id else None

    def _note_mid(self, quote: LPQuote) -> None:
        if quote.bid_px is not None and quote.offer_px is not None:
            self.mids[quote.symbol] = (quote.bid_px + quote.offer_px) / 2
        elif (price := quote.bid_px or quote.offer_px) is not None:
            self.mids[quote.symbol] = price

    def _decide(self, current: Round, now_s: float) -> list[Action]:
        """All quotes in (or the RFQ timed out): run the strategy and place children."""
        rfq = current.rfq
        assert rfq is not None
        del self.rounds[current.order_id]
        for request in rfq.requests():
            self.by_quote_req.pop(request.quote_req_id, None)
        order = self.book.orders[current.order_id]
        actions: list[Action] = [BreakerOutcome(lp, False, "RFQ timeout") for lp in rfq.unanswered()]
        wanted = still_wanted(current.request, order)
        if wanted is None:
            return actions
        # A quote from an LP whose session dropped since cannot be traded on.
        quotes = tuple(q for q in rfq.usable_quotes(now_s) if q.lp in self.connected)
        if order.time_in_force == "4" and quotes:
            quotes = whole_fill(wanted, quotes, self.config.lps, now_s)
        result = (decide(wanted, quotes, self.config.lps, lambda: now_s) if quotes
                  else Refusal(NO_DECISIONS if rfq.usable_quotes(now_s) else NO_QUOTES))
        if isinstance(result, Refusal):
            if order.strategy == "sequential":
                order.excluded_lps.update(rfq.lps)
            return actions + self._record_round(order, current, (), result.reason, now_s)
        placements = tuple((d.lp, str(d.quantity), str(d.price), d.quote_id) for d in result.decisions)
        actions += self._record_round(order, current, placements, "routed", now_s)
        for decision in result.decisions:
            ord_type, tif = self.config.child_terms.get(decision.lp, ("D", "3"))
            if order.time_in_force == "4":
                tif = "4"
            child_id = f"{order.order_id}-{len(order.children) + 1}"
            self.record(ChildSent(order.order_id, child_id, decision.lp, decision.quantity,
                                   decision.price, decision.quote_id, ord_type, tif,
                                   current.round_no, now_s))
            actions.append(SendChild(self.book.children[child_id], order.symbol, order.side))
        return actions

    def _record_round(self, order: ParentOrder, current: Round, placements: tuple[tuple[str, str, str, str], ...],
                      outcome: str, now_s: float) -> list[Action]:
        rfq = current.rfq
        arrived = current.answered_at_s
        quotes = tuple((q.lp, q.quote_id, str(q.price), str(q.size), q.valid_until_s,
                        arrived.get(q.lp, now_s)) for q in (rfq.usable_quotes(now_s) if rfq else ()))
        misses = (tuple((lp, reason) for lp, reason in rfq.rejects.items())
                  + tuple((lp, "timeout") for lp in rfq.unanswered())) if rfq else ()
        self.record(RoundDecided(order.order_id, current.round_no, order.strategy,
                                  rfq.lps if rfq else (), quotes, misses, placements, outcome,
                                  current.asked_at_s or current.started_at_s, now_s))
        if placements:
            return []
        return self._round_failed(order, outcome, now_s)

    def _round_failed(self, order: ParentOrder, reason: str, now_s: float) -> list[Action]:
        """No child was placed: retry (sequential fallback, resting order) or give up."""
        if (order.strategy == "sequential" and reason != NO_HEALTHY_LPS and not order.resting
                and self._untried_lps(order)):
            return self.start_round(order, now_s)
        if order.resting:
            self.requote_at[order.order_id] = now_s + self.config.resting_requote_s
            return []
        if order.has_live:
            return []
        return self.finish(order, reason, now_s)

    def _untried_lps(self, order: ParentOrder) -> bool:
        """Whether a sequential order has an LP left to ask; when it has none, the last
        failure (not "No healthy LPs available") is what the client is told."""
        request = RouteRequest(order.symbol, order.side, order.quantity, None, order.strategy,
                               order.preferred_lps, order.manual_lp)
        plan = candidates(request, self.config.lps, self.connected, order.excluded_lps)
        return not isinstance(plan, Refusal)

    def finish(self, order: ParentOrder, text: str, now_s: float) -> list[Action]:
        """Stop routing and cancel the remainder back to the client (once no child is UNKNOWN)."""
        self.rounds.pop(order.order_id, None)
        self.requote_at.pop(order.order_id, None)
        if order.is_terminal:
            self.finishing.pop(order.order_id, None)
            return []
        if order.has_unknown or order.has_live:
            self.finishing[order.order_id] = text
            return self.cancel_resting_children(order)
        self.finishing.pop(order.order_id, None)
        exec_id = self.next_exec_id(order)
        self.record(OrderClosed(order.order_id, ParentStatus.CANCELED.value, text, exec_id, now_s))
        return [report(order, "4", exec_id, text=text)]

    def cancel_resting_children(self, order: ParentOrder) -> list[Action]:
        """Children that would otherwise rest at their LP (Day/GTC) are asked to cancel once."""
        actions: list[Action] = []
        for child in order.children:
            if child.is_live and child.time_in_force in ("0", "1") and not child.cancel_sent:
                child.cancel_sent = True
                actions.append(CancelChild(child, order.symbol, order.side, f"{child.child_id}.C"))
        return actions

    def after_child_change(self, order: ParentOrder, now_s: float) -> list[Action]:
        """A child moved: fail over, finish, or complete a pending cancel."""
        if order.is_terminal or order.has_live:
            return []
        if order.order_id in self.finishing or order.cancel_requested:
            text = self.finishing.get(order.order_id) or "Canceled by client"
            return self.finish(order, text, now_s)
        if order.unplaced_qty <= 0:
            return []
        failed = {c.lp for c in order.children
                  if c.state in (ChildState.REJECTED, ChildState.CLOSED) and c.cum_qty < c.quantity}
        order.excluded_lps |= failed
        alert = Alert("reroute", order.order_id,
                      f"re-routing {order.unplaced_qty} {order.symbol} (excluding {sorted(order.excluded_lps)})")
        return [alert, *self.start_round(order, now_s)]

    # -- LP sessions and the clock -------------------------------------------------------------
    def on_lp_up(self, lp: str, now_s: float) -> list[Action]:
        self.connected.add(lp)
        return executions.query_unknown(self, lp)

    def on_lp_down(self, lp: str, reason: str, now_s: float) -> list[Action]:
        self.connected.discard(lp)
        actions = executions.children_unknown(self, lp, f"LP session down: {reason}", now_s)
        for current in list(self.rounds.values()):
            rfq = current.rfq
            if rfq is not None and lp in rfq.unanswered():
                for request in rfq.requests():
                    if request.lp == lp:
                        rfq.on_reject(lp, request.quote_req_id, "LP session down", now_s)
                if rfq.is_complete:
                    actions += self._decide(current, now_s)
        return actions

    def on_timer(self, now_s: float) -> list[Action]:
        actions: list[Action] = []
        for current in list(self.rounds.values()):
            if current.rfq is not None and current.rfq.is_done(now_s):
                actions += self._decide(current, now_s)
        for order_id, due in list(self.requote_at.items()):
            expire_at = self.book.orders[order_id].expire_at_s
            if expire_at is not None and now_s >= expire_at:
                actions += self.finish(self.book.orders[order_id], DAY_EXPIRED, now_s)
            elif now_s >= due:
                order = self.book.orders[order_id]
                order.excluded_lps.clear()   # each requote asks every LP again
                actions += self.start_round(order, now_s)
        actions += executions.check_children(self, now_s)
        return actions
