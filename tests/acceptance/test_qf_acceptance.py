"""The QuickFIX FIX 4.4 acceptor acceptance suite: one test per .def file.

Run against our engine (default) or the QuickFIX reference acceptor::

    pytest tests/acceptance [--at-target quickfix] [--qf-defs DIR] [-n 2]
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.acceptance.acceptor_process import AcceptorProcess
from tests.acceptance.compids import SUITE_COMPID
from tests.acceptance.plugin import defs_dir, defs_unavailable
from tests.acceptance.runner import collect, run_file

MISSING = "qf-defs-missing"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `def_name` with every .def file, relative to the defs folder."""
    if "def_name" not in metafunc.fixturenames:
        return
    folder = defs_dir(metafunc.config)
    names = (
        [p.relative_to(folder).as_posix() for p in collect(folder, [])] if folder.is_dir() else []
    )
    # A folder that is missing (or empty) still yields one test, which skips or fails.
    metafunc.parametrize("def_name", names or [MISSING], ids=names or [MISSING])


def compid_map(def_name: str, client_compid: str) -> dict[str, str]:
    """How to rewrite a file's CompIDs for this worker.

    Files in subfolders (validate/) use their own sessions (TW, NO_CHECK_...), which
    every worker's acceptor has, so they run unrewritten.
    """
    if "/" in def_name or client_compid == SUITE_COMPID:
        return {}
    return {SUITE_COMPID: client_compid}


def test_def_file(def_name: str, qf_defs: Path, target_acceptor: AcceptorProcess) -> None:
    if def_name == MISSING:
        defs_unavailable(qf_defs / "*.def")
    result = run_file(
        qf_defs / def_name,
        "127.0.0.1",
        target_acceptor.port,
        compids=compid_map(def_name, target_acceptor.compid),
        name=def_name,
    )
    assert result.passed, f"{result.report()}\n{target_acceptor.output_tail()}"
