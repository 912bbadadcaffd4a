"""Command-line options of the QuickFIX acceptance suite.

pytest only honours `pytest_addoption` in plugins and initial conftests. This module
is the plugin to list in the root ``tests/conftest.py`` (``pytest_plugins``), so the
options exist whatever paths pytest is given; ``tests/acceptance/conftest.py`` also
calls `add_options`, so ``pytest tests/acceptance --at-target quickfix`` works on its
own. Registration is idempotent.

Options:
  --qf-defs DIR       folder of the .def files (default: <repo>/../shared/qf-acceptance/defs)
  --at-target NAME    acceptor under test: fixgw (default) or quickfix (the reference)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.acceptance.acceptor_process import TARGETS
from tests.acceptance.runner import DEFAULT_DEFS

_GROUP = "qf-acceptance"


def add_options(parser: pytest.Parser) -> None:
    """Register --qf-defs and --at-target once, however often this is called."""
    group = parser.getgroup(_GROUP, "QuickFIX acceptance suite (tests/acceptance)")
    if any("--qf-defs" in option.names() for option in group.options):
        return
    group.addoption(
        "--qf-defs",
        dest="qf_defs",
        default=None,
        metavar="DIR",
        help=f"folder of QuickFIX .def files (default: {DEFAULT_DEFS})",
    )
    group.addoption(
        "--at-target",
        dest="at_target",
        default="fixgw",
        choices=TARGETS,
        help="acceptor under test: fixgw (python -m gateway at) or quickfix (reference)",
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def defs_dir(config: pytest.Config) -> Path:
    """The --qf-defs folder (its default when the option is not registered)."""
    value = config.getoption("qf_defs", default=None)
    return Path(value) if value else DEFAULT_DEFS


def at_target(config: pytest.Config) -> str:
    """The --at-target value (``fixgw`` when the option is not registered)."""
    value: str = config.getoption("at_target", default="fixgw")
    return value


def ci_requires_defs() -> bool:
    """True when a missing .def folder must fail rather than skip."""
    return os.environ.get("CI", "").lower() == "true"


def defs_unavailable(folder: Path) -> None:
    """Skip (or under CI=true fail) because the .def folder is missing."""
    message = (
        f"QuickFIX acceptance definitions not found at {folder} "
        "(pass --qf-defs DIR pointing at the qf-acceptance defs folder)"
    )
    if ci_requires_defs():
        pytest.fail(message + "; CI=true requires them", pytrace=False)
    pytest.skip(message)
