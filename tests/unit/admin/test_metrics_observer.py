"""The Prometheus observer fed hand-made router actions: what each counter and histogram shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.admin import metrics
from gateway.admin.metrics import PrometheusObserver
from routing.actions import (
    Alert,
    BreakerOutcome,
    ParentReport,
    QueryChild,
    SendChild,
    SendQuoteRequest,
    report,
)
from routing.breaker.core import BreakerRecord, BreakerTransition
from routing.breaker.table import BreakerState, Trigger
from routing.model import Side
from routing.orders import ChildOrder, ParentOrder
from routing.rfq import QuoteRequest
from tests.unit.admin.scrape import bucket, samples, value
from tests.unit.session.harness import logged_on

SESSION = "FIX.4.4:FIXGW->CLIENT"
LATENCY = "fixgw_routing_latency_seconds"


def parent(order_id: str = "B-1", cl_ord_id: str = "C1", quantity: str = "1000000") -> ParentOrder:
    return ParentOrder(order_id=order_id, session=SESSION, cl_ord_id=cl_ord_id, symbol="EUR/USD",
                       side=Side.BUY, quantity=Decimal(quantity), ord_type="2",
                       limit_price=Decimal("1.1"), time_in_force="3", strategy="best",
                       preferred_lps=(), manual_lp=None, accepted_at_s=0.0)


def child(order: ParentOrder, lp: str, quantity: str = "1000000", number: int = 1) -> SendChild:
    return SendChild(ChildOrder(child_id=f"{order.order_id}-{number}", order_id=order.order_id,
                                lp=lp, quantity=Decimal(quantity), price=Decimal("1.085"),
                                quote_id="Q", ord_type="D", time_in_force="3", sent_at_s=0.0,
                                round_no=1), order.symbol, order.side)


def fill(order: ParentOrder, lp: str, quantity: str, status: str) -> ParentReport:
    return report(order, "F", f"{order.order_id}.2", last_qty=Decimal(quantity),
                  last_px=Decimal("1.085"), last_mkt=lp, ord_status=status)


def ask(lp: str, req_id: str) -> SendQuoteRequest:
    return SendQuoteRequest(QuoteRequest(lp, req_id, "EUR/USD", Side.BUY, Decimal(1000000)))


def test_routing_latency_runs_from_order_in_to_the_first_child_only() -> None:
    observer = PrometheusObserver(["LP1"])
    order = parent()
    observer.order_in(SESSION, "C1", 100.0)
    observer.action(report(order, "0", "B-1.1"), 100.0001)
    observer.action(ask("LP1", "B-1.R1.1"), 100.0001)
    observer.action(child(order, "LP1"), 100.0003)
    observer.action(child(order, "LP1", number=2), 100.5)   # a re-route: not a new measurement
    scraped = samples(observer.render())
    assert value(scraped, f"{LATENCY}_count") == 1
    assert bucket(scraped, LATENCY, "0.00025") == 0
    assert bucket(scraped, LATENCY, "0.0005") == 1
    assert value(scraped, f"{LATENCY}_sum") == pytest.approx(0.0003, abs=1e-9)
    assert value(scraped, "fixgw_orders_received_total") == 1
    assert value(scraped, "fixgw_orders_routed_total") == 1


def test_latency_buckets_start_at_50_microseconds() -> None:
    observer = PrometheusObserver()
    scraped = samples(observer.render())
    bounds = sorted(float(dict(labels)["le"]) for (name, labels) in scraped
                    if name == f"{LATENCY}_bucket")
    assert bounds[0] == 0.00005
    assert sum(1 for b in bounds if b < 0.001) >= 4      # sub-millisecond detail
    assert bounds[-2] >= 2.5 and bounds[-1] == float("inf")


def test_order_outcomes_rejected_by_reason_filled_only_when_complete_and_canceled() -> None:
    observer = PrometheusObserver(["LP1"])
    rejected = report(parent("NONE", "C9"), "8", "R.1", ord_status="8")._replace(ord_rej_reason=3)
    observer.order_in(SESSION, "C9", 1.0)
    observer.action(rejected, 1.0)
    order = parent()
    observer.action(fill(order, "LP1", "400000", "1"), 2.0)
    observer.action(fill(order, "LP1", "600000", "2"), 2.1)
    observer.action(report(parent("B-2", "C2"), "4", "B-2.3", ord_status="4"), 3.0)
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_orders_rejected_total", ord_rej_reason="3") == 1
    assert value(scraped, "fixgw_orders_filled_total") == 1
    assert value(scraped, "fixgw_orders_canceled_total") == 1
    assert value(scraped, "fixgw_lp_fills_total", lp="LP1") == 2
    assert value(scraped, "fixgw_lp_filled_quantity_total", lp="LP1") == 1_000_000


def test_rfq_response_time_per_lp_and_timeouts_and_rejects() -> None:
    observer = PrometheusObserver(["LP1", "LP2", "LP3"])
    observer.action(ask("LP1", "R.1"), 10.0)
    observer.action(ask("LP2", "R.2"), 10.0)
    observer.action(ask("LP3", "R.3"), 10.0)
    observer.quote_in("LP1", "R.1", 10.002)
    observer.quote_in("LP1", "R.1", 10.004)          # a requote: the first answer counted
    observer.quote_in("LP2", "R.2", 10.3)            # late (after the timeout): still a response
    observer.quote_in("LP9", "nobody-asked", 10.0)    # unsolicited: ignored
    observer.action(BreakerOutcome("LP1", True, "valid quote"), 10.002)
    observer.action(BreakerOutcome("LP2", False, "RFQ timeout"), 10.25)
    observer.action(BreakerOutcome("LP3", False, "QuoteRequestReject: unknown symbol"), 10.01)
    scraped = samples(observer.render())
    name = "fixgw_rfq_response_seconds"
    assert value(scraped, f"{name}_count", lp="LP1") == 1
    assert bucket(scraped, name, "0.001", lp="LP1") == 0
    assert bucket(scraped, name, "0.0025", lp="LP1") == 1
    assert bucket(scraped, name, "0.25", lp="LP2") == 0
    assert bucket(scraped, name, "0.5", lp="LP2") == 1
    assert value(scraped, f"{name}_count", lp="LP3") == 0
    assert value(scraped, "fixgw_lp_quote_requests_total", lp="LP2") == 1
    assert value(scraped, "fixgw_lp_valid_quotes_total", lp="LP1") == 1
    assert value(scraped, "fixgw_rfq_timeouts_total", lp="LP2") == 1
    assert value(scraped, "fixgw_lp_quote_rejects_total", lp="LP3") == 1
    assert ("fixgw_rfq_response_seconds_count", frozenset({("lp", "LP9")})) not in scraped


def test_fill_ratio_and_reject_ratio_per_lp() -> None:
    observer = PrometheusObserver(["LP1", "LP2", "LP3"])
    order = parent()
    observer.action(child(order, "LP1", "1000000"), 1.0)
    observer.action(fill(order, "LP1", "400000", "1"), 1.1)
    observer.action(child(order, "LP2", "500000", 2), 1.0)
    observer.action(child(order, "LP2", "500000", 3), 1.0)
    observer.action(BreakerOutcome("LP2", False, "child rejected: Last look reject"), 1.1)
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_lp_fill_ratio", lp="LP1") == pytest.approx(0.4)
    assert value(scraped, "fixgw_lp_reject_ratio", lp="LP1") == 0
    assert value(scraped, "fixgw_lp_fill_ratio", lp="LP2") == 0
    assert value(scraped, "fixgw_lp_reject_ratio", lp="LP2") == 0.5
    assert value(scraped, "fixgw_lp_child_rejects_total", lp="LP2") == 1
    assert value(scraped, "fixgw_lp_child_quantity_total", lp="LP2") == 1_000_000
    assert value(scraped, "fixgw_lp_fill_ratio", lp="LP3") is None   # nothing sent yet


def test_alerts_count_reroutes_unknown_children_and_every_kind() -> None:
    observer = PrometheusObserver(["LP1"])
    order = parent()
    for kind in ("reroute", "reroute", "unknown_child", "reconciled"):
        observer.action(Alert(kind, "B-1", "text"), 1.0)
    observer.action(QueryChild(child(order, "LP1").child, "EUR/USD", Side.BUY), 1.0)
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_reroutes_total") == 2
    assert value(scraped, "fixgw_unknown_children_total") == 1
    assert value(scraped, "fixgw_routing_alerts_total", kind="reconciled") == 1
    assert value(scraped, "fixgw_lp_status_requests_total", lp="LP1") == 1


def test_breaker_state_gauge_follows_transitions_and_snapshots() -> None:
    observer = PrometheusObserver(["LP1", "LP2"])
    observer.transition(BreakerTransition("LP1", BreakerState.CLOSED, BreakerState.OPEN,
                                          Trigger.FAILURES, "5 failures", 1.0))
    observer.transition(BreakerTransition("LP1", BreakerState.OPEN, BreakerState.HALF_OPEN,
                                          Trigger.RESET_TIMEOUT, "", 31.0))
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_breaker_state", lp="LP1") == 1
    assert value(scraped, "fixgw_breaker_state", lp="LP2") == 0
    assert value(scraped, "fixgw_breaker_transitions_total", lp="LP1", from_state="closed",
                 to_state="open") == 1
    observer.breaker_snapshot({"LP2": BreakerRecord(BreakerState.FORCED_OPEN)})
    assert value(samples(observer.render()), "fixgw_breaker_state", lp="LP2") == 3


def test_session_figures_are_read_from_the_sessions_at_scrape_time() -> None:
    rig = logged_on()
    observer = PrometheusObserver(sessions=lambda: [rig.session])
    rig.feed(rig.peer.frame("D", "11=C1|21=1|38=100|40=2|44=1.1|54=Z|55=EUR/USD|60=20260101-00:00:00"))
    key = str(rig.session.session_id)
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_session_up", session=key, role="client", lp="") == 1
    assert value(scraped, "fixgw_session_messages_in_total", session=key) == 2
    assert value(scraped, "fixgw_session_messages_out_total", session=key) == 2   # Logon, Reject
    assert value(scraped, "fixgw_session_rejects_sent_total", session=key, reason="5",
                 reason_name="value_is_incorrect") == 1
    assert value(scraped, "fixgw_session_next_target_seq", session=key) == 3
    rig.session.disconnect("test")
    assert value(samples(observer.render()), "fixgw_session_up", session=key, role="client",
                 lp="") == 0


def test_events_are_counted_by_kind_and_logons_by_session() -> None:
    observer = PrometheusObserver()
    observer.on_event("logon", "up", {"session": "S1"})
    observer.on_event("logout", "down", {"session": "S1"})
    observer.on_event("logon", "up", {"session": "S1"})
    observer.on_event("breaker", "LP1 open", {"lp": "LP1"})
    scraped = samples(observer.render())
    assert value(scraped, "fixgw_session_logons_total", session="S1") == 2
    assert value(scraped, "fixgw_session_logouts_total", session="S1") == 1
    assert value(scraped, "fixgw_events_total", kind="breaker") == 1


def test_each_observer_has_its_own_registry() -> None:
    first, second = PrometheusObserver(), PrometheusObserver()
    first.order_in(SESSION, "C1", 1.0)
    assert value(samples(first.render()), "fixgw_orders_received_total") == 1
    assert value(samples(second.render()), "fixgw_orders_received_total") == 0


def test_unanswered_quote_requests_and_unrouted_orders_do_not_grow_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "PENDING_LIMIT", 10)
    observer = PrometheusObserver(["LP1"])
    for number in range(25):
        observer.action(ask("LP1", f"R.{number}"), 1.0)
        observer.order_in(SESSION, f"C{number}", 1.0)
        observer.action(report(parent(f"B-{number}", f"C{number}"), "0", f"B-{number}.1"), 1.0)
    observer.quote_in("LP1", "R.24", 1.001)   # the newest is still remembered
    observer.quote_in("LP1", "R.0", 1.001)    # the oldest was forgotten
    assert len(observer._asked) <= 10 and len(observer._unrouted) <= 10
    assert observer.lps["LP1"].quote_responses.count == 1


def test_a_report_new_without_its_order_in_is_not_timed() -> None:
    observer = PrometheusObserver(["LP1"])
    observer.order_in(SESSION, "C1", 1.0)
    order = parent("B-2", "C2")                  # e.g. replayed at start-up
    observer.action(report(order, "0", "B-2.1"), 1.0)
    observer.action(child(order, "LP1"), 1.5)
    assert value(samples(observer.render()), "fixgw_routing_latency_seconds_count") == 0
