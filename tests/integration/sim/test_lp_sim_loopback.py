"""The in-process LP simulator (our engine, acceptor) over loopback TCP with QuickFIX C++
playing the gateway (initiator): quotes, fills, runtime behaviour changes, delays, drops."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.sim import LPBehaviour
from gateway.sim.lp_app import LPSimulator, SimulatedLP
from tests.fixtures.lp_messages import new_order, quote_request, status_request
from tests.fixtures.ports import free_port
from tests.integration.sim.qf_gateway import QuickFixGateway


@pytest.fixture
def port() -> int:
    return free_port()


def _simulator(port: int, tmp_path: Path, events: list[str] | None = None,
               **behaviour: object) -> LPSimulator:
    return LPSimulator([SimulatedLP("LP1", port, LPBehaviour(**behaviour))],  # type: ignore[arg-type]
                       log_dir=tmp_path / "sim-log",
                       on_event=events.append if events is not None else None)


async def test_quickfix_gateway_gets_quotes_and_fills(port: int, tmp_path: Path) -> None:
    async with _simulator(port, tmp_path) as sim, QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        await sim.wait_logged_on("LP1")
        gw.send(quote_request("RQ1", "EUR/USD", "1", "2000000"))
        quoted = await gw.receive()
        assert (quoted.msg_type, quoted[131], quoted[132], quoted[133]) == (
            "S", "RQ1", "1.08495", "1.08505")
        gw.send(new_order("C1", quantity="2000000", price=quoted[133], quote_id=quoted[117]))
        new, fill = await gw.receive_n(2)
        assert [(m[150], m[39]) for m in (new, fill)] == [("0", "0"), ("F", "2")]
        assert (fill[11], fill[32], fill[31], fill[14], fill[151]) == (
            "C1", "2000000", "1.08505", "2000000", "0")
        gw.send(status_request("C1", status_req_id="S1"))
        status = await gw.receive()
        assert (status[150], status[39], status[790]) == ("I", "2", "S1")
        assert sim.counters("LP1").fills == 1
        assert sim.summary()["LP1"]["quotes_sent"] == 1
    (messages_log,) = (tmp_path / "sim-log").glob("*LP1-FIXGW.messages*")
    assert "35=S|" in messages_log.read_text()


async def test_behaviour_changes_at_runtime_make_the_lp_reject(port: int, tmp_path: Path) -> None:
    events: list[str] = []
    async with _simulator(port, tmp_path, events) as sim, QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        gw.send(quote_request("RQ1"))
        quoted = await gw.receive()
        sim.set_behaviour("LP1", replace(sim.behaviour("LP1"), last_look_reject_rate=1.0,
                                         quote_reject_rate=1.0))
        gw.send(new_order("C1", price=quoted[133], quote_id=quoted[117]))
        reject = await gw.receive()
        assert (reject[150], reject[39], reject[58]) == ("8", "8", "Last look reject")
        gw.send(quote_request("RQ2"))
        quote_reject = await gw.receive()
        assert (quote_reject.msg_type, quote_reject[131]) == ("AG", "RQ2")
        assert "LP1: behaviour changed" in events
        assert "LP1: FIXGW logged on" in events


async def test_response_delay_is_honoured_without_blocking_other_lps(tmp_path: Path) -> None:
    slow_port, fast_port = free_port(), free_port()
    sim = LPSimulator([SimulatedLP("SLOW", slow_port, LPBehaviour(response_delay_ms=400)),
                       SimulatedLP("FAST", fast_port)])
    async with sim, QuickFixGateway(tmp_path / "s", slow_port, "SLOW") as slow, \
            QuickFixGateway(tmp_path / "f", fast_port, "FAST") as fast:
        await slow.wait_logged_on()
        await fast.wait_logged_on()
        started = time.monotonic()
        slow.send(quote_request("RQ-S"))
        fast.send(quote_request("RQ-F"))
        assert (await fast.receive())[131] == "RQ-F"
        fast_elapsed = time.monotonic() - started
        assert (await slow.receive())[131] == "RQ-S"
        slow_elapsed = time.monotonic() - started
        assert slow_elapsed >= 0.4 > fast_elapsed


async def test_scripted_disconnect_then_status_request_after_reconnect(port: int,
                                                                       tmp_path: Path) -> None:
    async with _simulator(port, tmp_path, disconnect_after_orders=1) as sim, \
            QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        gw.send(quote_request("RQ1"))
        quoted = await gw.receive()
        gw.send(new_order("C1", price=quoted[133], quote_id=quoted[117]))
        await gw.wait_logons(2)  # dropped without an answer, QuickFIX reconnected
        assert gw.app.logouts >= 1
        assert gw.app.inbox.empty()
        gw.send(status_request("C1"))
        status = await gw.receive()
        assert (status[150], status[39], status[14]) == ("I", "2", "1000000")
        assert sim.counters("LP1").disconnects == 1


async def test_late_reports_sent_while_down_are_resent_after_reconnect(port: int,
                                                                       tmp_path: Path) -> None:
    async with _simulator(port, tmp_path, disconnect_after_orders=1, late_reports=True,
                          order_delay_ms=100) as sim, \
            QuickFixGateway(tmp_path / "qf", port, reset_on_logon=False) as gw:
        await gw.wait_logged_on()
        gw.send(quote_request("RQ1"))
        quoted = await gw.receive()
        gw.send(new_order("C1", price=quoted[133], quote_id=quoted[117]))
        new, fill = await gw.receive_n(2, timeout_s=10)   # resent once QuickFIX is back
        assert [(m[150], m[39], m[11], m.header.get(43)) for m in (new, fill)] == [
            ("0", "0", "C1", "Y"), ("F", "2", "C1", "Y")]
        assert gw.app.logons >= 2 and sim.counters("LP1").disconnects == 1


async def test_drop_disconnects_the_gateway_now(port: int, tmp_path: Path) -> None:
    async with _simulator(port, tmp_path) as sim, QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        await sim.wait_logged_on("LP1")
        assert sim.drop("LP1")
        await gw.wait_logons(2)
        assert gw.app.logouts >= 1


async def test_silent_lp_never_answers_child_orders(port: int, tmp_path: Path) -> None:
    async with _simulator(port, tmp_path, silent_orders=True) as sim, \
            QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        gw.send(new_order("C1", ord_type="1"))
        with pytest.raises(TimeoutError):
            await gw.receive(timeout_s=0.5)
        assert sim.counters("LP1").ignored_orders == 1


async def test_delayed_answers_are_dropped_on_stop(port: int, tmp_path: Path) -> None:
    sim = _simulator(port, tmp_path, response_delay_ms=5000)
    async with sim, QuickFixGateway(tmp_path / "qf", port) as gw:
        await gw.wait_logged_on()
        gw.send(quote_request("RQ1"))
        async with asyncio.timeout(5):
            while sim.application.pending == 0:
                await asyncio.sleep(0.01)
    assert sim.application.pending == 0


def test_config_text_has_one_acceptor_session_per_lp() -> None:
    sim = LPSimulator([SimulatedLP("LP1", 9001), SimulatedLP("LP2", 9002, gateway_comp_id="GW2")])
    sessions = {str(s.session_id): s.socket_accept_port for s in sim.config.sessions}
    assert sessions == {"FIX.4.4:LP1->FIXGW": 9001, "FIX.4.4:LP2->GW2": 9002}
    assert all(s.reset_on_logon and s.is_acceptor for s in sim.config.sessions)
    assert sim.logics["LP1"].ids.prefix.startswith("LP1-")


def test_quote_size_survives_as_decimal() -> None:
    sim = LPSimulator([SimulatedLP("LP1", 9001, LPBehaviour(quote_size=Decimal("2.5E+5")))])
    assert sim.behaviour("LP1").quoted_size(None) == Decimal(250000)
