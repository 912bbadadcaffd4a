"""Random days of trading against misbehaving LPs: the router's invariants always hold.

Hypothesis draws the client's orders (quantity, side, TIF, strategy, limit), cancels,
replaces and status requests, LP sessions dropping and coming back, clock jumps, and
how each LP behaves (quote / reject / silence / late or expiring quotes; fill, partial
fill, last-look reject, lost orders, slow answers, duplicate reports). The invariants
of `router_invariants` are checked on every ParentReport and placement; at the end all
LPs reconnect, every open order is canceled, and the settled book must agree with the
LPs' own fills and with a replay of the journal.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from routing.orders import ChildOrder
from routing.rfq import QuoteRequest
from tests.unit.routing.router_harness import SESSION, ChildReply, Harness, QuoteReply
from tests.unit.routing.router_invariants import Invariants

D = Decimal
LPS = ("LP1", "LP2", "LP3")
MID = D("1.0850")
PIP = D("0.0001")
LOT = D(100_000)


@dataclass(frozen=True)
class Temper:
    """How often an LP misbehaves, in percent."""

    quote_reject: int
    quote_silent: int
    child_reject: int
    child_lost: int
    partial: int


def quote_policy(rng: random.Random, t: Temper) -> Callable[[QuoteRequest], QuoteReply]:
    def answer(request: QuoteRequest) -> QuoteReply:
        roll = rng.randrange(100)
        if roll < t.quote_reject:
            return QuoteReply(kind="reject")
        if roll < t.quote_reject + t.quote_silent:
            return QuoteReply(kind="silent")
        spread = D(rng.randint(1, 6)) * PIP
        return QuoteReply(
            bid=None if rng.random() < 0.1 else MID - spread,
            offer=None if rng.random() < 0.1 else MID + spread,
            size=rng.choice([None, D(200_000), D(500_000), D(1_000_000), D(3_000_000)]),
            ttl_s=rng.choice([10.0, 10.0, None, 0.05, -1.0]),
            delay_s=rng.choice([0.001, 0.01, 0.1, 0.3]))
    return answer


def child_policy(rng: random.Random, t: Temper) -> Callable[[ChildOrder], ChildReply]:
    def answer(child: ChildOrder) -> ChildReply:
        roll = rng.randrange(100)
        delay = rng.choice([0.001, 0.02, 0.4, 3.0])
        if roll < t.child_reject:
            return ChildReply(kind="reject", delay_s=delay)
        if roll < t.child_reject + t.child_lost:
            return ChildReply(kind="lost")
        # A Day/GTC child rests with what it did not fill: make that common.
        partial = t.partial + (50 if child.time_in_force in ("0", "1") else 0)
        qty = (child.quantity * rng.randint(0, 9) // 10) if rng.randrange(100) < partial else None
        return ChildReply(qty=qty, px=child.price - rng.choice([D(0), PIP]), ack=rng.random() < 0.5,
                          combined=rng.random() < 0.5, duplicate=rng.random() < 0.2, delay_s=delay)
    return answer


tempers = st.builds(Temper, *(st.integers(0, 30) for _ in range(5)))
offsets = st.none() | st.integers(-6, 6)
new_orders = st.tuples(
    st.just("order"), st.integers(1, 30), st.sampled_from("12"),
    st.sampled_from(["3", "3", "4", "0", "1"]),
    st.sampled_from(["best", "split", "sequential", "manual"]), st.sampled_from(LPS), offsets)
STEPS: dict[str, st.SearchStrategy[tuple[Any, ...]]] = {
    "order": new_orders,
    "cancel": st.tuples(st.just("cancel"), st.integers(0, 30)),
    "replace": st.tuples(st.just("replace"), st.integers(0, 30), st.integers(1, 30), offsets),
    "status": st.tuples(st.just("status"), st.integers(0, 30)),
    "down": st.tuples(st.just("down"), st.sampled_from(LPS)),
    "up": st.tuples(st.just("up"), st.sampled_from(LPS)),
    "wait": st.tuples(st.just("wait"), st.sampled_from([0.005, 0.02, 0.1, 0.3, 1.0, 2.5, 7.0])),
}
# Orders and waits are drawn most often, so that most days have several orders in flight.
steps = st.sampled_from(["order"] * 4 + ["wait"] * 3 + sorted(set(STEPS) - {"order", "wait"})
                        ).flatmap(STEPS.__getitem__)


def play(h: Harness, step: tuple[Any, ...], orders: list[str]) -> None:
    kind = step[0]
    if kind == "order":
        _, lots, side, tif, strategy, lp, offset = step
        cl_ord_id = f"C{len(orders) + 1}"
        orders.append(cl_ord_id)
        price = None if offset is None else str(MID + offset * PIP)
        if price is None and tif in ("0", "1"):
            tif = "3"                    # market orders cannot rest (refusals are tested apart)
        h.submit(cl_ord_id, str(lots * LOT), side=side, price=price, tif=tif, strategy=strategy,
                 manual=lp if strategy == "manual" else None,
                 preferred=(lp,) if strategy == "sequential" else ())
    elif kind in ("cancel", "replace", "status") and orders:
        target = orders[-1 - step[1] % len(orders)]     # small numbers: the latest orders
        order = h.router.book.by_client(SESSION, target)
        current = order.cl_ord_id if order else target
        if kind == "cancel":
            h.cancel(f"{target}.X{len(h.actions)}", current)
        elif kind == "replace":
            price = None if step[3] is None else str(MID + step[3] * PIP)
            h.replace(f"{target}.R{len(h.actions)}", current, qty=str(step[2] * LOT), price=price)
        else:
            h.status(current)
    elif kind == "down" and h.sims[step[1]].connected:
        h.lp_down(step[1])
    elif kind == "up" and not h.sims[step[1]].connected:
        h.lp_up(step[1])
    elif kind == "wait":
        h.run(step[1])


def settle(h: Harness, drops: tuple[bool, ...]) -> None:
    """Some LP sessions drop, every open order is canceled (children on those LPs are
    UNKNOWN), then every LP comes back, and time for all of it to resolve."""
    h.run(0.5)
    for lp, drop in zip(LPS, drops, strict=True):
        if drop and h.sims[lp].connected:
            h.lp_down(lp)
    for order in list(h.router.book.orders.values()):
        if not order.is_terminal and not order.cancel_requested:
            h.cancel(f"{order.cl_ord_id}.END", order.cl_ord_id)
    for lp, sim in h.sims.items():
        if not sim.connected:
            h.lp_up(lp)
    h.run(30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(lambda first, rest: [first, *rest], new_orders,
                 st.lists(steps, min_size=4, max_size=30)), st.tuples(tempers, tempers, tempers),
       st.randoms(use_true_random=False), st.booleans(), st.tuples(*[st.booleans()] * 3))
def test_random_days_keep_the_invariants(script: list[tuple[Any, ...]],
                                         temper: tuple[Temper, Temper, Temper],
                                         rng: random.Random, gtc_children: bool,
                                         drops: tuple[bool, ...]) -> None:
    h = Harness(LPS, child_terms={"LP3": ("2", "1")} if gtc_children else {},
                unknown_child_timeout_s=5.0)
    inv = Invariants(h)
    for lp, t in zip(LPS, temper, strict=True):
        h.sims[lp].quote_policy = quote_policy(random.Random(rng.random()), t)
        h.sims[lp].child_policy = child_policy(random.Random(rng.random()), t)
        h.sims[lp].resend_on_logon = rng.random() < 0.5
        h.sims[lp].status_exec_id_zero = rng.random() < 0.5
    orders: list[str] = []
    for step in script:
        play(h, step, orders)
    settle(h, drops)
    inv.check_end()
    _events(h)


def _events(h: Harness) -> None:
    """Label the run so `--hypothesis-show-statistics` shows what was exercised."""
    book = h.router.book
    statuses = {o.status.name for o in book.orders.values()}
    event(f"orders: {min(len(book.orders), 5)}+, ended {sorted(statuses)}")
    for kind in sorted({a.kind for a in h.alerts}):
        event(f"alert {kind}")
    if any(c.cum_qty and c.cum_qty < c.quantity for c in book.children.values()):
        event("partial child")
