"""A simulated liquidity provider as a pure, deterministic function of its inputs (SPEC §7).

`LPLogic.handle(message, now_ns)` takes one inbound application message (our
`Message`) and the current time, and returns a `Reaction`: the messages to
send (no session header fields; the engine fills them), how long to wait
before sending them, or that the session is to be dropped. It opens no socket
and reads no clock; its only randomness is a `random.Random` seeded from the
behaviour, so equal inputs give equal outputs. The engine adapters
(`gateway.sim.lp_app` for our engine, `tests.fixtures.qf_lp` for QuickFIX)
perform the reactions.

Handled: QuoteRequest (R) -> Quote (S) / QuoteRequestReject (AG);
NewOrderSingle (D) -> ExecutionReports; OrderCancelRequest (F) ->
ExecutionReport Canceled / OrderCancelReject (9); OrderStatusRequest (H) ->
ExecutionReport 150=I. Anything else returns None: the adapter answers
BusinessMessageReject "Unsupported Message Type".

State changes at once; only the sending is delayed. A status request arriving
during a response delay therefore already sees the order's outcome.
"""

from __future__ import annotations

import random

from gateway.fix.message import Message
from gateway.sim.behaviour import LPBehaviour
from gateway.sim.common import IdSource, LPCounters, Reaction
from gateway.sim.desk import Desk
from gateway.sim.orders import OrderBook
from gateway.sim.quotes import QuoteBook, Quoter

__all__ = ["LPLogic", "Reaction"]


class LPLogic:
    """One simulated LP: its behaviour, quotes given, order book and counters."""

    def __init__(self, behaviour: LPBehaviour | None = None, *, name: str = "LP",
                 id_prefix: str | None = None) -> None:
        self.name = name
        self._behaviour = behaviour or LPBehaviour()
        self.rng = random.Random(self._behaviour.seed)
        self.counters = LPCounters()
        self.ids = IdSource(id_prefix or name)
        self.quote_book = QuoteBook()
        self.order_book = OrderBook()
        self.quoter = Quoter(self.ids, self.counters, self.quote_book)
        self.desk = Desk(self.ids, self.counters, self.quote_book, self.order_book)
        self._orders_since_behaviour = 0

    @property
    def behaviour(self) -> LPBehaviour:
        return self._behaviour

    def set_behaviour(self, behaviour: LPBehaviour) -> None:
        """Switch behaviour from the next message on. A new seed restarts the random sequence;
        a scripted disconnect counts orders from now."""
        if behaviour.seed != self._behaviour.seed:
            self.rng = random.Random(behaviour.seed)
        self._behaviour = behaviour
        self._orders_since_behaviour = 0

    def handle(self, message: Message, now_ns: int) -> Reaction | None:
        """React to one application message; None for a type the LP does not handle."""
        behaviour = self._behaviour
        msg_type = message.msg_type
        if msg_type == "R":
            quotes = self.quoter.answer(behaviour, self.rng, message, now_ns)
            _add_tag([m for m in quotes if m.msg_type == "S"], behaviour.custom_quote_tag)
            return Reaction(tuple(quotes), behaviour.response_delay_ms)
        if msg_type == "D":
            return self._new_order(behaviour, message, now_ns)
        delay_ms = behaviour.effective_order_delay_ms
        if msg_type == "F":
            return Reaction(tuple(self.desk.cancel(message, now_ns)), delay_ms)
        if msg_type == "H":
            return Reaction(tuple(self.desk.status(message, now_ns)), delay_ms)
        return None

    def _new_order(self, behaviour: LPBehaviour, message: Message, now_ns: int) -> Reaction:
        self.counters.orders += 1
        self._orders_since_behaviour += 1
        cl_ord_id = message.get(11)
        if behaviour.silent_orders:
            self.counters.ignored_orders += 1
            return Reaction(note=f"{self.name}: order {cl_ord_id} ignored (silent_orders)")
        drop = behaviour.disconnect_after_orders == self._orders_since_behaviour
        reports: list[Message] = []
        if not drop or behaviour.process_before_disconnect:
            reports = self.desk.new_order(behaviour, self.rng, message, now_ns)
            _add_tag(reports, behaviour.custom_report_tag)
        if not drop:
            return Reaction(tuple(reports), behaviour.effective_order_delay_ms)
        self.counters.disconnects += 1
        late = behaviour.late_reports and bool(reports)
        return Reaction(tuple(reports) if late else (), behaviour.effective_order_delay_ms,
                        disconnect=True, note=(
            f"{self.name}: scripted disconnect on order {cl_ord_id} "
            f"({'executed' if behaviour.process_before_disconnect else 'never booked'}, "
            f"{'answered after the drop' if late else 'not answered'})"))


def _add_tag(messages: list[Message], tag: int | None) -> None:
    if tag is not None:
        for message in messages:
            message.set(tag, "1")
