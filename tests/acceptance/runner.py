"""Runner for QuickFIX `.def` acceptance scripts against a FIX 4.4 acceptor.

Usage::

    python -m tests.acceptance.runner --host 127.0.0.1 --port N [--defs DIR] [files...]

For each file (FORMAT.md section 2): probe-connect until the acceptor answers, run
the lines in order, stop at the first failing line, close every socket the file
opened. Prints one line per file and ``N tests passed`` or ``FAILED x out of y
tests``; the exit status is the number of failed files.

From Python: `run_file(path, host, port)` returns a `FileResult`.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from tests.acceptance.compare import check_integrity, compare
from tests.acceptance.compids import SUITE_COMPID, rewrite_compids
from tests.acceptance.connection import (
    BadFraming,
    CloseOutcome,
    Connection,
    Disconnected,
    ReadFailure,
    ReadTimeout,
)
from tests.acceptance.defs import (
    Action,
    ConnectionVerb,
    DefLine,
    DefSyntaxError,
    connect_role,
    iter_numbered_lines,
    parse_line,
)
from tests.acceptance.filler import fill
from tests.acceptance.results import Failure, FailureKind, FileResult, Timeouts, summary

DEFAULT_DEFS = Path(__file__).resolve().parents[2].parent / "shared" / "qf-acceptance" / "defs"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock for time placeholders."""
    return datetime.now(UTC)


class _LineFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.reason)
        self.failure = failure


class _ScriptRun:
    """Executes the lines of one script; owns the connections it opens."""

    def __init__(
        self,
        host: str,
        port: int,
        compids: Mapping[str, str],
        timeouts: Timeouts,
        clock: Clock,
    ) -> None:
        self._address = (host, port)
        self._compids = compids
        self._timeouts = timeouts
        self._clock = clock
        self._conns: dict[int, Connection] = {}

    def execute(self, line: DefLine) -> None:
        """Run one line; raises _LineFailed."""
        if line.action is Action.INITIATE:
            self._initiate(line)
        elif line.action is Action.AWAIT:
            self._await(line)
        else:
            payload = fill(rewrite_compids(line.payload, self._compids), self._clock())
            if line.action is Action.SEND:
                self._send(line, payload)
            else:
                self._expect(line, payload)

    def close_all(self) -> None:
        """Close every connection, no Logout (the acceptor must cope)."""
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def _conn(self, line: DefLine, expected: bytes | None = None) -> Connection:
        conn = self._conns.get(line.conn)
        if conn is None:
            fail = Failure(
                FailureKind.SCRIPT, line.lineno, f"connection {line.conn} is not open", expected
            )
            raise _LineFailed(fail)
        return conn

    def _initiate(self, line: DefLine) -> None:
        if line.verb is ConnectionVerb.DISCONNECT:
            self._conn(line).close()
            del self._conns[line.conn]
            return
        if line.conn in self._conns:
            self._conns.pop(line.conn).close()
        try:
            self._conns[line.conn] = Connection.open(*self._address, self._timeouts.connect_s)
        except OSError as exc:
            raise _LineFailed(
                Failure(FailureKind.CONNECT, line.lineno, f"connect failed: {exc}")
            ) from None

    def _await(self, line: DefLine) -> None:
        if line.verb is ConnectionVerb.CONNECT:
            reason = "eCONNECT (the tester accepting a connection) is not supported"
            raise _LineFailed(Failure(FailureKind.SCRIPT, line.lineno, reason))
        awaited = self._conn(line).await_close(self._timeouts.disconnect_s)
        if awaited.outcome is CloseOutcome.HANGS:
            reason = f"Connection hangs after {self._timeouts.disconnect_s:g} seconds"
            raise _LineFailed(Failure(FailureKind.HANGS, line.lineno, reason))
        if awaited.outcome is CloseOutcome.GOT_DATA:
            fail = Failure(
                FailureKind.UNEXPECTED_DATA,
                line.lineno,
                "Expected disconnection, got data",
                received=awaited.data,
            )
            raise _LineFailed(fail)

    def _send(self, line: DefLine, payload: bytes) -> None:
        try:
            self._conn(line).send(payload)
        except OSError as exc:
            fail = Failure(FailureKind.SEND, line.lineno, f"send failed: {exc}", payload)
            raise _LineFailed(fail) from None

    def _expect(self, line: DefLine, expected: bytes) -> None:
        received = self._read(line, expected)
        reason = check_integrity(received)
        if reason is not None:
            raise _LineFailed(
                Failure(FailureKind.INTEGRITY, line.lineno, reason, expected, received)
            )
        reason = compare(expected, received)
        if reason is not None:
            raise _LineFailed(
                Failure(FailureKind.MISMATCH, line.lineno, reason, expected, received)
            )

    def _read(self, line: DefLine, expected: bytes) -> bytes:
        conn = self._conn(line, expected)
        try:
            return conn.read_message(self._timeouts.expect_s)
        except ReadFailure as exc:
            fail = Failure(
                _READ_FAILURES[type(exc)], line.lineno, self._describe(exc), expected, exc.partial
            )
        except OSError as exc:
            fail = Failure(FailureKind.DISCONNECTED, line.lineno, f"read failed: {exc}", expected)
        raise _LineFailed(fail)

    def _describe(self, exc: ReadFailure) -> str:
        if isinstance(exc, ReadTimeout):
            return f"No message within {self._timeouts.expect_s:g} s"
        if isinstance(exc, Disconnected) and not exc.partial:
            return "Was disconnected, expected data"
        return str(exc)


_READ_FAILURES: dict[type[ReadFailure], FailureKind] = {
    ReadTimeout: FailureKind.TIMEOUT,
    Disconnected: FailureKind.DISCONNECTED,
    BadFraming: FailureKind.INTEGRITY,
}


def probe(host: str, port: int, timeouts: Timeouts) -> bool:
    """Connect and close at once, retrying; True when the acceptor accepted once."""
    for attempt in range(timeouts.probe_attempts):
        if attempt:
            time.sleep(timeouts.probe_interval_s)
        try:
            socket.create_connection((host, port), timeout=timeouts.connect_s).close()
        except OSError:
            continue
        return True
    return False


def run_script(
    name: str,
    data: bytes,
    host: str,
    port: int,
    *,
    compids: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
    clock: Clock = utc_now,
) -> FileResult:
    """Run one script given as bytes. `compids` maps suite CompIDs to the ones to use."""
    timeouts = timeouts or Timeouts()
    started = time.monotonic()
    failure = _run(data, host, port, compids or {}, timeouts, clock)
    return FileResult(name, time.monotonic() - started, failure)


def _run(
    data: bytes, host: str, port: int, compids: Mapping[str, str], timeouts: Timeouts, clock: Clock
) -> Failure | None:
    if not probe(host, port, timeouts):
        return Failure(
            FailureKind.CONNECT, None, f"acceptor at {host}:{port} does not accept connections"
        )
    role = connect_role(data)
    if role is None:
        return Failure(FailureKind.SCRIPT, None, "no iCONNECT or eCONNECT line in the file")
    run = _ScriptRun(host, port, compids, timeouts, clock)
    try:
        for lineno, text in iter_numbered_lines(data):
            line = parse_line(text, lineno)
            if line is not None:
                run.execute(line)
    except DefSyntaxError as exc:
        return Failure(FailureKind.SCRIPT, exc.lineno, exc.message)
    except _LineFailed as exc:
        return exc.failure
    finally:
        run.close_all()
    return None


def run_file(
    path: Path,
    host: str,
    port: int,
    *,
    compids: Mapping[str, str] | None = None,
    timeouts: Timeouts | None = None,
    clock: Clock = utc_now,
    name: str | None = None,
) -> FileResult:
    """Run one `.def` file; the result is named `name`, by default the file name."""
    return run_script(
        name or path.name,
        path.read_bytes(),
        host,
        port,
        compids=compids,
        timeouts=timeouts,
        clock=clock,
    )


def collect(defs_dir: Path, names: Sequence[str]) -> list[Path]:
    """The files to run: `names` (relative to `defs_dir` or paths), else every `.def`.

    Without names: ``defs_dir/*.def`` sorted by name, then those of each subfolder.
    """
    if names:
        return [Path(n) if Path(n).is_file() else defs_dir / n for n in names]
    top = sorted(defs_dir.glob("*.def"))
    nested = sorted(p for p in defs_dir.glob("*/*.def"))
    return top + nested


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.acceptance.runner", description="Run QuickFIX .def acceptance files"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--defs", type=Path, default=DEFAULT_DEFS, help="folder of .def files")
    parser.add_argument(
        "--compid", default=SUITE_COMPID, help=f"client CompID to use instead of {SUITE_COMPID}"
    )
    parser.add_argument("files", nargs="*", help="files to run (default: all in --defs)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the number of failed files."""
    args = _parse_args(argv)
    compids = {} if args.compid == SUITE_COMPID else {SUITE_COMPID: args.compid}
    results = []
    for path in collect(args.defs, args.files):
        name = path.relative_to(args.defs).as_posix() if path.is_relative_to(args.defs) else None
        if path.is_file():
            result = run_file(path, args.host, args.port, compids=compids, name=name)
        else:
            result = FileResult(str(path), 0.0, Failure(FailureKind.SCRIPT, None, "no such file"))
        print(result.report(), flush=True)
        results.append(result)
    print(summary(results))
    return sum(not r.passed for r in results)


if __name__ == "__main__":
    sys.exit(main())
