"""kill -9 of the gateway while a child order is at the LP, then a restart on the same data.

LP1 quotes at once but answers orders 1 s late, so the gateway can be killed
after LP1 has the child (seen in LP1's own QuickFIX log) and before LP1 fills it.
The gateway comes back after LP1 has filled into the dead session. It replays its
journal, holds the child as UNKNOWN, asks LP1 (OrderStatusRequest) once it
reconnects, and the fill reaches the client, which reconnects by itself
(QuickFIX, sequence numbers continued on both sides), exactly once.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from tests.integration.flow.conftest import OpenWorld
from tests.integration.flow.gateway_process import eventually
from tests.integration.flow.reports import Fill, exec_types, fills, last, quoted
from tests.integration.flow.world import LP

BUY = "1"
M = Decimal(1_000_000)
LP_ANSWER_S = 1.0
SLOW: dict[str, Any] = {"skew": Decimal("-0.2"), "response_delay_ms": 0, "order_delay_ms": int(LP_ANSWER_S * 1000),
        "seed": 1}


def test_fill_after_a_gateway_crash_reaches_the_client_once_with_the_right_figures(
        open_world: OpenWorld) -> None:
    world = open_world([LP.make("LP1", **SLOW), LP.make("LP2", skew=Decimal("0.2"), seed=2)])
    gateway = world.gateway
    cl_ord_id = world.order("EUR/USD", BUY, M)
    (new,) = world.client.wait_reports(cl_ord_id, 1)
    oid = new[37]
    eventually(lambda: bool(world.lp_received("LP1", "D", oid)), 5, "LP1 to get the child",
               gateway.describe)
    received_at = time.monotonic()
    gateway.kill()
    assert world.client.order_reports(cl_ord_id) == [new], "LP1 answered before the crash"
    # Restart only once LP1 has filled the child into the dead session: its reports are
    # lost (LP sessions reset on logon), so only the reconciliation can find the fill.
    time.sleep(max(0.0, received_at + LP_ANSWER_S + 0.2 - time.monotonic()))

    gateway.start()
    reports = world.final(cl_ord_id, timeout_s=20)
    assert world.client.logons >= 2
    assert exec_types(reports) == [("0", "0"), ("F", "2")]
    price = quoted(SLOW, "EUR/USD", BUY)
    assert fills(reports) == [Fill("LP1", M, price)]
    final = last(reports)
    assert (final.decimal(14), final.decimal(151), final.decimal(6)) == (M, Decimal(0), price)
    # Nothing twice: one child at LP1 (not re-sent after the restart), none re-routed to LP2,
    # and each report once (the fill may come as a resend, PossDupFlag=Y, when the gateway
    # learnt of it before the client had logged on again: still once).
    assert len(world.lp_received("LP1", "D", oid)) == 1
    assert not world.lp_received("LP2", "D", oid)
    all_reports = world.client.order_reports(cl_ord_id)
    assert len(all_reports) == len({r[17] for r in all_reports}) == 2
    assert "journal records; 1 children to reconcile" in gateway.events()
    assert [m.fields.get(11) for m in gateway.sent_to("LP1", "H", oid)] == [f"{oid}-1"]
    assert f"reconciled: child {oid}-1 on LP1 resolved: FILLED, filled 1000000 of 1000000" in gateway.events()
    world.assert_clean()
