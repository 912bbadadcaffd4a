"""Value formats and SendingTime parsing: the fast paths agree with the definitions.

`is_int`, `is_decimal` and `is_utc_timestamp` decide the common cases without
their regular expressions, and `timestamp_seconds` caches per second; these
properties pin them to the plain definitions, including the peer-controlled
corner cases (Unicode digits, leap seconds, absurd fractions).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.fix.formats import is_decimal, is_int, is_utc_timestamp
from gateway.fix.timefmt import timestamp_seconds

# The definitions (FIX types as QuickFIX's convertors read them).
INT = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
TIMESTAMP = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})-([0-9]{2}):([0-9]{2}):([0-9]{2})"
                       r"(?:\.[0-9]{1,12})?")
INT32 = range(-(1 << 31), 1 << 31)

# Digits, signs, separators, and characters str.isdigit() takes for digits.
ALPHABET = "0123456789.-+: \u00b2\u00b9\u0661x"


def int_by_definition(text: str) -> bool:
    return INT.fullmatch(text) is not None and int(text) in INT32


def timestamp_by_definition(text: str) -> bool:
    match = TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    _, month, day, hour, minute, second = map(int, match.groups())
    return 1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60


timestamps = st.builds(
    "{}{}{}-{}:{}:{}{}".format,
    st.sampled_from(["2026", "1970", "20a6", "2\u00b926"]),
    st.sampled_from(["01", "02", "04", "12", "13", "00"]),
    st.sampled_from(["01", "31", "32"]),
    st.sampled_from(["00", "23", "24", "1\u00b2"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60", "61"]),
    st.sampled_from(["", ".", ".5", ".123", ".123456789012", ".1234567890123", ".1\u00b2", "x"]),
)


@settings(max_examples=3000)
@given(st.text(alphabet=ALPHABET, max_size=14))
def test_int_and_decimal_fast_paths_follow_the_definitions(text: str) -> None:
    assert is_int(text) == int_by_definition(text)
    assert is_decimal(text) == (DECIMAL.fullmatch(text) is not None)


@settings(max_examples=3000)
@given(timestamps)
def test_timestamp_check_follows_the_definition(text: str) -> None:
    assert is_utc_timestamp(text) == timestamp_by_definition(text)
    assert is_utc_timestamp(text) == is_utc_timestamp(text)  # and again, from the cache


@settings(max_examples=3000)
@given(timestamps)
def test_timestamp_seconds_reads_valid_timestamps_and_refuses_the_rest(text: str) -> None:
    seconds = timestamp_seconds(text)
    if not timestamp_by_definition(text):
        assert seconds is None  # never an exception: the text comes from the peer
        return
    try:
        day = datetime.strptime(text[:8], "%Y%m%d").replace(tzinfo=UTC).timestamp()
    except ValueError:  # 31 February: well formed, but no such day
        assert seconds is None
        return
    assert seconds is not None
    clock = int(text[9:11]) * 3600 + int(text[12:14]) * 60 + int(text[15:17])
    fraction = float("0" + text[17:]) if len(text) > 17 else 0.0
    assert abs(seconds - (day + clock + fraction)) < 1e-6


def test_timestamp_seconds_of_a_leap_second_and_of_odd_fractions() -> None:
    base = timestamp_seconds("20261231-23:59:59")
    assert base is not None
    assert timestamp_seconds("20261231-23:59:60") == base + 1
    assert timestamp_seconds("20261231-23:59:59.123456789012") == base + 0.123456789
    assert timestamp_seconds("20261231-23:59:59." + "9" * 5000) is None
    assert timestamp_seconds("20261231-23:59:59.1\u00b2") is None
    assert timestamp_seconds("20261231-2\u00b3:59:59") is None
