"""Small helpers shared by the store backends (argument checks, range selection)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime


def check_seq(seq: int) -> None:
    """Reject sequence numbers FIX cannot carry (they start at 1)."""
    if seq < 1:
        raise ValueError(f"sequence number must be >= 1, got {seq}")


def to_utc(now: datetime) -> datetime:
    """`now` as an aware UTC datetime; naive datetimes are refused, not guessed at."""
    if now.tzinfo is None:
        raise ValueError(f"creation time must be timezone-aware, got naive {now!r}")
    return now.astimezone(UTC)


def seqs_in_range(index: Mapping[int, object], begin: int, end: int) -> list[int]:
    """The keys of `index` with begin <= key <= end, ascending.

    Walks whichever is smaller: the requested range or the index, so a resend of
    `1..huge` on a short store and a resend of `5..7` on a long one are both cheap.
    """
    if end < begin:
        return []
    if end - begin + 1 <= len(index):
        return [seq for seq in range(begin, end + 1) if seq in index]
    return sorted(seq for seq in index if begin <= seq <= end)
