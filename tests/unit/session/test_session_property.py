"""Property: whatever the wire does to the frames, every order is delivered once, in order.

The peer is a real initiator `Session` (it answers ResendRequests from its store
and logs on again after a drop); links drop, duplicate and swap frames as
Hypothesis decides. After the faults stop, time runs on (heartbeats reveal
trailing gaps, timeouts end stalled connections, reconnects resume without
reset) until both sides agree on the sequence numbers; then everything sent
must have been delivered.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.fix.message import Message
from tests.unit.session.harness import Pair, Rig, initiator_settings

HEARTBEAT_S = 5
RECOVERY_LIMIT_S = 600
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Fault = st.sampled_from(["pass", "pass", "pass", "drop", "duplicate", "swap"])
Faults = st.lists(Fault, max_size=80)


class FaultyWire:
    """Applies one fault per frame in flight; `swap` holds a frame back one place."""

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


class Run:
    """A pair with faulty links and the ClOrdIDs each side managed to send."""

    def __init__(self, to_acceptor: list[str], to_initiator: list[str]) -> None:
        self.pair = Pair(initiator_settings(heartbeat_interval_s=HEARTBEAT_S))
        self.wires = (FaultyWire(to_acceptor), FaultyWire(to_initiator))
        self.pair.tamper_to_acceptor, self.pair.tamper_to_initiator = self.wires
        self.sent: dict[str, list[str]] = {"initiator": [], "acceptor": []}
        self.pair.connect()

    def step(self, n: int, action: str) -> None:
        pair = self.pair
        if not pair.initiator.session.connected:
            for wire in self.wires:
                wire.new_connection()
            pair.reconnect()
        side = {"initiator order": pair.initiator, "acceptor order": pair.acceptor}.get(action)
        if side is not None and side.session.send(_order(n)):
            self.sent["initiator" if side is pair.initiator else "acceptor"].append(_id(n))
        pair.advance({"tick": 1, "idle": HEARTBEAT_S}.get(action, 0.01))

    def recover(self) -> None:
        """No more faults: let time pass, reconnecting as a real initiator would, until in sync."""
        pair = self.pair
        pair.tamper_to_acceptor = pair.tamper_to_initiator = lambda data: [data]
        for _ in range(RECOVERY_LIMIT_S):
            if pair.logged_on and _caught_up(pair.initiator, pair.acceptor) \
                    and _caught_up(pair.acceptor, pair.initiator):
                return
            if not pair.initiator.session.connected:
                pair.reconnect()
            pair.advance(1)


def _id(n: int) -> str:
    return f"C{n:04d}"


def _order(n: int) -> Message:
    return Message("D", [(11, _id(n)), (21, "1"), (38, "100"), (40, "1"), (54, "1"),
                         (55, "EUR/USD"), (60, "20260101-00:00:00")])


def _caught_up(sender: Rig, receiver: Rig) -> bool:
    """The receiver expects the sender's next seq and holds no message still to process."""
    expected = receiver.store.next_target_seq
    return (sender.store.next_sender_seq == expected
            and all(seq < expected for seq in receiver.session.queue))


def _assert_delivered_once_in_order(receiver: Rig, sent: list[str]) -> None:
    delivered = receiver.app.from_app_messages
    ids = [message.get(11) or "" for message in delivered]
    fresh = [message.get(11) for message in delivered if message.header.get(43) != "Y"]
    assert len(fresh) == len(set(fresh)), "an order delivered twice without PossDup"
    assert ids == sorted(set(ids)), "orders delivered out of order or more than once"
    assert ids == sent, "not every order that was sent was delivered"


@SETTINGS
@given(steps=st.lists(st.sampled_from(["initiator order"] * 3 + ["tick", "idle"]),
                      min_size=1, max_size=40),
       faults=Faults)
def test_acceptor_delivers_every_order_once_and_in_order_despite_wire_faults(
        steps: list[str], faults: list[str]) -> None:
    run = Run(faults, [])
    for n, action in enumerate(steps):
        run.step(n, action)

    run.recover()

    _assert_delivered_once_in_order(run.pair.acceptor, run.sent["initiator"])
    assert run.pair.logged_on


@SETTINGS
@given(steps=st.lists(st.sampled_from(["initiator order", "acceptor order", "tick", "idle"]),
                      min_size=1, max_size=40),
       to_acceptor=Faults, to_initiator=Faults)
def test_both_sides_deliver_every_order_once_and_in_order_with_faults_both_ways(
        steps: list[str], to_acceptor: list[str], to_initiator: list[str]) -> None:
    run = Run(to_acceptor, to_initiator)
    for n, action in enumerate(steps):
        run.step(n, action)

    run.recover()

    _assert_delivered_once_in_order(run.pair.acceptor, run.sent["initiator"])
    _assert_delivered_once_in_order(run.pair.initiator, run.sent["acceptor"])
    assert run.pair.logged_on
