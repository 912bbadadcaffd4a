"""A lean FIX 4.4 peer for benchmarks: raw asyncio, no session layer beyond the basics.

It frames and verifies every inbound message with our codec (`split_fields`:
BodyLength and CheckSum), keeps MsgSeqNums, answers Logon/Logout/TestRequest,
and hands application messages to a callback as a dict of top-level fields
(first occurrence of each tag) with the arrival time in nanoseconds. Sending
formats the header by hand and computes BodyLength/CheckSum once per message.
Timestamps are `time.time_ns()`: processes on one machine share the clock, so
latencies are measured from outside the gateway (client send → LP arrival).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from gateway.fix.codec import checksum, split_fields
from gateway.fix.errors import Garbled
from gateway.fix.framing import Framer
from gateway.fix.timefmt import utc_timestamp

SOH = "\x01"
Fields = dict[int, str]
OnMessage = Callable[["LeanFix", str, Fields, int], None]


class LeanFix(asyncio.Protocol):
    """One FIX connection; `initiator` peers send the Logon."""

    def __init__(self, sender: str, target: str, on_message: OnMessage, initiator: bool,
                 heartbeat_s: int = 60) -> None:
        self.sender = sender
        self.target = target
        self.on_message = on_message
        self.initiator = initiator
        self.heartbeat_s = heartbeat_s
        self.seq = 1
        self.transport: asyncio.Transport | None = None
        self.logged_on = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.errors: list[str] = []
        self._framer = Framer()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if self.initiator:
            self.send("A", f"98=0{SOH}108={self.heartbeat_s}{SOH}141=Y{SOH}")

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time_ns()
        for frame in self._framer.feed(data):
            if isinstance(frame, Garbled):
                self.errors.append(f"garbled: {frame.reason.value}")
                continue
            split = split_fields(frame)
            if isinstance(split, Garbled):
                self.errors.append(f"garbled: {split.reason.value}")
                continue
            tags, values = split
            fields: Fields = {}
            for tag, value in zip(tags, values, strict=True):
                fields.setdefault(tag, value)
            self._dispatch(fields[35], fields, now)

    def _dispatch(self, msg_type: str, fields: Fields, now_ns: int) -> None:
        if msg_type == "A":
            if not self.initiator:
                reset = fields.get(141) == "Y"
                if reset:
                    self.seq = 1
                self.send("A", f"98=0{SOH}108={fields.get(108, '30')}{SOH}" + (f"141=Y{SOH}" if reset else ""))
            if not self.logged_on.done():
                self.logged_on.set_result(None)
        elif msg_type == "1":
            self.send("0", f"112={fields.get(112, '')}{SOH}")
        elif msg_type == "5":
            self.send("5", "")
            if self.transport is not None:
                self.transport.close()
        elif msg_type in ("0", "2", "4"):
            return
        elif msg_type == "3" or msg_type == "j":
            self.errors.append(f"reject: {fields.get(58, '')}")
        else:
            self.on_message(self, msg_type, fields, now_ns)

    def send(self, msg_type: str, body: str) -> None:
        header = (f"35={msg_type}{SOH}34={self.seq}{SOH}49={self.sender}{SOH}"
                  f"52={utc_timestamp(time.time_ns())}{SOH}56={self.target}{SOH}")
        self.seq += 1
        payload = (header + body).encode("latin-1")
        head = f"8=FIX.4.4{SOH}9={len(payload)}{SOH}".encode("latin-1")
        data = head + payload
        if self.transport is not None:
            self.transport.write(data + b"10=%03d\x01" % checksum(data))

    async def logout(self) -> None:
        self.send("5", "")
        try:
            async with asyncio.timeout(2):
                await self.closed
        except TimeoutError:
            if self.transport is not None:
                self.transport.close()
