"""The simulated LP's child-order handling: fills, IOC/FOK, last look, validation, book, faults."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from gateway.fix.message import Message
from gateway.sim import LPBehaviour
from tests.fixtures.lp_messages import cancel_request, new_order, status_request
from tests.unit.sim.support import (
    MS,
    NOW_NS,
    dec,
    exec_types,
    handled,
    lp,
    order_on_quote,
    quote,
)


def test_previously_quoted_order_fills_fully_at_the_quote_price() -> None:
    new, fill = order_on_quote(lp(), "C1", side="1")
    assert exec_types([new, fill]) == ["0/0", "F/2"]
    assert (fill[11], fill[54], fill[55], fill[38]) == ("C1", "1", "EUR/USD", "1000000")
    assert (dec(fill, 32), dec(fill, 31)) == (Decimal(1000000), Decimal("1.08505"))
    assert (dec(fill, 14), dec(fill, 151), dec(fill, 6)) == (
        Decimal(1000000), Decimal(0), Decimal("1.08505"))
    assert fill[37] == new[37] and fill[37].startswith("LP1-O")
    assert fill[17] != new[17]
    assert 60 in fill


def test_sell_order_fills_at_the_bid() -> None:
    _, fill = order_on_quote(lp(), side="2")
    assert fill[31] == "1.08495"


def test_without_new_ack_the_fill_is_the_first_report() -> None:
    assert exec_types(order_on_quote(lp(send_new_ack=False))) == ["F/2"]


def test_partial_fill_in_k_executions_then_ioc_cancels_the_rest() -> None:
    reports = order_on_quote(lp(fill_ratio=Decimal("0.5"), fills_per_order=3))
    assert exec_types(reports) == ["0/0", "F/1", "F/1", "F/1", "4/4"]
    fills = reports[1:4]
    assert sum(dec(f, 32) for f in fills) == Decimal(500000)
    assert [dec(f, 14) for f in fills] == [Decimal(166666), Decimal(333332), Decimal(500000)]
    for report in fills:
        assert dec(report, 14) + dec(report, 151) == Decimal(1000000)
    cancel = reports[-1]
    assert (dec(cancel, 14), dec(cancel, 151)) == (Decimal(500000), Decimal(0))
    assert "IOC" in cancel[58]


def test_fok_that_cannot_fill_entirely_fills_nothing() -> None:
    reports = order_on_quote(lp(fill_ratio=Decimal("0.9")), time_in_force="4")
    assert exec_types(reports) == ["0/0", "4/4"]
    assert dec(reports[-1], 14) == 0
    assert "FOK" in reports[-1][58]


def test_fok_that_can_fill_entirely_fills() -> None:
    assert exec_types(order_on_quote(lp(), time_in_force="4")) == ["0/0", "F/2"]


def test_last_look_reject_is_a_rejected_report_with_text() -> None:
    logic = lp(last_look_reject_rate=1.0)
    (reject,) = order_on_quote(logic)
    assert exec_types([reject]) == ["8/8"]
    assert reject[58] == "Last look reject"
    assert (dec(reject, 14), dec(reject, 151)) == (Decimal(0), Decimal(0))
    assert logic.counters.last_look_rejects == 1


def test_expired_quote_is_rejected_as_stale() -> None:
    logic = lp(quote_valid_ms=100)
    quoted = quote(logic)
    order = new_order("C1", price=quoted[133], quote_id=quoted[117])
    (reject,) = handled(logic, order, NOW_NS + 101 * MS).messages
    assert (reject[150], reject[103]) == ("8", "8")
    assert "expired" in reject[58]


def test_quote_without_validity_is_honoured_later() -> None:
    logic = lp(quote_valid_ms=None)
    quoted = quote(logic)
    order = new_order("C1", price=quoted[133], quote_id=quoted[117])
    assert exec_types(list(handled(logic, order, NOW_NS + 3600 * 1000 * MS).messages)) == ["0/0", "F/2"]


@pytest.mark.parametrize(("change", "text"), [
    ({"quote_id": "NOPE"}, "Unknown QuoteID"),
    ({"quote_id": None}, "Unknown QuoteID"),
    ({"symbol": "GBP/USD"}, "is for EUR/USD"),
    ({"price": "1.08400"}, "does not match quote"),
])
def test_previously_quoted_order_is_checked_against_its_quote(change: dict[str, str | None],
                                                              text: str) -> None:
    logic = lp()
    quoted = quote(logic)
    fields: dict[str, str | None] = {"price": quoted[133], "quote_id": quoted[117], **change}
    order = new_order("C1", **fields)  # type: ignore[arg-type]
    (reject,) = handled(logic, order).messages
    assert reject[150] == "8" and text in reject[58]
    assert logic.counters.order_rejects == 1


def test_quantity_above_the_quoted_size_is_rejected() -> None:
    logic = lp(quote_size=Decimal(500000))
    quoted = quote(logic)
    order = new_order("C1", quantity="500001", price=quoted[133], quote_id=quoted[117])
    (reject,) = handled(logic, order).messages
    assert (reject[150], reject[103]) == ("8", "13")


def test_order_on_a_side_a_one_sided_quote_does_not_cover_is_rejected() -> None:
    logic = lp(two_sided=False)
    quoted = quote(logic, side="1")
    (reject,) = handled(logic, new_order("C1", side="2", quote_id=quoted[117])).messages
    assert reject[150] == "8" and "no price" in reject[58]


def test_limit_order_at_or_better_than_market_fills_at_the_lp_price() -> None:
    order = new_order("C1", ord_type="2", price="1.08600")
    new, fill = handled(lp(), order).messages
    assert exec_types([new, fill]) == ["0/0", "F/2"]
    assert fill[31] == "1.08505"  # price improvement: the LP's offer, not the limit


def test_ioc_limit_worse_than_market_is_a_last_look_reject() -> None:
    logic = lp()
    (reject,) = handled(logic, new_order("C1", ord_type="2", price="1.08500")).messages
    assert reject[150] == "8" and "price moved" in reject[58]
    assert logic.counters.last_look_rejects == 1


def test_market_order_fills_at_the_current_price() -> None:
    _, fill = handled(lp(), new_order("C1", ord_type="1", side="2")).messages
    assert fill[31] == "1.08495"


def test_day_limit_that_cannot_fill_rests_then_cancels_on_request() -> None:
    logic = lp(send_new_ack=False)
    (new,) = handled(logic, new_order("C1", ord_type="2", price="1.08000", time_in_force="0")).messages
    assert exec_types([new]) == ["0/0"]  # a resting order is always acknowledged
    (status,) = handled(logic, status_request("C1", status_req_id="S1")).messages
    assert (status[150], status[39], status[151], status[790]) == ("I", "0", "1000000", "S1")
    (canceled,) = handled(logic, cancel_request("X1", "C1")).messages
    assert exec_types([canceled]) == ["4/4"]
    assert (canceled[11], canceled[41], canceled[37]) == ("X1", "C1", new[37])
    (too_late,) = handled(logic, cancel_request("X2", "C1")).messages
    assert (too_late.msg_type, too_late[102], too_late[39], too_late[434]) == ("9", "0", "4", "1")


def test_gtc_partial_fill_rests_the_remainder() -> None:
    logic = lp(fill_ratio=Decimal("0.25"))
    reports = handled(logic, new_order("C1", ord_type="2", price="1.09", time_in_force="1")).messages
    assert exec_types(list(reports)) == ["0/0", "F/1"]
    (status,) = handled(logic, status_request("C1")).messages
    assert (status[39], dec(status, 14), dec(status, 151)) == ("1", Decimal(250000), Decimal(750000))


def test_cancel_of_an_unknown_order_is_rejected_as_unknown() -> None:
    (reject,) = handled(lp(), cancel_request("X1", "NOPE")).messages
    assert (reject.msg_type, reject[102], reject[37], reject[41]) == ("9", "1", "NONE", "NOPE")


def test_status_of_a_filled_order_reports_its_quantities() -> None:
    logic = lp()
    order_on_quote(logic, "C7")
    (status,) = handled(logic, status_request("C7")).messages
    assert (status[150], status[39], dec(status, 14), dec(status, 6)) == (
        "I", "2", Decimal(1000000), Decimal("1.08505"))
    assert 32 not in status


def test_status_of_an_unknown_order_is_rejected_unknown_order() -> None:
    (status,) = handled(lp(), status_request("NOPE", status_req_id="S9")).messages
    assert (status[150], status[39], status[103], status[37], status[790]) == (
        "I", "8", "5", "NONE", "S9")


def test_duplicate_cl_ord_id_is_rejected_and_the_original_kept() -> None:
    logic = lp()
    order_on_quote(logic, "C1")
    quoted = quote(logic)
    (reject,) = handled(logic, new_order("C1", price=quoted[133], quote_id=quoted[117])).messages
    assert (reject[150], reject[103]) == ("8", "6")
    (status,) = handled(logic, status_request("C1")).messages
    assert status[39] == "2"


def test_possible_resend_of_a_known_order_answers_its_status() -> None:
    logic = lp()
    order_on_quote(logic, "C1")
    resent = new_order("C1")
    resent.header[97] = "Y"
    (status,) = handled(logic, resent).messages
    assert (status[150], status[39]) == ("I", "2")
    assert logic.counters.fills == 1


@pytest.mark.parametrize(("change", "reason"), [
    ({"symbol": "XAU/USD"}, "1"), ({"quantity": "0"}, "13"), ({"quantity": "abc"}, "13"),
    ({"time_in_force": "6"}, "11"), ({"ord_type": "3"}, "11"), ({"side": "5"}, "99"),
    ({"ord_type": "2"}, "99"),
])
def test_invalid_orders_are_rejected_with_a_reason(change: dict[str, str], reason: str) -> None:
    (reject,) = handled(lp(), new_order("C1", **change)).messages
    assert (reject[150], reject[39], reject[103]) == ("8", "8", reason)


def test_order_reactions_carry_the_order_delay() -> None:
    logic = lp(response_delay_ms=30, order_delay_ms=70)
    assert handled(logic, new_order("C1", ord_type="1")).delay_ms == 70
    assert handled(logic, status_request("C1")).delay_ms == 70
    assert handled(lp(response_delay_ms=30), new_order("C1", ord_type="1")).delay_ms == 30


def test_scripted_disconnect_executes_the_order_silently_then_drops() -> None:
    logic = lp(disconnect_after_orders=2)
    assert exec_types(order_on_quote(logic, "C1")) == ["0/0", "F/2"]
    quoted = quote(logic)
    reaction = handled(logic, new_order("C2", price=quoted[133], quote_id=quoted[117]))
    assert reaction.disconnect and reaction.messages == ()
    (status,) = handled(logic, status_request("C2")).messages
    assert status[39] == "2"  # it filled: only the reports were lost
    assert exec_types(order_on_quote(logic, "C3")) == ["0/0", "F/2"]  # fires once
    assert logic.counters.disconnects == 1


def test_scripted_disconnect_with_late_reports_sends_them_after_the_drop() -> None:
    logic = lp(disconnect_after_orders=1, late_reports=True, order_delay_ms=200)
    quoted = quote(logic)
    reaction = handled(logic, new_order("C1", price=quoted[133], quote_id=quoted[117]))
    assert reaction.disconnect and reaction.delay_ms == 200
    assert exec_types(list(reaction.messages)) == ["0/0", "F/2"]
    assert "answered after the drop" in reaction.note
    unseen = handled(lp(disconnect_after_orders=1, late_reports=True,
                        process_before_disconnect=False), new_order("C1", ord_type="1"))
    assert unseen.disconnect and unseen.messages == ()   # never booked: nothing to send


def test_scripted_disconnect_can_drop_the_order_unseen() -> None:
    logic = lp(disconnect_after_orders=1, process_before_disconnect=False)
    assert handled(logic, new_order("C1", ord_type="1")).disconnect
    (status,) = handled(logic, status_request("C1")).messages
    assert (status[39], status[103]) == ("8", "5")


def test_set_behaviour_counts_scripted_disconnect_orders_from_then() -> None:
    logic = lp()
    order_on_quote(logic, "C1")
    logic.set_behaviour(replace(logic.behaviour, disconnect_after_orders=1))
    assert handled(logic, new_order("C2", ord_type="1")).disconnect


def test_silent_orders_are_never_answered_nor_booked() -> None:
    logic = lp(silent_orders=True)
    reaction = handled(logic, new_order("C1", ord_type="1"))
    assert (reaction.messages, reaction.disconnect) == ((), False)
    assert logic.counters.ignored_orders == 1
    (status,) = handled(logic, status_request("C1")).messages
    assert status[103] == "5"


def test_same_seed_same_outcomes_new_seed_new_sequence() -> None:
    def outcomes(logic_seed: int) -> list[str]:
        logic = lp(last_look_reject_rate=0.5, seed=logic_seed)
        return [order_on_quote(logic, f"C{i}")[-1][150] for i in range(40)]

    assert outcomes(3) == outcomes(3)
    assert outcomes(3) != outcomes(4)
    logic = lp(last_look_reject_rate=0.5, seed=3)
    first = [order_on_quote(logic, f"C{i}")[-1][150] for i in range(5)]
    logic.set_behaviour(LPBehaviour(last_look_reject_rate=0.5, seed=3))  # same seed: continues
    logic.set_behaviour(LPBehaviour(last_look_reject_rate=0.5, seed=4))
    logic.set_behaviour(LPBehaviour(last_look_reject_rate=0.5, seed=3))  # new seed: restarts
    assert [order_on_quote(logic, f"D{i}")[-1][150] for i in range(5)] == first


def test_exec_ids_are_unique_across_orders() -> None:
    logic = lp(fill_ratio=Decimal("0.5"), fills_per_order=2)
    reports: list[Message] = []
    for i in range(10):
        reports += order_on_quote(logic, f"C{i}")
    exec_ids = [r[17] for r in reports]
    assert len(exec_ids) == len(set(exec_ids))


def test_id_prefix_keeps_ids_apart_between_runs() -> None:
    from gateway.sim import LPLogic

    first = LPLogic(name="LP1", id_prefix="LP1-run1")
    second = LPLogic(name="LP1", id_prefix="LP1-run2")
    assert order_on_quote(first)[-1][17] != order_on_quote(second)[-1][17]


def test_custom_tags_are_on_quotes_and_order_reports_but_not_on_status_answers() -> None:
    logic = lp(custom_quote_tag=5002, custom_report_tag=5001)
    assert quote(logic)[5002] == "1"
    reports = order_on_quote(logic, "C1")
    assert exec_types(reports) == ["0/0", "F/2"]
    assert all(report[5001] == "1" for report in reports)
    (status,) = handled(logic, status_request("C1")).messages
    assert 5001 not in status and status[150] == "I"
