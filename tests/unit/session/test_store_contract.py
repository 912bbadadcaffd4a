"""The MessageStore contract, run against every backend (memory, file x each sync policy).

File-only sections below check recovery: reopen, torn tails, corruption, garbage,
and a hypothesis property that the memory and file stores stay indistinguishable.
"""

from __future__ import annotations

import errno
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.session.store import (
    FileStore,
    FileStoreFactory,
    MemoryStoreFactory,
    MessageStore,
    MessageStoreFactory,
    StoreError,
    SyncPolicy,
    journal_io,
)
from gateway.session.store.file import journal_name

SESSION = "FIX.4.4:GATEWAY->CLIENT"
T0 = datetime(2024, 3, 4, 21, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1, microseconds=123)

Observed = tuple[int, int, datetime, list[tuple[int, bytes]]]


def observe(store: MessageStore) -> Observed:
    """Everything a caller can see: both seqs, creation time, all messages."""
    return store.next_sender_seq, store.next_target_seq, store.creation_time, store.get(1, 10**9)


@dataclass
class Backend:
    """One backend under test: how to open its store for SESSION."""

    name: str
    factory: MessageStoreFactory

    def open(self, now: datetime = T0) -> MessageStore:
        return self.factory.open(SESSION, now)

    @contextmanager
    def opened(self, now: datetime = T0) -> Iterator[FileStore]:
        """A file store for SESSION, closed on exit."""
        store = self.open(now)
        assert isinstance(store, FileStore)
        try:
            yield store
        finally:
            store.close()


def _backend(name: str, tmp_path: Path) -> Backend:
    if name == "memory":
        return Backend(name, MemoryStoreFactory())
    return Backend(name, FileStoreFactory(tmp_path / "store", SyncPolicy(name.split("-")[1])))


@pytest.fixture(params=["memory", "file-none", "file-batch", "file-always"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return _backend(request.param, tmp_path)


@pytest.fixture
def store(backend: Backend) -> Iterator[MessageStore]:
    opened = backend.open()
    yield opened
    opened.close()


# --- the contract, every backend ---------------------------------------------------


def test_new_store_starts_at_seq_1_empty_and_created_now(store: MessageStore) -> None:
    assert observe(store) == (1, 1, T0, [])


def test_creation_time_is_normalised_to_utc(backend: Backend) -> None:
    paris = timezone(timedelta(hours=1))
    opened = backend.open(datetime(2024, 3, 4, 22, 0, tzinfo=paris))
    assert opened.creation_time == T0
    assert opened.creation_time.utcoffset() == timedelta(0)
    opened.close()


def test_naive_creation_time_is_refused(store: MessageStore, backend: Backend) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.reset(datetime(2024, 1, 1))


def test_get_returns_the_range_ascending_without_the_gaps(store: MessageStore) -> None:
    for seq in (5, 1, 2, 4, 9):
        store.set(seq, b"msg-%d" % seq)
    assert store.get(2, 5) == [(2, b"msg-2"), (4, b"msg-4"), (5, b"msg-5")]
    assert store.get(3, 3) == []
    assert store.get(6, 8) == []
    assert store.get(1, 1) == [(1, b"msg-1")]


def test_get_with_end_beyond_last_stops_at_the_last(store: MessageStore) -> None:
    for seq in range(1, 4):
        store.set(seq, b"m%d" % seq)
    assert store.get(2, 10**12) == [(2, b"m2"), (3, b"m3")]
    assert store.get(4, 10**12) == []


def test_get_with_begin_after_end_is_empty(store: MessageStore) -> None:
    store.set(3, b"m3")
    assert store.get(4, 2) == []


def test_setting_a_seq_again_keeps_the_latest_message(store: MessageStore) -> None:
    store.set(1, b"first")
    store.set(2, b"second")
    store.flush()
    store.set(1, b"first again, after a SequenceReset")
    assert store.get(1, 2) == [(1, b"first again, after a SequenceReset"), (2, b"second")]


def test_sequence_numbers_increment_and_set_independently(store: MessageStore) -> None:
    store.incr_next_sender_seq()
    store.incr_next_sender_seq()
    store.incr_next_target_seq()
    assert (store.next_sender_seq, store.next_target_seq) == (3, 2)
    store.set_next_sender_seq(100)
    store.set_next_target_seq(7)
    assert (store.next_sender_seq, store.next_target_seq) == (100, 7)


@pytest.mark.parametrize("bad", [0, -1])
def test_sequence_numbers_below_one_are_refused(store: MessageStore, bad: int) -> None:
    with pytest.raises(ValueError):
        store.set(bad, b"x")
    with pytest.raises(ValueError):
        store.set_next_sender_seq(bad)
    with pytest.raises(ValueError):
        store.set_next_target_seq(bad)


def test_reset_forgets_messages_resets_seqs_and_takes_the_new_creation_time(
    store: MessageStore,
) -> None:
    store.set(1, b"m1")
    store.set_next_sender_seq(2)
    store.set_next_target_seq(9)
    store.flush()
    store.set(2, b"unflushed")
    store.reset(T1)
    assert observe(store) == (1, 1, T1, [])
    store.set(1, b"after reset")
    assert store.get(1, 5) == [(1, b"after reset")]


def test_binary_and_empty_messages_round_trip(store: MessageStore) -> None:
    payloads = [b"", bytes(range(256)), b"8=FIX.4.4\x019=5\x0135=0\x0110=000\x01"]
    for seq, payload in enumerate(payloads, start=1):
        store.set(seq, payload)
    store.flush()
    assert store.get(1, 3) == list(enumerate(payloads, start=1))


def test_a_closed_store_refuses_to_be_used(backend: Backend) -> None:
    opened = backend.open()
    opened.close()
    opened.close()  # idempotent
    with pytest.raises(StoreError):
        opened.get(1, 1)
    with pytest.raises(StoreError):
        opened.flush()


# --- file store: recovery ------------------------------------------------------------


@pytest.fixture(params=["file-none", "file-batch", "file-always"])
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return _backend(request.param, tmp_path)


def _populate(store: MessageStore) -> None:
    for seq in range(1, 6):
        store.set(seq, b"8=FIX.4.4\x0134=%d\x01" % seq + b"x" * seq)
        store.incr_next_sender_seq()
    store.set_next_target_seq(42)
    store.flush()


def _journal(store: MessageStore) -> Path:
    assert isinstance(store, FileStore)
    return store.path


def test_reopen_recovers_seqs_messages_and_creation_time(files: Backend) -> None:
    store = files.open(T0)
    _populate(store)
    before = observe(store)
    store.close()
    with files.opened(T1) as reopened:
        assert observe(reopened) == before
        assert reopened.creation_time == T0


def test_close_flushes_what_was_recorded(files: Backend) -> None:
    store = files.open()
    store.set(1, b"recorded, never flushed")
    store.incr_next_sender_seq()
    store.incr_next_target_seq()
    before = observe(store)
    store.close()
    with files.opened() as reopened:
        assert observe(reopened) == before


def test_reopen_after_reset_recovers_the_reset_state(files: Backend) -> None:
    store = files.open(T0)
    _populate(store)
    store.reset(T1)
    store.set(1, b"new day")
    store.incr_next_sender_seq()
    store.close()
    with files.opened(T0) as reopened:
        assert observe(reopened) == (2, 1, T1, [(1, b"new day")])


def test_get_reads_across_the_file_and_the_unflushed_buffer(files: Backend) -> None:
    store = files.open()
    store.set(1, b"on disk")
    store.flush()
    store.set(2, b"buffered")
    store.set(1, b"overwritten, buffered")
    assert store.get(1, 2) == [(1, b"overwritten, buffered"), (2, b"buffered")]
    store.close()


def test_get_gathers_messages_scattered_through_a_large_journal(
    files: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = files.open()
    big = b"B" * 70_000  # more than the gap `get` reads through in one span
    for seq in range(1, 4):
        store.set(seq, b"small-%d" % seq)
        store.set(100 + seq, big)
    store.set(2, b"rewritten")
    store.close()
    read_sizes: list[int] = []
    pread_all = journal_io.pread_all

    def counting_pread(fd: int, length: int, offset: int) -> bytes:
        read_sizes.append(length)
        return pread_all(fd, length, offset)

    monkeypatch.setattr(journal_io, "pread_all", counting_pread)
    with files.opened() as reopened:
        assert reopened.get(1, 3) == [(1, b"small-1"), (2, b"rewritten"), (3, b"small-3")]
        assert sum(read_sizes) < len(big)  # skipped the big messages in between
        assert reopened.get(101, 103) == [(101, big), (102, big), (103, big)]


def _with_last_record(files: Backend) -> tuple[Path, Observed, int, bytes]:
    """A closed journal whose final flush wrote exactly one MESSAGE record.

    Returns (path, state before that record, file size before it, whole file).
    """
    store = files.open()
    _populate(store)
    before = observe(store)
    path = _journal(store)
    size_before = path.stat().st_size
    store.set(6, b"the last record")
    store.close()
    return path, before, size_before, path.read_bytes()


def test_a_tail_cut_at_any_byte_of_the_last_record_recovers_the_state_before_it(
    files: Backend,
) -> None:
    path, before, size_before, data = _with_last_record(files)
    assert len(data) > size_before
    for cut in range(size_before, len(data)):
        path.write_bytes(data[:cut])
        with files.opened(T1) as reopened:
            assert observe(reopened) == before, f"cut at {cut}"
            assert reopened.discarded_tail_bytes == cut - size_before
        assert path.stat().st_size == size_before
    # the truncated journal takes appends again
    with files.opened() as store:
        store.set(6, b"written after recovery")
    with files.opened() as reopened:
        assert reopened.get(6, 6) == [(6, b"written after recovery")]


@pytest.mark.parametrize("where", ["crc field", "message byte"])
def test_a_corrupted_last_record_is_dropped(files: Backend, where: str) -> None:
    path, before, size_before, data = _with_last_record(files)
    spoiled = bytearray(data)
    spoiled[size_before + 4 if where == "crc field" else len(data) - 1] ^= 0x40
    path.write_bytes(spoiled)
    with files.opened() as reopened:
        assert observe(reopened) == before


def _frame(body: bytes, crc: int | None = None) -> bytes:
    return struct.pack("<II", len(body), zlib.crc32(body) if crc is None else crc) + body


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00" * 4096,  # size grew, data never reached the disk
        bytes((i * 7919 + 13) % 256 for i in range(3000)),
        struct.pack("<II", 2**31, 0) + b"claims a huge length",
        _frame(b"\x02" + b"\x01" * 20, crc=12345),  # plausible frame, wrong CRC
        _frame(b"\x63unknown record type"),  # valid CRC, not a record we write
        _frame(b"\x03" + b"\x00" * 16),  # SEQS record holding seq 0
        _frame(b"\x02" + b"\x00" * 8 + b"msg"),  # MESSAGE record for seq 0
        b"\x00" * 8,  # an empty body whose CRC (0) matches
    ],
    ids=[
        "zeros", "noise", "huge-length", "bad-crc", "unknown-type", "seq-zero", "msg-seq-zero",
        "empty-frame",
    ],
)
def test_garbage_after_the_last_record_is_dropped(files: Backend, garbage: bytes) -> None:
    store = files.open()
    _populate(store)
    before = observe(store)
    path = _journal(store)
    store.close()
    size = path.stat().st_size
    with path.open("ab") as journal_file:
        journal_file.write(garbage)
    with files.opened() as reopened:
        assert observe(reopened) == before
        assert reopened.discarded_tail_bytes == len(garbage)
    assert path.stat().st_size == size


def test_an_empty_journal_file_starts_a_fresh_store(files: Backend, tmp_path: Path) -> None:
    store = files.open()
    path = _journal(store)
    store.close()
    path.write_bytes(b"")
    with files.opened(T1) as reopened:
        assert observe(reopened) == (1, 1, T1, [])


def test_a_file_that_is_not_a_journal_is_a_store_error_naming_it(files: Backend) -> None:
    store = files.open()
    path = _journal(store)
    store.close()
    path.write_bytes(b"somebody else's file\n")
    with pytest.raises(StoreError, match=str(path)):
        files.open()


def test_a_second_store_on_the_same_journal_is_refused(files: Backend) -> None:
    store = files.open()
    with pytest.raises(StoreError, match="in use"):
        files.open()
    store.close()
    files.open().close()  # free again once closed


def test_os_errors_become_store_errors_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(StoreError, match="not-a-directory"):
        FileStoreFactory(blocker).open(SESSION, T0)


def test_a_failed_write_is_a_store_error_and_the_next_flush_retries_it(
    files: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = files.open()
    _populate(store)
    write_all = journal_io.write_all

    def disk_full(fd: int, data: bytes | bytearray) -> None:
        os.write(fd, bytes(data[:3]))  # a partial append, as a full disk leaves it
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(journal_io, "write_all", disk_full)
    with pytest.raises(StoreError, match=f"{re.escape(str(_journal(store)))}.*No space left"):
        store.set(6, b"retried")
        store.flush()
    monkeypatch.setattr(journal_io, "write_all", write_all)
    store.flush()
    store.close()
    with files.opened() as reopened:
        assert reopened.get(6, 6) == [(6, b"retried")]
        assert reopened.discarded_tail_bytes == 0


def test_a_failed_reset_leaves_a_closable_store(
    files: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = files.open()

    def cannot_open(path: Path) -> int:
        raise StoreError(f"{path}: cannot open journal")

    monkeypatch.setattr(journal_io, "reopen", cannot_open)
    with pytest.raises(StoreError):
        store.reset(T1)
    with pytest.raises(StoreError):
        store.flush()
    store.close()
    monkeypatch.undo()
    with files.opened() as reopened:  # the lock was released
        assert reopened.creation_time == T1


def test_session_ids_map_to_distinct_safe_file_names() -> None:
    assert journal_name("FIX.4.4-ISLD-TW44") == "FIX.4.4-ISLD-TW44.journal"
    names = {journal_name(s) for s in ("A:B", "A-B", "A/B", "../A-B", "A B")}
    assert len(names) == 5
    assert all("/" not in name and not name.startswith(".") for name in names)


# --- file store: what each sync policy writes and syncs -----------------------------


@dataclass
class Calls:
    writes: int = 0
    syncs: int = 0


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    counted = Calls()
    write_all, sync_data = journal_io.write_all, journal_io.sync_data

    def counting_write(fd: int, data: bytes | bytearray) -> None:
        counted.writes += 1
        write_all(fd, data)

    def counting_sync(fd: int) -> None:
        counted.syncs += 1
        sync_data(fd)

    monkeypatch.setattr(journal_io, "write_all", counting_write)
    monkeypatch.setattr(journal_io, "sync_data", counting_sync)
    return counted


def _one_message_and_flush(store: MessageStore) -> None:
    store.set(store.next_sender_seq, b"message")
    store.incr_next_sender_seq()
    store.incr_next_target_seq()
    store.flush()


@pytest.mark.parametrize(
    ("sync", "writes", "syncs"),
    [(SyncPolicy.BATCH, 1, 1), (SyncPolicy.ALWAYS, 3, 3), (SyncPolicy.NONE, 1, 0)],
)
def test_a_flush_writes_and_syncs_as_the_policy_says(
    tmp_path: Path, calls: Calls, sync: SyncPolicy, writes: int, syncs: int
) -> None:
    store = FileStoreFactory(tmp_path, sync).open(SESSION, T0)
    calls.writes = calls.syncs = 0
    _one_message_and_flush(store)
    assert (calls.writes, calls.syncs) == (writes, syncs)
    store.flush()  # nothing new: no write, no sync
    assert (calls.writes, calls.syncs) == (writes, syncs)
    store.close()


# --- property: the file store is indistinguishable from the memory store ------------

Op = tuple[str, int, int, bytes]  # name and its arguments; unused ones are 0 / b""

_SEQ = st.integers(min_value=1, max_value=12)
_NO_ARGS = ("incr_sender", "incr_target", "flush", "reopen")
_OPS = st.one_of(
    st.tuples(st.just("set"), _SEQ, st.just(0), st.binary(max_size=24)),
    st.tuples(st.just("get"), _SEQ, st.integers(min_value=0, max_value=15), st.just(b"")),
    st.tuples(st.sampled_from(_NO_ARGS), st.just(0), st.just(0), st.just(b"")),
    st.tuples(st.sampled_from(["set_sender", "set_target"]), _SEQ, st.just(0), st.just(b"")),
    st.tuples(st.just("reset"), st.integers(0, 10**6), st.just(0), st.just(b"")),
)


def _apply(store: MessageStore, op: Op) -> object:
    """Run one operation; returns what a caller would see from it."""
    name, a, b, payload = op
    if name == "set":
        store.set(a, payload)
    elif name == "get":
        return store.get(a, b)
    elif name == "reset":
        store.reset(T0 + timedelta(seconds=a))
    elif name == "set_sender":
        store.set_next_sender_seq(a)
    elif name == "set_target":
        store.set_next_target_seq(a)
    elif name == "incr_sender":
        store.incr_next_sender_seq()
    elif name == "incr_target":
        store.incr_next_target_seq()
    elif name == "flush":
        store.flush()
    return None


@settings(max_examples=100, deadline=None)
@given(ops=st.lists(_OPS, max_size=40), sync=st.sampled_from(SyncPolicy))
def test_file_and_memory_stores_agree_on_any_operation_sequence(
    ops: list[Op], sync: SyncPolicy
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        factory = FileStoreFactory(tmp, sync)
        memory = MemoryStoreFactory().open(SESSION, T0)
        file = factory.open(SESSION, T0)
        try:
            for step, op in enumerate(ops):
                if op[0] == "reopen":  # a restart: the file store must come back as it was
                    file.close()
                    file = factory.open(SESSION, T1 + timedelta(days=step))
                    continue
                assert _apply(file, op) == _apply(memory, op), op
                assert observe(file) == observe(memory), op
        finally:
            file.close()
        file = factory.open(SESSION, T1)
        assert observe(file) == observe(memory)
        file.close()
