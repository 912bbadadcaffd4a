"""Instant LPs for the routing benchmark: quote at once, fill every child at once.

`python -m bench.e2e_lp --ports 9881,9882,9883 --out FILE` serves LP1..LPn on those
ports (CompIDs LP1.., gateway FIXGW). On SIGTERM it writes, as JSON, the arrival
time of every QuoteRequest and child order and the send time of every Quote (ns).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from decimal import Decimal

from bench.lean_fix import SOH, Fields, LeanFix
from gateway.commands.serve import run

MIDS = {"EUR/USD": Decimal("1.08500"), "GBP/USD": Decimal("1.27000")}


class InstantLP:
    def __init__(self, name: str, skew_pips: int) -> None:
        self.name = name
        self.skew = Decimal(skew_pips) / 100_000
        self.quote_requests: dict[str, tuple[int, int]] = {}   # QuoteReqID -> (arrived, quoted)
        self.children: dict[str, int] = {}                      # child ClOrdID -> arrived
        self._ids = 0

    def on_message(self, peer: LeanFix, msg_type: str, fields: Fields, now_ns: int) -> None:
        if msg_type == "R":
            self._quote(peer, fields, now_ns)
        elif msg_type == "D":
            self._fill(peer, fields, now_ns)

    def _quote(self, peer: LeanFix, fields: Fields, now_ns: int) -> None:
        self._ids += 1
        req_id, symbol = fields[131], fields.get(55, "EUR/USD")
        mid = MIDS.get(symbol, Decimal(1)) + self.skew
        peer.send("S", f"55={symbol}{SOH}62=20991231-00:00:00.000{SOH}117={self.name}-Q{self._ids}{SOH}"
                       f"131={req_id}{SOH}132={mid - Decimal('0.00005')}{SOH}133={mid + Decimal('0.00005')}{SOH}"
                       f"134=5000000{SOH}135=5000000{SOH}")
        self.quote_requests[req_id] = (now_ns, time.time_ns())

    def _fill(self, peer: LeanFix, fields: Fields, now_ns: int) -> None:
        self._ids += 1
        child_id = fields[11]
        self.children[child_id] = now_ns
        qty, price = fields[38], fields[44]
        peer.send("8", f"6={price}{SOH}11={child_id}{SOH}14={qty}{SOH}17={self.name}-E{self._ids}{SOH}"
                       f"31={price}{SOH}32={qty}{SOH}37={self.name}-O{self._ids}{SOH}38={qty}{SOH}"
                       f"39=2{SOH}54={fields.get(54, '1')}{SOH}55={fields.get(55, '')}{SOH}150=F{SOH}151=0{SOH}")


async def serve(ports: list[int], out: str) -> int:
    loop = asyncio.get_running_loop()
    lps = [InstantLP(f"LP{i + 1}", skew) for i, skew in enumerate([0, 1, 2][:len(ports)])]
    servers = []
    for lp, port in zip(lps, ports, strict=True):
        servers.append(await loop.create_server(
            lambda lp=lp: LeanFix(lp.name, "FIXGW", lp.on_message, initiator=False), "127.0.0.1", port))
    print("listening", flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    with open(out, "w") as handle:
        json.dump({lp.name: {"quote_requests": lp.quote_requests, "children": lp.children}
                   for lp in lps}, handle)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ports", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    return run(serve([int(p) for p in args.ports.split(",")], args.out))


if __name__ == "__main__":
    raise SystemExit(main())
