"""Property: whatever the wire does to the peer's frames, the acceptor delivers each order once, in order.

The peer is a real initiator `Session` (it answers ResendRequests from its store
and logs on again after a drop); the link towards the acceptor drops,
duplicates and swaps frames as Hypothesis decides. After the faults stop, time
runs on (heartbeats reveal trailing gaps, timeouts end stalled connections,
reconnects resume without reset) until both sides agree on the sequence numbers.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.fix.message import Message

from tests.unit.session.harness import Pair, initiator_settings

HEARTBEAT_S = 5
RECOVERY_LIMIT_S = 600

Step = st.sampled_from(["order", "order", "order", "tick", "idle"])
Fault = st.sampled_from(["pass", "pass", "pass", "drop", "duplicate", "swap"])


class FaultyWire:
    """Applies one fault per frame towards the acceptor; `swap` holds a frame back one place."""

    def __init__(self, faults: list[str]) -> None:
        self.faults = iter(faults)
        self.held: bytes | None = None

    def __call__(self, data: bytes) -> list[bytes]:
        fault = next(self.faults, "pass")
        held, self.held = self.held, None
        out = {"pass": [data], "drop": [], "duplicate": [data, data], "swap": []}[fault]
        if fault == "swap":
            self.held = data
        return out + ([held] if held is not None else [])

    def new_connection(self) -> None:
        self.held = None  # TCP does not carry a frame from one connection into the next


def _order(n: int) -> Message:
    return Message("D", [(11, f"C{n:04d}"), (21, "1"), (38, "100"), (40, "1"), (54, "1"),
                         (55, "EUR/USD"), (60, "20260101-00:00:00")])


def _recover(pair: Pair) -> None:
    """No more faults: let time pass, reconnecting as a real initiator would, until in sync."""
    pair.tamper_to_acceptor = lambda data: [data]
    initiator, acceptor = pair.initiator, pair.acceptor
    for _ in range(RECOVERY_LIMIT_S):
        in_sync = (initiator.store.next_sender_seq == acceptor.store.next_target_seq
                   and not acceptor.session.queue)
        if pair.logged_on and in_sync:
            return
        if not initiator.session.connected:
            pair.reconnect()
        pair.advance(1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(Step, min_size=1, max_size=40), faults=st.lists(Fault, max_size=80))
def test_acceptor_delivers_every_order_once_and_in_order_despite_wire_faults(
        steps: list[str], faults: list[str]) -> None:
    pair = Pair(initiator_settings(heartbeat_interval_s=HEARTBEAT_S))
    wire = FaultyWire(faults)
    pair.tamper_to_acceptor = wire
    pair.connect()
    sent: list[str] = []
    for n, step in enumerate(steps):
        if not pair.initiator.session.connected:
            wire.new_connection()
            pair.reconnect()
        if step == "order" and pair.initiator.session.send(_order(n)):
            sent.append(f"C{n:04d}")
        pair.advance(1 if step == "tick" else 0.01 if step == "order" else HEARTBEAT_S)

    _recover(pair)

    delivered = pair.acceptor.app.from_app_messages
    ids = [message.get(11) or "" for message in delivered]
    fresh = [message.get(11) for message in delivered if message.header.get(43) != "Y"]
    assert len(fresh) == len(set(fresh)), "an order delivered twice without PossDup"
    assert ids == sorted(set(ids)), "orders delivered out of order or more than once"
    assert ids == sent, "not every order the peer sent was delivered"
    assert pair.logged_on
