"""The servers of `bench/session_echo.py`: our engine and QuickFIX, each answering orders.

Both run as child processes from the test fixtures (`tests.fixtures.echo_gateway`,
`tests.fixtures.qf_peer`) in their own work folder, with a persistent store, file
logs and dictionary validation on. `cpu_seconds()` reads the process's user + system
time from /proc, so a benchmark can charge the server's CPU per order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tests.fixtures import gateway_config
from tests.fixtures.peer_process import PeerProcess, echo_gateway, qf_peer
from tests.fixtures.ports import free_port

CLIENT_COMPID = "LOAD"
_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A started server the load client logs on to as CLIENT_COMPID -> `compid`."""

    name: str
    setting: str  # what the figures depend on: store sync policy
    process: PeerProcess
    port: int
    compid: str

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process (all its threads) so far."""
        with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS_PER_S


async def start_fixgw(workdir: Path, sync: str, profile: Path | None = None) -> Server:
    """Our engine (FileStore with PersistenceSync=`sync`, validation with our FIX44.xml)."""
    port = free_port()
    config = gateway_config.write_config(
        workdir, [gateway_config.acceptor(port, sender="FIXGW", target=CLIENT_COMPID)], sync=sync)
    process = echo_gateway(config, workdir, name=f"fixgw-{sync}")
    if profile is not None:
        os.environ["FIXGW_PROFILE"] = str(profile)  # read by the child at start
    try:
        await process.start()
    finally:
        os.environ.pop("FIXGW_PROFILE", None)
    return Server(f"fixgw-{sync}", f"FileStore PersistenceSync={sync}", process, port, "FIXGW")


async def start_quickfix(workdir: Path) -> Server:
    """QuickFIX C++ (quickfix-py) acceptor, FileStore, FIX44.xml validation, Python app."""
    port = free_port()
    process = qf_peer("acceptor", port, workdir, "--quiet", name="quickfix",
                      sender="QFGW", target=CLIENT_COMPID)
    await process.start()
    return Server("quickfix", "FileStore (writes, no fsync)", process, port, "QFGW")
