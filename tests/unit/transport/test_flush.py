"""Group commit (gateway/transport/flush.py) against real files, with the disk's timing
held by a gate around the real fdatasync: nothing is sent before it is on disk,
commits leave in order, and the commits made during a sync share the next one."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.transport.flush import TurnFlusher

Event = tuple[str, str]


class Disk:
    """os.fdatasync as the flusher sees it: the real call, behind a gate, recorded."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names
        self.events: list[Event] = []
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()
        self.failures = 0  # how many of the next fdatasyncs fail
        self._real = os.fdatasync

    def record(self, kind: str, name: str) -> None:
        with self.lock:
            self.events.append((kind, name))

    def fdatasync(self, fd: int) -> None:
        self.record("sync", self.names[fd])
        assert self.gate.wait(5), "the test never opened the gate"
        with self.lock:
            failing, self.failures = self.failures > 0, max(0, self.failures - 1)
        if failing:
            raise OSError(5, "Input/output error")
        self._real(fd)
        self.record("synced", self.names[fd])

    def count(self, kind: str, name: str) -> int:
        return self.events.count((kind, name))


class File:
    """A durable participant: appends what it was given, returns its fd to sync."""

    def __init__(self, path: Path, disk: Disk) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.name = path.name
        self.disk = disk
        disk.names[self.fd] = self.name
        self.pending = b""

    def write_for_sync(self) -> int | None:
        if not self.pending:
            return None
        os.write(self.fd, self.pending)
        self.pending = b""
        self.disk.record("write", self.name)
        return self.fd

    def flush(self) -> None:
        raise AssertionError("batch participants are synced through write_for_sync")


class Output:
    """A connection: what a turn produced, released after its commit."""

    def __init__(self, disk: Disk) -> None:
        self.disk = disk
        self.pending: list[bytes] = []
        self.aborted: list[str] = []

    def take_output(self) -> tuple[list[bytes], bool]:
        pending, self.pending = self.pending, []
        return pending, False

    def release_output(self, chunks: list[bytes], close: bool) -> None:
        for chunk in chunks:
            self.disk.record("send", chunk.decode())

    def abort(self, reason: str) -> None:
        self.aborted.append(reason)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    disk = Disk({})
    monkeypatch.setattr(os, "fdatasync", disk.fdatasync)
    yield disk
    disk.gate.set()


def turn(flusher: TurnFlusher, journal: File, store: File, output: Output, name: str) -> None:
    journal.pending, store.pending = f"{name} routing record\n".encode(), f"{name}\n".encode()
    output.pending.append(name.encode())
    flusher.add_durable(store)
    flusher.add_output(output)
    flusher.request()
    flusher.flush()


async def started(disk: Disk, name: str) -> None:
    for _ in range(500):
        if ("sync", name) in disk.events:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"no sync of {name} started")


@pytest.fixture
def files(tmp_path: Path, disk: Disk) -> Iterator[tuple[File, File]]:
    journal, store = File(tmp_path / "orders.journal", disk), File(tmp_path / "store", disk)
    yield journal, store
    os.close(journal.fd)
    os.close(store.fd)


async def test_turns_made_during_a_sync_share_the_next_one_and_leave_in_order(
        disk: Disk, files: tuple[File, File]) -> None:
    journal, store = files
    flusher = TurnFlusher(asyncio.get_running_loop())
    flusher.always_first(journal)
    output = Output(disk)
    disk.gate.clear()
    turn(flusher, journal, store, output, "T1")
    await started(disk, "orders.journal")
    for name in ("T2", "T3", "T4"):
        turn(flusher, journal, store, output, name)
    await asyncio.sleep(0.02)
    assert not [event for event in disk.events if event[0] == "send"], "sent before on disk"
    disk.gate.set()
    await asyncio.wait_for(flusher.drain(), 5)
    flusher.close()

    events = disk.events
    sends = [name for kind, name in events if kind == "send"]
    assert sends == ["T1", "T2", "T3", "T4"]
    # T1 alone, then T2-T4 together: two fdatasyncs per file instead of four.
    assert disk.count("sync", "orders.journal") == 2
    assert disk.count("sync", "store") == 2
    for number, name in enumerate(sends):
        synced = [index for index, event in enumerate(events) if event[0] == "synced"]
        batch = 0 if number == 0 else 1
        store_synced = [index for index in synced if events[index][1] == "store"][batch]
        journal_synced = [index for index in synced if events[index][1] == "orders.journal"][batch]
        store_started = [index for index, event in enumerate(events)
                         if event == ("sync", "store")][batch]
        assert journal_synced < store_started, "the journal is on disk before the stores"
        assert store_synced < events.index(("send", name)), f"{name} sent before its sync"


async def test_a_failed_sync_aborts_every_commit_written_before_it_was_known(
        disk: Disk, files: tuple[File, File]) -> None:
    journal, store = files
    flusher = TurnFlusher(asyncio.get_running_loop())
    flusher.always_first(journal)
    first, second = Output(disk), Output(disk)
    disk.gate.clear()
    turn(flusher, journal, store, first, "T1")
    await started(disk, "orders.journal")
    turn(flusher, journal, store, second, "T2")
    turn(flusher, journal, store, second, "T3")
    disk.gate.set()
    await asyncio.sleep(0.05)
    assert [name for kind, name in disk.events if kind == "send"] == ["T1", "T2", "T3"]

    disk.failures = 1
    disk.gate.clear()
    turn(flusher, journal, store, first, "T4")
    await started(disk, "orders.journal")
    turn(flusher, journal, store, second, "T5")
    disk.gate.set()
    await asyncio.sleep(0.05)
    turn(flusher, journal, store, first, "T6")
    await asyncio.wait_for(flusher.drain(), 5)
    flusher.close()

    assert [name for kind, name in disk.events if kind == "send"] == ["T1", "T2", "T3", "T6"]
    assert len(first.aborted) == 1 and "persistence failed" in first.aborted[0]
    # T5 was written to the same files before T4's sync failed: a sync of its own could
    # succeed with T4's bytes lost, so it is not durable either.
    assert len(second.aborted) == 1
