"""A line-rate flooder in its own process (so it competes with the test only for the CPU).

Usage: ``python -m tests.integration.session.flooder PORT SECONDS``

Two threads push as fast as loopback takes it, for SECONDS:

- junk: connects, sends bytes without a BeginString and never logs on; the gateway
  drops it after LogonTimeout and it connects again;
- session: logs on as FLOOD, then sends NewOrderSingles with an invalid Side (each
  one earns a Reject 373=5) alternating with copies whose CheckSum is wrong (each
  dropped as garbled), and never reads what comes back.

Prints ``{"ev": "ready"}`` once FLOOD is logged on and ``{"ev": "done", "junk": N,
"session": M}`` (bytes sent) at the end.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time

from tests.fixtures.echo_gateway import new_order
from tests.integration.session.raw_client import HOST, encode_message

CHUNK = 1 << 16
ORDERS = 40_000


def logon_blocking(port: int, sender: str) -> socket.socket:
    """A blocking socket logged on as `sender` (HeartBtInt=30)."""
    sock = socket.create_connection((HOST, port))
    sock.sendall(encode_message("A", [(98, "0"), (108, "30")], sender, "FIXGW", 1))
    answer = b""
    while b"\x0135=A\x01" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"{sender}: logon refused")
        answer += chunk
    return sock


def rejected_and_garbled(sender: str, count: int) -> bytes:
    """`count` orders with Side=Z from seq 2, each followed by a copy with a wrong CheckSum."""
    stamp = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime())
    frames = (encode_message("D", new_order(f"{sender}-{n}", stamp, side="Z").body,
                             sender, "FIXGW", 2 + n) for n in range(count))
    return b"".join(frame + frame[:-4] + b"999\x01" for frame in frames)


def junk(port: int, deadline: float, sent: dict[str, int]) -> None:
    chunk = b"garbage without a BeginString " * 2000
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port)) as sock:
                while time.monotonic() < deadline:
                    sock.sendall(chunk)
                    sent["junk"] += len(chunk)
        except OSError:
            continue  # dropped for not logging on: come back


def session_flood(sock: socket.socket, payload: bytes, deadline: float,
                  sent: dict[str, int]) -> None:
    view = memoryview(payload)
    with sock:
        for start in range(0, len(view), CHUNK):
            if time.monotonic() >= deadline:
                return
            sock.sendall(view[start:start + CHUNK])
            sent["session"] += len(view[start:start + CHUNK])


def main() -> int:
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    payload = rejected_and_garbled("FLOOD", ORDERS)
    sock = logon_blocking(port, "FLOOD")
    print(json.dumps({"ev": "ready"}), flush=True)
    sent = {"junk": 0, "session": 0}
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=junk, args=(port, deadline, sent)),
               threading.Thread(target=session_flood, args=(sock, payload, deadline, sent))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"ev": "done", **sent}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
