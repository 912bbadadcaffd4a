"""Bad input at the transport: floods, oversized messages, silent and slow peers.

Our engine runs as a child process (`tests.fixtures.echo_gateway`) with
MaxMessageSize=4096 and LogonTimeout=1. The flooder is a process of its own
(`flooder.py`: it pushes as fast as loopback takes it, so it must not share this
process's GIL with the measuring client); the slow consumer is a blocking socket
that this process writes to and does not read. A well-behaved session (WATCH,
HeartBtInt=1) measures the silences between the gateway's messages meanwhile:
idle, the gateway sends a Heartbeat every HeartBtInt (its timer ticks every
100 ms), so a silence over 1.5 s means another connection held the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from gateway.fix.errors import GarbledReason
from gateway.session.filelog import GATEWAY_EVENT_FILE
from tests.fixtures import gateway_config
from tests.fixtures.echo_gateway import new_order
from tests.fixtures.peer_process import PeerProcess, echo_gateway
from tests.fixtures.ports import free_port
from tests.integration.session.flooder import logon_blocking
from tests.integration.session.raw_client import Incoming, RawFixClient, encode_message

SESSIONS = ("WATCH", "FLOOD", "BIG", "SLOW")
MAX_MESSAGE_SIZE = 4096
FLOOD_SECONDS = 3.0
MAX_HEARTBEAT_GAP_S = 1.5  # HeartBtInt=1: the gateway's own timer allows up to 1.1 s


class Gateway:
    def __init__(self, process: PeerProcess, port: int, workdir: Path) -> None:
        self.process = process
        self.port = port
        self.workdir = workdir

    def events(self, target: str) -> str:
        return gateway_config.event_log(self.workdir, target=target).read_text(errors="replace")

    def global_events(self) -> str:
        return (self.workdir / "log" / GATEWAY_EVENT_FILE).read_text(errors="replace")

    async def wait_global_events(self, text: str, count: int, timeout_s: float = 3.0) -> int:
        """How often `text` is in the gateway events log once it is there `count` times or
        `timeout_s` has passed: the log is written after the turn that closed the socket."""
        deadline = time.monotonic() + timeout_s
        while (found := self.global_events().count(text)) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return found


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    port = free_port()
    workdir = tmp_path / "gw"
    sessions = [gateway_config.acceptor(port, target=name) for name in SESSIONS]
    config = gateway_config.write_config(workdir, sessions, MaxMessageSize=str(MAX_MESSAGE_SIZE),
                                         LogonTimeout="1")
    async with echo_gateway(config, workdir) as process:
        yield Gateway(process, port, workdir)


# -- helpers ------------------------------------------------------------------------

async def watcher(port: int) -> RawFixClient:
    client = await RawFixClient(port, "WATCH", auto_heartbeat=True).connect()
    await client.logon(heartbeat_s=1)
    return client


def silences(client: RawFixClient, since: float, until: float) -> list[float]:
    """Gaps between the gateway's messages (Heartbeats when idle) in [since, until], edges included."""
    times = [since] + [m.at for m in client.received if since < m.at < until]
    return [later - earlier for earlier, later in zip(times, [*times[1:], until], strict=True)]


def orders(sender: str, count: int, first_seq: int = 2) -> list[bytes]:
    """Encoded NewOrderSingles numbered from `first_seq`."""
    stamp = now_stamp()
    return [encode_message("D", new_order(f"{sender}-{number}", stamp).body,
                           sender, "FIXGW", first_seq + number) for number in range(count)]


def now_stamp() -> str:
    return time.strftime("%Y%m%d-%H:%M:%S", time.gmtime())


def in_thread(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


# -- tests --------------------------------------------------------------------------

async def test_garbage_and_reject_floods_do_not_delay_other_sessions_heartbeats(
        gateway: Gateway, tmp_path: Path) -> None:
    watch = await watcher(gateway.port)
    argv = ["-m", "tests.integration.session.flooder", str(gateway.port), str(FLOOD_SECONDS)]
    async with PeerProcess("flooder", argv, tmp_path) as flooder:
        began = time.monotonic()
        done = await flooder.wait_for(lambda e: e["ev"] == "done", FLOOD_SECONDS + 10)
        ended = time.monotonic()
    gaps = silences(watch, began, ended)
    await watch.close()

    assert done["junk"] > 1_000_000 and done["session"] > 1_000_000, f"no flood: {done}"
    events = gateway.events("FLOOD")
    assert events.count("Rejected: Value is incorrect") > 1000, "the flood was not processed"
    assert events.count(GarbledReason.BAD_CHECKSUM.value) > 1000
    assert max(gaps) < MAX_HEARTBEAT_GAP_S, f"heartbeat gaps {sorted(gaps)[-3:]} during the flood"


async def test_message_over_max_message_size_is_dropped_logged_and_the_session_continues(
        gateway: Gateway) -> None:
    client = await RawFixClient(gateway.port, "BIG").connect()
    await client.logon()
    order = new_order("BIG-1", now_stamp())
    order.set(58, "x" * MAX_MESSAGE_SIZE)
    await client.send("D", order.body)  # seq 2: dropped
    await client.send("1", [(112, "after-big")])  # seq 3: too high, queued
    resend = await client.wait_for(lambda m: m.msg_type == "2")
    assert resend.fields[7] == "2", "the gateway should ask again for the dropped message"
    await client.send("4", [(36, "3"), (123, "Y")], seq=2,
                      header={43: "Y", 122: now_stamp()})
    answer = await client.wait_for(lambda m: m.msg_type == "0" and m.fields.get(112) == "after-big")
    assert answer.seq == resend.seq + 1
    assert not [m for m in client.received if m.msg_type in "358"], "no Reject/Logout/report"
    await client.close()
    assert f"Garbled message dropped ({GarbledReason.TOO_LARGE.value}" in gateway.events("BIG")


async def test_connections_that_never_log_on_are_closed_after_logon_timeout(
        gateway: Gateway) -> None:
    silent = await RawFixClient(gateway.port, "SILENT").connect()
    chatty = await RawFixClient(gateway.port, "CHATTY").connect()
    opened = time.monotonic()
    for _ in range(15):  # bytes, but never a BeginString
        chatty.write(b"hello?\r\n")
        await asyncio.sleep(0.1)
    closed = [await client.wait_closed(3.0) - opened for client in (silent, chatty)]
    for client in (silent, chatty):
        await client.close()
    assert all(0.9 < seconds < 2.5 for seconds in closed), closed
    assert await gateway.wait_global_events("no Logon within 1 s", 2) == 2


async def test_slow_consumer_does_not_stall_other_sessions_and_loses_nothing(
        gateway: Gateway) -> None:
    count = 20_000
    watch = await watcher(gateway.port)
    slow = logon_blocking(gateway.port, "SLOW")
    payload = b"".join(orders("SLOW", count))
    began = time.monotonic()
    writer = in_thread(lambda: slow.sendall(payload))  # and never read, for now
    round_trips = []
    for number in range(20):
        sent_at = time.monotonic()
        cl_ord_id = f"W-{number}"
        await watch.send("D", new_order(cl_ord_id, now_stamp()).body)
        await watch.wait_for(functools.partial(_is_report_for, cl_ord_id))
        round_trips.append(time.monotonic() - sent_at)
        await asyncio.sleep(0.1)
    await asyncio.sleep(max(0.0, 2.5 - (time.monotonic() - began)))
    gaps = silences(watch, began, time.monotonic())
    writer.join(10)
    await watch.close()

    reports = await asyncio.to_thread(count_reports, slow, count)
    assert reports == count, "the slow consumer lost reports"
    assert max(round_trips) < 0.5, f"order round trips {sorted(round_trips)[-3:]} s"
    assert max(gaps) < MAX_HEARTBEAT_GAP_S, f"heartbeat gaps {sorted(gaps)[-3:]}"


def _is_report_for(cl_ord_id: str, message: Incoming) -> bool:
    return message.fields.get(11) == cl_ord_id


def count_reports(sock: socket.socket, wanted: int, timeout_s: float = 20.0) -> int:
    """Read ExecutionReports from `sock` until `wanted` arrived (or the time ran out)."""
    marker = b"\x0135=8\x01"
    sock.settimeout(timeout_s)
    seen, tail = 0, b""
    with sock:
        while seen < wanted:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            seen += data.count(marker)
            tail = data[-(len(marker) - 1):]  # too short to hold a match already counted
    return seen
