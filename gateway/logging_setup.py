"""Structured event logging for the service (SPEC §2.5): structlog, JSON or console.

`fixgw run` calls `configure_logging` once at startup; code then logs with
`structlog.get_logger(__name__).info("breaker_opened", lp="LP1", failures=5)`.
Every line carries an ISO-8601 UTC `timestamp`, the `level` and the event; lines
below `level` are dropped before any formatting. The standard library's
`logging` (asyncio, third-party libraries) is rendered the same way, so stderr
holds one format. Session traffic does not go here: it goes to the session
log files (`gateway/session/filelog.py`).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog
from structlog.typing import Processor

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(json: bool = False, level: str = "INFO",
                      stream: TextIO | None = None) -> None:
    """Send structlog and stdlib logging to `stream` (stderr by default) at `level` and above.

    `json=True` writes one JSON object per line (for log shippers); otherwise
    aligned, human-readable console lines (colours only on a terminal).
    Raises ValueError for a level not in `LEVELS`.
    """
    name = level.upper()
    if name not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    threshold = logging.getLevelNamesMapping()[name]
    output = sys.stderr if stream is None else stream
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # The console renderer prints exceptions itself (prettier); JSON needs them as text.
    render: list[Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()] if json
        else [structlog.dev.ConsoleRenderer(colors=output.isatty())])
    structlog.configure(
        processors=[*shared, structlog.processors.StackInfoRenderer(), *render],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        logger_factory=structlog.PrintLoggerFactory(file=output),
        cache_logger_on_first_use=False,
    )
    _route_stdlib_logging(shared, render, threshold, output)


def _route_stdlib_logging(shared: list[Processor], render: list[Processor], threshold: int,
                          output: TextIO) -> None:
    handler = logging.StreamHandler(output)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(threshold)
