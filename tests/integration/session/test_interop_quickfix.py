"""Interop with QuickFIX C++ (quickfix-py) as the peer, both directions, across restarts.

Our engine runs in the test's event loop with the order-echo application and file
stores; QuickFIX runs in a child process (`tests.fixtures.qf_peer`) with its own
FileStore. Neither side resets sequence numbers (ResetOnLogon=N on both), so a
restart continues them, and messages one side sent while the other was down make
a real gap that the FIX session must fill: ResendRequest, then the originals again
with PossDupFlag=Y, each arriving exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from gateway.transport.engine import Engine
from tests.fixtures import gateway_config
from tests.fixtures.echo_gateway import OrderEchoApplication
from tests.fixtures.peer_process import PeerProcess, qf_peer
from tests.fixtures.ports import free_port
from tests.fixtures.qf_peer import data_text
from tests.integration.session.helpers import (
    cl_ord_ids,
    eventually,
    messages,
    only_session,
    order_ids,
    running_engine,
    send_orders,
    wait_for_reports,
)


def _acceptor_config(tmp_path: Path, port: int) -> Path:
    return gateway_config.write_config(tmp_path / "gw", [gateway_config.acceptor(port)])


def _initiator_config(tmp_path: Path, port: int) -> Path:
    return gateway_config.write_config(tmp_path / "gw", [gateway_config.initiator(port)])


@contextlib.asynccontextmanager
async def _quickfix_initiator_logged_on(tmp_path: Path
                                        ) -> AsyncIterator[tuple[Engine, PeerProcess, OrderEchoApplication]]:
    """Our acceptor with the order-echo application and a QuickFIX initiator logged on to it."""
    port = free_port()
    app = OrderEchoApplication()
    async with running_engine(_acceptor_config(tmp_path, port), app) as engine, \
            qf_peer("initiator", port, tmp_path / "qf") as qf:
        await qf.wait_for(lambda e: e["ev"] == "logon", 10, "logon")
        yield engine, qf, app


def _last_seq(events: list[dict[str, object]], direction: str) -> int:
    seqs = [int(str(event["seq"])) for event in events if event["ev"] == direction]
    return max(seqs)


async def test_quickfix_initiator_logs_on_sends_orders_gets_answers_and_logs_out(
        tmp_path: Path) -> None:
    async with _quickfix_initiator_logged_on(tmp_path) as (engine, qf, app):
        await qf.command("send 20 A")
        await wait_for_reports(qf, "A", 20)

        reports = messages(qf, "in", "8")
        assert [r["f"]["11"] for r in reports] == order_ids("A", 20)
        assert all(r["f"]["150"] == "0" and not r["possdup"] for r in reports)
        assert len({r["f"]["17"] for r in reports}) == len({r["f"]["37"] for r in reports}) == 20
        assert not messages(qf, "in", "3") and not messages(qf, "out", "3"), "a Reject was sent"
        assert [r.cl_ord_id for r in app.received] == order_ids("A", 20)
        assert [r.seq for r in app.received] == list(range(2, 22))

        await qf.command("logout")
        await qf.wait_for(lambda e: e["ev"] == "logout", 5, "logout")
        session = only_session(engine)
        await eventually(lambda: not session.connected, 5, "our session to disconnect")
    events = gateway_config.event_log(tmp_path / "gw").read_text()
    assert "Received logout request" in events


async def test_data_fields_holding_soh_pass_both_ways_between_quickfix_and_us(
        tmp_path: Path) -> None:
    # EncodedText(355) is FIX "data": it may hold SOH, '=' and "10=", and is read by
    # EncodedTextLen(354). QuickFIX sends it in orders; our application echoes it in
    # the reports, which QuickFIX parses and validates with its own dictionary.
    async with _quickfix_initiator_logged_on(tmp_path) as (_, qf, app):
        await qf.command("send-data 5 T")
        await wait_for_reports(qf, "T", 5)

        reports = messages(qf, "in", "8")
        assert [r["f"]["11"] for r in reports] == order_ids("T", 5)
        assert [r["f"]["355"] for r in reports] == [data_text(cl) for cl in order_ids("T", 5)]
        assert all(r["f"]["354"] == str(len(data_text(r["f"]["11"]))) for r in reports)
        assert [r.cl_ord_id for r in app.received] == order_ids("T", 5)
        assert not messages(qf, "in", "3") and not messages(qf, "out", "3"), "a Reject was sent"
        assert not messages(qf, "in", "j") and not messages(qf, "out", "j")


async def test_our_initiator_logs_on_to_quickfix_acceptor_messages_both_ways_and_logs_out(
        tmp_path: Path) -> None:
    port = free_port()
    app = OrderEchoApplication()
    async with qf_peer("acceptor", port, tmp_path / "qf") as qf, \
            running_engine(_initiator_config(tmp_path, port), app) as engine:
        session = only_session(engine)
        await eventually(lambda: session.is_logged_on, 10, "our initiator to log on")
        send_orders(session, "G", 10)
        await qf.command("send 10 Q")
        await wait_for_reports(qf, "Q", 10)
        await eventually(lambda: len(app.received) == 20, 10, "20 messages at our application")

        assert [m.cl_ord_id for m in app.received if m.msg_type == "8"] == order_ids("G", 10)
        assert [m.cl_ord_id for m in app.received if m.msg_type == "D"] == order_ids("Q", 10)
        assert list(cl_ord_ids(messages(qf, "in", "D"))) == order_ids("G", 10)
        assert not messages(qf, "in", "3") and not messages(qf, "out", "3"), "a Reject was sent"

        session.logout("done")
        await qf.wait_for(lambda e: e["ev"] == "logout", 5, "logout")
        assert messages(qf, "in", "5") and messages(qf, "out", "5")


async def test_orders_quickfix_sent_while_our_acceptor_was_down_are_resent_after_restart(
        tmp_path: Path) -> None:
    port = free_port()
    config = _acceptor_config(tmp_path, port)
    async with qf_peer("initiator", port, tmp_path / "qf") as qf:
        async with running_engine(config, OrderEchoApplication()) as engine:
            await qf.wait_for(lambda e: e["ev"] == "logon", 10, "logon")
            await qf.command("send 5 A")
            await wait_for_reports(qf, "A", 5)
        expected = only_session(engine).store.next_target_seq
        # We are down (logged out cleanly); QuickFIX keeps sending: stored, not delivered.
        await qf.wait_for(lambda e: e["ev"] == "logout", 5, "logout")
        mark = len(qf.events)
        await qf.command("send 5 B")
        await qf.wait_for(lambda e: e["ev"] == "sent", 5, "orders queued", start=mark)
        sent_b = {e["f"]["11"]: e["seq"] for e in messages(qf, "out", "D")[5:]}
        before = qf.events[:mark]

        app = OrderEchoApplication()
        async with running_engine(config, app):
            await wait_for_reports(qf, "B", 5)
            resend_requests = messages(qf, "in", "2")[len(messages(qf, "in", "2", before)):]

    # From what we expected: QuickFIX's failed reconnects used seqs too (Logons never delivered).
    assert [int(r["f"]["7"]) for r in resend_requests] == [expected]
    received_b = [m for m in app.received if m.cl_ord_id.startswith("B-")]
    assert [m.cl_ord_id for m in received_b] == order_ids("B", 5), "not exactly once each"
    assert all(m.poss_dup for m in received_b), "resent orders must carry PossDupFlag=Y"
    assert {m.cl_ord_id: m.seq for m in received_b} == sent_b, "resent with their original seqs"
    logons = messages(qf, "in", "A")
    assert len(logons) == 2 and "141" not in logons[1]["f"]
    assert logons[1]["seq"] == _last_seq(before, "in") + 1, "our sequence numbers did not continue"
    assert cl_ord_ids(messages(qf, "in", "8"), "B") == dict.fromkeys(order_ids("B", 5), 1)


async def test_reports_sent_while_quickfix_initiator_was_killed_are_resent_after_its_restart(
        tmp_path: Path) -> None:
    port = free_port()
    qf = qf_peer("initiator", port, tmp_path / "qf")
    async with running_engine(_acceptor_config(tmp_path, port), OrderEchoApplication()) as engine:
        session = only_session(engine)
        try:
            await qf.start()
            await qf.wait_for(lambda e: e["ev"] == "logon", 10, "logon")
            await qf.command("send 3 A")
            await wait_for_reports(qf, "A", 3)
            await asyncio.sleep(0.3)  # let QuickFIX persist its last incoming seq
            await qf.kill()
            await eventually(lambda: not session.connected, 5, "our side to see the disconnect")
            # Sent while the client is away: stored, delivered on its resend request.
            late = send_orders(session, "L", 4)
            before = qf.events
            await qf.start()
            await qf.wait_for(lambda e: e["ev"] == "logon", 10, "logon after restart")
            await eventually(lambda: len(messages(qf, "in", "D")) >= 4, 10, "the resent messages")
        finally:
            await qf.kill()

    resent = messages(qf, "in", "D")
    assert cl_ord_ids(resent) == dict.fromkeys(late, 1), "not exactly once each"
    assert all(event["possdup"] for event in resent)
    assert [int(r["f"]["7"]) for r in messages(qf, "out", "2")] == [min(e["seq"] for e in resent)]
    logon = messages(qf, "out", "A")[0]
    assert logon["seq"] == _last_seq(before, "out") + 1 and "141" not in logon["f"], \
        "QuickFIX's sequence numbers did not continue"


async def test_orders_our_initiator_sent_while_quickfix_acceptor_was_killed_are_resent(
        tmp_path: Path) -> None:
    port = free_port()
    qf = qf_peer("acceptor", port, tmp_path / "qf")
    app = OrderEchoApplication()
    try:
        await qf.start()
        async with running_engine(_initiator_config(tmp_path, port), app) as engine:
            session = only_session(engine)
            await eventually(lambda: session.is_logged_on, 10, "logon")
            send_orders(session, "A", 3)
            await eventually(lambda: len(app.received) == 3, 5, "3 reports")
            await asyncio.sleep(0.3)  # let QuickFIX persist its last incoming seq
            await qf.kill()
            await eventually(lambda: not session.connected, 5, "our side to see the disconnect")
            late = send_orders(session, "B", 4)
            await qf.start()
            await eventually(lambda: len(app.received) == 7, 10, "reports for the resent orders")
    finally:
        await qf.kill()

    resent = messages(qf, "in", "D")
    assert cl_ord_ids(resent) == dict.fromkeys(late, 1), "not exactly once each"
    assert all(event["possdup"] for event in resent)
    assert len(messages(qf, "out", "2")) == 1, "QuickFIX should have asked for the gap once"
    assert [m.cl_ord_id for m in app.received[3:]] == late
    logon = messages(qf, "in", "A")[0]
    expected = _last_seq(qf.earlier_runs[0], "in") + len(late) + 1
    assert logon["seq"] == expected and "141" not in logon["f"], "our seq numbers did not continue"


async def test_orders_quickfix_acceptor_sent_while_our_initiator_was_down_are_resent(
        tmp_path: Path) -> None:
    port = free_port()
    config = _initiator_config(tmp_path, port)
    async with qf_peer("acceptor", port, tmp_path / "qf") as qf:
        first = OrderEchoApplication()
        async with running_engine(config, first) as engine:
            session = only_session(engine)
            await eventually(lambda: session.is_logged_on, 10, "logon")
            await qf.command("send 3 A")
            await wait_for_reports(qf, "A", 3)
        await qf.wait_for(lambda e: e["ev"] == "logout", 5, "logout")
        mark = len(qf.events)
        await qf.command("send 4 B")
        await qf.wait_for(lambda e: e["ev"] == "sent", 5, "orders queued", start=mark)
        second = OrderEchoApplication()
        async with running_engine(config, second) as engine:
            await wait_for_reports(qf, "B", 4)
            store = only_session(engine).store
            # Logon, 3 orders, Logout, 4 orders while we were down, Logon (its seq gap-filled
            # on resend): QuickFIX used 1..10.
            await eventually(lambda: store.next_target_seq == _last_seq(qf.events, "out") + 1 == 11,
                             5, "our expected seq to follow QuickFIX's last one")

    received_b = [m for m in second.received if m.msg_type == "D"]
    assert [m.cl_ord_id for m in received_b] == order_ids("B", 4), "not exactly once each"
    assert all(m.poss_dup for m in received_b)
    assert cl_ord_ids(messages(qf, "in", "8"), "B") == dict.fromkeys(order_ids("B", 4), 1)
    events = gateway_config.event_log(tmp_path / "gw").read_text()
    assert "Sent ResendRequest FROM: " in events

