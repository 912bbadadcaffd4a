"""`fixgw run` as a subprocess for end-to-end tests: its config, its process, its logs.

`render_config` writes the text of a sessions.cfg from a small template:
one client acceptor session, one initiator session per LP, free ports, data,
stores and logs under the folder, the admin API off and short timeouts.
`GatewayProcess` starts ``python -m gateway run -c <cfg>``, reads its log files
(the gateway event log, each session's messages log) and stops it with SIGTERM
or kills it with SIGKILL, as a crash would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
GATEWAY_COMP_ID = "FIXGW"

# Short timeouts so failover and reconciliation happen within a test's patience.
GATEWAY_DEFAULTS: Mapping[str, str] = {
    "AdminHttpPort": "0",
    "RFQTimeoutMs": "1000",   # every LP here answers: only a silent one waits this long
    "RoutingTimeBudgetMs": "3000",
    "RestingRequoteMs": "300",
    "ChildAckTimeoutMs": "1000",
    "UnknownChildTimeoutMs": "60000",
    "UnknownChildPolicy": "hold",
    "PersistenceSync": "batch",
}


@dataclass(frozen=True)
class LPSession:
    """One LP as the gateway sees it: its name (= CompID), port and extra session keys."""

    name: str
    port: int
    symbols: tuple[str, ...] = ("EUR/USD", "GBP/USD", "USD/JPY")
    keys: Mapping[str, str] = field(default_factory=dict)
    reset_on_logon: bool = True


def render_config(workdir: Path, client_port: int, client_comp_id: str,
                  lps: Sequence[LPSession], gateway: Mapping[str, str] | None = None,
                  client: Mapping[str, str] | None = None) -> str:
    """The sessions.cfg text (`gateway` and `client` override or add keys)."""
    gateway_keys = {**GATEWAY_DEFAULTS, "DataPath": str(workdir / "data"), **(gateway or {})}
    lines = ["[GATEWAY]", *(f"{k}={v}" for k, v in gateway_keys.items()), "",
             "[DEFAULT]", "BeginString=FIX.4.4", f"SenderCompID={GATEWAY_COMP_ID}",
             "StartTime=00:00:00", "EndTime=00:00:00", f"FileStorePath={workdir / 'store'}",
             f"FileLogPath={workdir / 'log'}", "ReconnectInterval=1", "HeartBtInt=30",
             "BreakerFailureThreshold=5", "BreakerWindowSeconds=60", "BreakerResetSeconds=30",
             "BreakerHalfOpenTrials=1", "",
             "[SESSION]", "ConnectionType=acceptor", f"TargetCompID={client_comp_id}",
             "SocketAcceptHost=127.0.0.1", f"SocketAcceptPort={client_port}", "ResetOnLogon=N",
             *(f"{k}={v}" for k, v in {"RoutingStrategy": "best", **(client or {})}.items()), ""]
    for lp in lps:
        # The QuickFIX LPs reset sequence numbers on every logon unless told not to; we
        # do the same as each of them.
        lines += ["[SESSION]", "ConnectionType=initiator", f"TargetCompID={lp.name}",
                  "SocketConnectHost=127.0.0.1", f"SocketConnectPort={lp.port}",
                  f"ResetOnLogon={'Y' if lp.reset_on_logon else 'N'}",
                  f"LPName={lp.name}", f"LPSymbols={','.join(lp.symbols)}",
                  *(f"{k}={v}" for k, v in lp.keys.items()), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class LoggedMessage:
    """One line of a messages log: direction and fields (first occurrence of each tag)."""

    outgoing: bool
    fields: Mapping[int, str]

    @classmethod
    def parse(cls, line: str) -> LoggedMessage | None:
        direction, sep, raw = line.partition(" : ")
        if not sep:
            return None
        fields: dict[int, str] = {}
        for item in raw.split("|"):
            tag, eq, value = item.partition("=")
            if eq and tag.isdigit():
                fields.setdefault(int(tag), value)
        return cls(direction.endswith("OUT"), fields)

    @property
    def msg_type(self) -> str:
        return self.fields.get(35, "")

    def about(self, order_id: str) -> bool:
        """A child order, cancel, status or quote request of the parent `order_id`."""
        ident = self.fields.get(131) or self.fields.get(11) or ""
        return ident.startswith((f"{order_id}-", f"{order_id}.R"))


def session_file(workdir: Path, target: str, kind: str) -> Path:
    """A session log of the gateway (`kind`: messages or event), e.g. towards LP1."""
    return workdir / "log" / f"FIX.4.4-{GATEWAY_COMP_ID}-{target}.{kind}.current.log"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="latin-1")
    except FileNotFoundError:
        return ""


def eventually(condition: Callable[[], bool], timeout_s: float, what: str,
               describe: Callable[[], str] = lambda: "") -> None:
    """Poll `condition` every 20 ms; TimeoutError naming `what` if it never holds."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout_s:g} s\n{describe()}")
        time.sleep(0.02)


class GatewayProcess:
    """``python -m gateway run -c <workdir>/sessions.cfg`` and its files."""

    def __init__(self, workdir: Path, config_text: str) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.workdir = workdir
        self.config = workdir / "sessions.cfg"
        self.config.write_text(config_text, encoding="ascii")
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def stderr_path(self) -> Path:
        return self.workdir / "gateway.stderr.log"

    def start(self) -> None:
        """Launch it (again, on the same config, data and stores after a stop or kill)."""
        self.starts += 1
        with self.stderr_path.open("ab") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gateway", "run", "-c", str(self.config)],
                cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: a crash, nothing flushed or logged out."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout_s: float = 10.0) -> int | None:
        """SIGTERM (clean shutdown), SIGKILL after `timeout_s`; the exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout_s)
        return process.returncode

    # -- its files ---------------------------------------------------------------------------
    def events(self) -> str:
        """The gateway-wide event log (breakers, re-routes, unknown children, ...)."""
        return _read(self.workdir / "log" / "gateway.event.current.log")

    def session_events(self, target: str) -> str:
        return _read(session_file(self.workdir, target, "event"))

    def messages(self, target: str) -> list[LoggedMessage]:
        """The messages logged on the session towards `target` (an LP or the client)."""
        lines = _read(session_file(self.workdir, target, "messages")).splitlines()
        return [parsed for line in lines if (parsed := LoggedMessage.parse(line)) is not None]

    def sent_to(self, target: str, msg_type: str, order_id: str) -> list[LoggedMessage]:
        """Messages of type `msg_type` we sent to LP `target` about the parent `order_id`
        (child orders ``<order_id>-<n>``, quote requests ``<order_id>.R<round>.<n>``)."""
        return [m for m in self.messages(target)
                if m.outgoing and m.msg_type == msg_type and m.about(order_id)]

    def received_from(self, target: str, msg_type: str, order_id: str) -> list[LoggedMessage]:
        """Messages of type `msg_type` LP `target` sent us about the parent `order_id`."""
        return [m for m in self.messages(target)
                if not m.outgoing and m.msg_type == msg_type and m.about(order_id)]

    def describe(self) -> str:
        """Process state, event log and stderr tails, for assertion messages."""
        state = "not started" if self.process is None else f"exit code {self.process.poll()}"
        events = "\n".join(self.events().splitlines()[-25:])
        stderr = "\n".join(_read(self.stderr_path).splitlines()[-25:])
        return (f"--- gateway {self.config} ({state})\n--- gateway.event.current.log:\n{events}"
                f"\n--- stderr:\n{stderr}")

    def wait_event(self, text: str, timeout_s: float = 10.0, after: int = 0) -> None:
        """Until the gateway event log contains `text` past character `after`."""
        eventually(lambda: text in self.events()[after:], timeout_s, f"gateway event {text!r}",
                   self.describe)

    def wait_logged_on(self, targets: Sequence[str], timeout_s: float = 30.0,
                       count: int = 1) -> None:
        """Until each session towards `targets` has logged on `count` times (this run or any)."""
        def done() -> bool:
            if not self.running:
                raise RuntimeError(f"the gateway is not running\n{self.describe()}")
            events = self.events()
            return all(events.count(f"logon: FIX.4.4:{GATEWAY_COMP_ID}->{t} logged on") >= count
                       for t in targets)

        eventually(done, timeout_s, f"logon of {list(targets)}", self.describe)
