"""Session-layer echo benchmark: our engine vs QuickFIX C++, one load client, one run.

Usage (from the repository root; the servers are test fixtures)::

    .venv/bin/python -m bench.session_echo [--orders 20000] [--pings 5000] [--rounds 3]
        [--sync batch,none] [--profile FILE]

Servers, each a child process with a persistent store, file logs and dictionary
validation on, answering every NewOrderSingle with an ExecutionReport:

- fixgw-<sync>: our engine (`tests.fixtures.echo_gateway`), FileStore, one server per
  PersistenceSync value in --sync (default: `batch`, the product default, and `none`,
  the durability QuickFIX's FileStore has);
- quickfix: QuickFIX C++ via quickfix-py (`tests.fixtures.qf_peer`), FileStoreFactory,
  the ExecutionReport built in Python. Its FileStore writes every message to the OS
  and never fsyncs (strace shows no fsync/fdatasync; quickfix-py 0.0.3 ignores
  FileStoreSync=Y), so it survives kill -9 but not a power loss, like `none`.

One lean client (`bench.fix_load_client`, uvloop, orders encoded before the clock
starts, every answer checked) measures, for each server in turn, per round:
throughput of --orders pipelined orders (all sent at once, until the last report),
then ping-pong latency of --pings orders one at a time. Rounds interleave the
servers (the order alternates) after a warm-up. The server's CPU time per order
comes from /proc/<pid>/stat. Bars (issue 3), checked for each fixgw server:
throughput >= 2x quickfix, p99 <= quickfix p99. --profile writes a cProfile of the
first fixgw server to FILE.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

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
    servers = []
    for number, sync in enumerate(args.sync):
        profile = args.profile if number == 0 else None
        servers.append(await start_fixgw(workdir / f"fixgw-{sync}", sync, profile))
    servers.append(await start_quickfix(workdir / "quickfix"))
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
            f"Python {platform.python_version()}, quickfix-py {metadata.version('quickfix-py')}, "
            f"load average {os.getloadavg()[0]:.1f}")


def fsync_us(directory: Path, count: int = 1000) -> tuple[float, float]:
    """p50 and p99 of append + fdatasync in `directory`: what one batch commit waits for,
    and so a floor under fixgw-batch's ping-pong latency that a store which never
    syncs (QuickFIX's FileStore) does not have."""
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    times = []
    try:
        for _ in range(count):
            os.write(fd, b"x" * 200)
            started = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - started)
    finally:
        os.close(fd)
        path.unlink()
    times.sort()
    return times[len(times) // 2] * 1e6, times[int(len(times) * 0.99)] * 1e6


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
    theirs = results["quickfix"][1]
    for name, (_, ours) in results.items():
        if name == "quickfix":
            continue
        ratio = statistics.median(ours.throughput) / statistics.median(theirs.throughput)
        p99_ours, p99_theirs = ours.percentile_us(0.99), theirs.percentile_us(0.99)
        print(f"\n{name}: throughput {ratio:.2f}x quickfix (bar >= 2x: "
              f"{'PASS' if ratio >= 2 else 'MISS'}); p99 {p99_ours:.0f} µs vs {p99_theirs:.0f} µs "
              f"(bar <= quickfix: {'PASS' if p99_ours <= p99_theirs else 'MISS'})")


def _sync_list(text: str) -> list[str]:
    values = [value.strip() for value in text.split(",") if value.strip()]
    bad = [value for value in values if value not in ("batch", "always", "none")]
    if bad or not values:
        raise argparse.ArgumentTypeError(f"PersistenceSync values are batch|always|none: {text}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.session_echo")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--pings", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sync", type=_sync_list, default=["batch", "none"],
                        help="our PersistenceSync values, one server each (default batch,none)")
    parser.add_argument("--profile", type=Path, help="cProfile our server into this file")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"fixgw PersistenceSync={','.join(args.sync)} (one server each); "
          "client: bench.fix_load_client on uvloop")
    with tempfile.TemporaryDirectory(prefix="session-echo-") as workdir:
        p50, p99 = fsync_us(Path(workdir))
        print(f"work folder (stores, logs): {workdir}; append+fdatasync there: "
              f"p50 {p50:.0f} µs, p99 {p99:.0f} µs")

        async def main_async() -> int:
            report(await bench(args, Path(workdir)), args)
            return 0

        return run(main_async())


if __name__ == "__main__":
    sys.exit(main())
