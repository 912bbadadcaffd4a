"""Line interpretation of QuickFIX `.def` acceptance scripts (FORMAT.md section 3).

A script is bytes (latin-1, SOH kept), one action per line. Lines are parsed one at a
time while the script runs, as the original interpreter does: a syntax error fails
the file at that line, after the earlier lines have been executed.

Connection numbers are the classic trap: a line is addressed to connection N only
when it matches ``^[IEie]\\d,`` (one digit, then a comma). ``I8=FIX.4.4...`` is
connection 1 with payload ``8=FIX.4.4...``, not connection 8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

SOH = b"\x01"

_ADDRESSED = re.compile(rb"^[IEie]\d,")
_CONNECT_LINE = re.compile(rb"^[ie]\d*,?CONNECT")


class Action(Enum):
    """What a line asks the tester to do; the value is the line's first character."""

    SEND = "I"
    EXPECT = "E"
    INITIATE = "i"
    AWAIT = "e"


class ConnectionVerb(Enum):
    """Payload of an `i`/`e` line."""

    CONNECT = b"CONNECT"
    DISCONNECT = b"DISCONNECT"


@dataclass(frozen=True)
class DefLine:
    """One executable line of a script.

    `payload` is the raw text after the action (and connection prefix), before any
    placeholder filling; for `i`/`e` lines `verb` says CONNECT or DISCONNECT.
    """

    lineno: int
    action: Action
    conn: int
    payload: bytes
    verb: ConnectionVerb | None = None


class DefSyntaxError(Exception):
    """A line the interpreter does not understand; fails the file at that line."""

    def __init__(self, lineno: int, message: str) -> None:
        super().__init__(f"line {lineno}: {message}")
        self.lineno = lineno
        self.message = message


def strip_line_end(raw: bytes) -> bytes:
    """Remove one trailing ``\\n`` or ``\\r\\n`` and nothing else (SOH and blanks stay)."""
    if raw.endswith(b"\r\n"):
        return raw[:-2]
    if raw.endswith(b"\n"):
        return raw[:-1]
    return raw


def split_lines(data: bytes) -> list[bytes]:
    """Split a script into lines without their line ends.

    `bytes.splitlines` is avoided on purpose: only ``\\n`` ends a line here.
    """
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    return [p[:-1] if p.endswith(b"\r") else p for p in pieces]


def parse_line(line: bytes, lineno: int) -> DefLine | None:
    """Interpret one line (without its line end); None for blank and comment lines.

    Raises DefSyntaxError for an unknown first character or a bad `i`/`e` payload.
    """
    if not line or line.startswith(b"#"):
        return None
    try:
        action = Action(chr(line[0]))
    except ValueError:
        raise DefSyntaxError(lineno, f"unknown line kind {line[:1]!r}") from None
    if _ADDRESSED.match(line):
        conn, payload = line[1] - ord("0"), line[3:]
    else:
        conn, payload = 1, line[1:]
    if action in (Action.SEND, Action.EXPECT):
        return DefLine(lineno, action, conn, payload)
    try:
        verb = ConnectionVerb(payload)
    except ValueError:
        raise DefSyntaxError(
            lineno, f"{action.value} line needs CONNECT or DISCONNECT, got {payload!r}"
        ) from None
    return DefLine(lineno, action, conn, payload, verb)


def iter_numbered_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line without line end) for every line."""
    yield from enumerate(split_lines(data), start=1)


def connect_role(data: bytes) -> Action | None:
    """How the script connects: INITIATE (``i…CONNECT``), AWAIT (``e…CONNECT``) or None.

    The original driver looks for an initiating line first; a script with neither
    counts as a failure. Only INITIATE scripts (the tester connects) are supported.
    """
    lines = split_lines(data)
    for prefix, role in ((b"i", Action.INITIATE), (b"e", Action.AWAIT)):
        if any(line.startswith(prefix) and _CONNECT_LINE.match(line) for line in lines):
            return role
    return None
