"""Value formats of FIX data types, checked the way QuickFIX's convertors check them.

Each checker takes the received text and says whether it is well formed.
Types QuickFIX treats as free text (STRING, CURRENCY, EXCHANGE, LOCALMKTDATE,
MONTHYEAR, DATA, ...) have no checker.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gateway.fix.dictionary import DECIMAL_TYPES, INT_TYPES

Checker = Callable[[str], bool]

_INT = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_TIMESTAMP = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})-([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,12})?")
_TIME_ONLY = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,12})?")
_DATE_ONLY = re.compile(r"[0-9]{4}([0-9]{2})([0-9]{2})")


def is_int(text: str) -> bool:
    if len(text) < 10 and text.isdigit() and text.isascii():
        return True  # the common case, decided without the regex
    if _INT.fullmatch(text) is None:
        return False
    if len(text) < 10:
        return True
    # QuickFIX converts to a C int: a value outside 32 bits is badly formatted.
    digits = text.lstrip("-").lstrip("0")
    if len(digits) != 10:
        return len(digits) < 10
    return int(digits) <= (1 << 31 if text.startswith("-") else (1 << 31) - 1)


def is_decimal(text: str) -> bool:
    whole, _, fraction = text.partition(".")
    if whole.isdigit() and (not fraction or fraction.isdigit()) and text.isascii():
        return True  # the common case (`123`, `1.25`), decided without the regex
    return _DECIMAL.fullmatch(text) is not None


def is_char(text: str) -> bool:
    return len(text) == 1


def is_boolean(text: str) -> bool:
    return text in ("Y", "N")


def _clock_ok(hour: str, minute: str, second: str) -> bool:
    return int(hour) <= 23 and int(minute) <= 59 and int(second) <= 60


_timestamp_heads: dict[str, bool] = {}


def is_utc_timestamp(text: str) -> bool:
    # Hot path (SendingTime, TransactTime): the verdict on `YYYYMMDD-HH:MM:SS` is
    # cached, so a timestamp costs a dict lookup plus a look at its fraction.
    head = text[:17]
    verdict = _timestamp_heads.get(head)
    if verdict is None:
        verdict = _timestamp_ok(head)
        if len(_timestamp_heads) >= 4096:
            _timestamp_heads.clear()
        _timestamp_heads[head] = verdict
    if not verdict or len(text) == 17:
        return verdict
    fraction = text[18:]
    return (text[17] == "." and 0 < len(fraction) <= 12 and fraction.isdigit()
            and fraction.isascii())


def _timestamp_ok(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    _, month, day, hour, minute, second = match.groups()
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31 and _clock_ok(hour, minute, second)


def is_utc_time_only(text: str) -> bool:
    match = _TIME_ONLY.fullmatch(text)
    return match is not None and _clock_ok(*match.groups())


def is_utc_date_only(text: str) -> bool:
    match = _DATE_ONLY.fullmatch(text)
    return match is not None and 1 <= int(match[1]) <= 12 and 1 <= int(match[2]) <= 31


def checker_for(fix_type: str) -> Checker | None:
    """The format checker of a dictionary type name, or None for free text."""
    if fix_type in INT_TYPES:
        return is_int
    if fix_type in DECIMAL_TYPES:
        return is_decimal
    return _OTHER.get(fix_type)


_OTHER: dict[str, Checker] = {
    "CHAR": is_char,
    "BOOLEAN": is_boolean,
    "UTCTIMESTAMP": is_utc_timestamp,
    "TIME": is_utc_timestamp,
    "UTCTIMEONLY": is_utc_time_only,
    "UTCDATEONLY": is_utc_date_only,
    "UTCDATE": is_utc_date_only,
    "DATE": is_utc_date_only,
}
