"""Best-execution records and the CSV export, from a hand-made journal with known figures."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from gateway.reports.bestex import (
    CSV_COLUMNS,
    OrderRecord,
    find_order,
    order_record,
    records_in,
    write_csv,
)
from gateway.reports.periods import Window
from gateway.reports.source import build_book
from tests.unit.reports.journal_data import RECORDS, SESSION

D = Decimal


def record(order_id: str) -> OrderRecord:
    book = build_book(RECORDS)
    order = find_order(book, order_id)
    assert order is not None
    return order_record(book, order)


def test_fills_are_priced_against_the_best_quote_and_the_best_alternative() -> None:
    r = record("B-1")
    (line,) = r.rounds
    assert line.best is not None and (line.best.lp, line.best.price) == ("LP1", D("1.08500"))
    assert line.best_alternative is not None
    assert (line.best_alternative.lp, line.best_alternative.price) == ("LP3", D("1.08510"))
    assert [(f.lp, f.vs_best, f.vs_alternative) for f in r.fills] == [
        ("LP1", D(0), D("0.00010")), ("LP2", D("-0.00005"), D("0.00005"))]
    assert (r.vs_best, r.vs_best_bps) == (D("-0.00003"), D("-0.28"))
    assert (r.vs_alternative, r.vs_alternative_bps) == (D("0.00007"), D("0.64"))


def test_the_decision_is_explained() -> None:
    why = record("B-1").rounds[0].why
    assert why.startswith("best: best price first")
    assert "asked LP1, LP2, LP3, LP4, LP5, LP6" in why
    assert "4 usable quote(s)" in why
    assert "no quote from LP6 (unknown symbol), LP5 (timeout)" in why
    assert "beyond limit 1.0852: LP4 @ 1.08530" in why
    assert "placed 400000 on LP1 @ 1.08500 (best quote), 600000 on LP2 @ 1.08505" in why


def test_a_refused_then_rerouted_order_shows_both_rounds() -> None:
    r = record("B-2")
    assert [line.round_no for line in r.rounds] == [1, 2]
    assert [(c.lp, c.state.name, c.text) for c in r.order.children] == [
        ("LP2", "REJECTED", "Last look reject"), ("LP1", "FILLED", "")]
    (fill,) = r.fills
    assert (fill.lp, fill.vs_best, fill.best_alternative) == ("LP1", D(0), None)
    assert r.vs_alternative is None
    assert r.status == "FILLED"


def test_json_view_has_parent_children_executions_and_routing() -> None:
    view = record("B-1").as_dict()
    assert view["parent"]["avg_px"] == "1.08503"        # (0.4 x 1.085 + 0.6 x 1.08505)
    assert view["parent"]["status"] == "FILLED"
    assert [c["lp"] for c in view["children"]] == ["LP1", "LP2"]
    assert [e["vs_best_quote"] for e in view["executions"]] == ["0", "-0.00005"]
    quotes = view["routing"][0]["quotes"]
    assert [(q["lp"], q["price"], q["response_ms"]) for q in quotes][:2] == [
        ("LP1", "1.085", 2.0), ("LP2", "1.08505", 4.0)]
    assert view["best_execution"] == {"vs_best_quote": "-0.00003", "vs_best_quote_bps": "-0.28",
                                      "vs_best_alternative": "0.00007",
                                      "vs_best_alternative_bps": "0.64"}


def test_orders_are_found_by_order_id_or_by_client_order_id() -> None:
    book = build_book(RECORDS)
    assert find_order(book, "C2") is None                      # ClOrdID needs the session
    found = find_order(book, "C2", [SESSION])
    assert found is not None and found.order_id == "B-2"


def test_csv_has_one_row_per_order_in_the_window() -> None:
    book = build_book(RECORDS)
    out = io.StringIO()
    assert write_csv(records_in(book, Window(0, 1500)), out) == 1
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(CSV_COLUMNS)
    (row,) = rows
    assert {k: row[k] for k in ("order_id", "side", "filled_qty", "avg_px", "best_quote_lp",
                                "best_quote_px", "best_alternative_lp", "vs_best_quote_bps",
                                "vs_best_alternative", "fills_by_lp", "quotes_seen")} == {
        "order_id": "B-1", "side": "BUY", "filled_qty": "1000000", "avg_px": "1.08503",
        "best_quote_lp": "LP1", "best_quote_px": "1.085", "best_alternative_lp": "LP3",
        "vs_best_quote_bps": "-0.28", "vs_best_alternative": "0.00007",
        "fills_by_lp": "LP1:400000 LP2:600000", "quotes_seen": "4"}
    out = io.StringIO()
    assert write_csv(records_in(book, Window(0, 3000)), out) == 2
