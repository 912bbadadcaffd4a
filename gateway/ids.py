"""Run tokens: short prefixes that keep generated IDs unique across process restarts."""

from __future__ import annotations

import time

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def run_token(now_ns: int | None = None) -> str:
    """Milliseconds since the epoch in base 36: differs between process runs.

    The gateway prefixes OrderIDs (and so ExecIDs) with it, the LP simulator its
    order and execution IDs: fills are deduplicated by ExecID, so IDs must never repeat.
    """
    value = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    digits = []
    while value:
        value, digit = divmod(value, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits)) or "0"
