"""Session-layer echo benchmark: our engine vs QuickFIX C++, one load client, one run.

Usage (from the repository root; the servers are test fixtures)::

    .venv/bin/python -m bench.session_echo [--orders 20000] [--pings 5000] [--rounds 3]
        [--sync batch|always|none] [--with-quickfix-sync] [--profile FILE]

Servers, each a child process with a persistent store, file logs and dictionary
validation on, answering every NewOrderSingle with an ExecutionReport:

- fixgw: our engine (`tests.fixtures.echo_gateway`), FileStore, PersistenceSync=--sync;
- quickfix: QuickFIX C++ via quickfix-py (`tests.fixtures.qf_peer`), FileStoreFactory
  (FileStoreSync=N, its default: no fsync), the ExecutionReport built in Python;
- quickfix-sync (optional): the same with FileStoreSync=Y (fsync per message).

One lean client (`bench.fix_load_client`, uvloop, orders encoded before the clock
starts, every answer checked) measures, for each server in turn, per round:
throughput of --orders pipelined orders (all sent at once, until the last report),
then ping-pong latency of --pings orders one at a time. Rounds interleave the
servers (the order alternates) after a warm-up. The server's CPU time per order
comes from /proc/<pid>/stat. Bars (issue 3): fixgw throughput >= 2x quickfix,
fixgw p99 <= quickfix p99. --profile writes a cProfile of our server to FILE.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import quickfix  # type: ignore[import-untyped]

from bench.echo_servers import CLIENT_COMPID, Server, start_fixgw, start_quickfix
from bench.fix_load_client import LoadClient
from gateway.commands.serve import run

WARMUP_ORDERS = 2000
WARMUP_PINGS = 500


@dataclass
class Figures:
    """What one server scored, per round."""

    throughput: list[float] = field(default_factory=list)  # orders/s
    cpu_pipelined_us: list[float] = field(default_factory=list)  # server CPU µs per order
    cpu_ping_us: list[float] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)  # pooled over rounds

    def percentile_us(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ns)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / 1000


async def measure(server: Server, client: LoadClient, figures: Figures, label: str,
                  orders: int, pings: int) -> None:
    """One pipelined phase and one ping-pong phase against `server`."""
    await client.heartbeat()
    cpu = server.cpu_seconds()
    elapsed = await client.pipelined(f"{label}-P", orders)
    figures.cpu_pipelined_us.append((server.cpu_seconds() - cpu) / orders * 1e6)
    figures.throughput.append(orders / elapsed)
    cpu = server.cpu_seconds()
    latencies = await client.ping_pong(f"{label}-L", pings)
    figures.cpu_ping_us.append((server.cpu_seconds() - cpu) / pings * 1e6)
    figures.latencies_ns.extend(latencies)


async def bench(args: argparse.Namespace, workdir: Path) -> dict[str, tuple[Server, Figures]]:
    servers = [await start_fixgw(workdir / "fixgw", args.sync, args.profile),
               await start_quickfix(workdir / "quickfix", sync=False)]
    if args.with_quickfix_sync:
        servers.append(await start_quickfix(workdir / "quickfix-sync", sync=True))
    results: dict[str, tuple[Server, Figures]] = {}
    try:
        clients = {}
        for server in servers:
            client = await LoadClient.connect(server.port, CLIENT_COMPID, server.compid)
            await client.logon()
            await client.pipelined("warm-P", WARMUP_ORDERS)
            await client.ping_pong("warm-L", WARMUP_PINGS)
            clients[server.name] = client
            results[server.name] = (server, Figures())
        for round_number in range(args.rounds):
            order = servers if round_number % 2 == 0 else servers[::-1]
            for server in order:
                await measure(server, clients[server.name], results[server.name][1],
                              f"r{round_number}", args.orders, args.pings)
                print(f"  round {round_number + 1} {server.name:14} "
                      f"{results[server.name][1].throughput[-1]:>9,.0f} orders/s", flush=True)
        for client in clients.values():
            await client.logout()
    finally:
        for server in servers:
            await server.process.stop()
    return results


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
            f"Python {platform.python_version()}, quickfix-py {quickfix.__version__ if hasattr(quickfix, '__version__') else '0.0.3'}")


def report(results: dict[str, tuple[Server, Figures]], args: argparse.Namespace) -> None:
    print(f"\n{args.orders} pipelined orders and {args.pings} ping-pong orders per round, "
          f"{args.rounds} rounds (medians; latency percentiles pooled over rounds)")
    print(f"{'server':14} {'store':34} {'orders/s':>10} {'CPU µs/order':>13} "
          f"{'CPU µs/ping':>12} {'p50 µs':>8} {'p99 µs':>8} {'p99.9 µs':>9}")
    for name, (server, figures) in results.items():
        print(f"{name:14} {server.setting:34} {statistics.median(figures.throughput):>10,.0f} "
              f"{statistics.median(figures.cpu_pipelined_us):>13.1f} "
              f"{statistics.median(figures.cpu_ping_us):>12.1f} "
              f"{figures.percentile_us(0.50):>8.0f} {figures.percentile_us(0.99):>8.0f} "
              f"{figures.percentile_us(0.999):>9.0f}")
    ours, theirs = results["fixgw"][1], results["quickfix"][1]
    ratio = statistics.median(ours.throughput) / statistics.median(theirs.throughput)
    p99_ours, p99_theirs = ours.percentile_us(0.99), theirs.percentile_us(0.99)
    print(f"\nthroughput fixgw / quickfix = {ratio:.2f}x  (bar >= 2x: "
          f"{'PASS' if ratio >= 2 else 'MISS'})")
    print(f"p99 fixgw {p99_ours:.0f} µs vs quickfix {p99_theirs:.0f} µs  (bar fixgw <= quickfix: "
          f"{'PASS' if p99_ours <= p99_theirs else 'MISS'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.session_echo")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--pings", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sync", choices=("batch", "always", "none"), default="batch",
                        help="our PersistenceSync (default batch)")
    parser.add_argument("--with-quickfix-sync", action="store_true",
                        help="also run QuickFIX with FileStoreSync=Y")
    parser.add_argument("--profile", type=Path, help="cProfile our server into this file")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"fixgw PersistenceSync={args.sync}; client: bench.fix_load_client on uvloop")
    with tempfile.TemporaryDirectory(prefix="session-echo-") as workdir:
        print(f"work folder (stores, logs): {workdir}")

        async def main_async() -> int:
            report(await bench(args, Path(workdir)), args)
            return 0

        return run(main_async())


if __name__ == "__main__":
    sys.exit(main())
