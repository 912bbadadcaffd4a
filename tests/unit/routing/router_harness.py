"""A driver for the sans-IO `Router` that plays the gateway's part in tests.

`Harness` answers `Admit` (every LP whose breaker is not in `open_breakers`),
plays the LPs (`SimLP`: quote / reject / stay silent; fill, partially fill,
reject, lose or sit on child orders; answer cancels and status requests),
keeps a fake clock that calls `Router.on_timer` every `tick_s`, and collects
every action: ParentReports per OrderID, refusals, cancel rejects, alerts.

Nothing happens until the test calls `run(seconds)`. LP messages arrive in the
order the LP sends them (a FIX session is FIFO); what it sends while its session
is down is resent at the next logon, first (as a FIX resend would), unless
`resend_on_logon` is off.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from gateway.fix.message import Message
from gateway.fixmap import child_report
from gateway.journal import MemoryJournal
from routing import amend, executions
from routing.actions import (
    Action,
    Admit,
    Alert,
    CancelChild,
    CancelReject,
    ParentReport,
    QueryChild,
    SendChild,
    SendQuoteRequest,
)
from routing.inbound import ChildReport, NewOrder, ReplaceOrder
from routing.model import LPInfo, LPQuote
from routing.orders import ChildOrder, ParentOrder
from routing.rfq import QuoteRequest
from routing.router import Router, RouterConfig

D = Decimal
ZERO = D(0)
SYMBOL = "EUR/USD"
SESSION = "FIX.4.4:GW->C1"
T0 = 1_700_000_000.0
BID, OFFER = D("1.0849"), D("1.0851")
A = TypeVar("A")


def only(kind: type[A], actions: Iterable[object]) -> list[A]:
    """The actions of one type, typed."""
    return [a for a in actions if isinstance(a, kind)]


@dataclass
class QuoteReply:
    """How an LP answers one QuoteRequest."""

    kind: str = "quote"                     # quote | reject | silent
    bid: Decimal | None = BID
    offer: Decimal | None = OFFER
    size: Decimal | None = None             # None: no size (the quantity asked for)
    ttl_s: float | None = 10.0              # ValidUntilTime = answer time + ttl; None: absent
    delay_s: float = 0.01
    text: str = "no price"


@dataclass
class ChildReply:
    """How an LP answers one child NewOrderSingle."""

    kind: str = "fill"         # fill | reject | lost (never got it) | stuck (got it, never acts)
    #                            | hang (acknowledges, then never acts)
    qty: Decimal | None = None  # quantity filled (None: all of it); the IOC rest is canceled
    px: Decimal | None = None   # fill price (None: the child's price)
    ack: bool = True            # ExecutionReport New before the fill
    combined: bool = False      # partial fill and the cancel of the rest in one report
    duplicate: bool = False     # send the fill report twice (same ExecID)
    delay_s: float = 0.01
    text: str = "last look"


@dataclass
class LPOrder:
    """The LP's own view of a child order (the truth the gateway reconciles with)."""

    child: ChildOrder
    lp_order_id: str
    status: str = "0"
    cum: Decimal = ZERO
    notional: Decimal = ZERO

    @property
    def avg(self) -> Decimal:
        return self.notional / self.cum if self.cum else ZERO


class SimLP:
    """A scripted LP: `quote_script`/`child_script` are consumed first, then the
    `quote_policy`/`child_policy` callables (if set), then the defaults."""

    def __init__(self, name: str, harness: Harness) -> None:
        self.name = name
        self.h = harness
        self.connected = False
        self.resend_on_logon = True
        self.answer_status = True
        self.status_exec_id_zero = False   # FIX 4.4: ExecID "0" on Order Status reports
        # ExecTypes of reports the gateway's session refuses (they fail validation there):
        # the router hears only that a report for the child was refused.
        self.refused_exec_types: set[str] = set()
        self.quote_script: list[QuoteReply] = []
        self.child_script: list[ChildReply] = []
        self.quote_default = QuoteReply()
        self.child_default = ChildReply()
        self.quote_policy: Callable[[QuoteRequest], QuoteReply] | None = None
        self.child_policy: Callable[[ChildOrder], ChildReply] | None = None
        self.orders: dict[str, LPOrder] = {}
        self.requests: list[QuoteRequest] = []
        self.children: list[ChildOrder] = []
        self.cancels: list[CancelChild] = []
        self.queries: list[QueryChild] = []
        self.outbox: list[ChildReport] = []
        self._n = 0

    def _next(self, prefix: str) -> str:
        self._n += 1
        return f"{self.name}-{prefix}{self._n}"

    # -- quotes -------------------------------------------------------------------------
    def on_quote_request(self, request: QuoteRequest) -> None:
        if not self.connected:
            return
        self.requests.append(request)
        if self.quote_script:
            reply = self.quote_script.pop(0)
        else:
            reply = self.quote_policy(request) if self.quote_policy else self.quote_default
        if reply.kind == "silent":
            return
        self.h.schedule(reply.delay_s, lambda: self._answer_quote(request, reply))

    def _answer_quote(self, request: QuoteRequest, reply: QuoteReply) -> None:
        if not self.connected:
            return
        h = self.h
        if reply.kind == "reject":
            h.feed(h.router.on_quote_reject(self.name, request.quote_req_id, reply.text, h.now))
            return
        valid = None if reply.ttl_s is None else h.now + reply.ttl_s
        quote = LPQuote(self.name, request.quote_req_id, self._next("Q"), request.symbol,
                        reply.bid, reply.size if reply.bid is not None else None,
                        reply.offer, reply.size if reply.offer is not None else None, valid)
        h.feed(h.router.on_quote(quote, h.now))

    # -- child orders --------------------------------------------------------------------
    def on_child(self, child: ChildOrder) -> None:
        if not self.connected:
            return
        if self.child_script:
            reply = self.child_script.pop(0)
        else:
            reply = self.child_policy(child) if self.child_policy else self.child_default
        if reply.kind == "lost":
            return
        self.children.append(child)
        self.orders[child.child_id] = LPOrder(child, self._next("O"))
        if reply.kind != "stuck":
            self.h.schedule(reply.delay_s, lambda: self._execute(child.child_id, reply))

    def _execute(self, child_id: str, reply: ChildReply) -> None:
        order = self.orders[child_id]
        if order.status in ("2", "4", "8"):
            return
        qty = order.child.quantity
        if reply.kind == "reject":
            order.status = "8"
            self.send(order, "8", text=reply.text)
            return
        if reply.ack:
            self.send(order, "0")
        if reply.kind == "hang":
            return
        fill = qty if reply.qty is None else reply.qty
        ioc = order.child.time_in_force in ("3", "4")
        if fill > 0:
            px = order.child.price if reply.px is None else reply.px
            order.cum += fill
            order.notional += fill * px
            done = order.cum >= qty or (ioc and reply.combined)
            order.status = "2" if order.cum >= qty else ("4" if done else "1")
            report = self.send(order, "F", last=(fill, px))
            if reply.duplicate:
                self.deliver(report)
        if ioc and order.status not in ("2", "4"):
            order.status = "4"
            self.send(order, "4", text="IOC remainder canceled")

    def send(self, order: LPOrder, exec_type: str, *, last: tuple[Decimal, Decimal] | None = None,
             text: str = "") -> ChildReport:
        leaves = ZERO if order.status in ("2", "4", "8") else order.child.quantity - order.cum
        report = ChildReport(self.name, order.child.child_id, order.lp_order_id, self._next("E"),
                             exec_type, order.status, last[0] if last else None,
                             last[1] if last else None, order.cum, order.avg, leaves, text)
        self.deliver(report)
        return report

    def deliver(self, report: ChildReport) -> None:
        if not self.connected:
            self.outbox.append(report)
            return
        h = self.h
        if report.exec_type in self.refused_exec_types:
            h.feed(executions.report_refused(h.router, self.name, (report.child_id,),
                                             "Invalid tag number (tag 5001)", h.now))
            return
        h.feed(executions.on_child_report(h.router, report, h.now))

    def on_cancel(self, action: CancelChild) -> None:
        if self.connected:
            self.cancels.append(action)
            self.h.schedule(0.01, lambda: self._cancel(action))

    def _cancel(self, action: CancelChild) -> None:
        order = self.orders.get(action.child.child_id)
        if order is None or order.status in ("2", "4", "8") or not self.connected:
            return  # an OrderCancelReject(35=9): the gateway only logs it
        order.status = "4"
        # Built as FIX so the OrigClOrdID(41) mapping of cancel answers is exercised too.
        message = Message("8", [(37, order.lp_order_id), (11, action.request_id),
                                (41, order.child.child_id), (17, self._next("E")), (150, "4"),
                                (39, "4"), (14, str(order.cum)), (6, str(order.avg)), (151, "0")])
        self.deliver(child_report(message, self.name))

    def on_query(self, action: QueryChild) -> None:
        if self.connected and self.answer_status:
            self.queries.append(action)
            self.h.schedule(0.01, lambda: self._status(action.child.child_id))

    def _status(self, child_id: str) -> None:
        if not self.connected:
            return
        order = self.orders.get(child_id)
        exec_id = "0" if self.status_exec_id_zero else self._next("E")
        if order is None:
            report = ChildReport(self.name, child_id, "", exec_id, "I", "8", None, None,
                                 ZERO, ZERO, ZERO, "Unknown order", "5")
        else:
            leaves = ZERO if order.status in ("2", "4", "8") else order.child.quantity - order.cum
            report = ChildReport(self.name, child_id, order.lp_order_id, exec_id, "I",
                                 order.status, None, None, order.cum, order.avg, leaves, "")
        self.deliver(report)


class Harness:
    """The router plus everything around it; see the module docstring."""

    def __init__(self, lps: Iterable[str | LPInfo] = ("LP1", "LP2", "LP3"), *, boot: str = "b",
                 tick_s: float = 0.05, connect: bool = True, start_s: float = T0,
                 **config: object) -> None:
        infos = [info if isinstance(info, LPInfo) else LPInfo(info, frozenset({SYMBOL}))
                 for info in lps]
        self.config = RouterConfig(lps={i.name: i for i in infos}, **config)  # type: ignore[arg-type]
        self.journal = MemoryJournal()
        self.router = Router(self.config, self.journal, boot)
        self.now = start_s
        self.tick_s = tick_s
        self._next_tick = start_s + tick_s
        self.sims = {i.name: SimLP(i.name, self) for i in infos}
        self.open_breakers: set[str] = set()
        self.actions: list[Action] = []
        self.reports: dict[str, list[ParentReport]] = defaultdict(list)
        self.refusals: list[ParentReport] = []
        self.cancel_rejects: list[CancelReject] = []
        self.alerts: list[Alert] = []
        self.admits: list[Admit] = []
        self.observers: list[Callable[[Action], None]] = []
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        if connect:
            for name in self.sims:
                self.lp_up(name)

    # -- plumbing -----------------------------------------------------------------------
    def schedule(self, delay_s: float, call: Callable[[], None]) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (self.now + delay_s, self._seq, call))

    def feed(self, actions: list[Action]) -> list[Action]:
        """Carry out the router's actions, as the gateway would; returns them."""
        for action in actions:
            self.actions.append(action)
            for observe in self.observers:
                observe(action)
            self._dispatch(action)
        return actions

    def _dispatch(self, action: Action) -> None:
        if isinstance(action, ParentReport):
            if action.order_id == "NONE":
                self.refusals.append(action)
            else:
                self.reports[action.order_id].append(action)
        elif isinstance(action, CancelReject):
            self.cancel_rejects.append(action)
        elif isinstance(action, Alert):
            self.alerts.append(action)
        elif isinstance(action, Admit):
            self.admits.append(action)
            if action.order_id in self.router.pending:
                self._admit(action)   # as the gateway does with the in-memory breaker store
            else:
                self.schedule(0.0, lambda: self._admit(action))
        elif isinstance(action, SendQuoteRequest):
            self.sims[action.request.lp].on_quote_request(action.request)
        elif isinstance(action, SendChild):
            self.sims[action.child.lp].on_child(action.child)
        elif isinstance(action, CancelChild):
            self.sims[action.child.lp].on_cancel(action)
        elif isinstance(action, QueryChild):
            self.sims[action.child.lp].on_query(action)

    def _admit(self, action: Admit) -> None:
        admitted = tuple(lp for lp in action.lps if lp not in self.open_breakers)
        if action.limit is not None:
            admitted = admitted[:action.limit]
        self.feed(self.router.on_admitted(action.order_id, action.round_no, admitted, self.now))

    # -- time -----------------------------------------------------------------------------
    def run(self, seconds: float = 1.0) -> None:
        """Deliver what is due and tick the router's timer until `seconds` have passed."""
        end = self.now + seconds
        while True:
            due = self._queue[0][0] if self._queue else float("inf")
            at = min(due, self._next_tick)
            if at > end:
                break
            self.now = max(self.now, at)
            if due <= self._next_tick:
                heapq.heappop(self._queue)[2]()
            else:
                self._next_tick = at + self.tick_s
                self.feed(self.router.on_timer(self.now))
        self.now = end

    # -- the client side ----------------------------------------------------------------
    def submit(self, cl_ord_id: str, qty: str | None = "1000000", *, side: str | None = "1",
               price: str | None = None, ord_type: str | None = None, tif: str = "3",
               strategy: str | None = "best", preferred: tuple[str, ...] = (),
               manual: str | None = None, symbol: str | None = SYMBOL,
               session: str = SESSION, expire_at_s: float | None = None) -> list[Action]:
        if ord_type is None:
            ord_type = "1" if price is None else "2"
        order = NewOrder(session, cl_ord_id, symbol, side, None if qty is None else D(qty), ord_type,
                         None if price is None else D(price), tif, strategy, preferred, manual,
                         expire_at_s=expire_at_s)
        before = len(self.actions)
        self.feed(self.router.submit(order, self.now))
        return self.actions[before:]   # with the first admission's answer (the New or a refusal)

    def cancel(self, cl_ord_id: str, orig: str, session: str = SESSION) -> list[Action]:
        return self.feed(amend.cancel(self.router, session, cl_ord_id, orig, self.now))

    def replace(self, cl_ord_id: str, orig: str, qty: str | None = None, price: str | None = None,
                session: str = SESSION) -> list[Action]:
        request = ReplaceOrder(session, cl_ord_id, orig, None, None,
                               None if qty is None else D(qty), None if price is None else D(price))
        return self.feed(amend.replace(self.router, request, self.now))

    def status(self, cl_ord_id: str, order_id: str = "", session: str = SESSION) -> list[Action]:
        return self.feed(amend.status(self.router, session, cl_ord_id, order_id))

    def order(self, cl_ord_id: str, session: str = SESSION) -> ParentOrder:
        order = self.router.book.by_client(session, cl_ord_id)
        assert order is not None, f"no order {cl_ord_id}"
        return order

    def reports_for(self, cl_ord_id: str, session: str = SESSION) -> list[ParentReport]:
        return self.reports[self.order(cl_ord_id, session).order_id]

    def last(self, cl_ord_id: str) -> ParentReport:
        return self.reports_for(cl_ord_id)[-1]

    # -- LP sessions ----------------------------------------------------------------------
    def lp_down(self, lp: str) -> list[Action]:
        self.sims[lp].connected = False
        return self.feed(self.router.on_lp_down(lp, "test drop", self.now))

    def lp_up(self, lp: str) -> list[Action]:
        sim = self.sims[lp]
        sim.connected = True
        actions = self.feed(self.router.on_lp_up(lp, self.now))
        outbox, sim.outbox = sim.outbox, []
        if sim.resend_on_logon:
            for report in outbox:
                sim.deliver(report)
        return actions

    def restart(self, boot: str) -> list[Action]:
        """A gateway crash and restart: every LP session drops (what LPs send meanwhile
        waits in their outboxes) and a new Router recovers from the journal, which it
        goes on appending to."""
        for sim in self.sims.values():
            sim.connected = False
        records = list(self.journal.records)
        self.router = Router(self.config, self.journal, boot)
        return self.feed(amend.recover(self.router, records, self.now))

    def of_type(self, kind: type[A]) -> list[A]:
        return only(kind, self.actions)
