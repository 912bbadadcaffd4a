"""Group commit: once per event-loop turn, make state durable, then write to sockets.

Everything a turn produces is recorded in memory first (stores, order journal,
socket output, log lines). At the end of the turn `TurnFlusher.flush` writes the
durable participants to their files and snapshots the turn's socket output into
a *commit*. Where PersistenceSync=batch owes an fsync, the commit's files are
synced in worker threads — the order journal first, then the session stores, each
phase in parallel — while the loop goes on reading; the commit's output is
written to the sockets only when its syncs are done, and commits are released in
the order they were made. No byte leaves before the state that produced it is on
disk (SPEC §10 "persist before send"), and a slow disk lengthens batches instead
of stalling every session.

One sync at a time: the commits made while a sync is in flight wait for it to end
and are then synced together, one fdatasync per file for all of them (what was
written before an fdatasync starts is covered by it). Under load, the number of
fsyncs per second stays what the disk can do instead of one per file per turn,
each of them queueing behind the others.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol


class Flushable(Protocol):
    def flush(self) -> None: ...


class OutputSource(Protocol):
    """A connection: its output is taken at the end of a turn and released after the commit."""

    def take_output(self) -> tuple[list[bytes], bool]: ...

    def release_output(self, chunks: list[bytes], close: bool) -> None: ...

    def abort(self, reason: str) -> None: ...


class _Commit:
    __slots__ = ("done", "logs", "outputs")

    def __init__(self, outputs: list[tuple[OutputSource, list[bytes], bool]],
                 logs: list[Flushable]) -> None:
        self.outputs = outputs
        self.logs = logs
        self.done = False


def _write_for_sync(participant: Flushable, fds: list[int]) -> None:
    write_for_sync = getattr(participant, "write_for_sync", None)
    if write_for_sync is None:
        participant.flush()
        return
    fd = write_for_sync()
    if fd is not None:
        fds.append(fd)


class TurnFlusher:
    """Schedules one flush at the end of the current loop turn when anything is pending."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._scheduled = False
        self._first: list[Flushable] = []   # synced before everything else (the order journal)
        self._durable: dict[int, Flushable] = {}
        self._outputs: dict[int, OutputSource] = {}
        self._logs: dict[int, Flushable] = {}
        self._commits: deque[_Commit] = deque()
        # Commits written while a sync was in flight, and the files they need synced.
        self._waiting: list[_Commit] = []
        self._waiting_first: set[int] = set()
        self._waiting_other: set[int] = set()
        self._syncing: asyncio.Task[None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fixgw-fsync")

    def always_first(self, participant: Flushable) -> None:
        """Write and sync `participant` before the others in every turn (the order journal
        must be on disk before the session stores that reflect it)."""
        self._first.append(participant)

    def add_durable(self, participant: Flushable) -> None:
        self._durable[id(participant)] = participant
        self._schedule()

    def add_output(self, participant: OutputSource) -> None:
        self._outputs[id(participant)] = participant
        self._schedule()

    def add_log(self, participant: Flushable) -> None:
        self._logs[id(participant)] = participant
        self._schedule()

    def request(self) -> None:
        """Flush at the end of this turn (the `always_first` participants have news)."""
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        durable, self._durable = self._durable, {}
        sources, self._outputs = self._outputs, {}
        logs, self._logs = self._logs, {}
        outputs = [(source, *source.take_output()) for source in sources.values()]
        commit = _Commit(outputs, list(logs.values()))
        first_fds: list[int] = []
        other_fds: list[int] = []
        try:
            for participant in self._first:
                _write_for_sync(participant, first_fds)
            for participant in durable.values():
                _write_for_sync(participant, other_fds)
        except Exception as error:
            self._abort(commit, error)
            raise
        idle = not self._commits
        self._commits.append(commit)
        if len(set(first_fds + other_fds)) == 1 and idle:
            # One file to sync and nothing in flight: a thread hop costs more than it saves.
            try:
                os.fdatasync((first_fds or other_fds)[0])
            except OSError as error:
                self._commits.remove(commit)
                self._abort(commit, error)
                return
            commit.done = True
            self._release()
        elif first_fds or other_fds:
            self._waiting.append(commit)
            self._waiting_first.update(first_fds)
            self._waiting_other.update(other_fds)
            if self._syncing is None:
                self._start_sync()
        else:
            commit.done = True
            self._release()

    def _start_sync(self) -> None:
        commits, first, other = self._waiting, self._waiting_first, self._waiting_other
        self._waiting, self._waiting_first, self._waiting_other = [], set(), set()
        self._syncing = self._loop.create_task(self._sync(commits, first, other))

    async def _sync(self, commits: list[_Commit], first_fds: set[int], other_fds: set[int]) -> None:
        try:
            for fds in (first_fds, other_fds):
                if fds:
                    await asyncio.gather(*(self._loop.run_in_executor(self._pool, os.fdatasync, fd)
                                           for fd in fds))
        except OSError as error:
            # The commits written meanwhile share these files, and after a failed
            # fdatasync a later one may succeed with the failed writes lost: none of
            # them can count as durable.
            commits += self._waiting
            self._waiting, self._waiting_first, self._waiting_other = [], set(), set()
            for commit in commits:
                self._commits.remove(commit)
                self._abort(commit, error)
        else:
            for commit in commits:
                commit.done = True
        self._syncing = None
        if self._waiting:
            self._start_sync()
        self._release()   # later commits may have finished while this one was syncing

    def _release(self) -> None:
        commits = self._commits
        while commits and commits[0].done:
            commit = commits.popleft()
            for source, chunks, close in commit.outputs:
                source.release_output(chunks, close)
            for log in commit.logs:
                log.flush()

    @staticmethod
    def _abort(commit: _Commit, error: BaseException) -> None:
        # Not durable means not sendable: drop the output and the connections; peers
        # recover what they missed by ResendRequest once storage works again.
        for source, _, _ in commit.outputs:
            source.abort(f"persistence failed: {error}")

    async def drain(self) -> None:
        """Wait until every commit made so far has been released (shutdown)."""
        if self._scheduled:
            self.flush()
        while self._commits:
            await asyncio.sleep(0.001)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
