"""Where a session reports what it receives, sends and does (SPEC §2.5).

`SessionLog` is the port the session core writes to; the file implementation
lives in `filelog.py`. Events are short human-readable lines, as in QuickFIX's
event log, so `tail -f` tells the story.
"""

from __future__ import annotations

from typing import Protocol


class SessionLog(Protocol):
    def on_incoming(self, data: bytes) -> None: ...

    def on_outgoing(self, data: bytes) -> None: ...

    def on_event(self, text: str) -> None: ...

    def flush(self) -> None:
        """Write buffered lines out; the transport calls it once per loop turn."""

    def close(self) -> None: ...


class NullLog:
    """Keeps nothing."""

    def on_incoming(self, data: bytes) -> None:
        pass

    def on_outgoing(self, data: bytes) -> None:
        pass

    def on_event(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


class MemoryLog:
    """Keeps everything in lists; for tests and the admin API's recent history."""

    def __init__(self) -> None:
        self.incoming: list[bytes] = []
        self.outgoing: list[bytes] = []
        self.events: list[str] = []

    def on_incoming(self, data: bytes) -> None:
        self.incoming.append(data)

    def on_outgoing(self, data: bytes) -> None:
        self.outgoing.append(data)

    def on_event(self, text: str) -> None:
        self.events.append(text)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass
