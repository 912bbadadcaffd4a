"""The tester's side of one TCP connection to the acceptor (FORMAT.md sections 5.1, 6).

Framing is the original tester's, which trusts the acceptor's BodyLength: read up to
and including the first ``<SOH>9=``, the length value up to the next SOH, exactly that
many bytes, then up to and including the next SOH (the CheckSum field). Whether the
length and checksum were actually right is checked afterwards (compare.check_integrity).

Unlike the original, every wait has a deadline: a silent acceptor fails the test
instead of hanging it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

SOH = b"\x01"
_LENGTH_TAG = SOH + b"9="
_RECV_SIZE = 65536


class ReadFailure(Exception):
    """No complete message could be read; `partial` holds the bytes that did arrive."""

    def __init__(self, message: str, partial: bytes) -> None:
        super().__init__(message)
        self.partial = partial


class ReadTimeout(ReadFailure):
    """No complete message arrived in time."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("timed out waiting for a message", partial)


class Disconnected(ReadFailure):
    """The acceptor closed (or reset) the connection before a complete message."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("Disconnected in the middle of a message", partial)


class BadFraming(ReadFailure):
    """The BodyLength value is not a number, so the message cannot be framed."""

    def __init__(self, partial: bytes) -> None:
        super().__init__("BodyLength is not a number", partial)


class CloseOutcome(Enum):
    """Result of waiting for the acceptor to close the connection."""

    CLOSED = "closed"
    GOT_DATA = "got data"
    HANGS = "hangs"


@dataclass(frozen=True)
class AwaitedClose:
    """What happened while waiting for a disconnect; `data` is set for GOT_DATA."""

    outcome: CloseOutcome
    data: bytes = b""


class Connection:
    """A connected socket plus the bytes received but not yet consumed."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = bytearray()
        self._eof = False

    @classmethod
    def open(cls, host: str, port: int, timeout_s: float) -> Connection:
        """Plain TCP connect, no retry (OSError on failure)."""
        sock = socket.create_connection((host, port), timeout=timeout_s)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock)

    def send(self, data: bytes) -> None:
        """Write `data` exactly as given."""
        self._sock.settimeout(None)
        self._sock.sendall(data)

    def close(self) -> None:
        """Close without any Logout, as the original does."""
        self._sock.close()

    def read_message(self, timeout_s: float) -> bytes:
        """Read one message with the tester's framing, waiting at most `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        tag_at = self._fill_until(lambda: self._buffer.find(_LENGTH_TAG), deadline)
        value_start = tag_at + len(_LENGTH_TAG)
        value_end = self._fill_until(lambda: self._buffer.find(SOH, value_start), deadline)
        raw_length = bytes(self._buffer[value_start:value_end])
        if not raw_length.isdigit():
            raise BadFraming(self._take(value_end + 1))
        body_end = value_end + 1 + int(raw_length)
        # find() starting past the end of the buffer is -1, so this also waits for the body
        end = self._fill_until(lambda: self._buffer.find(SOH, body_end), deadline)
        return self._take(end + 1)

    def await_close(self, timeout_s: float) -> AwaitedClose:
        """Wait for EOF (or a reset); any readable byte is a failure, as is silence."""
        if self._buffer:
            return AwaitedClose(CloseOutcome.GOT_DATA, self._take(len(self._buffer)))
        if self._eof:
            return AwaitedClose(CloseOutcome.CLOSED)
        try:
            data = self._recv(timeout_s)
        except TimeoutError:
            return AwaitedClose(CloseOutcome.HANGS)
        if data:
            return AwaitedClose(CloseOutcome.GOT_DATA, data)
        return AwaitedClose(CloseOutcome.CLOSED)

    def _take(self, count: int) -> bytes:
        taken = bytes(self._buffer[:count])
        del self._buffer[:count]
        return taken

    def _recv(self, timeout_s: float) -> bytes:
        """One recv; b"" means EOF. A reset counts as EOF (FORMAT.md 6.3)."""
        self._sock.settimeout(max(timeout_s, 0.001))
        try:
            data = self._sock.recv(_RECV_SIZE)
        except ConnectionResetError:
            data = b""
        if not data:
            self._eof = True
        return data

    def _fill_until(self, probe: Callable[[], int], deadline: float) -> int:
        """Receive until `probe()` gives an index >= 0, then return it."""
        while (found := probe()) < 0:
            if self._eof:
                raise Disconnected(self._take(len(self._buffer)))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReadTimeout(self._take(len(self._buffer)))
            try:
                self._buffer += self._recv(remaining)
            except TimeoutError:
                raise ReadTimeout(self._take(len(self._buffer))) from None
        return found
