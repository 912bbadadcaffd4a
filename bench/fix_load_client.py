"""A lean asyncio FIX 4.4 load client for the session benchmarks.

It logs on properly, sends NewOrderSingles that were encoded *before* the clock
starts (whole frames, BodyLength and CheckSum included), and checks every answer:
each inbound frame is verified and split with our codec (`split_fields`: BodyLength,
CheckSum), inbound MsgSeqNums must be contiguous, and every ExecutionReport must
carry the ClOrdID of the next unanswered order. Anything else (Reject, Logout,
BusinessMessageReject, a garbled frame) fails the run at once.

`pipelined(n)` writes all n orders at once and waits for the n-th report;
`ping_pong(n)` sends one order, waits for its report, and so on, timing each
round trip with `perf_counter_ns`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from gateway.fix.codec import encode, split_fields
from gateway.fix.errors import Garbled
from gateway.fix.framing import Framer
from gateway.fix.message import Message, Value
from gateway.fix.timefmt import utc_timestamp

HOST = "127.0.0.1"
_ORDER_BODY = [(21, "1"), (38, "1000"), (40, "2"), (44, "1.1000"), (54, "1"), (55, "EUR/USD")]


class LoadError(Exception):
    """The server answered something the benchmark did not expect."""


class LoadClient(asyncio.Protocol):
    """One FIX session as `sender` to `target` (see the module docstring)."""

    def __init__(self, sender: str, target: str) -> None:
        self.sender = sender
        self.target = target
        self.next_out_seq = 1
        self.next_in_seq = 1
        self.reports = 0
        self.transport: asyncio.Transport | None = None
        self._framer = Framer()
        self._expected: deque[str] = deque()
        self._waiter: asyncio.Future[str] | None = None
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    async def connect(cls, port: int, sender: str, target: str) -> LoadClient:
        loop = asyncio.get_running_loop()
        _, client = await loop.create_connection(lambda: cls(sender, target), HOST, port)
        return client

    # -- asyncio callbacks ------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._closed.done():
            self._closed.set_result(None)
        self._fail(LoadError(f"connection lost: {exc}"))

    def data_received(self, data: bytes) -> None:
        try:
            for frame in self._framer.feed(data):
                self._on_frame(frame)
        except LoadError as error:
            self._fail(error)

    # -- checking answers ---------------------------------------------------------
    def _on_frame(self, frame: bytes | Garbled) -> None:
        if isinstance(frame, Garbled):
            raise LoadError(f"garbled input: {frame.reason.value}")
        split = split_fields(frame)
        if isinstance(split, Garbled):
            raise LoadError(f"garbled message: {split.reason.value}")
        tags, values = split
        seq = int(values[tags.index(34)])
        if seq != self.next_in_seq:
            raise LoadError(f"MsgSeqNum {seq}, expected {self.next_in_seq}")
        self.next_in_seq += 1
        msg_type = values[2]
        if msg_type == "8":
            self._on_report(tags, values)
        elif msg_type in ("A", "5"):
            self._resolve(msg_type)
        elif msg_type != "0":
            raise LoadError("unexpected message: " + frame.replace(b"\x01", b"|").decode("latin-1"))

    def _on_report(self, tags: list[int], values: list[str]) -> None:
        cl_ord_id = values[tags.index(11)]
        if not self._expected or cl_ord_id != self._expected[0]:
            raise LoadError(f"ExecutionReport for {cl_ord_id}, expected "
                            f"{self._expected[0] if self._expected else 'none'}")
        if values[tags.index(150)] not in ("0", "F") or 17 not in tags or 37 not in tags:
            raise LoadError(f"bad ExecutionReport for {cl_ord_id}")
        self._expected.popleft()
        self.reports += 1
        if not self._expected:
            self._resolve(cl_ord_id)

    def _resolve(self, value: str) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(value)

    def _fail(self, error: Exception) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        if self.transport is not None:
            self.transport.abort()

    def _wait(self) -> asyncio.Future[str]:
        self._waiter = asyncio.get_running_loop().create_future()
        return self._waiter

    # -- sending -------------------------------------------------------------------
    def encode(self, msg_type: str, body: list[tuple[int, str]], sending_time: str) -> bytes:
        header: dict[int, Value] = {49: self.sender, 56: self.target,
                                    34: str(self.next_out_seq), 52: sending_time}
        self.next_out_seq += 1
        return encode(Message(msg_type, list(body), header))

    def orders(self, prefix: str, count: int) -> tuple[list[bytes], list[str]]:
        """Encode `count` NewOrderSingles (consuming their sequence numbers) before timing."""
        stamp = utc_timestamp(time.time_ns())
        ids = [f"{prefix}-{number}" for number in range(count)]
        frames = [self.encode("D", [(11, cl_ord_id), *_ORDER_BODY, (60, stamp)], stamp)
                  for cl_ord_id in ids]
        return frames, ids

    async def logon(self, heartbeat_s: int = 60, timeout_s: float = 10.0) -> None:
        waiter = self._wait()
        self._write(self.encode("A", [(98, "0"), (108, str(heartbeat_s))], _now()))
        if await asyncio.wait_for(waiter, timeout_s) != "A":
            raise LoadError("logon refused")

    async def heartbeat(self) -> None:
        """Tell the server we are alive between measured phases."""
        self._write(self.encode("0", [], _now()))

    async def logout(self, timeout_s: float = 10.0) -> None:
        waiter = self._wait()
        self._write(self.encode("5", [], _now()))
        await asyncio.wait_for(waiter, timeout_s)
        assert self.transport is not None
        self.transport.close()

    def _write(self, data: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise LoadError("not connected")
        self.transport.write(data)

    # -- measured phases -------------------------------------------------------------
    async def pipelined(self, prefix: str, count: int, timeout_s: float = 120.0) -> float:
        """Send `count` orders at once; seconds until the last report was checked."""
        frames, ids = self.orders(prefix, count)
        payload = b"".join(frames)
        self._expected.extend(ids)
        waiter = self._wait()
        started = time.perf_counter()
        self._write(payload)
        await asyncio.wait_for(waiter, timeout_s)
        return time.perf_counter() - started

    async def ping_pong(self, prefix: str, count: int, timeout_s: float = 120.0) -> list[int]:
        """Round-trip times in ns of `count` orders sent one at a time."""
        return await asyncio.wait_for(self._ping_pong(prefix, count), timeout_s)

    async def _ping_pong(self, prefix: str, count: int) -> list[int]:
        frames, ids = self.orders(prefix, count)
        latencies = []
        clock = time.perf_counter_ns
        for frame, cl_ord_id in zip(frames, ids, strict=True):
            self._expected.append(cl_ord_id)
            waiter = self._wait()  # awaited bare: a wait_for per order would cost more than a hop
            started = clock()
            self._write(frame)
            await waiter
            latencies.append(clock() - started)
        return latencies


def _now() -> str:
    return utc_timestamp(time.time_ns())
