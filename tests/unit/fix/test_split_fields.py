"""split_fields against a slow, obviously-right model of QuickFIX's frame checks.

The model splits field by field; the codec's fast path splits all fields at once,
so random fields (values with '=', fields without it, odd tags) compare the two.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.fix.codec import split_fields
from gateway.fix.errors import Garbled, GarbledReason

from .support import SOH, frame, wrap

TAG = re.compile(r"-?[0-9]+")


# FIX 4.4's length fields and the data fields they announce (from the FIX 4.4 spec).
DATA_AFTER_LENGTH = {"93": "89", "90": "91", "95": "96", "212": "213", "348": "349",
                     "350": "351", "352": "353", "354": "355", "356": "357", "358": "359",
                     "360": "361", "362": "363", "364": "365", "445": "446", "618": "619",
                     "621": "622"}


def fields_of(text: str) -> list[tuple[str, str, str]] | None:
    """(tag, '=', value) per field, a data field read by its length; None if garbled."""
    pairs: list[tuple[str, str, str]] = []
    announced: tuple[str, int] | None = None   # (data tag, length) from the previous field
    rest = text
    while rest:
        tag, equals, rest = rest.partition("=")
        if not equals or SOH in tag:
            return None
        if announced is not None and tag == announced[0]:
            value, rest = rest[:announced[1]], rest[announced[1]:]
            if not rest.startswith(SOH):
                return None
            rest = rest[1:]
        else:
            value, _, rest = rest.partition(SOH)
        pairs.append((tag, equals, value))
        announced = ((DATA_AFTER_LENGTH[tag], int(value))
                     if tag in DATA_AFTER_LENGTH and value.isascii() and value.isdigit() else None)
    return pairs


def model(data: bytes) -> tuple[list[int], list[str]] | None:
    """Tags and values, or None when QuickFIX would call the frame garbled."""
    text = data.decode("latin-1")
    if not text.endswith(SOH):
        return None
    pairs = fields_of(text)
    if pairs is None:
        return None
    if any(TAG.fullmatch(tag) is None or not -(2**31) <= int(tag) < 2**31
           for tag, _, _ in pairs):
        return None
    tags = [int(tag) for tag, _, _ in pairs]
    values = [value for _, _, value in pairs]
    texts = [tag for tag, _, _ in pairs]
    if len(pairs) < 4 or texts[:3] != ["8", "9", "35"] or texts[-1] != "10":
        return None
    if tags.count(8) != 1 or tags.count(9) != 1 or tags.count(10) != 1:
        return None
    body = text[text.index(SOH, text.index(SOH) + 1) + 1:text.rindex(SOH + "10=") + 1]
    if not values[1].isdecimal() or int(values[1]) != len(body):
        return None
    head = data[:len(data) - len(f"10={values[-1]}{SOH}")]
    if not values[-1].isdecimal() or int(values[-1]) != sum(head) % 256:
        return None
    return tags, values


TAG_TEXT = st.one_of(st.integers(0, 10_000).map(str), st.sampled_from(
    ["8", "9", "10", "35", "0", "-1", "058", "2147483648", "a", "", "1a", "=", "\xb2"]))
# Digits often: a value that reads as a tag is what a mis-split would get away with.
VALUE = st.one_of(st.text(st.characters(codec="latin-1", exclude_characters="\x01"), max_size=6),
                  st.integers(0, 99).map(str), st.sampled_from(["1=2", "=", "3=", "=4"]))
DATA = st.lists(st.sampled_from(["\x01", "=", "10=", "9=", "a", "\xe9", "5"]), max_size=6).map("".join)
# A data field after its length field: the length mostly right, sometimes off by one,
# sometimes not a number; the data free to hold SOH, '=' and what looks like a CheckSum.
DATA_FIELDS = st.builds(
    lambda length_tag, data, length: f"{length_tag}={length(data)}{SOH}"
                                     f"{DATA_AFTER_LENGTH[length_tag]}={data}",
    st.sampled_from(sorted(DATA_AFTER_LENGTH)), DATA,
    st.sampled_from([len, len, len, lambda d: len(d) + 1, lambda d: len(d) - 1,
                     lambda d: f"0{len(d)}", lambda d: "x", lambda d: ""]))
FIELD = st.one_of(
    st.builds(lambda tag, value: f"{tag}={value}", TAG_TEXT, VALUE),
    VALUE,  # a field that may lack '='
    DATA_FIELDS,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FIELD, max_size=10), st.sampled_from(["D", "0", "8"]))
def test_split_fields_agrees_with_the_field_by_field_model(fields: list[str], msg_type: str) -> None:
    data = wrap(f"35={msg_type}{SOH}" + "".join(field + SOH for field in fields))
    split = split_fields(data)
    expected = model(data)
    if expected is None:
        assert isinstance(split, Garbled)
    else:
        assert split == expected


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_split_fields_agrees_with_the_model_on_any_bytes(data: bytes) -> None:
    for candidate in (data, b"8=FIX.4.4\x019=" + data):
        split = split_fields(candidate)
        expected = model(candidate)
        assert isinstance(split, Garbled) == (expected is None)
        if expected is not None:
            assert split == expected


@pytest.mark.parametrize("fields", [
    "112=1=2|3|",  # one '=' too many and one missing: the counts balance
    "3|112=1=2|",
    "58=a==|3|4|",
])
def test_balanced_but_misplaced_equals_signs_are_garbled(fields: str) -> None:
    # QuickFIX: "Field tag is invalid" (the field without '='); garbled, never re-aligned.
    garbled = split_fields(frame("35=0|34=2|49=A|52=20240102-03:04:05|56=B|" + fields))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.MISSING_EQUALS


def test_values_with_equals_signs_are_kept_whole() -> None:
    split = split_fields(frame("35=0|34=2|49=A|52=20240102-03:04:05|56=B|58=a=b|112==|"))
    assert not isinstance(split, Garbled)
    assert split[1][-3:-1] == ["a=b", "="]
    assert split[0][-3:-1] == [58, 112]


def test_data_fields_are_read_by_their_length() -> None:
    # RawData holding SOH, '=' and a fake CheckSum field: one value, as QuickFIX reads it.
    raw = f"a{SOH}10=b={SOH}"
    data = wrap(f"35=D{SOH}49=A{SOH}56=B{SOH}95={len(raw)}{SOH}96={raw}{SOH}58=x{SOH}")
    split = split_fields(data)
    assert not isinstance(split, Garbled)
    assert split[0] == [8, 9, 35, 49, 56, 95, 96, 58, 10]
    assert split[1][6] == raw


@pytest.mark.parametrize("length", ["4", "2", "99999999999999999999999"])
def test_a_data_field_of_another_length_is_garbled(length: str) -> None:
    garbled = split_fields(frame(f"35=D|49=A|56=B|95={length}|96=abc|58=x|"))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BAD_DATA_LENGTH


@pytest.mark.parametrize("fields", [
    "95=x|96=abc|",      # not a length: 96 runs to the SOH (validation rejects 95)
    "95=3|58=a|96=abc|",  # not right after its length field
    "96=abc|",
])
def test_data_fields_without_a_length_right_before_end_at_soh(fields: str) -> None:
    split = split_fields(frame(f"35=D|49=A|{fields}"))
    assert not isinstance(split, Garbled)
    assert split[1][split[0].index(96)] == "abc"
