"""Parent (client) and child (LP) orders, with state derived from quantities.

A parent's CumQty is the sum of its children's fills, deduplicated by the LP's
ExecID, never an LP's OrdStatus passed through (SPEC §4.2). A child whose LP
session dropped, or that got no answer in time, is UNKNOWN: its open quantity
stays reserved — it might still fill — so it is never re-routed, and the
parent cannot become terminal while it lasts.

Child states and their legal transitions are data (`CHILD_TRANSITIONS`); an
illegal move raises `OrderStateError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from routing.model import Side

ZERO = Decimal(0)


class OrderStateError(RuntimeError):
    """A transition the order state table does not allow."""


class ChildState(StrEnum):
    PENDING = "sent to the LP, not acknowledged yet"
    WORKING = "acknowledged by the LP, open quantity may still fill"
    UNKNOWN = "no final answer and no way to ask yet; open quantity stays reserved"
    FILLED = "fully filled"
    CLOSED = "ended with quantity unfilled (canceled, expired, IOC remainder)"
    REJECTED = "refused by the LP (e.g. last look)"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({ChildState.FILLED, ChildState.CLOSED, ChildState.REJECTED})
_LIVE = (ChildState.PENDING, ChildState.WORKING)

CHILD_TRANSITIONS: dict[ChildState, frozenset[ChildState]] = {
    ChildState.PENDING: frozenset({ChildState.WORKING, ChildState.UNKNOWN, *_TERMINAL}),
    ChildState.WORKING: frozenset({ChildState.WORKING, ChildState.UNKNOWN, *_TERMINAL}),
    # An LP's late report or a status answer resolves an unknown child either way.
    ChildState.UNKNOWN: frozenset({ChildState.WORKING, ChildState.UNKNOWN, *_TERMINAL}),
    ChildState.FILLED: frozenset(),
    ChildState.CLOSED: frozenset(),
    ChildState.REJECTED: frozenset(),
}


class ParentStatus(StrEnum):
    """OrdStatus(39) of a client order as reported to the client."""

    NEW = "0"
    PARTIALLY_FILLED = "1"
    FILLED = "2"
    CANCELED = "4"
    PENDING_CANCEL = "6"
    REJECTED = "8"


@dataclass(slots=True)
class ChildOrder:
    """One NewOrderSingle sent to an LP on behalf of a parent."""

    child_id: str          # our ClOrdID(11) towards the LP
    order_id: str          # the parent's OrderID
    lp: str
    quantity: Decimal
    price: Decimal
    quote_id: str
    ord_type: str          # "D" previously quoted or "2" limit
    time_in_force: str
    sent_at_s: float
    round_no: int
    state: ChildState = ChildState.PENDING
    lp_order_id: str = ""
    cum_qty: Decimal = ZERO
    notional: Decimal = ZERO
    exec_ids: set[str] = field(default_factory=set)
    text: str = ""
    unknown_since_s: float = 0.0
    status_requested: bool = False
    cancel_sent: bool = False

    @property
    def open_qty(self) -> Decimal:
        """Quantity that may still fill (reserved while live or unknown)."""
        return ZERO if self.state.is_terminal else self.quantity - self.cum_qty

    @property
    def is_live(self) -> bool:
        return self.state in _LIVE

    def move(self, state: ChildState) -> None:
        if state not in CHILD_TRANSITIONS[self.state]:
            raise OrderStateError(f"child {self.child_id}: {self.state.name} -> {state.name}")
        self.state = state


@dataclass(slots=True)
class ParentOrder:
    """A client's order as the gateway works it."""

    order_id: str
    session: str           # client session id (str of SessionID)
    cl_ord_id: str
    symbol: str
    side: Side
    quantity: Decimal
    ord_type: str          # "1" market, "2" limit
    limit_price: Decimal | None
    time_in_force: str
    strategy: str
    preferred_lps: tuple[str, ...]
    manual_lp: str | None
    accepted_at_s: float
    expire_at_s: float | None = None      # Day orders: the end of the client's session
    orig_cl_ord_id: str = ""
    children: list[ChildOrder] = field(default_factory=list)
    cum_qty: Decimal = ZERO
    notional: Decimal = ZERO
    closed: ParentStatus | None = None      # CANCELED or REJECTED once ended that way
    close_text: str = ""
    cancel_requested: bool = False
    cancel_cl_ord_id: str = ""
    excluded_lps: set[str] = field(default_factory=set)
    rounds: int = 0
    exec_seq: int = 0

    @property
    def avg_px(self) -> Decimal:
        return self.notional / self.cum_qty if self.cum_qty else ZERO

    @property
    def reserved_qty(self) -> Decimal:
        """Open quantity of children that may still fill."""
        return sum((c.open_qty for c in self.children), ZERO)

    @property
    def unplaced_qty(self) -> Decimal:
        """Quantity neither filled nor reserved by a child: what a new round may route."""
        if self.closed is not None:
            return ZERO
        return self.quantity - self.cum_qty - self.reserved_qty

    @property
    def leaves_qty(self) -> Decimal:
        return ZERO if self.is_terminal else self.quantity - self.cum_qty

    @property
    def has_unknown(self) -> bool:
        return any(c.state is ChildState.UNKNOWN for c in self.children)

    @property
    def has_live(self) -> bool:
        return any(c.is_live for c in self.children)

    @property
    def is_terminal(self) -> bool:
        return self.closed is not None or self.cum_qty >= self.quantity

    @property
    def status(self) -> ParentStatus:
        if self.closed is not None:
            return self.closed
        if self.cum_qty >= self.quantity:
            return ParentStatus.FILLED
        if self.cancel_requested:
            return ParentStatus.PENDING_CANCEL
        return ParentStatus.PARTIALLY_FILLED if self.cum_qty else ParentStatus.NEW

    @property
    def resting(self) -> bool:
        """Day (0) and GTC (1) limit orders keep working between quote rounds."""
        return self.time_in_force in ("0", "1") and self.limit_price is not None
