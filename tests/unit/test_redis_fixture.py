import socket

from tests.fixtures.redis_server import RedisServer


def _ping(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16)


def test_redis_fixture_serves_and_dies_on_kill(redis_server: RedisServer) -> None:
    assert _ping(redis_server.port).startswith(b"+PONG")
    redis_server.kill()
    try:
        _ping(redis_server.port)
    except OSError:
        pass
    else:
        raise AssertionError("redis-server still answering after kill")
    redis_server.start()
    assert _ping(redis_server.port).startswith(b"+PONG")
