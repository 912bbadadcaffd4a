"""The order book: parents, children, fills — rebuilt by applying records in order."""

from __future__ import annotations

from collections.abc import Iterator

from routing.model import Side
from routing.orders import ChildOrder, ChildState, ParentOrder, ParentStatus
from routing.records import (
    CancelRequested,
    ChildAcked,
    ChildEnded,
    ChildFilled,
    ChildSent,
    ChildUnknown,
    OrderAccepted,
    OrderClosed,
    OrderRefused,
    OrderReplaced,
    Record,
    RoundDecided,
)


class OrderBook:
    """Every order of the day, by OrderID, by client ClOrdID and by child ClOrdID."""

    def __init__(self) -> None:
        self.orders: dict[str, ParentOrder] = {}
        self.children: dict[str, ChildOrder] = {}
        self.rounds: dict[str, list[RoundDecided]] = {}
        self.fills: dict[str, list[ChildFilled]] = {}
        self._by_client: dict[tuple[str, str], str] = {}
        self._refused: set[tuple[str, str]] = set()
        self._open: dict[str, ParentOrder] = {}   # not terminal, or waiting on UNKNOWN children
        self._appliers = {
            OrderAccepted: self._accepted, OrderRefused: self._refused_order,
            RoundDecided: self._round, ChildSent: self._child_sent, ChildAcked: self._acked,
            ChildFilled: self._filled, ChildEnded: self._ended, ChildUnknown: self._unknown,
            CancelRequested: self._cancel_requested, OrderReplaced: self._replaced,
            OrderClosed: self._closed,
        }

    # -- queries --------------------------------------------------------------------
    def by_client(self, session: str, cl_ord_id: str) -> ParentOrder | None:
        order_id = self._by_client.get((session, cl_ord_id))
        return self.orders.get(order_id) if order_id else None

    def knows_cl_ord_id(self, session: str, cl_ord_id: str) -> bool:
        key = (session, cl_ord_id)
        return key in self._by_client or key in self._refused

    def open_orders(self) -> Iterator[ParentOrder]:
        """Orders still working or waiting on UNKNOWN children (an index, not a scan)."""
        return iter(list(self._open.values()))

    # -- applying records ------------------------------------------------------------------
    def apply(self, record: Record) -> None:
        self._appliers[type(record)](record)  # type: ignore[operator]
        order = self.orders.get(getattr(record, "order_id", ""))
        if order is not None:
            if order.is_terminal and not order.has_unknown:
                self._open.pop(order.order_id, None)
            else:
                self._open[order.order_id] = order

    def _accepted(self, r: OrderAccepted) -> None:
        order = ParentOrder(
            order_id=r.order_id, session=r.session, cl_ord_id=r.cl_ord_id, symbol=r.symbol,
            side=Side(r.side), quantity=r.quantity, ord_type=r.ord_type, limit_price=r.limit_price,
            time_in_force=r.time_in_force, strategy=r.strategy, preferred_lps=r.preferred_lps,
            manual_lp=r.manual_lp, accepted_at_s=r.at_s, expire_at_s=r.expire_at_s)
        _count_exec(order, r.exec_id)
        self.orders[r.order_id] = order
        self._by_client[(r.session, r.cl_ord_id)] = r.order_id

    def _refused_order(self, r: OrderRefused) -> None:
        self._refused.add((r.session, r.cl_ord_id))

    def _round(self, r: RoundDecided) -> None:
        order = self.orders[r.order_id]
        order.rounds = max(order.rounds, r.round_no)
        self.rounds.setdefault(r.order_id, []).append(r)

    def _child_sent(self, r: ChildSent) -> None:
        child = ChildOrder(
            child_id=r.child_id, order_id=r.order_id, lp=r.lp, quantity=r.quantity, price=r.price,
            quote_id=r.quote_id, ord_type=r.ord_type, time_in_force=r.time_in_force,
            sent_at_s=r.at_s, round_no=r.round_no)
        self.orders[r.order_id].children.append(child)
        self.children[r.child_id] = child

    def _acked(self, r: ChildAcked) -> None:
        child = self.children[r.child_id]
        child.lp_order_id = r.lp_order_id or child.lp_order_id
        if not child.state.is_terminal:
            child.move(ChildState.WORKING)

    def _filled(self, r: ChildFilled) -> None:
        child = self.children[r.child_id]
        order = self.orders[r.order_id]
        child.exec_ids.add(r.lp_exec_id)
        child.lp_order_id = r.lp_order_id or child.lp_order_id
        notional = r.quantity * r.price
        child.cum_qty += r.quantity
        child.notional += notional
        order.cum_qty += r.quantity
        order.notional += notional
        _count_exec(order, r.exec_id)
        self.fills.setdefault(r.order_id, []).append(r)
        if child.cum_qty >= child.quantity and not child.state.is_terminal:
            child.move(ChildState.FILLED)

    def _ended(self, r: ChildEnded) -> None:
        child = self.children[r.child_id]
        state = ChildState[r.state]
        if child.state is not state and not child.state.is_terminal:
            child.move(state)
        child.text = r.text or child.text

    def _unknown(self, r: ChildUnknown) -> None:
        child = self.children[r.child_id]
        if not child.state.is_terminal:
            child.move(ChildState.UNKNOWN)
            child.unknown_since_s = r.at_s
            child.status_requested = False
            child.text = r.reason

    def _cancel_requested(self, r: CancelRequested) -> None:
        order = self.orders[r.order_id]
        order.cancel_requested = True
        order.cancel_cl_ord_id = r.cl_ord_id
        _count_exec(order, r.exec_id)
        self._by_client[(order.session, r.cl_ord_id)] = order.order_id

    def _replaced(self, r: OrderReplaced) -> None:
        order = self.orders[r.order_id]
        order.orig_cl_ord_id = order.cl_ord_id
        order.cl_ord_id = r.cl_ord_id
        order.quantity = r.quantity
        order.limit_price = r.limit_price
        _count_exec(order, r.exec_id)
        self._by_client[(order.session, r.cl_ord_id)] = order.order_id

    def _closed(self, r: OrderClosed) -> None:
        order = self.orders[r.order_id]
        order.closed = ParentStatus(r.status)
        order.close_text = r.text
        if order.cancel_requested and order.closed is ParentStatus.CANCELED:
            order.orig_cl_ord_id = order.cl_ord_id
            order.cl_ord_id = order.cancel_cl_ord_id or order.cl_ord_id
        _count_exec(order, r.exec_id)


def _count_exec(order: ParentOrder, exec_id: str) -> None:
    """Keep ExecIDs unique across restarts: the counter follows the highest one seen."""
    if exec_id:
        order.exec_seq = max(order.exec_seq, int(exec_id.rsplit(".", 1)[1]))

