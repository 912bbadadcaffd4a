"""Fixtures of the QuickFIX acceptance suite.

One acceptor process per pytest(-xdist) worker, started once per session. Each
worker talks to its acceptor as its own CompID (``TW44`` without xdist, ``TW44GW0``
etc. with it), rewritten into the scripts by tests.acceptance.compids.

The .def files live outside the repository (license). When their folder is missing
the tests are skipped with a message — except under ``CI=true``, where that is a
failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance import acceptor_process
from tests.acceptance.acceptor_process import AcceptorProcess, AcceptorStartError
from tests.acceptance.compids import worker_compid
from tests.acceptance.plugin import add_options, at_target, defs_dir, defs_unavailable
from tests.fixtures.ports import free_port

# Longest files first/last so pytest-xdist's load scheduling puts them on different
# workers: the first item goes to the first worker's initial batch, the last item is
# handed out at the very end, to whichever worker is free (not the one still busy
# with the 35 s file).
SCHEDULE_FIRST = "6_SendTestRequest.def"
SCHEDULE_LAST = "4a_NoDataSentDuringHeartBtInt.def"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the two slow acceptance files to the ends of the run (see SCHEDULE_*)."""
    first = [i for i in items if _def_name(i) == SCHEDULE_FIRST]
    last = [i for i in items if _def_name(i) == SCHEDULE_LAST]
    rest = [i for i in items if i not in first and i not in last]
    items[:] = first + rest + last


def _def_name(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("def_name") if callspec is not None else None
    return name if isinstance(name, str) else None


@pytest.fixture(scope="session")
def qf_defs(pytestconfig: pytest.Config) -> Path:
    """The folder of .def files (skips/fails when absent)."""
    folder = defs_dir(pytestconfig)
    if not folder.is_dir():
        defs_unavailable(folder)
    return folder


@pytest.fixture(scope="session")
def client_compid() -> str:
    """This worker's client CompID."""
    return worker_compid(os.environ.get("PYTEST_XDIST_WORKER"))


def _started(
    target: str, compid: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AcceptorProcess]:
    workdir = tmp_path_factory.mktemp(f"at-{target}")
    acceptor = acceptor_process.build(target, free_port(), compid, workdir)
    error = None
    try:
        acceptor.start()
    except AcceptorStartError as exc:
        error = str(exc)
    if error is not None:  # failed outside the except block: no chained traceback
        pytest.fail(error, pytrace=False)
    try:
        yield acceptor
    finally:
        acceptor.stop()


@pytest.fixture(scope="session")
def reference_acceptor(
    client_compid: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AcceptorProcess]:
    """The QuickFIX reference acceptor, whatever --at-target says (runner self-tests)."""
    yield from _started("quickfix", client_compid, tmp_path_factory)


@pytest.fixture(scope="session")
def target_acceptor(
    request: pytest.FixtureRequest, client_compid: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AcceptorProcess]:
    """The acceptor under test chosen by --at-target (fixgw by default)."""
    target = at_target(request.config)
    if target == "quickfix":
        yield request.getfixturevalue("reference_acceptor")
        return
    yield from _started(target, client_compid, tmp_path_factory)
