"""Scrape /metrics after scripted scenarios with simulated LPs that reject, time out and drop.

Scenario 1, three orders: LP2 has the best price but rejects every child at last
look; LP3 answers quotes after 400 ms, past the 150 ms RFQ timeout. Each order:
round 1 asks LP1-3 (LP3 times out), the child goes to LP2 and is rejected, the
remainder is re-routed to LP1 and LP3 (LP3 times out again) and LP1 fills it.
Then one malformed order (Side=Z) gets a session Reject. Every figure below
follows from that script.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from gateway.fix.message import Message
from gateway.sim import LPBehaviour
from tests.integration.admin.harness import Rig
from tests.unit.admin.scrape import Samples, bucket, samples, value

ORDERS = 3
CLIENT = "FIX.4.4:FIXGW->CLIENT"


def lp_figure(scraped: Samples, name: str, lp: str) -> float | None:
    return value(scraped, name, lp=lp)


async def test_counters_and_histograms_after_rejects_and_timeouts(tmp_path: Path) -> None:
    behaviours = {"LP1": LPBehaviour(),
                  "LP2": LPBehaviour(skew=Decimal("-0.5"), last_look_reject_rate=1.0),
                  "LP3": LPBehaviour(response_delay_ms=400)}
    async with Rig(tmp_path, behaviours, rfq_timeout_ms=150) as rig:
        for number in range(1, ORDERS + 1):
            reports = await rig.order(f"C{number}")
            assert [(r[150], r[39], r.get(30)) for r in reports] == [("0", "0", None),
                                                                    ("F", "2", "LP1")]
        now = datetime.now(UTC).strftime("%Y%m%d-%H:%M:%S.%f")[:-3]
        rig.client.send(Message("D", [(11, "BAD"), (38, "1000"), (40, "1"), (54, "Z"),
                                      (55, "EUR/USD"), (60, now)]))
        assert rig.gateway.metrics is not None
        lp3 = rig.gateway.metrics.lps["LP3"]
        async with asyncio.timeout(5):     # LP3's late quotes arrive 400 ms after each request
            while lp3.quote_responses.count < 2 * ORDERS:
                await asyncio.sleep(0.01)
        scraped = samples((await rig.get("/metrics")).body)

    expect = {
        "fixgw_orders_received_total": ORDERS, "fixgw_orders_routed_total": ORDERS,
        "fixgw_orders_filled_total": ORDERS, "fixgw_orders_canceled_total": 0,
        "fixgw_reroutes_total": ORDERS, "fixgw_unknown_children_total": 0,
        "fixgw_routing_latency_seconds_count": ORDERS,
    }
    assert {name: value(scraped, name) for name in expect} == expect
    # Routed once LP3's RFQ timeout (150 ms) ran out.
    assert bucket(scraped, "fixgw_routing_latency_seconds", "0.1") == 0
    assert bucket(scraped, "fixgw_routing_latency_seconds", "1.0") == ORDERS

    per_lp: dict[str, dict[str, float]] = {
        "fixgw_lp_quote_requests_total": {"LP1": 2 * ORDERS, "LP2": ORDERS, "LP3": 2 * ORDERS},
        "fixgw_lp_valid_quotes_total": {"LP1": 2 * ORDERS, "LP2": ORDERS, "LP3": 0},
        "fixgw_rfq_timeouts_total": {"LP1": 0, "LP2": 0, "LP3": 2 * ORDERS},
        "fixgw_lp_child_orders_total": {"LP1": ORDERS, "LP2": ORDERS, "LP3": 0},
        "fixgw_lp_child_rejects_total": {"LP1": 0, "LP2": ORDERS, "LP3": 0},
        "fixgw_lp_fills_total": {"LP1": ORDERS, "LP2": 0, "LP3": 0},
        "fixgw_lp_filled_quantity_total": {"LP1": ORDERS * 1e6, "LP2": 0, "LP3": 0},
        "fixgw_rfq_response_seconds_count": {"LP1": 2 * ORDERS, "LP2": ORDERS, "LP3": 2 * ORDERS},
        "fixgw_breaker_state": {"LP1": 0, "LP2": 0, "LP3": 0},
    }
    for name, wanted in per_lp.items():
        assert {lp: lp_figure(scraped, name, lp) for lp in wanted} == wanted, name
    assert (lp_figure(scraped, "fixgw_lp_fill_ratio", "LP1"),
            lp_figure(scraped, "fixgw_lp_reject_ratio", "LP1")) == (1.0, 0.0)
    assert (lp_figure(scraped, "fixgw_lp_fill_ratio", "LP2"),
            lp_figure(scraped, "fixgw_lp_reject_ratio", "LP2")) == (0.0, 1.0)
    assert lp_figure(scraped, "fixgw_lp_fill_ratio", "LP3") is None
    # LP1 answers at once (in time); LP3's late answers take at least its 400 ms delay.
    assert bucket(scraped, "fixgw_rfq_response_seconds", "0.1", lp="LP1") == 2 * ORDERS
    assert bucket(scraped, "fixgw_rfq_response_seconds", "0.25", lp="LP3") == 0
    assert bucket(scraped, "fixgw_rfq_response_seconds", "2.5", lp="LP3") == 2 * ORDERS

    # Client: in Logon, 3 orders, the bad one; out Logon, New + Fill per order, one Reject.
    assert value(scraped, "fixgw_session_messages_in_total", session=CLIENT) == 1 + ORDERS + 1
    assert value(scraped, "fixgw_session_messages_out_total", session=CLIENT) == 1 + 2 * ORDERS + 1
    assert value(scraped, "fixgw_session_rejects_sent_total", session=CLIENT, reason="5",
                 reason_name="value_is_incorrect") == 1
    # LP1: in Logon + per order 2 quotes, New, Fill; out Logon + 2 QuoteRequests + 1 child.
    lp1 = "FIX.4.4:FIXGW->LP1"
    assert value(scraped, "fixgw_session_messages_in_total", session=lp1) == 1 + 4 * ORDERS
    assert value(scraped, "fixgw_session_messages_out_total", session=lp1) == 1 + 3 * ORDERS
    assert value(scraped, "fixgw_session_resend_requests_sent_total", session=lp1) == 0
    assert value(scraped, "fixgw_session_up", session=lp1, role="lp", lp="LP1") == 1
    assert value(scraped, "fixgw_session_logons_total", session=lp1) == 1
    assert value(scraped, "fixgw_events_total", kind="reroute") == ORDERS


async def test_unknown_child_and_reconciliation_are_counted_and_logged(tmp_path: Path) -> None:
    """LP1 (best price) fills the child but drops its session before reporting it: the
    child is UNKNOWN, LP1's breaker opens, and after LP1 reconnects the gateway asks
    for the child's status and books the fill."""
    behaviours = {"LP1": LPBehaviour(skew=Decimal("-0.5"), disconnect_after_orders=1,
                                     process_before_disconnect=True),
                  "LP2": LPBehaviour()}
    async with Rig(tmp_path, behaviours) as rig:
        reports = await rig.order("C1")
        assert [(r[150], r[39], r.get(30)) for r in reports] == [("0", "0", None), ("F", "2", "LP1")]
        scraped = samples((await rig.get("/metrics")).body)
        story = rig.gateway_events()

    assert value(scraped, "fixgw_unknown_children_total") == 1
    assert value(scraped, "fixgw_routing_alerts_total", kind="reconciled") == 1
    assert value(scraped, "fixgw_reroutes_total") == 0       # the quantity stayed reserved
    assert value(scraped, "fixgw_lp_status_requests_total", lp="LP1") == 1
    assert value(scraped, "fixgw_lp_fills_total", lp="LP1") == 1
    assert value(scraped, "fixgw_breaker_state", lp="LP1") == 2          # open after the drop
    assert value(scraped, "fixgw_breaker_transitions_total", lp="LP1", from_state="closed",
                 to_state="open") == 1
    assert value(scraped, "fixgw_session_logons_total", session="FIX.4.4:FIXGW->LP1") == 2
    assert value(scraped, "fixgw_session_logouts_total", session="FIX.4.4:FIXGW->LP1") == 1
    lines = story.splitlines()
    order = ["breaker: breaker LP1: closed -> open", "unknown_child: child",
             "reconcile: asking LP1 for the status of", "reconciled: child"]
    positions = [next(i for i, line in enumerate(lines) if wanted in line) for wanted in order]
    assert positions == sorted(positions), story
