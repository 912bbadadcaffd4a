"""Session logs in files, like QuickFIX's FileLog (SPEC §2.5).

Each session gets two files in its FileLogPath, named as QuickFIX names them
(`BeginString-SenderCompID-TargetCompID[-Qualifier]` + suffix)::

    FIX.4.4-ISLD-TW44.messages.current.log   every message in and out
    FIX.4.4-ISLD-TW44.event.current.log      what the session did

and the gateway has one more, `gateway.event.current.log`, for events that
belong to no session (a connection from an unknown CompID, ...).

Line formats (UTC timestamps with microseconds; `fixgw log` parses them back):

    20260101-09:30:00.123456 IN  : 8=FIX.4.4|9=65|35=A|...|10=123|
    20260101-09:30:00.123789 OUT : 8=FIX.4.4|9=65|35=A|...|10=045|
    20260101-09:30:00.124001 : Received logon

A messages line is the timestamp, the direction (`IN ` or `OUT`), ` : ` and
the raw message with SOH shown as `|` (the bytes are otherwise those of the
wire, read back as latin-1). A line feed inside a message is written as the two
characters `\\n`, so that no peer can forge extra lines and every message stays
on one line. An events line is the timestamp, ` : ` and the text.

How it stays cheap on the hot path: the `YYYYMMDD-HH:MM:SS` part is formatted
once per second, each line is one `bytes %` operation appended to a list, and
nothing touches the file until `flush()`. The asyncio transport calls `flush()`
once per event-loop turn (`FileLogFactory.flush()` does every log at once), so
`tail -f` sees a line within milliseconds at the cost of one write per turn.
A log that is never flushed still writes every `MAX_PENDING_LINES` lines, and
`close()` flushes. Files are opened (and their directory created) on the
first flush that has something to write, and always appended to.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import BinaryIO

from gateway.config.model import SessionID
from gateway.session.clock import Clock

MAX_PENDING_LINES = 4096
GATEWAY_EVENT_FILE = "gateway.event.current.log"

_IN = b"IN "
_OUT = b"OUT"


def file_prefix(session_id: SessionID) -> str:
    """QuickFIX's file name prefix: `FIX.4.4-ISLD-TW44`, plus `-QUALIFIER` when there is one."""
    parts = [session_id.begin_string, session_id.sender_comp_id, session_id.target_comp_id]
    if session_id.session_qualifier:
        parts.append(session_id.session_qualifier)
    # A CompID is configuration, but one with a path separator must not escape FileLogPath.
    return "-".join(part.replace("/", "_").replace("\\", "_") for part in parts)


class _LineFile:
    """Lines waiting in memory for one file, written in one go by `flush()`."""

    __slots__ = ("_file", "lines", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[bytes] = []
        self._file: BinaryIO | None = None

    def flush(self) -> None:
        if not self.lines:
            return
        file = self._file
        if file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            file = self._file = open(self.path, "ab")  # noqa: SIM115 - kept open for the log's life
        data = b"".join(self.lines)
        self.lines.clear()
        file.write(data)
        file.flush()

    def close(self) -> None:
        self.flush()
        if self._file is not None:
            self._file.close()
            self._file = None


class _Stamper:
    """The `YYYYMMDD-HH:MM:SS` of the current second, recomputed only when the second changes."""

    __slots__ = ("next_second_ns", "prefix", "second_ns", "time_ns")

    def __init__(self, clock: Clock) -> None:
        self.time_ns = clock.time_ns
        self.second_ns = 0
        self.next_second_ns = -1  # forces `roll` on first use
        self.prefix = b""

    def roll(self, now_ns: int) -> None:
        """Move to the second of `now_ns`."""
        seconds = now_ns // 1_000_000_000
        self.second_ns = seconds * 1_000_000_000
        self.next_second_ns = self.second_ns + 1_000_000_000
        self.prefix = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(seconds)).encode("ascii")

    def event_line(self, text: str) -> bytes:
        """`TIMESTAMP : text` with a line feed, as one events-file line."""
        now = self.time_ns()
        if not self.second_ns <= now < self.next_second_ns:
            self.roll(now)
        body = text.replace("\n", "\\n").encode("latin-1", "backslashreplace")
        return b"%s.%06d : %s\n" % (self.prefix, (now - self.second_ns) // 1000, body)


class FileLog:
    """A `SessionLog` writing QuickFIX-style messages and events files for one session."""

    def __init__(self, directory: Path, session_id: SessionID, clock: Clock) -> None:
        prefix = file_prefix(session_id)
        self.session_id = session_id
        self.messages = _LineFile(Path(directory) / f"{prefix}.messages.current.log")
        self.events = _LineFile(Path(directory) / f"{prefix}.event.current.log")
        self._stamper = _Stamper(clock)
        self.closed = False

    @property
    def messages_path(self) -> Path:
        return self.messages.path

    @property
    def events_path(self) -> Path:
        return self.events.path

    def on_incoming(self, data: bytes) -> None:
        """Log a message as received (raw bytes of one frame)."""
        self._message(_IN, data)

    def on_outgoing(self, data: bytes) -> None:
        """Log a message as sent (raw bytes of one frame)."""
        self._message(_OUT, data)

    def _message(self, direction: bytes, data: bytes) -> None:
        # `10 in data` is a memchr; `b"\n" in data` would cost ten times more.
        if 10 in data:
            data = data.replace(b"\n", b"\\n")
        stamper = self._stamper
        now = stamper.time_ns()
        if not stamper.second_ns <= now < stamper.next_second_ns:
            stamper.roll(now)
        lines = self.messages.lines
        lines.append(b"%s.%06d %s : %s\n" % (stamper.prefix, (now - stamper.second_ns) // 1000,
                                              direction, data.replace(b"\x01", b"|")))
        if len(lines) >= MAX_PENDING_LINES:
            self.messages.flush()

    def on_event(self, text: str) -> None:
        """Log one event line (logon, logout, resend, reject, disconnect, ...)."""
        lines = self.events.lines
        lines.append(self._stamper.event_line(text))
        if len(lines) >= MAX_PENDING_LINES:
            self.events.flush()

    def flush(self) -> None:
        """Write what is pending to the files (one write per file with something to write)."""
        self.messages.flush()
        self.events.flush()

    def close(self) -> None:
        """Flush and close both files.

        The factory stops flushing a closed log; lines logged after `close()` are
        written (appending) by a later `flush()` or `close()` of this log.
        """
        self.closed = True
        self.messages.close()
        self.events.close()


class GlobalLog:
    """The gateway's own events file, for events not tied to a session."""

    def __init__(self, directory: Path, clock: Clock) -> None:
        self.events = _LineFile(Path(directory) / GATEWAY_EVENT_FILE)
        self._stamper = _Stamper(clock)

    @property
    def events_path(self) -> Path:
        return self.events.path

    def on_event(self, text: str) -> None:
        """Log one event line (e.g. a Logon from an unknown CompID)."""
        lines = self.events.lines
        lines.append(self._stamper.event_line(text))
        if len(lines) >= MAX_PENDING_LINES:
            self.events.flush()

    def flush(self) -> None:
        self.events.flush()

    def close(self) -> None:
        self.events.close()


class FileLogFactory:
    """Creates the `FileLog`s of one FileLogPath and flushes all of them at once.

    The directory is created here, so a FileLogPath that cannot be created fails
    at startup rather than at the first message.
    """

    def __init__(self, directory: Path, clock: Clock) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._logs: list[FileLog] = []
        self._global: GlobalLog | None = None

    def create(self, session_id: SessionID) -> FileLog:
        """A new log for `session_id` (appending to its files if they exist)."""
        log = FileLog(self.directory, session_id, self.clock)
        self._logs = [existing for existing in self._logs if not existing.closed]
        self._logs.append(log)
        return log

    def global_log(self) -> GlobalLog:
        """The gateway events log of this directory (one instance per factory)."""
        if self._global is None:
            self._global = GlobalLog(self.directory, self.clock)
        return self._global

    def flush(self) -> None:
        """Flush every open log this factory created; call once per event-loop turn."""
        for log in self._logs:
            if not log.closed:
                log.flush()
        if self._global is not None:
            self._global.flush()

    def close(self) -> None:
        """Close every log this factory created."""
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self._global is not None:
            self._global.close()
