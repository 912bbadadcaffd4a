"""Operating-system side of the journal: locking, recovery on open, atomic rewrite.

Every OSError leaves this module as a `StoreError` naming the file.
"""

from __future__ import annotations

import fcntl
import mmap
import os
from datetime import datetime
from pathlib import Path

from gateway.session.store import journal
from gateway.session.store.base import StoreError

sync_data = getattr(os, "fdatasync", os.fsync)


def os_error(path: Path, action: str, exc: OSError) -> StoreError:
    """A StoreError saying what could not be done to which file, and why."""
    return StoreError(f"{path}: cannot {action}: {exc.strerror or exc}")


def lock(path: Path) -> int:
    """Hold an exclusive flock on `path` (created if absent); returns the fd to close later."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise os_error(path, "open lock file", exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"{path}: journal is in use by another store") from exc
    return fd


def open_journal(path: Path, fsync: bool, now: datetime) -> tuple[int, journal.Recovered, int]:
    """(append fd, recovered state, bytes discarded) for `path`, creating it if needed."""
    try:
        fd = _open_existing(path)
    except FileNotFoundError:
        return _create(path, fsync, now)
    except OSError as exc:
        raise os_error(path, "open journal", exc) from exc
    try:
        state, size = _recover(fd, path)
        if state.creation_time is not None and state.valid_length < size:
            os.ftruncate(fd, state.valid_length)
            if fsync:
                sync_data(fd)
    except OSError as exc:
        os.close(fd)
        raise os_error(path, "recover journal", exc) from exc
    except BaseException:
        os.close(fd)
        raise
    if state.creation_time is None:  # not even the first record is intact: start afresh
        os.close(fd)
        fd, state, _ = _create(path, fsync, now)
        return fd, state, size
    return fd, state, size - state.valid_length


def _recover(fd: int, path: Path) -> tuple[journal.Recovered, int]:
    size = os.fstat(fd).st_size
    magic = os.pread(fd, len(journal.MAGIC), 0)
    if magic != journal.MAGIC:
        if journal.MAGIC.startswith(magic):  # created but never completed: treat as new
            return journal.Recovered(valid_length=0), size
        raise StoreError(f"{path}: not a fixgw journal (bad magic {magic!r})")
    with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as image, memoryview(image) as view:
        return journal.scan(view), size


def _create(path: Path, fsync: bool, now: datetime) -> tuple[int, journal.Recovered, int]:
    size = write_fresh(path, now, fsync)
    fd = reopen(path)
    return fd, journal.Recovered(valid_length=size, creation_time=now), 0


def _open_existing(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)


def reopen(path: Path) -> int:
    """Open the journal just written by `write_fresh`."""
    try:
        return _open_existing(path)
    except OSError as exc:
        raise os_error(path, "open journal", exc) from exc


def write_fresh(path: Path, now: datetime, fsync: bool) -> int:
    """Atomically replace `path` by a journal holding only a RESET record; returns its size."""
    content = bytearray(journal.MAGIC)
    journal.append_reset(content, now)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            write_all(fd, content)
            if fsync:
                sync_data(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        if fsync:
            _sync_directory(path.parent)
    except OSError as exc:
        raise os_error(path, "write fresh journal", exc) from exc
    return len(content)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes | bytearray) -> None:
    """os.write all of `data` (one call unless the kernel writes short)."""
    written = os.write(fd, data)
    if written < len(data):  # rare for regular files (signal, disk nearly full)
        with memoryview(data) as view:
            while written < len(data):
                written += os.write(fd, view[written:])


def pread_all(fd: int, length: int, offset: int) -> bytes:
    """Up to `length` bytes at `offset`; shorter only at end of file."""
    chunks = []
    while length:
        chunk = os.pread(fd, length, offset)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)
