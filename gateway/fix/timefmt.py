"""FIX UTCTimestamp text <-> time, millisecond precision on output (TimestampPrecision=3)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from gateway.fix.formats import is_utc_timestamp

_second_cache: tuple[int, str] = (-1, "")


def utc_timestamp(epoch_ns: int) -> str:
    """`YYYYMMDD-HH:MM:SS.sss` for an epoch time in nanoseconds."""
    global _second_cache
    seconds, rest = divmod(epoch_ns, 1_000_000_000)
    cached_second, prefix = _second_cache
    if seconds != cached_second:
        prefix = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(seconds))
        _second_cache = (seconds, prefix)
    return f"{prefix}.{rest // 1_000_000:03d}"


def parse_utc_timestamp(text: str) -> datetime | None:
    """The UTC datetime of a UTCTimestamp (seconds or any fraction), None if malformed."""
    if not is_utc_timestamp(text):
        return None
    try:
        base = datetime.strptime(text[:17], "%Y%m%d-%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    fraction = text[18:]
    if fraction:
        base = base.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return base


def epoch_ns(moment: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime."""
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


_head_seconds: dict[str, int] = {}
_SCALE = tuple(10.0 ** digits for digits in range(10))


def timestamp_seconds(text: str) -> float | None:
    """Seconds since the epoch of a UTCTimestamp text; None if malformed.

    Hot path (SendingTime of every inbound message): the `YYYYMMDD-HH:MM:SS` head is
    checked and converted once per distinct second. The text comes from the peer, so
    it must be exactly what `is_utc_timestamp` accepts (ASCII digits only: int()
    would take other Unicode digits, or fail on them); digits past nanoseconds are
    ignored.
    """
    head = text[:17]
    seconds = _head_seconds.get(head)
    if seconds is None:
        if not is_utc_timestamp(head):
            return None
        try:
            day = datetime.strptime(head[:8], "%Y%m%d").replace(tzinfo=UTC)
        except ValueError:  # a day the month does not have (20260231)
            return None
        # The clock by arithmetic, not datetime: a leap second (:60) is a valid SendingTime.
        seconds = (int(day.timestamp()) + int(head[9:11]) * 3600 + int(head[12:14]) * 60
                   + int(head[15:17]))
        if len(_head_seconds) >= 4096:
            _head_seconds.clear()
        _head_seconds[head] = seconds
    if len(text) == 17:
        return float(seconds)
    fraction = text[18:]
    if (text[17] != "." or not 0 < len(fraction) <= 12 or not fraction.isdigit()
            or not fraction.isascii()):
        return None
    fraction = fraction[:9]  # nanoseconds are plenty
    return seconds + int(fraction) / _SCALE[len(fraction)]
