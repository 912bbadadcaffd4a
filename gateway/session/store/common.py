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


class SequenceNumbers:
    """Both sequence numbers, for the store backends; `_seqs_changed` lets one persist them."""

    _next_sender_seq: int
    _next_target_seq: int

    def _seqs_changed(self) -> None:
        """Called after every change of either number."""

    @property
    def next_sender_seq(self) -> int:
        """The MsgSeqNum our next outbound message will carry."""
        return self._next_sender_seq

    @property
    def next_target_seq(self) -> int:
        """The MsgSeqNum we expect on the next inbound message."""
        return self._next_target_seq

    def set_next_sender_seq(self, seq: int) -> None:
        """Set the MsgSeqNum of our next outbound message."""
        check_seq(seq)
        self._next_sender_seq = seq
        self._seqs_changed()

    def set_next_target_seq(self, seq: int) -> None:
        """Set the MsgSeqNum expected on the next inbound message."""
        check_seq(seq)
        self._next_target_seq = seq
        self._seqs_changed()

    def incr_next_sender_seq(self) -> None:
        """Advance the outbound sequence number by one."""
        self._next_sender_seq += 1
        self._seqs_changed()

    def incr_next_target_seq(self) -> None:
        """Advance the expected inbound sequence number by one."""
        self._next_target_seq += 1
        self._seqs_changed()
