"""The gateway application: client and LP sessions on one side, the router on the other.

QuickFIX-style callbacks turn FIX messages into routing values (`fixmap`), feed
them to the sans-IO `Router`, and carry out the actions it returns: reports to
clients, QuoteRequests and child orders to LPs, breaker bookkeeping, events.
Breaker calls go through the configured store; the in-memory store never
suspends, so it is driven inline without a task per order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from gateway import fixmap
from gateway.config.model import ClientSettings, GatewayConfig
from gateway.fix.errors import Rejection
from gateway.fix.message import Message
from gateway.session.application import BaseApplication, UnsupportedMessageType
from gateway.session.core import Session
from routing import amend, executions
from routing.actions import (
    Action,
    Admit,
    Alert,
    BreakerOutcome,
    CancelChild,
    CancelReject,
    ParentReport,
    QueryChild,
    SendChild,
    SendQuoteRequest,
)
from routing.breaker.core import BreakerTransition
from routing.breaker.store import BreakerStore
from routing.model import Side
from routing.router import Router

T = TypeVar("T")
EventSink = Callable[[str, str, dict[str, Any]], None]   # kind, text, fields
_SENT_INDEX_LIMIT = 100_000
_SIDES = frozenset(side.value for side in Side)


class RoutingObserver(Protocol):
    """What metrics see of the order flow (every call must be cheap)."""

    def order_in(self, session: str, cl_ord_id: str, now_s: float) -> None: ...

    def quote_in(self, lp: str, quote_req_id: str, now_s: float) -> None: ...

    def action(self, action: Action, now_s: float) -> None: ...

    def transition(self, transition: BreakerTransition) -> None: ...


class NullObserver:
    def order_in(self, session: str, cl_ord_id: str, now_s: float) -> None:
        pass

    def quote_in(self, lp: str, quote_req_id: str, now_s: float) -> None:
        pass

    def action(self, action: Action, now_s: float) -> None:
        pass

    def transition(self, transition: BreakerTransition) -> None:
        pass


def _drive(awaitable: Awaitable[T]) -> T:
    """Run a coroutine that never suspends (the in-memory breaker store) to completion."""
    coroutine = awaitable.__await__()
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise RuntimeError("breaker store suspended; it is not synchronous")


class GatewayApplication(BaseApplication):
    """Routes client orders to LPs. One instance serves every session of the engine."""

    def __init__(self, config: GatewayConfig, router: Router, breakers: BreakerStore,
                 on_event: EventSink, clock: Callable[[], float] = time.time,
                 observer: RoutingObserver | None = None) -> None:
        self.config = config
        self.router = router
        self.breakers = breakers
        self.on_event = on_event
        self.clock = clock
        self.observer: RoutingObserver = observer or NullObserver()
        self.sessions: dict[str, Session] = {}
        self.lp_sessions: dict[str, Session] = {}
        self.lp_of: dict[str, str] = {}
        self.clients: dict[str, ClientSettings] = {}
        self._logged_on: set[str] = set()
        self.synchronous_breakers = bool(getattr(breakers, "synchronous", False))
        self._sent: dict[tuple[str, int], tuple[str, str]] = {}   # (lp, seq) -> (kind, id)
        self._after_actions: Callable[[], None] = lambda: None
        self.stopping = False

    def on_actions_done(self, callback: Callable[[], None]) -> None:
        """Called after each batch of actions (the engine uses it to schedule a flush)."""
        self._after_actions = callback

    # -- session callbacks ------------------------------------------------------------
    def on_create(self, session: Session) -> None:
        key = str(session.session_id)
        self.sessions[key] = session
        settings = session.settings
        if settings.lp is not None:
            self.lp_sessions[settings.lp.name] = session
            self.lp_of[key] = settings.lp.name
        elif settings.client is not None:
            self.clients[key] = settings.client

    def on_logon(self, session: Session) -> None:
        lp = self.lp_of.get(str(session.session_id))
        self._logged_on.add(str(session.session_id))
        self._event("logon", f"{session.session_id} logged on", session=str(session.session_id))
        if lp is not None:
            self.run(self.router.on_lp_up(lp, self.clock()))

    def on_logout(self, session: Session) -> None:
        key = str(session.session_id)
        if key not in self._logged_on:
            # An initiator whose Logon got no answer: the session was never up (nothing to
            # take down), and the LP is already known to be down.
            self._event("logon_failed", f"{key}: connection closed before the Logon was answered",
                        session=key)
            return
        self._logged_on.discard(key)
        lp = self.lp_of.get(key)
        self._event("logout", f"{session.session_id} logged out", session=key)
        if lp is not None:
            now = self.clock()
            if not self.stopping:
                # Our own shutdown logs the LPs out: no fault of theirs, and with Redis the
                # breaker would open for every other gateway instance too.
                self._breaker(self.breakers.session_down(lp, "LP session dropped", now))
            self.run(self.router.on_lp_down(lp, "session dropped", now))

    def from_admin(self, message: Message, session: Session) -> None:
        if message.msg_type == "3":
            lp = self.lp_of.get(str(session.session_id))
            if lp is not None:
                self._refused_by_lp(lp, message, f"session Reject: {message.get(58) or ''}")

    def on_refused(self, message: Message, rejection: Rejection, session: Session) -> None:
        """An LP message our session rejected as invalid must not vanish: a report makes
        its child UNKNOWN and asks the LP; a quote counts as that LP's refusal to quote.
        (A client's refused message is the client's to correct: the Reject tells it.)"""
        lp = self.lp_of.get(str(session.session_id))
        if lp is None:
            return
        text = f"{message.msg_type} refused: {rejection.message_text}" + (
            f" (tag {rejection.ref_tag})" if rejection.ref_tag is not None else "")
        self._event("lp_message_refused", f"{lp}: {text}", lp=lp)
        now = self.clock()
        if message.msg_type == "8":
            self.run(executions.report_refused(self.router, lp, fixmap.report_child_ids(message),
                                               text, now))
        elif message.msg_type in ("S", "AG") and (quote_req_id := message.get(131)):
            self.run(self.router.on_quote_reject(lp, quote_req_id, text, now))

    def from_app(self, message: Message, session: Session) -> None:
        key = str(session.session_id)
        lp = self.lp_of.get(key)
        if lp is not None:
            self._from_lp(lp, message)
        elif key in self.clients:
            self._from_client(key, self.clients[key], message)
        else:
            raise UnsupportedMessageType()

    def _from_client(self, key: str, client: ClientSettings, message: Message) -> None:
        now = self.clock()
        msg_type = message.msg_type
        if msg_type == "D":
            order = fixmap.new_order(message, key, client.routing_strategy.value, client.preferred_lps)
            if order.time_in_force == "0":
                order = order._replace(expire_at_s=self._session_end(key, now))
            self.observer.order_in(key, order.cl_ord_id, now)
            self.run(self.router.submit(order, now))
        elif msg_type == "F":
            self.run(amend.cancel(self.router, key, message.get(11) or "", message.get(41) or "", now))
        elif msg_type == "G":
            self.run(amend.replace(self.router, fixmap.replace_order(message, key), now))
        elif msg_type == "H":
            side = message.get(54)
            self.run(amend.status(self.router, key, message.get(11) or "", message.get(37) or "",
                                  symbol=message.get(55) or "",
                                  side=Side(side) if side in _SIDES else Side.BUY,
                                  ord_status_req_id=message.get(790) or ""))
        else:
            raise UnsupportedMessageType()

    def _session_end(self, key: str, now_s: float) -> float | None:
        """When the client's trading session ends: Day orders expire then."""
        end = self.sessions[key].settings.schedule.session_end(datetime.fromtimestamp(now_s, UTC))
        return end.timestamp() if end is not None else None

    def _from_lp(self, lp: str, message: Message) -> None:
        now = self.clock()
        msg_type = message.msg_type
        if msg_type == "S":
            quote = fixmap.lp_quote(message, lp)
            self.observer.quote_in(lp, quote.quote_req_id, now)
            self.run(self.router.on_quote(quote, now))
        elif msg_type == "AG":
            self.observer.quote_in(lp, message.get(131) or "", now)
            self.run(self.router.on_quote_reject(lp, message.get(131) or "",
                                                 fixmap.quote_reject_reason(message), now))
        elif msg_type == "8":
            self.run(executions.on_child_report(self.router, fixmap.child_report(message, lp), now))
        elif msg_type == "9":
            self._event("cancel_reject", f"{lp} refused to cancel {message.get(41)}: {message.get(58)}",
                        lp=lp)
        elif msg_type == "j":
            self._refused_by_lp(lp, message, f"BusinessMessageReject: {message.get(58) or ''}")
        else:
            raise UnsupportedMessageType()

    def _refused_by_lp(self, lp: str, message: Message, text: str) -> None:
        """A session-level Reject or BusinessMessageReject of one of our messages."""
        ref = message.int_value(45)
        sent = self._sent.pop((lp, ref), None) if ref is not None else None
        now = self.clock()
        if sent is None:
            # Not about a quote request or child order: the router will not count it.
            self._breaker(self.breakers.record_failure(lp, text, now))
            self._event("lp_reject", f"{lp}: {text} (RefSeqNum {ref})", lp=lp)
            return
        kind, ident = sent
        if kind == "quote":
            self.run(self.router.on_quote_reject(lp, ident, text, now))
        else:
            child = self.router.book.children.get(ident)
            if child is not None:
                report = fixmap.child_report(Message("8", [(11, ident), (150, "8"), (39, "8"),
                                                           (58, text)]), lp)
                self.run(executions.on_child_report(self.router, report, now))

    # -- carrying out the router's actions -----------------------------------------------
    def run(self, actions: list[Action]) -> None:
        observe = self.observer.action
        now = self.clock()
        for action in actions:
            observe(action, now)
            self._execute(action, now)
        self._after_actions()

    def _execute(self, action: Action, now: float) -> None:
        now_ns = int(now * 1_000_000_000)
        if isinstance(action, ParentReport):
            self._to_client(action.session, fixmap.execution_report(action, now_ns))
        elif isinstance(action, SendQuoteRequest):
            self._to_lp(action.request.lp, fixmap.quote_request(action.request),
                        ("quote", action.request.quote_req_id))
        elif isinstance(action, SendChild):
            self._to_lp(action.child.lp, fixmap.child_order(action, now_ns), ("child", action.child.child_id))
        elif isinstance(action, Admit):
            self._admit(action)
        elif isinstance(action, BreakerOutcome):
            if action.success:
                self._breaker(self.breakers.record_success(action.lp, now))
            else:
                self._breaker(self.breakers.record_failure(action.lp, action.reason, now))
        elif isinstance(action, CancelReject):
            self._to_client(action.session, fixmap.cancel_reject(action, now_ns))
        elif isinstance(action, CancelChild):
            self._to_lp(action.child.lp, fixmap.child_cancel(action, now_ns), None)
        elif isinstance(action, QueryChild):
            self._to_lp(action.child.lp, fixmap.child_status(action), None)
            self._event("reconcile", f"asking {action.child.lp} for the status of {action.child.child_id}",
                        order_id=action.child.order_id)
        elif isinstance(action, Alert):
            self._event(action.kind, action.text, order_id=action.order_id)

    def _to_client(self, key: str, message: Message) -> None:
        session = self.sessions.get(key)
        if session is None:
            self._event("error", f"no client session {key} for {message.msg_type}", session=key)
            return
        session.send(message)

    def _to_lp(self, lp: str, message: Message, tracked: tuple[str, str] | None) -> None:
        session = self.lp_sessions[lp]
        if session.send(message) and tracked is not None:
            seq = message.header.get(34)
            if isinstance(seq, str):
                sent = self._sent
                if len(sent) >= _SENT_INDEX_LIMIT:
                    sent.clear()
                sent[(lp, int(seq))] = tracked

    # -- breakers -----------------------------------------------------------------------------
    def _admit(self, action: Admit) -> None:
        admission = self.breakers.admit(action.lps, self.clock(), action.limit)
        if self.synchronous_breakers:
            result = _drive(admission)
            self.log_transitions(result.transitions)
            self.run(self.router.on_admitted(action.order_id, action.round_no, result.admitted, self.clock()))
            return

        async def admit_later() -> None:
            result = await admission
            self.log_transitions(result.transitions)
            self.run(self.router.on_admitted(action.order_id, action.round_no, result.admitted, self.clock()))

        asyncio.get_running_loop().create_task(admit_later())

    def _breaker(self, call: Awaitable[tuple[BreakerTransition, ...]]) -> None:
        if self.synchronous_breakers:
            self.log_transitions(_drive(call))
            return

        async def later() -> None:
            self.log_transitions(await call)

        asyncio.get_running_loop().create_task(later())

    def log_transitions(self, transitions: tuple[BreakerTransition, ...]) -> None:
        for t in transitions:
            self.observer.transition(t)
            text = f"breaker {t.lp}: {t.from_state} -> {t.to_state} ({t.reason})"
            self._event("breaker", text, lp=t.lp, from_state=str(t.from_state), to_state=str(t.to_state))
            session = self.lp_sessions.get(t.lp)
            if session is not None:
                session.event(text)

    def _event(self, kind: str, text: str, **fields: Any) -> None:
        self.on_event(kind, text, fields)
