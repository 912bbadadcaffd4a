"""Failover end to end with QuickFIX LPs: last-look rejects, partial IOC fills, an LP session
that drops with a child in flight (UNKNOWN, breaker, reconciliation), and no LP at all."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.integration.flow.conftest import OpenWorld, module_world
from tests.integration.flow.reports import Fill, exec_types, fills, last, order_id, quoted
from tests.integration.flow.world import LP, World

# Its tests share module-scoped setups: keep them on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("flow-failover")

BUY, SELL = "1", "2"
M = Decimal(1_000_000)
ZERO = Decimal(0)
NO_HEALTHY_LPS = "No healthy LPs available"

# LP1 quotes best and rejects every child at last look; LP2 is next best and fills half
# of each IOC child; LP3 is the worst and fills in full.
REJECTING: dict[str, dict[str, Any]] = {
    "LP1": {"skew": Decimal("-0.2"), "last_look_reject_rate": 1.0, "seed": 1},
    "LP2": {"skew": Decimal("0"), "fill_ratio": Decimal("0.5"), "seed": 2},
    "LP3": {"skew": Decimal("0.2"), "seed": 3},
}


@pytest.fixture(scope="module")
def rejecting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    lps = [LP.make(name, **behaviour) for name, behaviour in REJECTING.items()]
    yield from module_world(tmp_path_factory, "rejecting", lps)


def test_last_look_reject_and_partial_fill_are_rerouted_into_one_consistent_order(
        rejecting: World) -> None:
    reports = rejecting.final(rejecting.order("EUR/USD", BUY, M))
    # The client sees one order: New, then fills from the LPs that did trade, then Filled;
    # nothing of LP1's reject or LP2's IOC remainder being canceled.
    assert exec_types(reports) == [("0", "0"), ("F", "1"), ("F", "2")]
    assert fills(reports) == [
        Fill("LP2", M / 2, quoted(REJECTING["LP2"], "EUR/USD", BUY)),
        Fill("LP3", M / 2, quoted(REJECTING["LP3"], "EUR/USD", BUY))]
    assert last(reports).decimal(14) == M
    oid = order_id(reports)
    gateway = rejecting.gateway
    lp1_answers = gateway.received_from("LP1", "8", oid)
    assert [m.fields[150] for m in lp1_answers] == ["8"], "LP1 was expected to reject at last look"
    assert [len(gateway.sent_to(lp, "D", oid)) for lp in ("LP1", "LP2", "LP3")] == [1, 1, 1]
    assert "reroute: re-routing 1000000 EUR/USD (excluding ['LP1'])" in gateway.events()
    assert "re-routing 500000 EUR/USD (excluding ['LP1', 'LP2'])" in gateway.events()


def test_sequential_falls_back_to_the_next_preferred_lp_on_reject(rejecting: World) -> None:
    reports = rejecting.final(rejecting.order("USD/JPY", SELL, M, strategy="sequential",
                                              preferred="LP1,LP3,LP2"))
    assert fills(reports) == [Fill("LP3", M, quoted(REJECTING["LP3"], "USD/JPY", SELL))]
    oid = order_id(reports)
    asked = [lp for lp in ("LP1", "LP2", "LP3") if rejecting.gateway.sent_to(lp, "R", oid)]
    assert asked == ["LP1", "LP3"]


def test_lp_session_drop_with_a_child_in_flight_holds_it_until_reconciled(
        open_world: OpenWorld) -> None:
    dropping: dict[str, Any] = {"skew": Decimal("-0.2"), "disconnect_after_orders": 1,
                                "process_before_disconnect": True, "seed": 1}
    world = open_world([LP.make("LP1", **dropping), LP.make("LP2", seed=2)])
    gateway = world.gateway
    cl_ord_id = world.order("EUR/USD", BUY, M)
    # LP1 (best price) books and fills the child, then drops the session without a word.
    gateway.wait_event("unknown_child: child ")
    gateway.wait_event("breaker LP1: closed -> open (LP session down")
    new = world.client.wait_reports(cl_ord_id, 1)
    oid = order_id(new)
    # After reconnecting, the gateway asks LP1 and learns about the fill.
    reports = world.final(cl_ord_id, timeout_s=15)
    assert exec_types(reports) == [("0", "0"), ("F", "2")]
    assert fills(reports) == [Fill("LP1", M, quoted(dropping, "EUR/USD", BUY))]
    assert [m.msg_type for m in gateway.sent_to("LP1", "H", oid)] == ["H"]
    assert "reconciled: child" in gateway.events()
    # The UNKNOWN quantity was never offered to LP2 (no over-fill possible).
    assert gateway.sent_to("LP2", "D", oid) == []
    assert {m.fields[131].split(".")[1] for m in gateway.sent_to("LP2", "R", oid)} == {"R1"}
    gateway.wait_logged_on(["LP1"], count=2)
    # LP1's breaker is still open (BreakerResetSeconds=30): the next order avoids it.
    after = world.final(world.order("EUR/USD", BUY, M))
    assert [f.lp for f in fills(after)] == ["LP2"]
    assert gateway.sent_to("LP1", "R", order_id(after)) == []
    # An order only LP1 may take finds no healthy LP: rejected before any New.
    manual = world.final(world.order("EUR/USD", BUY, M, ex_destination="LP1"))
    assert exec_types(manual) == [("8", "8")]
    assert manual[0].get(58) == NO_HEALTHY_LPS


def test_reports_an_lp_sent_while_its_session_was_down_are_resent_and_counted_once(
        open_world: OpenWorld) -> None:
    # LP1 executes the child, drops the session, and sends its reports while down:
    # QuickFIX stores them. Sequence numbers continue (ResetOnLogon=N both ways), so
    # after the reconnect the gateway sees the gap, asks for it, and gets the reports
    # again with PossDupFlag=Y - alongside the answer to its own OrderStatusRequest.
    # The client must see the fill exactly once.
    late: dict[str, Any] = {"skew": Decimal("-0.2"), "disconnect_after_orders": 1,
                            "process_before_disconnect": True, "late_reports": True,
                            "order_delay_ms": 200, "seed": 1}
    world = open_world([LP.make("LP1", reset_on_logon=False, **late), LP.make("LP2", seed=2)])
    gateway = world.gateway
    reports = world.final(world.order("EUR/USD", BUY, M), timeout_s=15)
    assert exec_types(reports) == [("0", "0"), ("F", "2")]
    assert fills(reports) == [Fill("LP1", M, quoted(late, "EUR/USD", BUY))]
    oid = order_id(reports)
    resent = [m for m in gateway.received_from("LP1", "8", oid) if m.fields.get(43) == "Y"]
    assert [m.fields[150] for m in resent] == ["0", "F"], "the reports were not resent"
    assert any(m.msg_type == "2" for m in gateway.messages("LP1") if m.outgoing), (
        "no ResendRequest for the gap")
    assert gateway.sent_to("LP2", "D", oid) == []
    assert "overfill" not in gateway.events()


def test_lp_messages_the_gateway_refuses_lose_no_fill_and_wait_for_no_timeout(
        open_world: OpenWorld) -> None:
    # LP1 (best price) adds a user-defined field our dictionary lacks to its order
    # reports, LP2 to its quotes: the session answers each with a Reject (Invalid tag
    # number). The gateway asks LP1 for the child's status (whose answer is valid)
    # instead of forgetting what the refused reports said, and counts LP2's refused
    # quote as a decline instead of waiting out RFQTimeoutMs (longer than the test).
    refusing: dict[str, Any] = {"skew": Decimal("-0.2"), "custom_report_tag": 5001, "seed": 1}
    world = open_world([LP.make("LP1", **refusing),
                        LP.make("LP2", skew=Decimal("0.1"), custom_quote_tag=5002, seed=2),
                        LP.make("LP3", skew=Decimal("0.2"), seed=3)],
                       gateway={"RFQTimeoutMs": "60000", "RoutingTimeBudgetMs": "60000"})
    gateway = world.gateway
    reports = world.final(world.order("EUR/USD", BUY, M))
    assert exec_types(reports) == [("0", "0"), ("F", "2")]
    assert fills(reports) == [Fill("LP1", M, quoted(refusing, "EUR/USD", BUY))]
    oid = order_id(reports)
    for lp, tag in (("LP1", "5001"), ("LP2", "5002")):
        refused = [m for m in gateway.messages(lp) if m.outgoing and m.msg_type == "3"]
        assert refused and all(m.fields[373] == "0" and m.fields[371] == tag for m in refused)
    assert [m.msg_type for m in gateway.sent_to("LP1", "H", oid)] == ["H"]
    assert [gateway.sent_to(lp, "D", oid) for lp in ("LP2", "LP3")] == [[], []], (
        "the refused fill's quantity was routed again")
    events = gateway.events()
    assert "lp_message_refused: LP1: 8 refused: Invalid tag number (tag 5001)" in events
    assert "lp_message_refused: LP2: S refused: Invalid tag number (tag 5002)" in events
    assert "report_refused: LP1: ExecutionReport for" in events
    assert "reconciled: child" in events


@pytest.fixture(scope="module")
def no_lps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Two LPs configured, none running: nothing to connect to."""
    yield from module_world(tmp_path_factory, "no_lps", [LP.make("LP1"), LP.make("LP2")],
                            start_lps=False)


def test_no_lp_connected_rejects_the_order_before_the_new(no_lps: World) -> None:
    # SPEC §4.2 "Rejected vs canceled": healthy LPs are checked before the New.
    reports = no_lps.final(no_lps.order("EUR/USD", BUY, M))
    assert exec_types(reports) == [("8", "8")]
    reject = reports[0]
    assert (reject.get(58), reject.decimal(14), reject.decimal(151)) == (NO_HEALTHY_LPS, ZERO, ZERO)
    assert reject.get(103) is not None
