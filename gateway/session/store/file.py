"""Persistent message store: one append-only, CRC-checked journal per session.

How this works
--------------
All state lives in memory (sequence numbers, creation time, and an index
seq -> (file offset, length) of every stored message); the journal
(`journal.py`) is the durable copy, replayed on open. Mutating calls append
records to an in-memory buffer; sequence-number changes only mark the numbers
dirty, so a flush writes one SEQS record however many increments it covers.

`flush()` issues ONE os.write for everything buffered and then, under
`SyncPolicy.BATCH`, one fdatasync (group commit). `ALWAYS` writes and syncs inside
every mutating call; `NONE` writes on flush and never syncs (the page cache
survives kill -9, not a power loss). Offsets in the index are "virtual": those at
or past the end of the file point into the unwritten buffer, so `get` sees
recorded-but-unflushed messages too.

`reset()` writes a fresh journal beside the old one and renames it over it, so a
crash leaves either the old or the new journal. A `.lock` file held with flock
keeps a second process (or store) off the same journal.
"""

from __future__ import annotations

import contextlib
import os
import re
import zlib
from datetime import datetime
from pathlib import Path
from types import TracebackType

from gateway.session.store import journal, journal_io
from gateway.session.store.base import StoreError, SyncPolicy
from gateway.session.store.common import SequenceNumbers, check_seq, seqs_in_range, to_utc

# Messages closer than this in the file are fetched by one read in `get`.
_READ_GAP = 64 * 1024


class FileStore(SequenceNumbers):
    """A `MessageStore` backed by one journal file; see the module docstring."""

    def __init__(self, path: Path, sync: SyncPolicy, now: datetime) -> None:
        """Open (recovering) or create the journal at `path`; `now` is used only if new."""
        self._path = path
        self._sync = sync
        self._always = sync is SyncPolicy.ALWAYS
        self._fsync = sync is not SyncPolicy.NONE
        self._pending = bytearray()
        self._seqs_dirty = False
        self._lock_fd = journal_io.lock(path.with_name(path.name + ".lock"))
        try:
            self._fd, state, self._discarded = journal_io.open_journal(path, self._fsync, to_utc(now))
        except BaseException:
            os.close(self._lock_fd)
            raise
        self._size = state.valid_length
        self._index = state.index
        self._next_sender_seq = state.next_sender_seq
        self._next_target_seq = state.next_target_seq
        assert state.creation_time is not None
        self._creation_time = state.creation_time

    @property
    def path(self) -> Path:
        """The journal file."""
        return self._path

    @property
    def discarded_tail_bytes(self) -> int:
        """Bytes of damaged tail (torn write, garbage) dropped when the journal was opened."""
        return self._discarded

    def set(self, seq: int, message: bytes) -> None:
        """Record the encoded outbound message sent with MsgSeqNum `seq` (latest wins)."""
        check_seq(seq)
        if len(message) > journal.MAX_MESSAGE:
            raise ValueError(f"message of {len(message)} bytes exceeds {journal.MAX_MESSAGE}")
        at = journal.append_message(self._pending, seq, message)
        self._index[seq] = (self._size + at, len(message))
        if self._always:
            self._commit()

    def get(self, begin: int, end: int) -> list[tuple[int, bytes]]:
        """Stored messages with begin <= seq <= end, ascending. Missing seqs are absent."""
        self._check_open()
        seqs = seqs_in_range(self._index, begin, end)
        if not seqs:
            return []
        wanted = sorted(self._index[seq] + (seq,) for seq in seqs)
        found: dict[int, bytes] = {}
        run_start = 0
        for i in range(1, len(wanted) + 1):
            if i == len(wanted) or wanted[i][0] - _end(wanted[i - 1]) > _READ_GAP:
                self._read_run(wanted[run_start:i], found)
                run_start = i
        return [(seq, found[seq]) for seq in seqs]

    @property
    def creation_time(self) -> datetime:
        """UTC time of the last reset (or of creation); survives restarts."""
        return self._creation_time

    def reset(self, now: datetime) -> None:
        """Replace the journal atomically by an empty one created at `now` (durable on return
        unless the policy is NONE)."""
        self._check_open()
        now = to_utc(now)
        size = journal_io.write_fresh(self._path, now, self._fsync)
        old_fd, self._fd = self._fd, -1  # unusable unless the new journal opens
        os.close(old_fd)
        self._fd = journal_io.reopen(self._path)
        self._size = size
        self._pending.clear()
        self._seqs_dirty = False
        self._index.clear()
        self._next_sender_seq = self._next_target_seq = 1
        self._creation_time = now

    def flush(self) -> None:
        """Write everything recorded since the last flush in one write, then sync per policy."""
        self._commit()

    def close(self) -> None:
        """Flush, then release the journal and its lock (idempotent)."""
        if self._lock_fd < 0:
            return
        try:
            if self._fd >= 0:  # negative only after a failed reset
                self._commit()
        finally:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> FileStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _seqs_changed(self) -> None:
        self._seqs_dirty = True
        if self._always:
            self._commit()

    def write_for_sync(self) -> int | None:
        """Group commit, first half: write what is recorded without syncing it.

        Returns the file descriptor the caller must fdatasync before anything
        that depends on these writes leaves the process (None when no sync is
        owed: nothing written, or PersistenceSync=none/always). The transport
        syncs several stores at once in worker threads and keeps the event loop free.
        """
        if self._always or not self._fsync:
            self._commit()
            return None
        wrote = bool(self._pending) or self._seqs_dirty
        self._commit(sync=False)
        return self._fd if wrote else None

    def _commit(self, sync: bool = True) -> None:
        if self._fd < 0:
            raise StoreError(f"{self._path}: store is closed")
        if self._seqs_dirty:
            journal.append_seqs(self._pending, self._next_sender_seq, self._next_target_seq)
            self._seqs_dirty = False
        pending = self._pending
        if not pending:
            return
        try:
            journal_io.write_all(self._fd, pending)
            if self._fsync and sync:
                journal_io.sync_data(self._fd)
        except OSError as exc:
            # Cut a partial append so the journal still ends on a record boundary;
            # the buffer is kept, so a later flush retries it.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._size)
            raise journal_io.os_error(self._path, "write", exc) from exc
        self._size += len(pending)
        pending.clear()

    def _read_run(self, run: list[tuple[int, int, int]], found: dict[int, bytes]) -> None:
        """Fetch the messages of `run` (sorted (offset, length, seq)) with one read."""
        base = run[0][0]
        span = self._read(base, _end(run[-1]) - base)
        for offset, length, seq in run:
            found[seq] = span[offset - base : offset - base + length]

    def _read(self, offset: int, length: int) -> bytes:
        """`length` bytes at virtual `offset`: from the file, then from the unwritten buffer."""
        in_file = max(0, min(offset + length, self._size) - offset)
        data = b""
        if in_file:
            try:
                data = journal_io.pread_all(self._fd, in_file, offset)
            except OSError as exc:
                raise journal_io.os_error(self._path, "read", exc) from exc
            if len(data) < in_file:
                raise StoreError(f"{self._path}: journal shorter than its index (truncated?)")
        rest = length - in_file
        if rest:
            start = max(offset - self._size, 0)
            data += self._pending[start : start + rest]
        return data

    def _check_open(self) -> None:
        if self._fd < 0:
            raise StoreError(f"{self._path}: store is closed")


def _end(location: tuple[int, ...]) -> int:
    return location[0] + location[1]


class FileStoreFactory:
    """Opens the journal of each session under `directory` (QuickFIX's FileStorePath)."""

    def __init__(
        self, directory: str | os.PathLike[str], sync: SyncPolicy = SyncPolicy.BATCH
    ) -> None:
        self._directory = Path(directory)
        self._sync = sync

    @property
    def sync(self) -> SyncPolicy:
        """The sync policy every store of this factory uses."""
        return self._sync

    def path_for(self, session_id: str) -> Path:
        """The journal file of `session_id`."""
        return self._directory / journal_name(session_id)

    def open(self, session_id: str, now: datetime) -> FileStore:
        """Recover the session's journal, or create it with creation_time `now`."""
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise journal_io.os_error(self._directory, "create directory", exc) from exc
        return FileStore(self.path_for(session_id), self._sync, now)


_UNSAFE = re.compile(r"-*[^A-Za-z0-9._-][^A-Za-z0-9._]*")


def journal_name(session_id: str) -> str:
    """A file name for `session_id`: unsafe runs become '-', plus a hash if anything changed
    (so 'A:B' and 'A-B' never share a journal)."""
    safe = _UNSAFE.sub("-", session_id).strip(".-") or "session"
    if safe != session_id:
        safe += f"-{zlib.crc32(session_id.encode()):08x}"
    return safe + ".journal"
