"""Result values of the acceptance runner and their text form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from tests.acceptance.compare import show


@dataclass(frozen=True)
class Timeouts:
    """Every wait of the runner, in seconds.

    `expect_s`: per `E` line (the longest legitimate wait in the suite is ~7 s).
    `disconnect_s`: per `eDISCONNECT` (the original's ten seconds).
    `probe_attempts` x `probe_interval_s`: the connect probe before each file.
    """

    expect_s: float = 20.0
    disconnect_s: float = 10.0
    connect_s: float = 5.0
    probe_attempts: int = 29
    probe_interval_s: float = 1.0


class FailureKind(Enum):
    """Why a file failed. INTEGRITY is the runner's stricter check, not the original's."""

    SCRIPT = "script error"
    CONNECT = "connect failed"
    SEND = "send failed"
    TIMEOUT = "no message in time"
    DISCONNECTED = "disconnected"
    MISMATCH = "message mismatch"
    INTEGRITY = "bad BodyLength/CheckSum from the acceptor"
    UNEXPECTED_DATA = "data instead of disconnect"
    HANGS = "no disconnect in time"


@dataclass(frozen=True)
class Failure:
    """The first failing line of a file (`lineno` None for file-level failures)."""

    kind: FailureKind
    lineno: int | None
    reason: str
    expected: bytes | None = None
    received: bytes | None = None


@dataclass(frozen=True)
class FileResult:
    """Outcome of running one `.def` file."""

    name: str
    duration_s: float
    failure: Failure | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None

    def report(self) -> str:
        """One line for a pass; for a failure also the expected and received messages."""
        if self.failure is None:
            return f"{self.name}: passed ({self.duration_s:.2f} s)"
        fail = self.failure
        where = f" at line {fail.lineno}" if fail.lineno is not None else ""
        lines = [f"{self.name}: FAILED{where} [{fail.kind.value}]: {fail.reason}"]
        if fail.expected is not None:
            lines.append(f"  expected: {show(fail.expected)}")
        if fail.received is not None:
            lines.append(f"  received: {show(fail.received) or '(nothing)'}")
        return "\n".join(lines)


def summary(results: Sequence[FileResult]) -> str:
    """``N tests passed`` or ``FAILED x out of y tests``, as the original prints."""
    failed = sum(not r.passed for r in results)
    if failed:
        return f"FAILED {failed} out of {len(results)} tests"
    return f"{len(results)} tests passed"
