"""Prometheus metrics of the order flow: a `RoutingObserver` with its own registry.

How it works: `GatewayApplication` calls the observer for every client order
received (`order_in`), every LP quote answer (`quote_in`), every router action
just before it is carried out (`action`) and every breaker transition
(`transition`). The observer only bumps plain counters (`stats.py`) keyed by a
dict lookup; nothing Prometheus-specific happens until a scrape, when
`GatewayCollector` builds the metric families from those counters, from the
sessions' own `SessionStats` and from the breaker states.

Routing latency is the time from a client NewOrderSingle being handed to the
router to that order's first child order going out (RFQ wait included): the
ExecutionReport New names the OrderID of a ClOrdID, the first `SendChild` of
that OrderID ends the measurement. RFQ response time runs from a QuoteRequest
going out to the LP's Quote or QuoteRequestReject arriving, late answers
included (they also count as timeouts).

Each observer owns a `CollectorRegistry`, so several gateways can live in one
process (tests) without clashing in the global registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from gateway.admin.collector import GatewayCollector
from gateway.admin.stats import LPStats, OrderStats
from gateway.session.core import Session
from routing.actions import (
    Action,
    Alert,
    BreakerOutcome,
    ParentReport,
    QueryChild,
    SendChild,
    SendQuoteRequest,
)
from routing.breaker.core import BreakerRecord, BreakerTransition
from routing.breaker.table import BreakerState

PENDING_LIMIT = 100_000
"""Most in-flight entries (orders not yet routed, quotes not yet answered) remembered;
the oldest is forgotten beyond it, so an LP that never answers cannot grow memory."""

SessionSource = Callable[[], Iterable[Session]]


def _forget_oldest(pending: dict[Any, Any]) -> None:
    del pending[next(iter(pending))]


class PrometheusObserver:
    """Counts what the router does; `render()` gives the Prometheus text exposition."""

    def __init__(self, lps: Iterable[str] = (), sessions: SessionSource | None = None) -> None:
        self.orders = OrderStats()
        self.lps: dict[str, LPStats] = {lp: LPStats() for lp in lps}
        self.alerts: dict[str, int] = {}                      # Alert kind -> count
        self.events: dict[str, int] = {}                      # gateway event kind -> count
        self.logons: dict[str, int] = {}                      # session -> logons
        self.logouts: dict[str, int] = {}
        self.breaker_states: dict[str, BreakerState] = dict.fromkeys(self.lps, BreakerState.CLOSED)
        self.breaker_transitions: dict[tuple[str, str, str], int] = {}
        # The order just handed to the router: its ExecutionReport New comes in the same
        # batch of actions (Router.submit is synchronous), so one slot is enough.
        self._in_session = self._in_cl_ord_id = ""
        self._in_at_s = 0.0
        self._unrouted: dict[str, float] = {}                # OrderID -> order_in time
        self._asked: dict[str, tuple[LPStats, float]] = {}   # QuoteReqID -> (LP, sent time)
        self._handlers: dict[type, Callable[[Any, float], None]] = {
            ParentReport: self._report,
            SendQuoteRequest: self._quote_request,
            SendChild: self._child,
            BreakerOutcome: self._outcome,
            Alert: self._alert,
            QueryChild: self._status_request,
        }
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(GatewayCollector(self, sessions or (lambda: ())))

    def render(self) -> bytes:
        """The current metrics in the Prometheus text format."""
        return generate_latest(self.registry)

    def lp(self, name: str) -> LPStats:
        """The counters of LP `name` (created on first use)."""
        stats = self.lps.get(name)
        if stats is None:
            stats = self.lps[name] = LPStats()
            self.breaker_states.setdefault(name, BreakerState.CLOSED)
        return stats

    # -- RoutingObserver ---------------------------------------------------------------------
    def order_in(self, session: str, cl_ord_id: str, now_s: float) -> None:
        self.orders.received += 1
        self._in_session, self._in_cl_ord_id, self._in_at_s = session, cl_ord_id, now_s

    def quote_in(self, lp: str, quote_req_id: str, now_s: float) -> None:
        asked = self._asked.pop(quote_req_id, None)
        if asked is not None:
            asked[0].quote_responses.observe(now_s - asked[1])

    def action(self, action: Action, now_s: float) -> None:
        handler = self._handlers.get(type(action))
        if handler is not None:
            handler(action, now_s)

    def transition(self, transition: BreakerTransition) -> None:
        lp = transition.lp
        self.lp(lp)
        self.breaker_states[lp] = transition.to_state
        key = (lp, transition.from_state.value, transition.to_state.value)
        self.breaker_transitions[key] = self.breaker_transitions.get(key, 0) + 1

    # -- other inputs ----------------------------------------------------------------------------
    def breaker_snapshot(self, records: Mapping[str, BreakerRecord]) -> None:
        """Adopt the breaker store's view (Redis may hold other instances' transitions)."""
        for lp, record in records.items():
            self.lp(lp)
            self.breaker_states[lp] = record.state

    def on_event(self, kind: str, text: str, fields: Mapping[str, Any]) -> None:
        """A gateway event (`Gateway.add_listener`): counted by kind; logons/logouts by session."""
        self.events[kind] = self.events.get(kind, 0) + 1
        if kind in ("logon", "logout"):
            counts = self.logons if kind == "logon" else self.logouts
            session = str(fields.get("session", ""))
            counts[session] = counts.get(session, 0) + 1

    # -- per action ------------------------------------------------------------------------------
    def _report(self, report: ParentReport, now_s: float) -> None:
        exec_type = report.exec_type
        if exec_type == "F":
            stats = self.lps.get(report.last_mkt) or self.lp(report.last_mkt)
            stats.fills += 1
            if report.last_qty is not None:
                stats.filled_qty += report.last_qty
            if report.ord_status == "2":
                self.orders.filled += 1
        elif exec_type == "0":
            if report.cl_ord_id == self._in_cl_ord_id and report.session == self._in_session:
                self._in_cl_ord_id = ""
                unrouted = self._unrouted
                if len(unrouted) >= PENDING_LIMIT:
                    _forget_oldest(unrouted)
                unrouted[report.order_id] = self._in_at_s
        elif exec_type == "8":
            reason = report.ord_rej_reason if report.ord_rej_reason is not None else -1
            rejected = self.orders.rejected
            rejected[reason] = rejected.get(reason, 0) + 1
        elif exec_type == "4":
            self._unrouted.pop(report.order_id, None)
            self.orders.canceled += 1

    def _quote_request(self, action: SendQuoteRequest, now_s: float) -> None:
        request = action.request
        stats = self.lps.get(request.lp) or self.lp(request.lp)
        stats.quote_requests += 1
        asked = self._asked
        if len(asked) >= PENDING_LIMIT:
            _forget_oldest(asked)
        asked[request.quote_req_id] = (stats, now_s)

    def _child(self, action: SendChild, now_s: float) -> None:
        child = action.child
        stats = self.lps.get(child.lp) or self.lp(child.lp)
        stats.child_orders += 1
        stats.child_qty += child.quantity
        started = self._unrouted.pop(child.order_id, None)
        if started is not None:
            self.orders.routed += 1
            self.orders.latency.observe(now_s - started)

    def _outcome(self, outcome: BreakerOutcome, now_s: float) -> None:
        stats = self.lps.get(outcome.lp) or self.lp(outcome.lp)
        reason = outcome.reason
        if outcome.success:
            if reason == "valid quote":
                stats.valid_quotes += 1
        elif reason == "RFQ timeout":
            stats.rfq_timeouts += 1
        elif reason.startswith("QuoteRequestReject"):
            stats.quote_rejects += 1
        elif reason.startswith("child rejected"):
            stats.child_rejects += 1

    def _alert(self, alert: Alert, now_s: float) -> None:
        self.alerts[alert.kind] = self.alerts.get(alert.kind, 0) + 1

    def _status_request(self, action: QueryChild, now_s: float) -> None:
        stats = self.lps.get(action.child.lp) or self.lp(action.child.lp)
        stats.status_requests += 1
