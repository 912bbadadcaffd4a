"""The simulated LP's order book and the ExecutionReports / OrderCancelRejects it writes.

An `LPOrder` follows the FIX 4.4 order state model on the LP side: New (0) ->
Partially filled (1) -> Filled (2), or Canceled (4) / Rejected (8). Quantities
hold CumQty + LeavesQty = OrderQty while the order lives; LeavesQty is 0 once it
is terminal. AvgPx is the volume-weighted price of the fills.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from gateway.fix.message import Item, Message
from gateway.fix.timefmt import utc_timestamp
from gateway.sim.pricing import fmt, fmt_avg

__all__ = ["ExecType", "Extra", "LPOrder", "OrdStatus", "OrderBook", "cancel_reject", "execution_report",
           "unknown_order_status"]

_ZERO = Decimal(0)
UNKNOWN_ORDER_ID = "NONE"  # FIX's OrderID when the order is not known


class OrdStatus(enum.StrEnum):
    """OrdStatus(39) values the simulator uses."""

    NEW = "0"
    PARTIALLY_FILLED = "1"
    FILLED = "2"
    CANCELED = "4"
    REJECTED = "8"


class ExecType(enum.StrEnum):
    """ExecType(150) values the simulator uses."""

    NEW = "0"
    CANCELED = "4"
    REJECTED = "8"
    TRADE = "F"
    ORDER_STATUS = "I"


TERMINAL = frozenset({OrdStatus.FILLED, OrdStatus.CANCELED, OrdStatus.REJECTED})


@dataclass
class LPOrder:
    """A child order as the LP sees it. `price` is the limit or quoted price (None: market)."""

    order_id: str
    cl_ord_id: str
    symbol: str
    side: str
    quantity: Decimal
    ord_type: str
    price: Decimal | None
    time_in_force: str
    cum_qty: Decimal = _ZERO
    notional: Decimal = _ZERO
    status: OrdStatus = OrdStatus.NEW

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def leaves_qty(self) -> Decimal:
        return _ZERO if self.terminal else self.quantity - self.cum_qty

    @property
    def avg_px(self) -> Decimal:
        return self.notional / self.cum_qty if self.cum_qty else _ZERO

    def fill(self, quantity: Decimal, price: Decimal) -> None:
        """Record an execution; never beyond OrderQty."""
        if self.terminal or quantity <= 0 or quantity > self.leaves_qty:
            raise ValueError(f"cannot fill {quantity} of {self.cl_ord_id} ({self.status.name}, "
                             f"leaves {self.leaves_qty})")
        self.cum_qty += quantity
        self.notional += quantity * price
        self.status = OrdStatus.FILLED if self.cum_qty == self.quantity else OrdStatus.PARTIALLY_FILLED

    def cancel(self) -> None:
        if self.terminal:
            raise ValueError(f"{self.cl_ord_id} is already {self.status.name}")
        self.status = OrdStatus.CANCELED

    def reject(self) -> None:
        self.status = OrdStatus.REJECTED


class OrderBook:
    """Orders by ClOrdID and by OrderID. Past `capacity` the oldest terminal order is dropped."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = capacity
        self._by_cl_ord_id: dict[str, LPOrder] = {}
        self._by_order_id: dict[str, LPOrder] = {}

    def add(self, order: LPOrder) -> None:
        self._by_cl_ord_id[order.cl_ord_id] = order
        self._by_order_id[order.order_id] = order
        if len(self._by_cl_ord_id) > self.capacity:
            self._evict_one()

    def _evict_one(self) -> None:
        for cl_ord_id, order in self._by_cl_ord_id.items():
            if order.terminal:
                del self._by_cl_ord_id[cl_ord_id]
                del self._by_order_id[order.order_id]
                return

    def get(self, cl_ord_id: str | None) -> LPOrder | None:
        return self._by_cl_ord_id.get(cl_ord_id) if cl_ord_id else None

    def find(self, cl_ord_id: str | None, order_id: str | None) -> LPOrder | None:
        """By ClOrdID, else by the LP's OrderID."""
        order = self.get(cl_ord_id)
        if order is None and order_id:
            order = self._by_order_id.get(order_id)
        return order

    def resting(self) -> list[LPOrder]:
        """Orders still working (New or partially filled)."""
        return [order for order in self._by_cl_ord_id.values() if not order.terminal]

    def __len__(self) -> int:
        return len(self._by_cl_ord_id)


@dataclass(frozen=True)
class Extra:
    """Optional parts of an ExecutionReport."""

    last_qty: Decimal | None = None
    last_px: Decimal | None = None
    text: str | None = None
    rej_reason: int | None = None
    cl_ord_id: str | None = None       # the cancel request's ClOrdID, when answering one
    orig_cl_ord_id: str | None = None
    status_req_id: str | None = None   # OrdStatusReqID(790) echoed on 150=I


def execution_report(order: LPOrder, exec_type: ExecType, exec_id: str, now_ns: int,
                     extra: Extra = Extra()) -> Message:
    """An ExecutionReport of `order`'s current state."""
    body: list[Item] = [
        (6, fmt_avg(order.avg_px)),
        (11, extra.cl_ord_id or order.cl_ord_id),
        (14, fmt(order.cum_qty)),
        (17, exec_id),
        (37, order.order_id),
        (39, order.status.value),
        (54, order.side),
        (60, utc_timestamp(now_ns)),
        (150, exec_type.value),
        (151, fmt(order.leaves_qty)),
    ]
    if order.quantity > 0:
        body.append((38, fmt(order.quantity)))
    if order.symbol:
        body.append((55, order.symbol))
    if order.ord_type:
        body.append((40, order.ord_type))
    if order.price is not None and order.ord_type in ("2", "D"):
        body.append((44, fmt(order.price)))
    if order.time_in_force:
        body.append((59, order.time_in_force))
    _add_extra(body, extra)
    return Message("8", body)


def _add_extra(body: list[Item], extra: Extra) -> None:
    if extra.last_qty is not None and extra.last_px is not None:
        body += [(32, fmt(extra.last_qty)), (31, fmt(extra.last_px))]
    if extra.text:
        body.append((58, extra.text))
    if extra.rej_reason is not None:
        body.append((103, str(extra.rej_reason)))
    if extra.orig_cl_ord_id:
        body.append((41, extra.orig_cl_ord_id))
    if extra.status_req_id:
        body.append((790, extra.status_req_id))


def unknown_order_status(request: Message, exec_id: str, now_ns: int) -> Message:
    """The answer to an OrderStatusRequest for an order the LP does not know.

    FIX 4.4's order state matrices: ExecType=I, OrdStatus=8 (Rejected),
    OrdRejReason=5 (Unknown order), OrderID "NONE", no quantities.
    """
    order = LPOrder(UNKNOWN_ORDER_ID, request.get(11) or "", request.get(55) or "",
                    request.get(54) or "", _ZERO, "", None, "", status=OrdStatus.REJECTED)
    return execution_report(order, ExecType.ORDER_STATUS, exec_id, now_ns, Extra(
        text="Unknown order", rej_reason=5, status_req_id=request.get(790)))


def cancel_reject(request: Message, order: LPOrder | None, reason: int, text: str,
                  now_ns: int) -> Message:
    """OrderCancelReject(35=9) to an OrderCancelRequest; `reason` is CxlRejReason(102)."""
    body: list[Item] = [
        (11, request.get(11) or ""),
        (37, order.order_id if order is not None else UNKNOWN_ORDER_ID),
        (39, order.status.value if order is not None else OrdStatus.REJECTED.value),
        (41, request.get(41) or ""),
        (58, text),
        (60, utc_timestamp(now_ns)),
        (102, str(reason)),
        (434, "1"),  # CxlRejResponseTo: OrderCancelRequest
    ]
    return Message("9", body)
