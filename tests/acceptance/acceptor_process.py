"""Starting and stopping the acceptor under test as a subprocess.

Two targets share the section 7 configuration (acceptor_config):

- ``quickfix``: the QuickFIX C++ reference acceptor (`tests.acceptance.qf_reference`).
- ``fixgw``: our engine, ``python -m gateway at -c at.cfg``.

The process's stdout and stderr go to ``output.log`` in its work folder, so a failing
test can show what the acceptor said.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.acceptance import acceptor_config

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXGW_DICTIONARY = REPO_ROOT / "fix_specs" / "FIX44.xml"
TARGETS = ("fixgw", "quickfix")
_HOST = "127.0.0.1"


class AcceptorStartError(RuntimeError):
    """The acceptor exited or never accepted a connection; the message has its output."""


@dataclass
class AcceptorProcess:
    """An acceptor under test on 127.0.0.1:`port` serving client CompID `compid`."""

    target: str
    command: list[str]
    port: int
    compid: str
    workdir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def output_path(self) -> Path:
        return self.workdir / "output.log"

    def start(self, timeout_s: float = 20.0) -> None:
        """Launch the process and wait until the port accepts; AcceptorStartError if not."""
        with self.output_path.open("wb") as output:
            self.process = subprocess.Popen(
                self.command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AcceptorStartError(
                    f"{self.describe()} exited with status {self.process.returncode} "
                    f"before listening\n{self.output_tail()}"
                )
            if _accepts(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise AcceptorStartError(
            f"{self.describe()} did not accept connections within {timeout_s:g} s\n"
            f"{self.output_tail()}"
        )

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout_s)

    def describe(self) -> str:
        """One line naming the target, the command and the port."""
        return f"{self.target} acceptor `{' '.join(self.command)}` on {_HOST}:{self.port}"

    def output_tail(self, max_lines: int = 60) -> str:
        """The last lines the process printed, headed by the log file's path."""
        try:
            text = self.output_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        tail = "\n".join(text.splitlines()[-max_lines:]) or "(no output)"
        return f"--- acceptor output ({self.output_path}; FIX logs in {self.workdir / 'log'}) ---\n{tail}"


def _accepts(port: int) -> bool:
    try:
        socket.create_connection((_HOST, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def quickfix_reference(port: int, compid: str, workdir: Path) -> AcceptorProcess:
    """The QuickFIX reference acceptor (it writes its own config into `workdir`)."""
    command = [
        sys.executable,
        "-m",
        "tests.acceptance.qf_reference",
        "--port",
        str(port),
        "--compids",
        compid,
        "--workdir",
        str(workdir),
    ]
    return AcceptorProcess("quickfix", command, port, compid, workdir)


def fixgw_at(port: int, compid: str, workdir: Path) -> AcceptorProcess:
    """Our engine's acceptance acceptor, configured by a generated ``at.cfg``."""
    config = acceptor_config.AcceptorConfig(port, [compid], workdir, FIXGW_DICTIONARY)
    cfg_path = acceptor_config.write(config, workdir / "at.cfg")
    command = [sys.executable, "-m", "gateway", "at", "-c", str(cfg_path)]
    return AcceptorProcess("fixgw", command, port, compid, workdir)


def build(target: str, port: int, compid: str, workdir: Path) -> AcceptorProcess:
    """The (not yet started) acceptor for `target`, one of TARGETS."""
    workdir.mkdir(parents=True, exist_ok=True)
    if target == "quickfix":
        return quickfix_reference(port, compid, workdir)
    if target == "fixgw":
        return fixgw_at(port, compid, workdir)
    raise ValueError(f"unknown acceptance target {target!r}; expected one of {TARGETS}")
