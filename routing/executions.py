"""LP execution reports on child orders, UNKNOWN children and their reconciliation.

Fills are deduplicated by the LP's ExecID and added to the parent; the parent's
figures come from quantities, never from the LP's OrdStatus. A status answer
(ExecType I) that shows more filled than we know adds the difference as one
fill at the price implied by the LP's CumQty and AvgPx.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from routing.actions import Action, Alert, BreakerOutcome, CancelChild, QueryChild, report
from routing.inbound import ChildReport
from routing.orders import ChildOrder, ChildState, ParentOrder
from routing.records import ChildAcked, ChildEnded, ChildFilled, ChildUnknown

if TYPE_CHECKING:
    from routing.router import Router

_DONE_STATUSES = frozenset({"2", "3", "4", "8", "9", "C"})   # OrdStatus that ends an LP order
_UNKNOWN_ORDER = "5"                                          # OrdRejReason: unknown order


def on_child_report(router: Router, r: ChildReport, now_s: float) -> list[Action]:
    child = router.book.children.get(r.child_id)
    if child is None or child.lp != r.lp:
        return [Alert("stray_report", "", f"report from {r.lp} for unknown child {r.child_id}")]
    # Status answers (ExecType I) carry no execution and, per FIX 4.4, ExecID "0" every
    # time: they are never deduplicated (reconciling is idempotent by CumQty).
    if r.lp_exec_id and r.exec_type != "I" and r.lp_exec_id in child.exec_ids:
        return []
    order = router.book.orders[child.order_id]
    was_unknown = child.state is ChildState.UNKNOWN
    actions: list[Action] = []
    if r.exec_type == "I":
        actions += _reconcile(router, order, child, r, now_s)
    elif r.exec_type == "F" and r.last_qty:
        actions += _fill(router, order, child, r, r.last_qty, r.last_px or Decimal(0), now_s)
    elif r.exec_type == "8":
        router.record(ChildEnded(order.order_id, child.child_id, ChildState.REJECTED.name,
                                  r.text or "rejected by LP", now_s))
        order.excluded_lps.add(child.lp)
        actions.append(BreakerOutcome(child.lp, False, f"child rejected: {r.text}"))
    elif r.exec_type == "0" or child.state is ChildState.PENDING:
        router.record(ChildAcked(order.order_id, child.child_id, r.lp_order_id, now_s))
    if not child.state.is_terminal and r.ord_status in _DONE_STATUSES:
        state = ChildState.REJECTED if r.ord_status == "8" else ChildState.CLOSED
        router.record(ChildEnded(order.order_id, child.child_id, state.name, r.text, now_s))
    if was_unknown and child.state is not ChildState.UNKNOWN:
        actions.append(Alert("reconciled", order.order_id,
                             f"child {child.child_id} on {child.lp} resolved: {child.state.name}, "
                             f"filled {child.cum_qty} of {child.quantity}"))
        if child.is_live and order.cancel_requested and child.time_in_force in ("0", "1"):
            # The client's cancel came while this child was UNKNOWN: cancel it now (with a
            # fresh request id: an earlier cancel request may have reached the LP).
            child.cancel_sent = True
            actions.append(CancelChild(child, order.symbol, order.side,
                                       f"{child.child_id}.C{int(now_s * 1000)}"))
    return actions + router.after_child_change(order, now_s)


def _fill(router: Router, order: ParentOrder, child: ChildOrder, r: ChildReport,
          quantity: Decimal, price: Decimal, now_s: float) -> list[Action]:
    actions: list[Action] = []
    if child.cum_qty + quantity > child.quantity or order.cum_qty + quantity > order.quantity:
        actions.append(Alert("overfill", order.order_id,
                             f"{child.lp} filled {child.cum_qty + quantity} on a child of {child.quantity}; "
                             f"order {order.cum_qty + quantity} of {order.quantity}"))
    exec_id = router.next_exec_id(order)
    router.record(ChildFilled(order.order_id, child.child_id, r.lp_order_id, r.lp_exec_id,
                               quantity, price, exec_id, now_s))
    actions.append(report(order, "F", exec_id, last_qty=quantity, last_px=price, last_mkt=child.lp,
                          lp_order_id=child.lp_order_id, lp_exec_id=r.lp_exec_id))
    actions.append(BreakerOutcome(child.lp, True, "fill"))
    return actions


def _reconcile(router: Router, order: ParentOrder, child: ChildOrder, r: ChildReport,
               now_s: float) -> list[Action]:
    """An OrderStatusRequest answer: catch up on missed fills, then adopt the LP's status."""
    actions: list[Action] = []
    if r.ord_status == "8" and r.ord_rej_reason == _UNKNOWN_ORDER and not child.cum_qty:
        router.record(ChildEnded(order.order_id, child.child_id, ChildState.CLOSED.name,
                                  "LP does not know the order", now_s))
        return actions
    lp_cum = r.cum_qty or Decimal(0)
    missing = lp_cum - child.cum_qty
    if missing > 0:
        lp_notional = lp_cum * (r.avg_px or Decimal(0))
        price = (lp_notional - child.notional) / missing
        synthetic = r._replace(lp_exec_id=f"{child.child_id}.status.{lp_cum}")
        actions += _fill(router, order, child, synthetic, missing, price, now_s)
    if not child.state.is_terminal and r.ord_status not in _DONE_STATUSES:
        router.record(ChildAcked(order.order_id, child.child_id, r.lp_order_id, now_s))
    return actions


def children_unknown(router: Router, lp: str, reason: str, now_s: float) -> list[Action]:
    """Every live child on `lp` becomes UNKNOWN (its LP session dropped)."""
    return [_make_unknown(router, child, reason, now_s)
            for child in list(router.book.children.values()) if child.lp == lp and child.is_live]


def _make_unknown(router: Router, child: ChildOrder, reason: str, now_s: float) -> Alert:
    router.record(ChildUnknown(child.order_id, child.child_id, reason, now_s))
    return Alert("unknown_child", child.order_id,
                 f"child {child.child_id} on {child.lp} is UNKNOWN ({reason}); "
                 f"{child.open_qty} stays reserved")


def _query(router: Router, child: ChildOrder) -> QueryChild:
    """An OrderStatusRequest for `child`, remembered so that it is not asked twice."""
    child.status_requested = True
    order = router.book.orders[child.order_id]
    return QueryChild(child, order.symbol, order.side)


def report_refused(router: Router, lp: str, child_ids: tuple[str, ...], reason: str,
                   now_s: float) -> list[Action]:
    """An ExecutionReport from `lp` that our session refused (it failed validation): what it
    said is unknown, so the child it names - or, if it names none of ours, every live
    child on `lp` - becomes UNKNOWN (quantity reserved) and the LP is asked for its status.
    A child already UNKNOWN with a status request out is not asked again: the LP sent
    the refused report before its answer (one session is in order), so the answer
    covers it. A status answer the session refuses as well leaves the child UNKNOWN,
    to the UnknownChildPolicy; nothing is assumed filled or not filled."""
    children = router.book.children
    named = next((child for child_id in child_ids
                  if (child := children.get(child_id)) is not None and child.lp == lp), None)
    candidates = [named] if named else [c for c in children.values() if c.lp == lp and c.is_live]
    asking = [c for c in candidates if not (c.state is ChildState.UNKNOWN and c.status_requested)]
    actions: list[Action] = [Alert(
        "report_refused", named.order_id if named else "",
        f"{lp}: ExecutionReport for {'/'.join(child_ids) or '?'} refused ({reason}); "
        f"asking for the status of {', '.join(c.child_id for c in asking) or 'no child'}")]
    for child in asking:
        if child.is_live and child.state is not ChildState.UNKNOWN:
            actions.append(_make_unknown(router, child, f"report refused: {reason}", now_s))
        if lp in router.connected:
            actions.append(_query(router, child))
    return actions


def query_unknown(router: Router, lp: str) -> list[Action]:
    """Ask a reconnected LP about its UNKNOWN children."""
    return [_query(router, child) for child in router.book.children.values()
            if child.lp == lp and child.state is ChildState.UNKNOWN]


def check_children(router: Router, now_s: float) -> list[Action]:
    """Ack timeouts (→ UNKNOWN, then ask) and UNKNOWN timeouts (hold: alert; release: close)."""
    config = router.config
    actions: list[Action] = []
    for order in list(router.book.open_orders()):
        for child in order.children:
            if _overdue(child, now_s, config.child_ack_timeout_s):
                reason = ("no answer within ChildAckTimeoutMs" if child.state is ChildState.PENDING
                          else "IOC/FOK child still open after ChildAckTimeoutMs")
                router.record(ChildUnknown(order.order_id, child.child_id, reason, now_s))
                actions.append(Alert("unknown_child", order.order_id,
                                     f"child {child.child_id} on {child.lp} is UNKNOWN: {reason}"))
                if child.lp in router.connected:
                    actions.append(_query(router, child))
            elif (child.state is ChildState.UNKNOWN and child.unknown_since_s
                  and now_s - child.unknown_since_s > config.unknown_child_timeout_s):
                actions += _unknown_timeout(router, order, child, now_s)
    return actions


def _overdue(child: ChildOrder, now_s: float, timeout_s: float) -> bool:
    """No answer in time, or an IOC/FOK child the LP acknowledged but never ended.

    The latter is asked about once (`status_requested`); if the LP still says it is
    working, it stays WORKING and the operator sees the alert.
    """
    if now_s - child.sent_at_s <= timeout_s:
        return False
    if child.state is ChildState.PENDING:
        return True
    return (child.state is ChildState.WORKING and child.time_in_force in ("3", "4")
            and not child.status_requested)


def _unknown_timeout(router: Router, order: ParentOrder, child: ChildOrder, now_s: float) -> list[Action]:
    if not router.config.release_unknown:
        child.unknown_since_s = 0.0  # alert once; the quantity stays reserved
        return [Alert("unknown_unresolved", order.order_id,
                      f"child {child.child_id} on {child.lp} still UNKNOWN after "
                      f"UnknownChildTimeoutMs; holding {child.open_qty} (UnknownChildPolicy=hold)")]
    router.record(ChildEnded(order.order_id, child.child_id, ChildState.CLOSED.name,
                              "released by UnknownChildPolicy=release", now_s))
    return [Alert("unknown_released", order.order_id,
                  f"child {child.child_id} on {child.lp} released unresolved: over-fill risk"),
            *router.after_child_change(order, now_s)]
