"""The admin HTTP server (h11 over asyncio) with a small handler: framing, errors, binding."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import h11
import pytest

from gateway.admin import http
from gateway.admin.http import HttpServer, Request, Response


async def echo(request: Request) -> Response:
    if request.path == "/boom":
        raise RuntimeError("handler failed")
    return Response.json(200, {"method": request.method, "path": request.path,
                               "query": dict(request.query), "body": request.body.decode()})


@pytest.fixture
async def server() -> AsyncIterator[HttpServer]:
    served = HttpServer(echo, 0)
    await served.start()
    yield served
    await served.stop()


Sent = tuple[str, str, bytes]   # method, target, body


async def exchange(port: int, *requests: Sent) -> list[tuple[int, bytes]]:
    """Send requests one after the other on one connection; (status, body) of each response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    client = h11.Connection(h11.CLIENT)
    responses: list[tuple[int, bytes]] = []
    try:
        async with asyncio.timeout(5):
            for method, target, body in requests:
                headers = [("Host", "x"), ("Content-Length", str(len(body)))]
                writer.write(client.send(h11.Request(method=method, target=target, headers=headers))
                             + client.send(h11.Data(data=body)) + client.send(h11.EndOfMessage()))
                responses.append(await _response(client, reader))
                client.start_next_cycle()
    finally:
        writer.close()
    return responses


async def _response(client: h11.Connection, reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status, body = 0, b""
    while True:
        event = client.next_event()
        if event is h11.NEED_DATA:
            client.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return status, body


async def raw(port: int, data: bytes) -> bytes:
    """Send bytes as they are; everything the server sends until it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def get(path: str) -> Sent:
    return ("GET", path, b"")


async def test_keep_alive_serves_several_requests_on_one_connection(server: HttpServer) -> None:
    post = ("POST", "/a%20b?window=1h", b'{"reason": "x"}')
    (first, second) = await exchange(server.port, get("/one"), post)
    assert first[0] == 200 and json.loads(first[1])["path"] == "/one"
    answer = json.loads(second[1])
    assert (answer["method"], answer["path"], answer["query"], answer["body"]) == (
        "POST", "/a%20b", {"window": "1h"}, '{"reason": "x"}')


async def test_malformed_request_gets_400_json(server: HttpServer) -> None:
    answer = await raw(server.port, b"NOT HTTP AT ALL\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert "error" in json.loads(body)


async def test_handler_exception_gets_500_and_the_server_keeps_serving(server: HttpServer) -> None:
    ((status, body),) = await exchange(server.port, get("/boom"))
    assert status == 500 and "RuntimeError" in json.loads(body)["error"]
    ((status, _),) = await exchange(server.port, get("/fine"))
    assert status == 200


async def test_body_over_the_limit_gets_413(server: HttpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "MAX_BODY_BYTES", 100)
    big = b"x" * 500
    answer = await raw(server.port, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n" + big)
    assert answer.startswith(b"HTTP/1.1 413 ")


async def test_head_gets_headers_without_a_body(server: HttpServer) -> None:
    ((status, body),) = await exchange(server.port, ("HEAD", "/x", b""))
    assert (status, body) == (200, b"")


async def test_listens_on_127_0_0_1_only(server: HttpServer) -> None:
    assert server.addresses == [("127.0.0.1", server.port)]
    # Another loopback address of the same host: refused, so nothing listens on 0.0.0.0.
    with pytest.raises(OSError):
        _, writer = await asyncio.open_connection("127.0.0.2", server.port)
        writer.close()


async def test_stop_closes_idle_keep_alive_connections() -> None:
    served = HttpServer(echo, 0)
    await served.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.wait_for(served.stop(), 2)
    rest = await asyncio.wait_for(reader.read(), 2)    # EOF after the pending body
    assert b"idle" in rest
    writer.close()
