"""The admin API of a running gateway: breakers tripped and reset over HTTP steer routing;
sessions, orders and health views; errors are JSON; the API listens on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import urllib.error
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest

from gateway.admin.metrics import PrometheusObserver
from gateway.app import NullObserver
from gateway.config import load_config
from gateway.service import Gateway
from gateway.sim import LPBehaviour
from tests.integration.admin.harness import Rig, gateway_config_text, http
from tests.unit.admin.scrape import samples, value

CHEAPEST_LP1 = {"LP1": LPBehaviour(skew=Decimal("-0.5")), "LP2": LPBehaviour(),
                "LP3": LPBehaviour(skew=Decimal("0.5"))}


async def test_tripped_breaker_is_avoided_until_reset(tmp_path: Path) -> None:
    async with Rig(tmp_path, CHEAPEST_LP1) as rig:
        await rig.order("C1")
        assert rig.child_lps("C1") == ["LP1"]

        tripped = await rig.post("/breakers/LP1/trip", {"reason": "LP1 quoting off-market"})
        assert tripped.status == 200
        assert (tripped.body["state"], tripped.body["gauge"], tripped.body["changed"]) == (
            "forced_open", 3, True)
        assert tripped.body["reason"] == "tripped by operator: LP1 quoting off-market"
        await rig.order("C2")
        assert rig.child_lps("C2") == ["LP2"]              # next best, LP1 not even asked
        assert rig.asked("C2") == [("LP2", "LP3")]
        scraped = samples((await rig.get("/metrics")).body)
        assert value(scraped, "fixgw_breaker_state", lp="LP1") == 3

        reset = await rig.post("/breakers/LP1/reset")
        assert (reset.status, reset.body["state"]) == (200, "closed")
        await rig.order("C3")
        assert rig.child_lps("C3") == ["LP1"] and rig.asked("C3") == [("LP1", "LP2", "LP3")]

        breakers = {b["lp"]: b["state"] for b in (await rig.get("/breakers")).body["breakers"]}
        assert breakers == {"LP1": "closed", "LP2": "closed", "LP3": "closed"}
        story = rig.gateway_events()
        assert "breaker: breaker LP1: closed -> forced_open (tripped by operator" in story
        assert "admin: operator trip of breaker LP1 via the admin API" in story
        assert "breaker: breaker LP1: forced_open -> closed" in story


async def test_errors_are_json_with_the_right_status(tmp_path: Path) -> None:
    async with Rig(tmp_path, CHEAPEST_LP1) as rig:
        unknown_lp = await rig.post("/breakers/LP9/trip")
        assert (unknown_lp.status, unknown_lp.body) == (404, {"error": "no such LP: LP9"})
        assert unknown_lp.headers["Content-Type"] == "application/json"
        wrong_method = await rig.get("/breakers/LP1/trip")
        assert (wrong_method.status, wrong_method.headers["Allow"]) == (405, "POST")
        assert "error" in wrong_method.body
        assert (await rig.post("/health")).status == 405
        assert (await rig.get("/orders/NO-SUCH")).body == {"error": "no such order: NO-SUCH"}
        assert (await rig.post("/sessions/NOPE/logout")).status == 404
        assert (await rig.get("/no/such/route")).status == 404
        bad_body = await http(rig.admin_port, "POST", "/breakers/LP1/trip", None)
        assert bad_body.status == 200                      # an empty body is fine
        bad_window = await rig.get("/lps?window=forever")
        assert bad_window.status == 400 and "not a duration" in bad_window.body["error"]


async def test_admin_api_listens_on_127_0_0_1_only(tmp_path: Path) -> None:
    async with Rig(tmp_path, CHEAPEST_LP1) as rig:
        assert rig.gateway.admin is not None
        assert rig.gateway.admin.addresses == [("127.0.0.1", rig.admin_port)]
        assert (await rig.get("/health")).status == 200
        with pytest.raises(urllib.error.URLError):
            await http(rig.admin_port, "GET", "/health", host="127.0.0.2")


async def test_sessions_orders_and_health_views(tmp_path: Path) -> None:
    async with Rig(tmp_path, CHEAPEST_LP1) as rig:
        await rig.order("C1")
        health = (await rig.get("/health")).body
        assert health["status"] == "ok"
        assert health["sessions"] == {"total": 4, "logged_on": 4}
        assert health["orders"]["total"] == 1

        sessions = {s["id"]: s for s in (await rig.get("/sessions")).body["sessions"]}
        lp1 = sessions["FIX.4.4:FIXGW->LP1"]
        assert (lp1["role"], lp1["lp"], lp1["state"], lp1["logged_on"]) == ("lp", "LP1", "LOGGED_ON", True)
        assert lp1["next_sender_seq"] == 4                 # after Logon, QuoteRequest, child order
        assert lp1["heartbeat_interval_s"] == 30 and lp1["last_received_at"].endswith("Z")
        client = sessions["FIX.4.4:FIXGW->CLIENT"]
        assert (client["role"], client["messages_in"], client["messages_out"]) == ("client", 2, 3)

        order_id = rig.parent("C1").order_id
        for key in (order_id, "C1"):
            view = (await rig.get(f"/orders/{key}")).body
            assert view["parent"]["order_id"] == order_id
            assert view["parent"]["status"] == "FILLED"
            assert [c["lp"] for c in view["children"]] == ["LP1"]
            assert [e["price"] for e in view["executions"]] == ["1.085"]
            assert view["routing"][0]["asked"] == ["LP1", "LP2", "LP3"]

        one = await rig.get("/sessions/" + quote("FIX.4.4:FIXGW->LP3", safe=""))
        assert one.body["lp"] == "LP3"
        logout = await rig.post("/sessions/LP3/logout")
        assert logout.status == 202
        async with asyncio.timeout(5):
            while rig.gateway.app.lp_sessions["LP3"].is_logged_on:
                await asyncio.sleep(0.01)
        degraded = (await rig.get("/health")).body
        assert degraded["status"] == "degraded" and "LP3" not in degraded["lps"]["up"]
        assert "admin: operator logged out FIX.4.4:FIXGW->LP3" in rig.gateway_events()


async def test_metrics_can_be_switched_off(tmp_path: Path) -> None:
    async with Rig(tmp_path, CHEAPEST_LP1, metrics=False) as rig:
        assert rig.gateway.metrics is None
        assert isinstance(rig.gateway.app.observer, NullObserver)
        await rig.order("C1")
        off = await rig.get("/metrics")
        assert (off.status, off.body) == (404, {"error": "metrics are off for this gateway"})
        assert (await rig.get("/health")).status == 200


@pytest.mark.parametrize(("admin_port", "collected"), [(0, False), (19999, True)])
def test_metrics_are_collected_only_where_they_can_be_scraped(
        tmp_path: Path, admin_port: int, collected: bool) -> None:
    path = tmp_path / "gateway.cfg"
    path.write_text(gateway_config_text(tmp_path, 19998, {"LP1": 19997}, admin_port))
    gateway = Gateway(load_config(path))
    try:
        assert (gateway.metrics is not None) is collected
        assert (gateway.admin is not None) is collected
        assert isinstance(gateway.app.observer, PrometheusObserver if collected else NullObserver)
    finally:
        gateway.journal.close()
        gateway.logs.close()
