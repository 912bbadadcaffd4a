"""Group commit: once per event-loop turn, make state durable, then write to sockets.

Everything a turn produces is recorded in memory first (stores, order book,
socket output, log lines). At the end of the turn `TurnFlusher.flush` runs:
durable participants flush (one fsync each under PersistenceSync=batch), then
the buffered output goes to the sockets, then logs are flushed. No byte leaves
before the state that produced it is on disk (SPEC §10 "persist before send").
"""

from __future__ import annotations

import asyncio
from typing import Protocol


class Flushable(Protocol):
    def flush(self) -> None: ...


class OutputFlushable(Protocol):
    def flush_output(self) -> None: ...

    def abort(self, reason: str) -> None: ...


class TurnFlusher:
    """Schedules one flush at the end of the current loop turn when anything is pending."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._scheduled = False
        self._first: list[Flushable] = []   # flushed before everything else, every turn
        self._durable: dict[int, Flushable] = {}
        self._outputs: dict[int, OutputFlushable] = {}
        self._logs: dict[int, Flushable] = {}
        self.flushes = 0

    def always_first(self, participant: Flushable) -> None:
        """Flush `participant` first in every turn (the order journal: it must be on disk
        before the session stores that reflect it)."""
        self._first.append(participant)

    def add_durable(self, participant: Flushable) -> None:
        self._durable[id(participant)] = participant
        self._schedule()

    def add_output(self, participant: OutputFlushable) -> None:
        self._outputs[id(participant)] = participant
        self._schedule()

    def add_log(self, participant: Flushable) -> None:
        self._logs[id(participant)] = participant
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        self.flushes += 1
        durable, self._durable = self._durable, {}
        outputs, self._outputs = self._outputs, {}
        logs, self._logs = self._logs, {}
        try:
            for participant in self._first:
                participant.flush()
            for participant in durable.values():
                participant.flush()
        except Exception as error:
            # Not durable means not sendable: drop this turn's output and the connections;
            # peers recover what they missed by ResendRequest once storage works again.
            for output in outputs.values():
                output.abort(f"persistence failed: {error}")
            raise
        for output in outputs.values():
            output.flush_output()
        for log in logs.values():
            log.flush()
