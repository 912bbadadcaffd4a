"""Cancel, cancel/replace and status of client orders, end to end with QuickFIX peers.

Resting orders are Day/GTC limit orders priced far below the market, so they stay
working (the gateway re-asks the LPs every RestingRequoteMs = 300 ms) until the
client cancels them or moves the price into the market.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.fixtures.qf_client import Received
from tests.integration.flow.conftest import module_world
from tests.integration.flow.gateway_process import eventually
from tests.integration.flow.reports import exec_types, fills, last, order_id, quoted
from tests.integration.flow.world import LP, World

# Its tests share module-scoped setups: keep them on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("flow-amend")

BUY = "1"
DAY, GTC = "0", "1"
M = Decimal(1_000_000)
SMALLER = Decimal(1_500_000)
ZERO = Decimal(0)
FAR = Decimal("1.0000")          # a bid nobody hits
LP1: dict[str, Any] = {"skew": Decimal("-0.2"), "seed": 1}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from module_world(tmp_path_factory, "amend", [LP.make("LP1", **LP1),
                                                        LP.make("LP2", seed=2)])


def resting(world: World, quantity: Decimal, tif: str) -> tuple[str, Received]:
    """A working buy order far below the market, once acknowledged and re-quoted once."""
    cl_ord_id = world.order("EUR/USD", BUY, quantity, price=FAR, time_in_force=tif)
    (new,) = world.client.wait_reports(cl_ord_id, 1)
    assert (new[150], new[39], new.decimal(151)) == ("0", "0", quantity)
    oid = new[37]
    eventually(lambda: len(world.gateway.sent_to("LP1", "R", oid)) >= 2, 5,
               f"a second quote round for {oid}", world.gateway.describe)
    return cl_ord_id, new


def test_cancel_of_a_working_order_ends_it_and_its_quote_rounds(world: World) -> None:
    cl_ord_id, new = resting(world, M, DAY)
    cancel_id = world.client.next_id("X")
    world.client.cancel(cancel_id, cl_ord_id, "EUR/USD", BUY, M)
    reports = world.final(cl_ord_id)
    assert exec_types(reports) == [("0", "0"), ("6", "6"), ("4", "4")]
    for report in reports[1:]:
        assert (report[11], report[41]) == (cancel_id, cl_ord_id)
    assert (last(reports).decimal(14), last(reports).decimal(151)) == (ZERO, ZERO)
    asked = len(world.gateway.sent_to("LP1", "R", new[37]))
    time.sleep(0.5)   # longer than RestingRequoteMs: a working order would be re-quoted
    assert len(world.gateway.sent_to("LP1", "R", new[37])) == asked
    assert not world.gateway.sent_to("LP1", "D", new[37])


def test_cancel_replace_quantity_down_then_price_into_the_market(world: World) -> None:
    cl_ord_id, _ = resting(world, 2 * M, GTC)
    first = world.client.next_id("R")
    world.client.replace(first, cl_ord_id, "EUR/USD", BUY, SMALLER, "1.0001", GTC)
    replaced = world.client.wait_reports(cl_ord_id, 2)[-1]
    assert (replaced[150], replaced[39], replaced[11], replaced[41]) == ("5", "0", first, cl_ord_id)
    assert (replaced.decimal(38), replaced.decimal(151), replaced.decimal(44)) == (
        SMALLER, SMALLER, Decimal("1.0001"))
    second = world.client.next_id("R")
    marketable = Decimal("1.08600")
    world.client.replace(second, first, "EUR/USD", BUY, SMALLER, marketable, GTC)
    reports = world.final(cl_ord_id)
    assert exec_types(reports)[:3] == [("0", "0"), ("5", "0"), ("5", "0")]
    assert reports[2][41] == first
    assert [(f.lp, f.quantity) for f in fills(reports)] == [("LP1", SMALLER)]
    assert fills(reports)[0].price == quoted(LP1, "EUR/USD", BUY) <= marketable
    final = last(reports)
    assert (final[39], final.decimal(14), final.decimal(38)) == ("2", SMALLER, SMALLER)


def test_status_request_answers_from_the_order_book(world: World) -> None:
    cl_ord_id, new = resting(world, M, GTC)
    world.client.status(cl_ord_id, "EUR/USD", BUY, status_req_id="S1")
    status = world.client.wait_for(lambda m: m.get(150) == "I" and m.get(11) == cl_ord_id)
    assert (status[37], status[39], status.decimal(14), status.decimal(151)) == (new[37], "0", ZERO, M)
    assert status.get(790) == "S1", "OrdStatusReqID(790) is not echoed"
    filled = world.final(world.order("EUR/USD", BUY, M))
    done_id = filled[0][11]
    world.client.status(done_id, "EUR/USD", BUY)
    answer = world.client.wait_for(lambda m: m.get(150) == "I" and m.get(11) == done_id)
    assert (answer[39], answer.decimal(14), answer.decimal(151), answer.decimal(6)) == (
        "2", M, ZERO, last(filled).decimal(6))
    world.client.cancel(world.client.next_id("X"), cl_ord_id, "EUR/USD", BUY, M)
    world.final(cl_ord_id)
    world.assert_clean()


def test_status_of_an_unknown_order(world: World) -> None:
    world.client.status("NOSUCH", "EUR/USD", BUY, status_req_id="S2")
    answer = world.client.wait_for(lambda m: m.get(11) == "NOSUCH")
    assert (answer.msg_type, answer[150], answer[39], answer[55], answer[54]) == (
        "8", "I", "8", "EUR/USD", BUY)
    world.assert_clean()


def test_cancel_and_replace_that_cannot_be_done_get_order_cancel_reject(world: World) -> None:
    client = world.client
    client.cancel("X-UNKNOWN", "NOSUCH", "EUR/USD", BUY, M)
    unknown = client.wait_for(lambda m: m.msg_type == "9" and m.get(11) == "X-UNKNOWN")
    assert (unknown[41], unknown[102], unknown[434]) == ("NOSUCH", "1", "1")
    filled = world.final(world.order("EUR/USD", BUY, M))
    done_id = filled[0][11]
    client.cancel("X-LATE", done_id, "EUR/USD", BUY, M)
    late = client.wait_for(lambda m: m.msg_type == "9" and m.get(11) == "X-LATE")
    assert (late[37], late[39], late[102], late[434]) == (order_id(filled), "2", "0", "1")
    cl_ord_id, _ = resting(world, M, GTC)
    client.replace("R-ZERO", cl_ord_id, "EUR/USD", BUY, 0, FAR, GTC)
    refused = client.wait_for(lambda m: m.msg_type == "9" and m.get(11) == "R-ZERO")
    assert (refused[41], refused[39], refused[434]) == (cl_ord_id, "0", "2")
    client.cancel(client.next_id("X"), cl_ord_id, "EUR/USD", BUY, M)
    assert last(world.final(cl_ord_id))[39] == "4"
