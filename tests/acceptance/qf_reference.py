"""Reference acceptor for proving the runner: QuickFIX C++ (quickfix-py) with the test
application of FORMAT.md section 8.2, configured per section 7.

Usage::

    python -m tests.acceptance.qf_reference --port N [--compids TW44,TW44GW0,...]
        [--workdir DIR] [--dictionary FIX44.xml]

Runs until SIGTERM/SIGINT. Prints ``listening on 127.0.0.1:N`` once started.

Caveat: QuickFIX C++ 1.15 has no SocketAcceptHost setting, so this acceptor listens
on every interface (on a random free port, for the length of a test run).
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import quickfix  # type: ignore[import-untyped]

from tests.acceptance import acceptor_config
from tests.acceptance.compids import SUITE_COMPID
from tests.fixtures.qf_base import QuietApplication

ECHOED_MSG_TYPES = frozenset({"D", "d", "C"})  # NewOrderSingle, SecurityDefinition, Email
_NEW_ORDER_SINGLE = "D"


def bundled_dictionary() -> Path:
    """FIX44.xml shipped with quickfix-py (QuickFIX's spec/FIX44.xml)."""
    return Path(sys.prefix) / "share" / "quickfix" / "FIX44.xml"


class EchoApplication(QuietApplication):
    """QuickFIX's `at_application.h` in Python.

    Echo D/d/C back with a fresh header (the engine fills 49/56/34/52 and drops
    43/122), drop a PossResend order whose ClOrdID this session already saw, and
    refuse every other application message as an unsupported type.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._seen_orders: dict[str, set[str]] = {}

    def onCreate(self, session_id: Any) -> None:
        quickfix.Session.lookupSession(session_id).reset()

    def onLogout(self, session_id: Any) -> None:
        with self._lock:
            self._seen_orders.pop(session_id.toString(), None)

    def fromApp(self, message: Any, session_id: Any) -> None:
        msg_type = _header_value(message, quickfix.MsgType())
        if msg_type not in ECHOED_MSG_TYPES:
            raise quickfix.UnsupportedMessageType()
        if msg_type == _NEW_ORDER_SINGLE and self._is_duplicate_resend(message, session_id):
            return
        quickfix.Session.sendToTarget(quickfix.Message(message), session_id)

    def _is_duplicate_resend(self, message: Any, session_id: Any) -> bool:
        """Remember the ClOrdID; True if it was seen before and the order has 97=Y."""
        cl_ord_id = quickfix.ClOrdID()
        message.getField(cl_ord_id)
        poss_resend = _header_value(message, quickfix.PossResend()) == "Y"
        with self._lock:
            seen = self._seen_orders.setdefault(session_id.toString(), set())
            duplicate = poss_resend and cl_ord_id.getString() in seen
            seen.add(cl_ord_id.getString())
        return duplicate


def _header_value(message: Any, field: Any) -> str | None:
    header = message.getHeader()
    if not header.isSetField(field):
        return None
    header.getField(field)
    value: str = field.getString()
    return value


def serve(port: int, compids: Sequence[str], workdir: Path, dictionary: Path) -> None:
    """Run the acceptor until SIGTERM or SIGINT."""
    config = acceptor_config.AcceptorConfig(port, compids, workdir, dictionary)
    cfg_path = acceptor_config.write(config, workdir / "at.cfg")
    settings = quickfix.SessionSettings(str(cfg_path))
    application = EchoApplication()
    acceptor = quickfix.SocketAcceptor(
        application,
        quickfix.FileStoreFactory(settings),
        settings,
        quickfix.FileLogFactory(settings),
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    acceptor.start()
    print(f"listening on {config.host}:{port}", flush=True)
    # A timed wait keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    acceptor.stop()


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.acceptance.qf_reference")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--compids", default=SUITE_COMPID, help="comma-separated client CompIDs")
    parser.add_argument("--workdir", type=Path, help="config/store/log folder (default: temp)")
    parser.add_argument("--dictionary", type=Path, default=bundled_dictionary())
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m tests.acceptance.qf_reference``."""
    args = _parse_args(argv)
    compids = [c for c in args.compids.split(",") if c]
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        serve(args.port, compids, args.workdir, args.dictionary)
        return 0
    with tempfile.TemporaryDirectory(prefix="qf-reference-") as workdir:
        serve(args.port, compids, Path(workdir), args.dictionary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
