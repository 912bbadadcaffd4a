"""The scrape-time collector: metric families built from plain counters, sessions and breakers.

Nothing here runs on the order path. `collect()` reads the observer's counters
(`stats.py`), each session's `SessionStats` and state, and the breaker states
the observer last saw, and yields prometheus-client metric families. The metric
names and labels are the public contract listed in docs/admin-api.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from gateway.admin.stats import Histogram, LPStats
from gateway.fix.errors import SessionRejectReason
from gateway.session.core import Session
from routing.breaker.table import BreakerState

if TYPE_CHECKING:
    from gateway.admin.metrics import PrometheusObserver

BREAKER_GAUGE: dict[BreakerState, int] = {
    BreakerState.CLOSED: 0,
    BreakerState.HALF_OPEN: 1,
    BreakerState.OPEN: 2,
    BreakerState.FORCED_OPEN: 3,
}
"""Value of `fixgw_breaker_state` per state."""


def _add_histogram(family: HistogramMetricFamily, labels: list[str], histogram: Histogram) -> None:
    family.add_metric(labels, histogram.cumulative(), histogram.total)


_SESSION_FIGURES: list[tuple[str, str, str, Callable[[Session], float]]] = [
    ("counter", "fixgw_session_messages_in", "Messages received", lambda s: s.stats.messages_in),
    ("counter", "fixgw_session_messages_out", "Messages sent", lambda s: s.stats.messages_out),
    ("counter", "fixgw_session_resend_requests_sent", "ResendRequests sent",
     lambda s: s.stats.resend_requests_sent),
    ("counter", "fixgw_session_resend_requests_received", "ResendRequests received",
     lambda s: s.stats.resend_requests_received),
    ("gauge", "fixgw_session_next_sender_seq", "Next outgoing MsgSeqNum",
     lambda s: s.store.next_sender_seq),
    ("gauge", "fixgw_session_next_target_seq", "Next expected incoming MsgSeqNum",
     lambda s: s.store.next_target_seq),
]


def _reason_name(code: int) -> str:
    try:
        return SessionRejectReason(code).name.lower()
    except ValueError:
        return "other"


class GatewayCollector(Collector):
    """Yields every fixgw_* metric family from the observer and the live sessions."""

    def __init__(self, observer: PrometheusObserver, sessions: Callable[[], Iterable[Session]]) -> None:
        self.observer = observer
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        yield from self._orders()
        yield from self._lps()
        yield from self._breakers()
        yield from self._sessions()
        yield from self._alerts()

    def describe(self) -> Iterator[Metric]:
        return iter(())

    def _orders(self) -> Iterator[Metric]:
        orders = self.observer.orders
        latency = HistogramMetricFamily(
            "fixgw_routing_latency_seconds",
            "Client NewOrderSingle received to its first child order sent (RFQ wait included)")
        _add_histogram(latency, [], orders.latency)
        yield latency
        yield CounterMetricFamily("fixgw_orders_received", "Client NewOrderSingles received",
                                  value=orders.received)
        yield CounterMetricFamily("fixgw_orders_routed",
                                  "Client orders that got at least one child order",
                                  value=orders.routed)
        rejected = CounterMetricFamily("fixgw_orders_rejected",
                                       "Client orders rejected (150=8), by OrdRejReason(103)",
                                       labels=["ord_rej_reason"])
        for reason, count in sorted(orders.rejected.items()):
            rejected.add_metric([str(reason)], count)
        yield rejected
        yield CounterMetricFamily("fixgw_orders_filled", "Client orders completely filled",
                                  value=orders.filled)
        yield CounterMetricFamily("fixgw_orders_canceled",
                                  "Client orders ended canceled (150=4) with the remainder",
                                  value=orders.canceled)

    def _lps(self) -> Iterator[Metric]:
        lps = sorted(self.observer.lps.items())
        counters: list[tuple[str, str, Callable[[LPStats], float]]] = [
            ("fixgw_lp_quote_requests", "QuoteRequests sent to the LP", lambda s: s.quote_requests),
            ("fixgw_lp_valid_quotes", "Usable quotes received from the LP", lambda s: s.valid_quotes),
            ("fixgw_lp_quote_rejects", "QuoteRequestRejects (and rejected QuoteRequests) from the LP",
             lambda s: s.quote_rejects),
            ("fixgw_rfq_timeouts", "QuoteRequests the LP did not answer before the RFQ timeout",
             lambda s: s.rfq_timeouts),
            ("fixgw_lp_child_orders", "Child orders sent to the LP", lambda s: s.child_orders),
            # Prometheus samples are floats: Decimal quantities become floats only here, at
            # the exposition boundary; nothing computes with these values.
            ("fixgw_lp_child_quantity", "Quantity sent to the LP in child orders",
             lambda s: float(s.child_qty)),
            ("fixgw_lp_child_rejects", "Child orders the LP rejected (last look)",
             lambda s: s.child_rejects),
            ("fixgw_lp_fills", "Executions received from the LP", lambda s: s.fills),
            ("fixgw_lp_filled_quantity", "Quantity the LP filled", lambda s: float(s.filled_qty)),
            ("fixgw_lp_status_requests", "OrderStatusRequests sent to reconcile UNKNOWN children",
             lambda s: s.status_requests),
        ]
        for name, doc, read in counters:
            family = CounterMetricFamily(name, doc, labels=["lp"])
            for lp, stats in lps:
                family.add_metric([lp], read(stats))
            yield family
        responses = HistogramMetricFamily(
            "fixgw_rfq_response_seconds", "QuoteRequest sent to the LP's Quote or QuoteRequestReject",
            labels=["lp"])
        fill_ratio = GaugeMetricFamily("fixgw_lp_fill_ratio",
                                       "Filled quantity / child order quantity", labels=["lp"])
        reject_ratio = GaugeMetricFamily("fixgw_lp_reject_ratio",
                                         "Child orders rejected / child orders sent", labels=["lp"])
        for lp, stats in lps:
            _add_histogram(responses, [lp], stats.quote_responses)
            if (fill := stats.fill_ratio) is not None:
                fill_ratio.add_metric([lp], fill)
            if (reject := stats.reject_ratio) is not None:
                reject_ratio.add_metric([lp], reject)
        yield from (responses, fill_ratio, reject_ratio)

    def _breakers(self) -> Iterator[Metric]:
        state = GaugeMetricFamily("fixgw_breaker_state",
                                  "Breaker state: 0 closed, 1 half-open, 2 open, 3 forced open",
                                  labels=["lp"])
        for lp, value in sorted(self.observer.breaker_states.items()):
            state.add_metric([lp], BREAKER_GAUGE[value])
        yield state
        moves = CounterMetricFamily("fixgw_breaker_transitions", "Breaker state changes",
                                    labels=["lp", "from_state", "to_state"])
        for key, count in sorted(self.observer.breaker_transitions.items()):
            moves.add_metric(list(key), count)
        yield moves

    def _sessions(self) -> Iterator[Metric]:
        sessions = sorted(((str(s.session_id), s) for s in self.sessions()), key=lambda kv: kv[0])
        up = GaugeMetricFamily("fixgw_session_up", "1 while the FIX session is logged on",
                               labels=["session", "role", "lp"])
        for key, session in sessions:
            lp = session.settings.lp.name if session.settings.lp is not None else ""
            up.add_metric([key, "lp" if session.initiator else "client", lp],
                          1 if session.is_logged_on else 0)
        yield up
        for kind, name, doc, read in _SESSION_FIGURES:
            family: CounterMetricFamily | GaugeMetricFamily = (
                CounterMetricFamily(name, doc, labels=["session"]) if kind == "counter"
                else GaugeMetricFamily(name, doc, labels=["session"]))
            for key, session in sessions:
                family.add_metric([key], read(session))
            yield family
        rejects = CounterMetricFamily("fixgw_session_rejects_sent",
                                      "Session Rejects (35=3) sent, by SessionRejectReason(373)",
                                      labels=["session", "reason", "reason_name"])
        for key, session in sessions:
            for code, count in sorted(session.stats.rejects_sent.items()):
                rejects.add_metric([key, str(int(code)), _reason_name(int(code))], count)
        yield rejects
        yield from self._logons()

    def _logons(self) -> Iterator[Metric]:
        for name, counts, doc in (("fixgw_session_logons", self.observer.logons, "Logons completed"),
                                  ("fixgw_session_logouts", self.observer.logouts,
                                   "Logouts and disconnects after logon")):
            family = CounterMetricFamily(name, doc, labels=["session"])
            for session, count in sorted(counts.items()):
                family.add_metric([session], count)
            yield family

    def _alerts(self) -> Iterator[Metric]:
        alerts = self.observer.alerts
        yield CounterMetricFamily("fixgw_reroutes", "Re-routes of an unfilled remainder",
                                  value=alerts.get("reroute", 0))
        yield CounterMetricFamily("fixgw_unknown_children",
                                  "Child orders that became UNKNOWN (session drop, no answer)",
                                  value=alerts.get("unknown_child", 0))
        by_kind = CounterMetricFamily("fixgw_routing_alerts", "Router alerts by kind",
                                      labels=["kind"])
        for kind, count in sorted(alerts.items()):
            by_kind.add_metric([kind], count)
        yield by_kind
        events = CounterMetricFamily("fixgw_events", "Gateway event log lines by kind",
                                     labels=["kind"])
        for kind, count in sorted(self.observer.events.items()):
            events.add_metric([kind], count)
        yield events
