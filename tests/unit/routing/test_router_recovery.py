"""Crash recovery from the journal (SPEC §4.2 working order tracking) and record rows."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gateway.journal import FileJournal, decode_record, encode_record
from gateway.session.store.base import SyncPolicy
from routing.actions import ParentReport, QueryChild
from routing.records import RECORD_TYPES, Record
from tests.unit.routing.router_harness import ChildReply, Harness, QuoteReply, only
from tests.unit.routing.router_invariants import Invariants, book_view, replay

D = Decimal
RESTARTED = "Gateway restarted: routing stopped"


def busy_day(h: Harness) -> None:
    """F1 filled; G2 resting GTC at LP3 with 300k filled; X3 canceled; I4 IOC in flight at
    LP2 (its LP fills 400k while the gateway is down); R5 refused."""
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0850"))
    h.submit("F1")
    h.run(0.5)
    h.sims["LP3"].child_script = [ChildReply(qty=D(300_000))]
    h.submit("G2", price="1.0860", tif="1", strategy="manual", manual="LP3")
    h.run(0.5)
    h.submit("X3", price="1.0800", tif="0")
    h.run(0.5)
    h.cancel("X3-C", "X3")
    h.sims["LP1"].quote_default = QuoteReply(offer=D("1.0860"))
    h.sims["LP2"].child_script = [ChildReply(qty=D(400_000), delay_s=1.0)]
    h.sims["LP2"].resend_on_logon = False
    h.submit("I4")
    h.run(0.1)
    h.submit("R5", qty="0")


def test_recovery_rebuilds_the_book_and_ends_in_flight_ioc_orders() -> None:
    h = Harness(child_terms={"LP3": ("2", "1")}, routing_budget_s=5)
    inv = Invariants(h)
    busy_day(h)
    before = book_view(h.router.book, unknown_live=True)
    old_router = h.router
    actions = h.restart("c")
    assert book_view(h.router.book) == before            # live children are now UNKNOWN
    assert [o.exec_seq for o in h.router.book.orders.values()] == [
        o.exec_seq for o in old_router.book.orders.values()]
    assert not only(ParentReport, actions)               # I4 waits for its UNKNOWN child
    i4, g2 = h.order("I4"), h.order("G2")
    assert i4.has_unknown and g2.has_unknown and not i4.is_terminal
    # Duplicates are still known, refused ones included.
    for cl_ord_id in ("F1", "R5"):
        (dup,) = only(ParentReport, h.submit(cl_ord_id))
        assert dup.ord_rej_reason == 6
    h.run(2)                                             # LP2 fills 400k, nobody listening
    queries = [q.child.lp for lp in h.sims for q in only(QueryChild, h.lp_up(lp))]
    assert sorted(queries) == ["LP2", "LP3"]
    h.run(1)
    last = h.last("I4")
    assert (last.exec_type, last.ord_status, last.text) == ("4", "4", RESTARTED)
    assert (last.cum_qty, last.avg_px) == (D(400_000), D("1.0851"))
    assert [r.exec_type for r in h.reports_for("I4")] == ["0", "F", "4"]
    assert g2.children[0].state.name == "WORKING"       # the resting order goes on
    h.cancel("G2-C", "G2")
    h.run(1)
    assert (h.last("G2").ord_status, h.last("G2").cum_qty) == ("4", D(300_000))
    h.submit("N6")                                       # new orders get new OrderIDs
    h.run(1)
    assert h.order("N6").order_id.startswith("c-")
    inv.check_end()                                      # incl. ExecIDs unique across the restart


def test_resting_order_requotes_after_restart() -> None:
    h = Harness(resting_requote_s=0.5)
    inv = Invariants(h)
    h.sims["LP1"].quote_script = [QuoteReply(offer=D("1.0850"), size=D(300_000))]
    for sim in h.sims.values():
        sim.quote_default = QuoteReply(offer=D("1.0870"))
    h.submit("D1", price="1.0860", tif="0")
    h.run(0.5)
    assert h.order("D1").cum_qty == D(300_000)
    h.restart("c")
    for lp in h.sims:
        h.lp_up(lp)
        h.sims[lp].quote_default = QuoteReply(offer=D("1.0855"))
    h.run(1)
    assert (h.last("D1").ord_status, h.last("D1").cum_qty) == ("2", D(1_000_000))
    inv.check_end()


def test_filled_order_stays_filled_after_restart() -> None:
    h = Harness()
    h.submit("F1")
    h.run(1)
    actions = h.restart("c")
    assert actions == [] and h.order("F1").status.value == "2"
    assert only(ParentReport, h.status("F1"))[0].ord_status == "2"


def test_the_journal_file_gives_back_the_same_records(tmp_path: Path) -> None:
    h = Harness(child_terms={"LP3": ("2", "1")})
    busy_day(h)
    journal = FileJournal(tmp_path, SyncPolicy.NONE)
    for record in h.journal.records:
        journal.append(record)
    journal.close()
    again = list(FileJournal(tmp_path, SyncPolicy.NONE).replay())
    assert again == h.journal.records
    assert book_view(replay(h)) == book_view(h.router.book)


# -- every record type survives its row ----------------------------------------------------

_text = st.text(max_size=8)
_float = st.floats(allow_nan=False, allow_infinity=False)
_decimal = st.decimals(allow_nan=False, allow_infinity=False, places=6)
_FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "str": _text,
    "str | None": st.none() | _text,
    "int": st.integers(-(2**63), 2**63 - 1),
    "float": _float,
    "float | None": st.none() | _float,
    "Decimal": _decimal,
    "Decimal | None": st.none() | _decimal,
    "tuple[str, ...]": st.tuples(_text, _text),
    "tuple[tuple[str, str], ...]": st.lists(st.tuples(_text, _text), max_size=3).map(tuple),
    "tuple[QuoteSeen, ...]": st.lists(st.tuples(_text, _text, _text, _text, _float, _float),
                                      max_size=3).map(tuple),
    "tuple[Placement, ...]": st.lists(st.tuples(_text, _text, _text, _text), max_size=3).map(tuple),
}


def _records() -> st.SearchStrategy[Record]:
    return st.one_of(*(
        st.builds(cls, **{f.name: _FIELD_VALUES[str(f.type)] for f in fields(cls)})
        for cls in RECORD_TYPES.values()))


@given(_records())
def test_every_record_survives_its_journal_line(record: Record) -> None:
    line = encode_record(record)
    assert b"\n" not in line
    assert json.loads(line)[0] == record.kind   # plain JSON, for `fixgw report` and other tools
    again = decode_record(line)
    assert again == record and type(again) is type(record)
