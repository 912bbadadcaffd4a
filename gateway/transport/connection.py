"""One TCP connection carrying one FIX session: asyncio Protocol <-> sans-IO Session.

Reads are framed and handed to the session in the same callback. Writes from
the session are buffered and leave at the end of the loop turn, after the
session's store is flushed (see `flush.py`). A peer that does not read its
output is disconnected once more than its session's MaxOutboundQueue messages
wait in our buffer (the kernel's socket buffer full), or the buffer passes
`max_outbound_bytes`, so a slow consumer never holds memory or delays anybody
else; what it missed is recovered by ResendRequest when it comes back.

Fairness: one connection handles at most `FRAMES_PER_TURN` frames per loop turn.
A peer that floods at line rate fills its socket faster than we parse, and
uvloop (libuv) reads up to 32 buffers from one ready socket in a single turn, so
without a bound one flooder could hold the loop for seconds and starve every
other session's heartbeats. Past the budget the connection pauses reading, keeps
the frames it has already cut as a backlog, and continues on the next turn,
after the other connections and the timers had theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import cast

from gateway.fix.errors import Garbled
from gateway.fix.framing import Framer
from gateway.session.core import Session
from gateway.transport.flush import TurnFlusher

FrameRouter = Callable[["FixConnection", "bytes | Garbled"], "Session | None"]
FRAMES_PER_TURN = 256  # ~10 ms of work at worst: then the other connections' turn


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
        self._backlog: list[bytes | Garbled] | None = None  # frames left for a later turn
        self._turn_frames = 0  # frames handled since the last end-of-turn flush
        self._closing = False
        self._close_taken = False
        self._queued = 0
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
        frames = self.framer.feed(data)
        if self._backlog is not None:  # reading is paused; this was already on its way
            self._backlog.extend(frames)
            return
        self._handle(frames)

    def _handle(self, frames: list[bytes | Garbled]) -> None:
        """Hand frames to the session, FRAMES_PER_TURN in a turn at most; defer the rest."""
        budget = FRAMES_PER_TURN - self._turn_frames
        if len(frames) > budget:
            frames, self._backlog = frames[:budget], frames[budget:]
            if self.transport is not None:
                self.transport.pause_reading()
            asyncio.get_running_loop().call_soon(self._continue)
        self._turn_frames += len(frames)
        for frame in frames:
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

    def _continue(self) -> None:
        self._turn_frames = 0
        backlog, self._backlog = self._backlog, None
        if self.transport is None or backlog is None:
            return
        self._handle(backlog)
        if self._backlog is None and not self._closing:
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._pending.clear()
        self._backlog = None
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
        pending = self._pending
        pending.append(data)
        if len(pending) == 1:
            # The first output of this turn registers us with the flusher; until it
            # takes the output at the end of the turn, that registration stands.
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

    def take_output(self) -> tuple[list[bytes], bool]:
        """This turn's output and whether to close after it (called at the end of the turn)."""
        self._turn_frames = 0
        pending, self._pending = self._pending, []
        close = self._closing and not self._close_taken
        self._close_taken = self._close_taken or close
        return pending, close

    def release_output(self, chunks: list[bytes], close: bool) -> None:
        """Write a committed turn's output (its state is durable now)."""
        transport = self.transport
        if transport is None:
            return
        if chunks:
            transport.writelines(chunks)
            buffered = transport.get_write_buffer_size()
            # Messages waiting in user space: reset whenever the kernel took everything.
            self._queued = self._queued + len(chunks) if buffered else 0
            session = self.session
            limit = session.settings.max_outbound_queue if session is not None else None
            too_many = limit is not None and self._queued > limit
            if (too_many or buffered > self.max_outbound_bytes) and not self._closing:
                self._log_event("Slow consumer: outbound buffer over limit, disconnecting")
                self._closing = True
                close = True
                if self.session is not None and self.session.responder is self:
                    self.session.disconnect("slow consumer")
        if close:
            transport.close()

    def abort(self, reason: str) -> None:
        self._pending.clear()
        self._log_event(reason)
        if self.transport is not None:
            self.transport.abort()

    def _log_event(self, text: str) -> None:
        if self.session is not None:
            self.session.event(text)
