"""Time windows, durations and timestamps as operators type them (`1h`, `2026-12-01T09:00`).

Times are epoch seconds (`float`) inside, ISO 8601 UTC with a `Z` outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


class PeriodError(ValueError):
    """A duration or timestamp that cannot be read; the message says what was expected."""


@dataclass(frozen=True, slots=True)
class Window:
    """The time range [start_s, end_s] (epoch seconds, both ends included)."""

    start_s: float
    end_s: float

    def __contains__(self, at_s: float) -> bool:
        return self.start_s <= at_s <= self.end_s

    @classmethod
    def last(cls, duration_s: float, now_s: float) -> Window:
        """The `duration_s` seconds up to `now_s`."""
        return cls(now_s - duration_s, now_s)

    def as_dict(self) -> dict[str, str | None]:
        return {"from": iso(self.start_s), "to": iso(self.end_s)}


def parse_duration(text: str) -> float:
    """Seconds in `90s`, `15m`, `1h`, `2d`, `1w`, `250ms` or a bare number of seconds."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise PeriodError(f"not a duration: {text!r} (write e.g. 90s, 15m, 1h, 2d)")
    return float(match[1]) * _UNIT_S[match[2] or "s"]


def parse_instant(text: str) -> float:
    """Epoch seconds of an ISO 8601 date/time (UTC unless it names an offset) or of a number."""
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError as error:
        raise PeriodError(f"not a timestamp: {text!r} (write e.g. 2026-12-01T09:00 in UTC, "
                          "or 2026-12-01T09:00+01:00)") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def iso(at_s: float | None) -> str | None:
    """`2026-12-01T09:00:00.123456Z`, or None for None/0 (never happened)."""
    if not at_s:
        return None
    return datetime.fromtimestamp(at_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
