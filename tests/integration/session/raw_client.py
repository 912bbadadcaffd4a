"""A small raw FIX 4.4 client over asyncio streams, for tests that need byte-level control.

It builds messages with our encoder (so header, BodyLength and CheckSum are right
unless a test spoils them on purpose), frames the input with our `Framer`, and
keeps every inbound message with its arrival time in `received`. With
`auto_heartbeat` it answers TestRequests and sends a Heartbeat every HeartBtInt,
like any well-behaved peer, so the other side's heartbeat timing can be measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.fix.codec import encode, split_fields
from gateway.fix.errors import Garbled
from gateway.fix.framing import Framer
from gateway.fix.message import Item, Message, Value
from gateway.fix.timefmt import utc_timestamp

HOST = "127.0.0.1"


@dataclass
class Incoming:
    """One message received: its type, its fields (first occurrence of each tag), arrival time."""

    msg_type: str
    fields: dict[int, str]
    at: float = field(default_factory=time.monotonic)

    @property
    def seq(self) -> int:
        return int(self.fields.get(34, "0"))


def encode_message(msg_type: str, body: list[Item], sender: str, target: str, seq: int,
                   header: dict[int, str] | None = None) -> bytes:
    """One encoded message with a full standard header (SendingTime = now)."""
    fields: dict[int, Value] = {49: sender, 56: target, 34: str(seq),
                                52: utc_timestamp(time.time_ns()), **(header or {})}
    return encode(Message(msg_type, list(body), fields))


class RawFixClient:
    """One TCP connection to 127.0.0.1:`port` as `sender`, talking to `target`."""

    def __init__(self, port: int, sender: str, target: str = "FIXGW",
                 auto_heartbeat: bool = False) -> None:
        self.port = port
        self.sender = sender
        self.target = target
        self.auto_heartbeat = auto_heartbeat
        self.next_seq = 1
        self.heartbeat_s = 30
        self.received: list[Incoming] = []
        self.closed_at: float | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()

    async def connect(self) -> RawFixClient:
        self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
        self._tasks.append(asyncio.get_running_loop().create_task(self._read()))
        return self

    # -- sending --------------------------------------------------------------
    def frame(self, msg_type: str, body: list[Item] | None = None, seq: int | None = None,
              header: dict[int, str] | None = None) -> bytes:
        """Encode a message; without `seq` it takes (and consumes) the next sequence number."""
        if seq is None:
            seq = self.next_seq
            self.next_seq += 1
        return encode_message(msg_type, body or [], self.sender, self.target, seq, header)

    def write(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    async def send(self, msg_type: str, body: list[Item] | None = None, seq: int | None = None,
                   header: dict[int, str] | None = None) -> None:
        self.write(self.frame(msg_type, body, seq, header))
        assert self._writer is not None
        await self._writer.drain()

    async def logon(self, heartbeat_s: int = 30, timeout_s: float = 5.0) -> Incoming:
        """Send a Logon and wait for the answer; starts the heartbeat task if asked to."""
        self.heartbeat_s = heartbeat_s
        await self.send("A", [(98, "0"), (108, str(heartbeat_s))])
        answer = await self.wait_for(lambda m: m.msg_type in "A5", timeout_s)
        assert answer.msg_type == "A", f"logon refused: {answer}"
        if self.auto_heartbeat:
            self._tasks.append(asyncio.get_running_loop().create_task(self._heartbeats()))
        return answer

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            await self.send("0")

    # -- receiving ------------------------------------------------------------
    async def _read(self) -> None:
        assert self._reader is not None
        framer = Framer()
        while data := await self._reader.read(1 << 16):
            for frame in framer.feed(data):
                if isinstance(frame, Garbled):
                    continue
                self._on_frame(frame)
            self._changed.set()
        self.closed_at = time.monotonic()
        self._changed.set()

    def _on_frame(self, frame: bytes) -> None:
        split = split_fields(frame)
        assert not isinstance(split, Garbled), f"garbled message from the gateway: {frame!r}"
        tags, values = split
        fields: dict[int, str] = {}
        for tag, value in zip(tags, values, strict=True):
            fields.setdefault(tag, value)
        message = Incoming(fields[35], fields)
        self.received.append(message)
        if self.auto_heartbeat and message.msg_type == "1":
            self.write(self.frame("0", [(112, fields.get(112, ""))]))

    async def wait_for(self, predicate: Callable[[Incoming], bool], timeout_s: float = 5.0,
                       start: int = 0) -> Incoming:
        """The first message from index `start` on that matches; TimeoutError if none comes."""
        deadline = time.monotonic() + timeout_s
        while True:
            for message in self.received[start:]:
                if predicate(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.closed_at is not None:
                raise TimeoutError(f"{self.sender}: no matching message; got "
                                   f"{[m.msg_type for m in self.received[-20:]]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_closed(self, timeout_s: float) -> float:
        """Wait until the gateway closes the connection; returns when (monotonic)."""
        deadline = time.monotonic() + timeout_s
        while self.closed_at is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.sender}: connection still open after {timeout_s:g} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.1)
        return self.closed_at

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
