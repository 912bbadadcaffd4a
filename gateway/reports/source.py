"""Reading the order journal for reports, without ever writing to it.

`FileJournal` is the gateway's writer: opening it cuts a torn last line and
opens the file for appending. A report may run while the gateway is writing,
so it must not do either; it reads complete lines only and leaves a last line
without its newline (a write in progress, or a torn tail) alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from gateway.journal import JOURNAL_NAME, JournalError, decode_record
from routing.book import OrderBook
from routing.records import Record


def journal_path(data_path: Path) -> Path:
    """The journal file of a DataPath."""
    return data_path / JOURNAL_NAME


def read_journal(path: Path) -> Iterator[Record]:
    """Every complete record of the journal at `path`, in order.

    Raises `JournalError` when the file is missing or a complete line is not a
    record (naming the file and line).
    """
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise JournalError(f"{path}: cannot read the order journal: {error}") from error
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith("\n"):
                return  # a record still being written (or torn by a crash)
            if not line.strip():
                continue
            try:
                yield decode_record(line)
            except (ValueError, KeyError, TypeError) as error:
                raise JournalError(f"{path}, line {number}: unreadable record: {error}") from error


def build_book(records: Iterable[Record]) -> OrderBook:
    """The order book the records describe (the same fold the router does)."""
    book = OrderBook()
    for record in records:
        book.apply(record)
    return book


def load_book(data_path: Path) -> OrderBook:
    """The order book of the journal in `data_path`."""
    return build_book(read_journal(journal_path(data_path)))
