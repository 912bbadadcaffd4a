"""Time as an argument: the session core reads the time only through a Clock."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def time_ns(self) -> int:
        """Wall-clock UTC time, nanoseconds since the epoch."""


class SystemClock:
    """The real clock."""

    time_ns = staticmethod(time.time_ns)


class ManualClock:
    """A clock tests move by hand."""

    def __init__(self, start_ns: int = 1_767_225_600_000_000_000) -> None:  # 2026-01-01
        self.now_ns = start_ns

    def time_ns(self) -> int:
        return self.now_ns

    def advance(self, seconds: float) -> None:
        self.now_ns += int(seconds * 1_000_000_000)
