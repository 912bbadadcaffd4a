"""The LP logic hosted in QuickFIX C++ (`tests.fixtures.qf_lp`, a subprocess) over loopback
TCP with OUR engine as the gateway's initiator; and `fixgw lp-sim` run as a process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from gateway.fix.message import Message
from tests.fixtures.lp_messages import cancel_request, new_order, quote_request, status_request
from tests.fixtures.ports import free_port
from tests.fixtures.qf_lp import REPO_ROOT, QfLPProcess
from tests.integration.sim.gateway_probe import GatewayProbe

StartLP = Callable[..., QfLPProcess]


async def test_our_engine_gets_quotes_and_fills_from_a_quickfix_lp(qf_lp_factory: StartLP) -> None:
    lp = qf_lp_factory(comp_id="LP1")
    async with GatewayProbe(lp.port) as gw:
        await gw.wait_logons()
        gw.send(quote_request("RQ1", "USD/JPY", "2", "3000000"))
        quoted = await gw.receive()
        assert (quoted.msg_type, quoted[131], quoted[132], quoted[133], quoted[134]) == (
            "S", "RQ1", "151.195", "151.205", "3000000")
        assert 62 in quoted
        gw.send(new_order("C1", symbol="USD/JPY", side="2", quantity="3000000",
                          price=quoted[132], quote_id=quoted[117]))
        new, fill = await gw.receive_n(2)
        assert [(m[150], m[39]) for m in (new, fill)] == [("0", "0"), ("F", "2")]
        assert (fill[31], fill[32], fill[6], fill[37]) == ("151.195", "3000000", "151.195", new[37])


async def test_partial_fills_then_ioc_cancel_from_a_quickfix_lp(qf_lp_factory: StartLP) -> None:
    lp = qf_lp_factory(fill_ratio=Decimal("0.5"), fills_per_order=2, send_new_ack=False)
    async with GatewayProbe(lp.port) as gw:
        await gw.wait_logons()
        gw.send(new_order("C1", ord_type="2", price="1.09000", quantity="1000000"))
        reports = await gw.receive_n(3)
        assert [(m[150], m[39], m[14], m[151]) for m in reports] == [
            ("F", "1", "250000", "750000"), ("F", "1", "500000", "500000"),
            ("4", "4", "500000", "0")]


async def test_quote_rejects_and_business_reject_from_a_quickfix_lp(qf_lp_factory: StartLP) -> None:
    lp = qf_lp_factory(quote_reject_rate=1.0, quote_reject_reason=9)
    async with GatewayProbe(lp.port) as gw:
        await gw.wait_logons()
        gw.send(quote_request("RQ1"))
        reject = await gw.receive()
        assert (reject.msg_type, reject[131], reject[658]) == ("AG", "RQ1", "9")
        group = reject.group(146)
        assert group is not None and group.entries[0][0] == (55, "EUR/USD")
        gw.send(Message("G", [(11, "X1"), (38, "1"), (40, "1"), (41, "C1"), (54, "1"),
                              (55, "EUR/USD"), (60, "20260101-00:00:00.000")]))
        unsupported = await gw.receive()
        assert (unsupported.msg_type, unsupported[380]) == ("j", "3")


async def test_resting_order_status_and_cancel_with_a_quickfix_lp(qf_lp_factory: StartLP) -> None:
    lp = qf_lp_factory()
    async with GatewayProbe(lp.port) as gw:
        await gw.wait_logons()
        gw.send(new_order("C1", ord_type="2", price="1.08000", time_in_force="1"))
        assert (await gw.receive())[39] == "0"
        gw.send(status_request("C1", status_req_id="S1"))
        status = await gw.receive()
        assert (status[150], status[39], status[790]) == ("I", "0", "S1")
        gw.send(cancel_request("X1", "C1"))
        canceled = await gw.receive()
        assert (canceled[150], canceled[39], canceled[11], canceled[41]) == ("4", "4", "X1", "C1")
        gw.send(cancel_request("X2", "NOPE"))
        reject = await gw.receive()
        assert (reject.msg_type, reject[102], reject[37]) == ("9", "1", "NONE")


async def test_quickfix_lp_drops_on_script_and_reconciles_after_reconnect(
        qf_lp_factory: StartLP) -> None:
    lp = qf_lp_factory(disconnect_after_orders=1, response_delay_ms=50)
    async with GatewayProbe(lp.port) as gw:
        await gw.wait_logons()
        started = time.monotonic()
        gw.send(quote_request("RQ1"))
        quoted = await gw.receive()
        assert time.monotonic() - started >= 0.05  # the delay went through the scheduler thread
        gw.send(new_order("C1", price=quoted[133], quote_id=quoted[117]))
        await gw.wait_logons(2)
        assert gw.app.logouts >= 1
        assert gw.app.inbox.empty()  # the order was never answered
        gw.send(status_request("C1"))
        status = await gw.receive()
        assert (status[150], status[39], status[14]) == ("I", "2", "1000000")
    assert lp.wait_for_line("LP1: scripted disconnect")
    assert lp.stop() == 0
    assert "disconnects=1" in lp.wait_for_line("LP1: quote_requests=")


def test_lp_sim_command_serves_a_gateway_and_prints_a_summary(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.commands.lp_sim", "--port", str(port), "--comp-id", "LP7",
         "--mid", "EUR/USD=1.2000", "--spread-pips", "2", "--log", str(tmp_path / "log")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while "LP7: listening" not in line:
            assert line, process.stderr.read() if process.stderr else ""
            line = process.stdout.readline()
        quoted = _quote_once(port, "LP7")
        assert (quoted[132], quoted[133]) == ("1.19990", "1.20010")
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    assert process.returncode == 0, err
    assert "LP7: quote_requests=1 quotes_sent=1" in out


def _quote_once(port: int, comp_id: str) -> Message:
    import asyncio

    async def ask() -> Message:
        async with GatewayProbe(port, comp_id) as gw:
            await gw.wait_logons()
            gw.send(quote_request("RQ1"))
            return await gw.receive()

    return asyncio.run(ask())
