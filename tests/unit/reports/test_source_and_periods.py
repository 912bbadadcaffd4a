"""Reading the journal without touching it, and the time syntax operators type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.journal import FileJournal, JournalError
from gateway.reports.periods import PeriodError, Window, iso, parse_duration, parse_instant
from gateway.reports.source import journal_path, load_book, read_journal
from gateway.session.store.base import SyncPolicy
from tests.unit.reports.journal_data import RECORDS


def write_journal(data_path: Path) -> Path:
    journal = FileJournal(data_path, SyncPolicy.NONE)
    for record in RECORDS:
        journal.append(record)
    journal.close()
    return journal_path(data_path)


def test_reads_what_the_gateway_wrote(tmp_path: Path) -> None:
    write_journal(tmp_path)
    assert list(read_journal(journal_path(tmp_path))) == RECORDS
    assert set(load_book(tmp_path).orders) == {"B-1", "B-2"}


def test_a_line_still_being_written_is_left_alone(tmp_path: Path) -> None:
    path = write_journal(tmp_path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('["closed","B-1"')          # no newline yet: a write in progress
    before = path.read_bytes()
    assert len(list(read_journal(path))) == len(RECORDS)
    assert path.read_bytes() == before           # never truncated, unlike opening FileJournal


def test_a_corrupt_complete_line_names_file_and_line(tmp_path: Path) -> None:
    path = write_journal(tmp_path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(["no-such-kind"]) + "\n")
    with pytest.raises(JournalError, match=rf"orders.journal, line {len(RECORDS) + 1}"):
        list(read_journal(path))


def test_a_missing_journal_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="cannot read the order journal"):
        load_book(tmp_path / "nowhere")


@pytest.mark.parametrize(("text", "seconds"), [
    ("90s", 90), ("15m", 900), ("1h", 3600), ("2d", 172800), ("1w", 604800), ("250ms", 0.25),
    ("45", 45), ("1.5h", 5400)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1 hour", "-1h", "1y"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(PeriodError, match="not a duration"):
        parse_duration(text)


def test_instants_are_utc_unless_an_offset_is_given() -> None:
    assert parse_instant("2026-12-01T00:00") == 1796083200.0
    assert parse_instant("2026-12-01T00:00:00Z") == 1796083200.0
    assert parse_instant("2026-12-01T01:00+01:00") == 1796083200.0
    assert parse_instant("1796083200.5") == 1796083200.5
    with pytest.raises(PeriodError, match="not a timestamp"):
        parse_instant("yesterday")


def test_iso_and_windows() -> None:
    assert iso(1796083200.25) == "2026-12-01T00:00:00.250000Z"
    assert iso(0.0) is None
    window = Window.last(3600, 1796083200.0)
    assert 1796083200.0 in window and 1796079600.0 in window and 1796079599.9 not in window
