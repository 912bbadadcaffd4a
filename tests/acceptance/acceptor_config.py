"""The acceptor configuration the suite assumes (FORMAT.md section 7), as a QuickFIX
sessions file. Used for both targets: the QuickFIX reference acceptor and
``fixgw at``.

Only the keys of section 7 are written (plus SocketAcceptHost, so the acceptor binds
127.0.0.1 only; QuickFIX C++ 1.15 ignores that key). Everything else is left to the
engine's defaults, which the expected messages depend on (HeartBtInt from the
client's Logon, millisecond timestamps, ValidateFieldsHaveValues=Y, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ACCEPTOR_COMPID = "ISLD"
# Sessions of defs/validate/CheckFieldsHaveValues.def; every acceptor gets them.
VALIDATE_COMPID = "TW"
NO_CHECK_COMPID = "NO_CHECK_FIELDS_HAVE_VALUES"


@dataclass(frozen=True)
class AcceptorConfig:
    """Inputs of the generated sessions file.

    `client_compids`: one session per CompID (``TW44`` or per-worker IDs); the two
    validate sessions are always added. `workdir` receives ``store/`` and ``log/``.
    """

    port: int
    client_compids: Sequence[str]
    workdir: Path
    data_dictionary: Path
    host: str = "127.0.0.1"

    @property
    def store_path(self) -> Path:
        return self.workdir / "store"

    @property
    def log_path(self) -> Path:
        return self.workdir / "log"


def session_compids(client_compids: Sequence[str]) -> list[str]:
    """Client CompIDs plus the validate sessions, without duplicates, order kept."""
    return list(dict.fromkeys([*client_compids, VALIDATE_COMPID, NO_CHECK_COMPID]))


def render(config: AcceptorConfig) -> str:
    """The sessions file text."""
    lines = [
        "[DEFAULT]",
        "ConnectionType=acceptor",
        f"SocketAcceptPort={config.port}",
        f"SocketAcceptHost={config.host}",
        "SocketReuseAddress=Y",
        "StartTime=00:00:00",
        "EndTime=00:00:00",
        f"SenderCompID={ACCEPTOR_COMPID}",
        "ResetOnLogon=Y",
        f"FileStorePath={config.store_path}",
        f"FileLogPath={config.log_path}",
    ]
    for compid in session_compids(config.client_compids):
        lines += [
            "",
            "[SESSION]",
            "BeginString=FIX.4.4",
            f"TargetCompID={compid}",
            f"DataDictionary={config.data_dictionary}",
        ]
        if compid == NO_CHECK_COMPID:
            lines.append("ValidateFieldsHaveValues=N")
    return "\n".join(lines) + "\n"


def write(config: AcceptorConfig, path: Path) -> Path:
    """Write the sessions file (and create the store/log folders); returns `path`."""
    config.store_path.mkdir(parents=True, exist_ok=True)
    config.log_path.mkdir(parents=True, exist_ok=True)
    path.write_text(render(config), encoding="ascii")
    return path
