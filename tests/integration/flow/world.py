"""One end-to-end setup: QuickFIX LPs, the gateway process, a QuickFIX client, the checker.

`World.open(workdir, [LP.make("LP1", skew=...), ...])` starts every LP (a
`tests.fixtures.qf_lp` subprocess each, two at a time), then ``fixgw run`` on a
config written for them, then the QuickFIX client; it returns once every LP
session and the client are logged on. `close()` stops everything it started,
whatever state it is in, and reports what did not end cleanly. Every
ExecutionReport the client receives goes through the `ReportChecker`.
"""

from __future__ import annotations

import signal
import threading
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.fixtures.ports import free_port
from tests.fixtures.qf_client import QuickFixClient, Received
from tests.fixtures.qf_lp import QfLPProcess, start_qf_lp
from tests.integration.flow.gateway_process import (
    GATEWAY_COMP_ID,
    GatewayProcess,
    LoggedMessage,
    LPSession,
    render_config,
)
from tests.integration.flow.invariants import ReportChecker


@dataclass(frozen=True)
class LP:
    """An LP to start: its name, the symbols the gateway asks it for, its behaviour
    (`LPBehaviour` fields), extra gateway session keys (breaker, child terms) and
    whether both sides reset sequence numbers at each logon."""

    name: str
    symbols: tuple[str, ...] = ("EUR/USD", "GBP/USD", "USD/JPY")
    keys: Mapping[str, str] = field(default_factory=dict)
    behaviour: Mapping[str, Any] = field(default_factory=dict)
    reset_on_logon: bool = True

    @classmethod
    def make(cls, name: str, symbols: Sequence[str] = ("EUR/USD", "GBP/USD", "USD/JPY"),
             keys: Mapping[str, str] | None = None, reset_on_logon: bool = True,
             **behaviour: Any) -> LP:
        return cls(name, tuple(symbols), dict(keys or {}), behaviour, reset_on_logon)


class World:
    """LP processes + gateway process + QuickFIX client (see the module docstring)."""

    def __init__(self, workdir: Path, lps: Sequence[LP], gateway: Mapping[str, str] | None,
                 client: Mapping[str, str] | None, start_lps: bool) -> None:
        self.workdir = workdir
        self.client_comp_id = f"CL{uuid.uuid4().hex[:8].upper()}"
        self.ports = {lp.name: free_port() for lp in lps}
        self.specs = {lp.name: lp for lp in lps}
        self.lps: dict[str, QfLPProcess] = {}
        self._lp_starts = 0
        self.checker = ReportChecker()
        client_port = free_port()
        sessions = [LPSession(lp.name, self.ports[lp.name], lp.symbols, lp.keys, lp.reset_on_logon)
                    for lp in lps]
        self.gateway = GatewayProcess(workdir / "gateway", render_config(
            workdir / "gateway", client_port, self.client_comp_id, sessions, gateway, client))
        self.client = QuickFixClient(workdir / "client", client_port, self.client_comp_id,
                                     listener=self._check)
        self._start_lps = start_lps

    @classmethod
    def open(cls, workdir: Path, lps: Sequence[LP], gateway: Mapping[str, str] | None = None,
             client: Mapping[str, str] | None = None, start_lps: bool = True) -> World:
        """Start it all; on any failure stop what was started and re-raise."""
        world = cls(workdir, lps, gateway, client, start_lps)
        try:
            world._start()
        except BaseException:
            world.close(check=False)
            raise
        return world

    def _start(self) -> None:
        # The LPs first, so the gateway's first connection attempts find them listening
        # rather than waiting ReconnectInterval for the next. Two at a time: each start is
        # mostly CPU (imports), and an LP must say "listening" within 15 s even on a busy box.
        if self._start_lps:
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(self.start_lp, self.specs))
        self.gateway.start()
        if self._start_lps:
            self.gateway.wait_logged_on(list(self.specs))
        else:
            self.gateway.wait_event("Listening on", timeout_s=30)
        # Once the gateway listens: QuickFIX would wait ReconnectInterval after a refusal.
        self.client.start()
        self.client.wait_logons(1)

    def start_lp(self, name: str) -> QfLPProcess:
        """Start (or restart) the LP `name` on its port."""
        self._lp_starts += 1
        process = start_qf_lp(self.workdir / f"lp-{name}-{self._lp_starts}", self.ports[name],
                              name, reset_on_logon=self.specs[name].reset_on_logon,
                              **dict(self.specs[name].behaviour))
        self.lps[name] = process
        return process

    def kill_lp(self, name: str) -> None:
        """kill -9 of an LP process: its session drops without a Logout."""
        self.lps[name].kill()

    def lp_received(self, name: str, msg_type: str, order_id: str) -> list[LoggedMessage]:
        """Messages of type `msg_type` about the parent `order_id` that the LP `name` got
        from the gateway, from the LP's own QuickFIX log (what arrived, not what was sent)."""
        path = self.lps[name].workdir / "log" / f"FIX.4.4-{name}-{GATEWAY_COMP_ID}.messages.current.log"
        try:
            lines = path.read_text(encoding="latin-1").splitlines()
        except FileNotFoundError:
            return []
        parsed = (LoggedMessage.parse(line.replace("\x01", "|")) for line in lines)
        return [m for m in parsed if m is not None and m.fields.get(49) == GATEWAY_COMP_ID
                and m.msg_type == msg_type and m.about(order_id)]

    def _check(self, message: Received) -> None:
        if message.is_report:
            self.checker.check(message.fields)

    # -- helpers for tests -----------------------------------------------------------------
    def order(self, symbol: str, side: str, quantity: Decimal | int, **options: Any) -> str:
        """Send a NewOrderSingle with a fresh ClOrdID; returns the ClOrdID."""
        cl_ord_id = self.client.next_id()
        self.client.new_order(cl_ord_id, symbol, side, quantity, **options)
        return cl_ord_id

    def final(self, cl_ord_id: str, timeout_s: float = 10.0) -> list[Received]:
        """The order's reports once it is terminal; fails on any invariant violation."""
        try:
            reports = self.client.wait_final(cl_ord_id, timeout_s)
        except TimeoutError as error:
            raise TimeoutError(f"{error}\n{self.gateway.describe()}") from None
        self.assert_clean()
        return reports

    def assert_clean(self) -> None:
        """No report broke an invariant; no session Reject either way."""
        assert not self.checker.violations, "\n".join(self.checker.violations)
        assert not self.client.rejects_sent, f"the client rejected: {self.client.rejects_sent}"
        assert not self.client.rejects_received, \
            f"the gateway rejected: {self.client.rejects_received}"

    def close(self, check: bool = True) -> list[str]:
        """Stop client, gateway and LPs; the problems found (unclean exits, violations)."""
        problems: list[str] = []
        # QuickFIX's stop waits about a second for its own timer thread: meanwhile, the rest.
        client_stop = threading.Thread(target=self.client.stop, name="qf-client-stop")
        client_stop.start()
        code = self.gateway.stop()
        if code not in (None, 0, -signal.SIGKILL):
            problems.append(f"gateway exited with {code}\n{self.gateway.describe()}")
        for lp in self.lps.values():
            if lp.process.poll() is None:
                lp.process.terminate()   # all at once; `stop()` then waits for each
        for name, lp in self.lps.items():
            code = lp.stop()
            if code not in (0, -signal.SIGKILL):
                problems.append(f"LP {name} exited with {code}{lp.stderr_tail()}")
        client_stop.join(timeout=10)
        if check:
            problems += self.checker.violations
        return problems
