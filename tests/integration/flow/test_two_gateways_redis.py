"""Two gateway processes sharing circuit breakers through one real redis-server (SPEC §5).

Each gateway has its own QuickFIX client and its own LP processes, under the same LP
names (LP1 best-priced, LP2 next). LP1's session drop in gateway A opens LP1's
breaker in Redis; gateway B, whose own LP1 session is still up, stops asking LP1.
A's clean shutdown, which logs its LP sessions out, must not open anything for B.
"""

from __future__ import annotations

from decimal import Decimal

from tests.fixtures.redis_server import RedisServer
from tests.integration.flow.conftest import OpenWorld
from tests.integration.flow.reports import fills, order_id
from tests.integration.flow.world import LP, World

BUY = "1"
M = 1_000_000


def lps() -> list[LP]:
    return [LP.make("LP1", skew=Decimal("-0.2"), seed=1), LP.make("LP2", seed=2)]


def routed_to(world: World) -> tuple[list[str], str]:
    """Send a 1M buy; the LPs that filled it and the gateway's OrderID."""
    reports = world.final(world.order("EUR/USD", BUY, M))
    return [f.lp for f in fills(reports)], order_id(reports)


def test_breaker_opened_by_one_gateway_is_honoured_by_the_other_and_a_clean_stop_opens_none(
        open_world: OpenWorld, redis_server: RedisServer) -> None:
    shared = {"RedisURL": redis_server.url}
    a = open_world(lps(), gateway=shared, name="a")
    b = open_world(lps(), gateway=shared, name="b")
    assert routed_to(b)[0] == ["LP1"], "B should prefer LP1 while its breaker is closed"

    a.kill_lp("LP1")
    a.gateway.wait_event("breaker LP1: closed -> open (LP session down")
    assert "logout: FIX.4.4:FIXGW->LP1" not in b.gateway.events(), "B's own LP1 is still up"
    filled_by, oid = routed_to(b)
    assert filled_by == ["LP2"]
    assert b.gateway.sent_to("LP1", "R", oid) == [], "B asked LP1 although its breaker is open"
    assert routed_to(a)[0] == ["LP2"]

    # A's clean shutdown logs its LPs out: that is no fault of LP2's, so B keeps using it.
    assert a.gateway.stop() == 0
    assert "logout: FIX.4.4:FIXGW->LP2 logged out" in a.gateway.events()
    assert routed_to(b)[0] == ["LP2"], "A's own logout of LP2 opened LP2's breaker for B"
