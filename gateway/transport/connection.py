"""One TCP connection carrying one FIX session: asyncio Protocol <-> sans-IO Session.

Reads are framed and handed to the session in the same callback. Writes from
the session are buffered and leave at the end of the loop turn, after the
session's store is flushed (see `flush.py`). A peer that does not read its
output is disconnected once its buffered output passes `max_outbound_bytes`,
so a slow consumer never holds memory or delays anybody else; what it missed
is recovered by ResendRequest when it comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import cast

from gateway.fix.codec import Framer
from gateway.fix.errors import Garbled
from gateway.session.core import Session
from gateway.transport.flush import TurnFlusher

FrameRouter = Callable[["FixConnection", "bytes | Garbled"], "Session | None"]


class FixConnection(asyncio.Protocol):
    """A FIX connection; `session` is None on an acceptor until the Logon names it."""

    def __init__(self, flusher: TurnFlusher, session: Session | None = None,
                 router: FrameRouter | None = None, max_message_size: int = 1 << 20,
                 max_outbound_bytes: int = 64 << 20) -> None:
        self.flusher = flusher
        self.session = session
        self.router = router
        self.framer = Framer(max_message_size)
        self.max_outbound_bytes = max_outbound_bytes
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.connected_at = 0.0
        self._pending: list[bytes] = []
        self._closing = False
        self.on_closed: Callable[[FixConnection], None] | None = None

    # -- asyncio callbacks -------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        transport = cast(asyncio.Transport, transport)
        self.transport = transport
        self.connected_at = asyncio.get_running_loop().time()
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        if self.session is not None:
            self.session.connect(self)

    def data_received(self, data: bytes) -> None:
        for frame in self.framer.feed(data):
            if self._closing:
                break
            session = self.session
            if session is None:
                if self.router is None:
                    break
                session = self.router(self, frame)
                if session is None:
                    continue
            session.on_frame(frame)
        self._touch()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._pending.clear()
        session = self.session
        if session is not None and session.responder is self:
            session.on_disconnect()
        if self.on_closed is not None:
            self.on_closed(self)

    @property
    def closing(self) -> bool:
        return self._closing

    # -- Responder (what the session calls) -----------------------------------------
    def send(self, data: bytes) -> None:
        if self._closing or self.transport is None:
            return
        self._pending.append(data)
        self._touch()

    def disconnect(self) -> None:
        """Close once this turn's output (e.g. a Logout) has been written."""
        if not self._closing:
            self._closing = True
            self._touch()

    # -- end of turn ----------------------------------------------------------------
    def _touch(self) -> None:
        session = self.session
        if session is not None:
            self.flusher.add_durable(session.store)
            self.flusher.add_log(session.log)
        self.flusher.add_output(self)

    def flush_output(self) -> None:
        transport = self.transport
        if transport is None:
            return
        if self._pending:
            pending, self._pending = self._pending, []
            transport.writelines(pending)
            if transport.get_write_buffer_size() > self.max_outbound_bytes and not self._closing:
                self._log_event("Slow consumer: outbound buffer over limit, disconnecting")
                self._closing = True
                if self.session is not None and self.session.responder is self:
                    self.session.disconnect("slow consumer")
        if self._closing:
            transport.close()

    def abort(self, reason: str) -> None:
        self._pending.clear()
        self._log_event(reason)
        if self.transport is not None:
            self.transport.abort()

    def _log_event(self, text: str) -> None:
        if self.session is not None:
            self.session.event(text)
