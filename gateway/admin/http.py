"""A small asyncio HTTP/1.1 server for the admin API, with h11 as the protocol core.

Why h11 rather than a hand-written parser: HTTP/1.1 framing has enough corners
(Content-Length vs chunked bodies, keep-alive, pipelining, malformed request
lines and headers) that a sans-IO library which gets them right is worth its
one small dependency; h11 is the model the rest of this project follows (a
core fed bytes, returning events), and it imports no socket code. Why not a
framework: the API is a dozen routes used by operators and Prometheus.

The server binds 127.0.0.1 only: the admin API can trip breakers and log out
sessions, so it is never exposed beyond the host. Each connection is served by
one task: read a request, await the handler, write the response, and keep the
connection open while the client wants keep-alive. Malformed requests get 400,
oversized ones 413, and a handler that raises gets 500 (the error is logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import h11
import structlog

HOST = "127.0.0.1"
MAX_BODY_BYTES = 64 * 1024
IDLE_TIMEOUT_S = 30.0
_READ_SIZE = 65536


@dataclass(frozen=True)
class Request:
    """One HTTP request: `path` is the raw (still percent-encoded) path without the query."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        """The body parsed as JSON (None when empty); ValueError when it is not JSON."""
        return json.loads(self.body) if self.body.strip() else None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        """A JSON response (Decimals and other values rendered with `str`)."""
        body = json.dumps(payload, indent=2, default=str).encode() + b"\n"
        return cls(status, body, "application/json", headers)

    @classmethod
    def error(cls, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        """`{"error": message}` with `status`."""
        return cls.json(status, {"error": message}, headers)


Handler = Callable[[Request], Awaitable[Response]]


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class HttpServer:
    """Serves `handler` on 127.0.0.1:`port` (0 picks a free port; see `port` after start)."""

    def __init__(self, handler: Handler, port: int) -> None:
        self.handler = handler
        self.requested_port = port
        self.log = structlog.get_logger("fixgw.admin")
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def port(self) -> int:
        """The port actually listened on."""
        assert self._server is not None, "not started"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    @property
    def addresses(self) -> list[tuple[str, int]]:
        """(host, port) of every listening socket."""
        assert self._server is not None, "not started"
        return [sock.getsockname()[:2] for sock in self._server.sockets]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, HOST, self.requested_port,
                                                  reuse_address=True)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for writer in list(self._writers):
            writer.close()
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        connection = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_BODY_BYTES)
        try:
            await self._exchange_all(connection, reader, writer)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _exchange_all(self, connection: h11.Connection, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                request = await _read_request(connection, reader)
            except _BadRequest as bad:
                if connection.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    await _write(connection, writer, Response.error(bad.status, str(bad)))
                return
            if request is None:
                return
            response = await self._respond(request)
            await _write(connection, writer, response, with_body=request.method != "HEAD")
            if connection.our_state is not h11.DONE or connection.their_state is not h11.DONE:
                return
            connection.start_next_cycle()

    async def _respond(self, request: Request) -> Response:
        try:
            return await self.handler(request)
        except Exception as error:
            self.log.exception("admin_request_failed", method=request.method, path=request.path)
            return Response.error(500, f"internal error: {type(error).__name__}: {error}")


async def _read_request(connection: h11.Connection, reader: asyncio.StreamReader) -> Request | None:
    """The next request on the connection; None when the client closed it."""
    head: h11.Request | None = None
    body = bytearray()
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as error:
            raise _BadRequest(error.error_status_hint, f"bad request: {error}") from error
        if event is h11.NEED_DATA:
            data = await asyncio.wait_for(reader.read(_READ_SIZE), IDLE_TIMEOUT_S)
            connection.receive_data(data)
        elif isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > MAX_BODY_BYTES:
                raise _BadRequest(413, f"request body over {MAX_BODY_BYTES} bytes")
        elif isinstance(event, h11.EndOfMessage):
            assert head is not None
            return _request(head, bytes(body))
        elif isinstance(event, h11.ConnectionClosed):
            return None


def _request(head: h11.Request, body: bytes) -> Request:
    target = urlsplit(head.target.decode("ascii", "replace"))
    return Request(head.method.decode("ascii", "replace").upper(), target.path or "/",
                   dict(parse_qsl(target.query)), body)


async def _write(connection: h11.Connection, writer: asyncio.StreamWriter, response: Response,
                 with_body: bool = True) -> None:
    """Send `response` (a HEAD request gets the headers only, as HTTP requires)."""
    headers = [("Content-Type", response.content_type),
               ("Content-Length", str(len(response.body))),
               ("Cache-Control", "no-store"), *response.headers]
    data = connection.send(h11.Response(status_code=response.status, headers=headers))
    data = data or b""
    if with_body:
        data += connection.send(h11.Data(data=response.body)) or b""
    data += connection.send(h11.EndOfMessage()) or b""
    writer.write(data)
    await writer.drain()
