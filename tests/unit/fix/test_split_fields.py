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


def model(data: bytes) -> tuple[list[int], list[str]] | None:
    """Tags and values, or None when QuickFIX would call the frame garbled."""
    text = data.decode("latin-1")
    if not text.endswith(SOH):
        return None
    pairs = [field.partition("=") for field in text[:-1].split(SOH)]
    if any(not equals for _, equals, _ in pairs):
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
FIELD = st.one_of(
    st.builds(lambda tag, value: f"{tag}={value}", TAG_TEXT, VALUE),
    VALUE,  # a field that may lack '='
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
