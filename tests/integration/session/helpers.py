"""Shared pieces of the session integration tests: in-process engines, waiting, QuickFIX events."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from gateway.commands.engine_factory import build_engine
from gateway.config import load_config
from gateway.fix.timefmt import utc_timestamp
from gateway.session.core import Session
from gateway.transport.engine import Engine
from tests.fixtures.echo_gateway import OrderEchoApplication, new_order
from tests.fixtures.peer_process import Event, PeerProcess


@contextlib.asynccontextmanager
async def running_engine(config: Path, application: OrderEchoApplication
                         ) -> AsyncIterator[Engine]:
    """Our engine in this event loop (file stores and logs as in production), stopped on exit."""
    engine = build_engine(load_config(config), application)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


def only_session(engine: Engine) -> Session:
    (session,) = engine.sessions.values()
    return session


async def eventually(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `condition` every 10 ms until it holds; AssertionError naming `what` if it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        await asyncio.sleep(0.01)


def send_orders(session: Session, prefix: str, count: int) -> list[str]:
    """Send NewOrderSingles PREFIX-1..count from our side; returns their ClOrdIDs."""
    ids = [f"{prefix}-{number}" for number in range(1, count + 1)]
    for cl_ord_id in ids:
        assert session.send(new_order(cl_ord_id, utc_timestamp(time.time_ns())))
    return ids


def order_ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{number}" for number in range(1, count + 1)]


# -- what the QuickFIX peer reported --------------------------------------------------

def messages(peer: PeerProcess, direction: str, msg_type: str,
             events: list[Event] | None = None) -> list[Event]:
    """The peer's `in`/`out` events of one message type (of the current run by default)."""
    return [event for event in (peer.events if events is None else events)
            if event["ev"] == direction and event["type"] == msg_type]


def cl_ord_ids(events: list[Event], prefix: str = "") -> Counter[str]:
    """How often each ClOrdID (starting with `prefix`) occurs among `events`."""
    return Counter(event["f"]["11"] for event in events
                   if event["f"].get("11", "").startswith(prefix))


async def wait_for_reports(peer: PeerProcess, prefix: str, count: int,
                           timeout_s: float = 10.0) -> None:
    """Until the peer received an ExecutionReport for each of PREFIX-1..count."""
    wanted = set(order_ids(prefix, count))
    await peer.wait_until(
        lambda: wanted <= set(cl_ord_ids(messages(peer, "in", "8"), prefix)),
        timeout_s, f"ExecutionReports for {prefix}-1..{count}")
