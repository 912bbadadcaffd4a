"""Running an `Engine` until SIGINT/SIGTERM, on uvloop when it is installed."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from gateway import heap


def run_until_signalled(start: Callable[[], Awaitable[Any]],
                        stop: Callable[[], Awaitable[Any]]) -> int:
    """Run `start()`, wait for SIGINT/SIGTERM, run `stop()`; returns the exit code."""

    async def main() -> int:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stopping.set)
        await start()
        heap.settle()
        sweeper = asyncio.get_running_loop().create_task(heap.sweep_periodically())
        await stopping.wait()
        sweeper.cancel()
        await stop()
        return 0

    return run(main())


def run(coroutine: Awaitable[int]) -> int:
    """asyncio.run with uvloop's loop when available."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a declared dependency on Linux
        return asyncio.run(_wrap(coroutine))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(_wrap(coroutine))


async def _wrap(coroutine: Awaitable[int]) -> int:
    return await coroutine


def fail(message: str, code: int = 2) -> int:
    print(f"fixgw: {message}", file=sys.stderr)
    return code
