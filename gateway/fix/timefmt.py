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


_day_cache: dict[str, int] = {}


def timestamp_seconds(text: str) -> float | None:
    """Seconds since the epoch of a UTCTimestamp text; None if malformed.

    Hot path (SendingTime of every inbound message): the date part is cached.
    """
    if len(text) < 17 or text[8] != "-" or text[11] != ":" or text[14] != ":":
        return None
    day = _day_cache.get(text[:8])
    if day is None:
        parsed = parse_utc_timestamp(text[:17])
        if parsed is None:
            return None
        day = int(parsed.replace(hour=0, minute=0, second=0).timestamp())
        if len(_day_cache) > 64:
            _day_cache.clear()
        _day_cache[text[:8]] = day
    clock = text[9:17]
    if not (clock[:2] + clock[3:5] + clock[6:8]).isdigit():
        return None
    seconds = day + int(clock[:2]) * 3600 + int(clock[3:5]) * 60 + int(clock[6:8])
    fraction = text[18:]
    if fraction:
        if text[17] != "." or not fraction.isdigit():
            return None
        return seconds + int(fraction) / float(10 ** len(fraction))
    return float(seconds) if len(text) == 17 else None
