"""Properties: whatever its behaviour and whatever it is sent, the LP never over-fills
and its ExecutionReports are consistent (FIX 4.4 quantities, unique ExecIDs, AvgPx)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.fix.message import Message
from gateway.sim import LPBehaviour, LPLogic
from gateway.sim.pricing import fmt_avg
from tests.fixtures.lp_messages import cancel_request, new_order, quote_request, status_request
from tests.unit.sim.support import MS, NOW_NS

LIVE = {"0", "1"}
TERMINAL = {"2", "4", "8"}

behaviours = st.builds(
    LPBehaviour,
    fill_ratio=st.decimals(min_value=0, max_value=1, places=2),
    fills_per_order=st.integers(1, 5),
    send_new_ack=st.booleans(),
    last_look_reject_rate=st.sampled_from([0.0, 0.3, 1.0]),
    quote_size=st.sampled_from([None, Decimal(500000), Decimal(2000000)]),
    two_sided=st.booleans(),
    quote_valid_ms=st.sampled_from([None, 50, 1000]),
    seed=st.integers(0, 1000),
)
quantities = st.one_of(st.integers(1, 3_000_000).map(Decimal),
                       st.decimals(min_value=Decimal("0.01"), max_value=10_000, places=2))
sides = st.sampled_from(["1", "2"])
tifs = st.sampled_from(["0", "1", "3", "4", None])
operations = st.one_of(
    st.tuples(st.just("quoted"), sides, quantities, tifs, st.integers(0, 200)),
    st.tuples(st.just("limit"), sides, quantities, tifs, st.integers(-3, 3)),
    st.tuples(st.just("market"), sides, quantities, tifs),
    st.tuples(st.just("cancel"), st.integers(0, 20)),
    st.tuples(st.just("status"), st.integers(0, 20)),
    st.tuples(st.just("duplicate"), st.integers(0, 20)),
)


@dataclass
class Driver:
    """Plays the gateway: sends the operations, collects every report."""

    logic: LPLogic
    now_ns: int = NOW_NS
    orders: list[tuple[str, str]] = field(default_factory=list)  # (ClOrdID, side)
    reports: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> list[Message]:
        reaction = self.logic.handle(message, self.now_ns)
        assert reaction is not None
        self.reports += [m for m in reaction.messages if m.msg_type == "8"]
        return list(reaction.messages)

    def run(self, operation: tuple[object, ...]) -> None:
        kind = operation[0]
        if kind in ("cancel", "status", "duplicate"):
            self._follow_up(str(kind), int(operation[1]))  # type: ignore[call-overload]
            return
        cl_ord_id = f"C{len(self.orders)}"
        side, quantity, tif = str(operation[1]), operation[2], operation[3]
        self.orders.append((cl_ord_id, side))
        common = {"side": side, "quantity": str(quantity), "time_in_force": tif}
        if kind == "quoted":
            answers = self.send(quote_request(f"R{cl_ord_id}", side=side, quantity=str(quantity)))
            quoted = answers[0]
            self.now_ns += int(operation[4]) * MS  # type: ignore[call-overload]
            price = quoted.get(133 if side == "1" else 132)
            self.send(new_order(cl_ord_id, price=price, quote_id=quoted.get(117), **common))  # type: ignore[arg-type]
        elif kind == "limit":
            limit = Decimal("1.0850") + Decimal(int(operation[4])) * Decimal("0.0001")  # type: ignore[call-overload]
            self.send(new_order(cl_ord_id, ord_type="2", price=str(limit), **common))  # type: ignore[arg-type]
        else:
            self.send(new_order(cl_ord_id, ord_type="1", **common))  # type: ignore[arg-type]

    def _follow_up(self, kind: str, index: int) -> None:
        if not self.orders:
            return
        cl_ord_id, side = self.orders[index % len(self.orders)]
        if kind == "cancel":
            self.send(cancel_request(f"X{len(self.reports)}", cl_ord_id, side=side))
        elif kind == "status":
            self.send(status_request(cl_ord_id, side=side))
        else:
            self.send(new_order(cl_ord_id, side=side, ord_type="1"))


def _check_reports(reports: list[Message]) -> None:
    exec_ids = [r[17] for r in reports]
    assert len(exec_ids) == len(set(exec_ids)), "duplicate ExecID"
    cum: dict[str, Decimal] = {}
    notional: dict[str, Decimal] = {}
    ended: set[str] = set()
    for report in reports:
        order_id = report[37]
        status, quantity = report[39], Decimal(report.get(38) or "0")
        cum_qty, leaves = Decimal(report[14]), Decimal(report[151])
        if report[150] == "F":
            assert order_id not in ended, "fill after a final report"
            last_qty, last_px = Decimal(report[32]), Decimal(report[31])
            assert last_qty > 0 and last_px > 0
            cum[order_id] = cum.get(order_id, Decimal(0)) + last_qty
            notional[order_id] = notional.get(order_id, Decimal(0)) + last_qty * last_px
        if order_id == "NONE":
            assert (cum_qty, leaves) == (Decimal(0), Decimal(0))
            continue
        assert cum_qty == cum.get(order_id, Decimal(0)), "CumQty is not the sum of LastQty"
        assert 0 <= cum_qty <= quantity, "over-fill"
        if status in LIVE:
            assert cum_qty + leaves == quantity
        else:
            assert status in TERMINAL and leaves == 0
            ended.add(order_id)
        if status == "2":
            assert cum_qty == quantity
        expected_avg = notional[order_id] / cum_qty if cum_qty else Decimal(0)
        assert report[6] == fmt_avg(expected_avg)


@settings(max_examples=150, deadline=None)
@given(behaviours, st.lists(operations, max_size=25))
def test_lp_never_over_fills_and_reports_stay_consistent(behaviour: LPBehaviour,
                                                         ops: list[tuple[object, ...]]) -> None:
    driver = Driver(LPLogic(behaviour, name="LP1"))
    for operation in ops:
        driver.run(operation)
    _check_reports(driver.reports)
    counters = driver.logic.counters
    assert counters.fills == sum(1 for r in driver.reports if r[150] == "F")
    assert counters.filled_qty == sum((Decimal(r[32]) for r in driver.reports if r[150] == "F"),
                                      Decimal(0))


@settings(max_examples=100, deadline=None)
@given(behaviours, st.lists(operations, max_size=15))
def test_previously_quoted_fills_never_exceed_the_quoted_size(behaviour: LPBehaviour,
                                                              ops: list[tuple[object, ...]]) -> None:
    driver = Driver(LPLogic(behaviour, name="LP1"))
    for operation in ops:
        if operation[0] == "quoted":
            driver.run(operation)
    if behaviour.quote_size:
        for report in driver.reports:
            assert Decimal(report[14]) <= behaviour.quote_size
