"""Fixtures of the end-to-end order-flow tests: gateway process + QuickFIX LPs + QuickFIX client.

`open_world(lps=[...], gateway={...}, client={...})` (function scope) starts a
`World` in the test's tmp_path and closes it at teardown; a module that can
share one setup between its tests builds it with `module_world(...)` in a
module-scoped fixture of its own. Teardown fails the test when a process did
not exit cleanly or a report broke a FIX invariant.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.integration.flow.world import LP, World

OpenWorld = Callable[..., World]


@pytest.fixture
def open_world(tmp_path: Path) -> Iterator[OpenWorld]:
    """Start worlds: ``open_world(lps, gateway=None, client=None, start_lps=True, name="w")``."""
    worlds: list[World] = []

    def start(lps: Sequence[LP], gateway: Mapping[str, str] | None = None,
              client: Mapping[str, str] | None = None, start_lps: bool = True,
              name: str = "w") -> World:
        world = World.open(tmp_path / f"{name}{len(worlds)}", lps, gateway, client, start_lps)
        worlds.append(world)
        return world

    yield start
    problems = [problem for world in worlds for problem in world.close()]
    if problems:
        pytest.fail("\n".join(problems))


def module_world(factory: pytest.TempPathFactory, name: str, lps: Sequence[LP],
                 **options: Any) -> Iterator[World]:
    """A world shared by a module's tests (use from a module-scoped fixture)."""
    world = World.open(factory.mktemp(name), lps, **options)
    yield world
    problems = world.close()
    if problems:
        pytest.fail("\n".join(problems))


@pytest.fixture(scope="module", autouse=True)
def bytecode_cache() -> Iterator[None]:
    """Let the many short-lived Python subprocesses (gateway, LPs) cache their bytecode.

    Where PYTHONDONTWRITEBYTECODE is set, each of them compiles the whole gateway
    from source on every start: about half its start-up time, and on a busy machine
    enough to miss an LP's 15 s start-up deadline. They write to a cache folder
    outside the repository instead, one per user that outlives the run (Python
    writes each file atomically, so concurrent processes may share it: it holds
    no test state).
    """
    cache = Path(tempfile.gettempdir()) / f"fixgw-test-pycache-{os.getuid()}"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        patch.setenv("PYTHONPYCACHEPREFIX", str(cache))
        yield
