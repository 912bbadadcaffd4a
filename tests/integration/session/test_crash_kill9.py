"""kill -9 of our acceptor in the middle of an order stream from a QuickFIX initiator.

Our engine runs as a child process (`tests.fixtures.echo_gateway`, FileStore with
PersistenceSync=batch) whose application appends every order it receives to a
record file before answering it. QuickFIX streams orders; we SIGKILL the gateway
mid-stream, QuickFIX keeps queueing orders while we are down, we restart the
gateway on the same store, and QuickFIX reconnects by itself. Then:

- QuickFIX has exactly one ExecutionReport per order (none lost, none twice);
- the application saw every order, and an order it saw twice came the second time
  as a PossDupFlag=Y resend (processed before the crash, but not yet persisted);
- each order reached the application with the MsgSeqNum QuickFIX gave it (no
  sequence reset), and both sides' Logons after the restart continue the numbers.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.fixtures import gateway_config
from tests.fixtures.echo_gateway import read_record
from tests.fixtures.peer_process import echo_gateway, qf_peer
from tests.fixtures.ports import free_port
from tests.integration.session.helpers import cl_ord_ids, messages, order_ids, wait_for_reports

ORDERS = 1500
ORDER_INTERVAL_MS = 1
KILL_AFTER_REPORTS = 300


async def test_kill_9_mid_stream_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    port = free_port()
    config = gateway_config.write_config(tmp_path / "gw", [gateway_config.acceptor(port)],
                                         sync="batch")
    record = tmp_path / "received.txt"
    gateway = echo_gateway(config, tmp_path / "gw", record)
    async with qf_peer("initiator", port, tmp_path / "qf") as qf:
        try:
            await gateway.start()
            await qf.wait_for(lambda e: e["ev"] == "logon", 10, "logon")
            await qf.command(f"send {ORDERS} K {ORDER_INTERVAL_MS}")
            await qf.wait_until(lambda: len(messages(qf, "in", "8")) >= KILL_AFTER_REPORTS, 10,
                                f"{KILL_AFTER_REPORTS} reports")
            await gateway.kill()
            reports_at_kill = len(messages(qf, "in", "8"))
            events_at_kill = len(qf.events)
            await gateway.start()
            await wait_for_reports(qf, "K", ORDERS, timeout_s=30)
        finally:
            await gateway.kill()

    orders = order_ids("K", ORDERS)
    before_restart = qf.events[:events_at_kill]
    assert reports_at_kill < ORDERS and not [e for e in before_restart if e["ev"] == "sent"], \
        "the kill did not land mid-stream"
    assert cl_ord_ids(messages(qf, "in", "8")) == dict.fromkeys(orders, 1), \
        "QuickFIX must get exactly one ExecutionReport per order"

    received = [r for r in read_record(record) if r.msg_type == "D"]
    assert {r.cl_ord_id for r in received} == set(orders), "an order never reached the application"
    fresh = Counter(r.cl_ord_id for r in received if not r.poss_dup)
    assert max(fresh.values()) == 1, "an order was processed twice without PossDupFlag"

    first_sent = {e["f"]["11"]: e["seq"] for e in messages(qf, "out", "D") if not e["possdup"]}
    assert all(r.seq == first_sent[r.cl_ord_id] for r in received), "sequence numbers changed"
    logons_out, logons_in = messages(qf, "out", "A"), messages(qf, "in", "A")
    assert len(logons_in) == 2 and all("141" not in e["f"] for e in logons_out + logons_in)
    assert logons_in[1]["seq"] > max(e["seq"] for e in before_restart if e["ev"] == "in"), \
        "our sequence numbers did not continue after the restart"
