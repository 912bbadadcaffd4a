"""Framer and split_fields: chunking invariance, robustness, QuickFIX's framing quirks.

FORMAT.md §8.3 "Framing and garbled input" is the reference for the quirks.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.fix.codec import split_fields
from gateway.fix.errors import Garbled, GarbledReason
from gateway.fix.framing import DEFAULT_MAX_MESSAGE_SIZE, Framer
from gateway.fix.validation import Structured, Validator

from .strategies import messages, render
from .support import dictionary, frame, frame_with, pipes, validator, wrap

Output = list[bytes | Garbled]
HEARTBEAT = "35=0|34=2|49=CLIENT|52=20240102-03:04:05.678|56=GATEWAY|"
GOOD = frame(HEARTBEAT)
OTHER = frame("35=1|34=3|49=CLIENT|52=20240102-03:04:05|56=GATEWAY|112=PING|")


def feed_all(framer: Framer, chunks: list[bytes]) -> Output:
    out: Output = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out


def normalised(out: Output) -> list[object]:
    """Adjacent junk merged: how many reads the junk came in is not part of the contract."""
    merged: list[object] = []
    for item in out:
        if isinstance(item, Garbled) and item.reason is GarbledReason.JUNK:
            if merged and isinstance(merged[-1], bytearray):
                merged[-1] += item.data
            else:
                merged.append(bytearray(item.data))
        else:
            merged.append(item)
    return merged


def frames(out: Output) -> list[bytes]:
    return [item for item in out if isinstance(item, bytes)]


def reasons(out: Output) -> list[GarbledReason]:
    return [item.reason for item in out if isinstance(item, Garbled)]


# -- stream pieces for the properties -------------------------------------------

VALID_FRAMES = st.builds(lambda message: wrap(render(message)), messages())
BROKEN_FRAMES = st.one_of(
    st.builds(lambda body, cut: frame_with(body, body_length=max(0, len(pipes(body)) - cut)),
              st.just(HEARTBEAT), st.integers(1, 30)),
    st.builds(lambda body, extra: frame_with(body, body_length=len(pipes(body)) + extra),
              st.just(HEARTBEAT), st.integers(1, 80)),
    st.builds(lambda body, text: frame_with(body, check_sum=text),
              st.just(HEARTBEAT), st.sampled_from(["256", "0", "999", "x", ""])),
    st.just(b"8=FIX.4.4\x019=99999999\x0135=0\x01"),
    st.just(b"8=FIX.4.4\x019=abc\x0135=0\x0110=000\x01"),
    st.just(GOOD[:-7]),  # cut before the CheckSum
)
GARBAGE = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"8", b"8=", b"\x01", b"\x019=", b"\x0110=", b"35=0\x01", b"=", b"10=000\x01"]),
)
STREAM = st.lists(st.one_of(VALID_FRAMES, BROKEN_FRAMES, GARBAGE), max_size=8).map(b"".join)


@st.composite
def chunked(draw: st.DrawFn) -> tuple[bytes, list[bytes]]:
    data = draw(STREAM)
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    bounds = [0, *cuts, len(data)]
    return data, [data[start:end] for start, end in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(chunked(), st.sampled_from([DEFAULT_MAX_MESSAGE_SIZE, 400, 120]))
def test_chunked_feeding_frames_like_one_shot(case: tuple[bytes, list[bytes]], cap: int) -> None:
    data, chunks = case
    one_shot = Framer(cap)
    expected = one_shot.feed(data)
    pieces = Framer(cap)
    got = feed_all(pieces, chunks)
    assert normalised(got) == normalised(expected)
    assert pieces.buffered == one_shot.buffered


@settings(max_examples=100, deadline=None)
@given(st.lists(VALID_FRAMES, min_size=1, max_size=5), st.data())
def test_valid_frames_come_out_whole_whatever_the_reads(items: list[bytes], data: st.DataObject) -> None:
    stream = b"".join(items)
    size = data.draw(st.integers(1, 64))
    framer = Framer()
    out = feed_all(framer, [stream[i:i + size] for i in range(0, len(stream), size)])
    assert out == items
    assert framer.buffered == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | STREAM)
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    out = Framer(256).feed(data)
    assert sum(len(item) if isinstance(item, bytes) else 0 for item in out) <= len(data)
    for candidate in [data, *frames(out)]:
        split = split_fields(candidate)
        assert isinstance(split, (Garbled, tuple))
        for name in ("ours", "quickfix"):
            decoded = validator(name).decode(candidate)
            assert isinstance(decoded, (Garbled, Structured))


FIELD_TEXT = st.text(st.characters(codec="latin-1", exclude_characters="\x01"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FIELD_TEXT, FIELD_TEXT), max_size=12),
       st.sampled_from(["D", "8", "0", "A", "d", "R", "", "ZZ"]), st.booleans())
def test_well_framed_random_fields_never_raise(fields: list[tuple[str, str]], msg_type: str,
                                               dictionary_less: bool) -> None:
    # Correct BodyLength and CheckSum, so the input reaches splitting, building, validating.
    data = wrap(f"35={msg_type}\x01" + "".join(f"{tag}={value}\x01" for tag, value in fields))
    checker = Validator(None) if dictionary_less else validator()
    decoded = checker.decode(data)
    if isinstance(decoded, Structured):
        rejection = checker.validate(decoded)
        assert rejection is None or rejection.message_text


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.binary(min_size=1, max_size=300), st.sampled_from(
    [b"8=", b"8=FIX.4.4\x019=", b"9=400\x01", b"\x019=20\x01", b"\x0110=", b"8=FIX.4.4\x019=100\x01"])),
    min_size=1, max_size=60))
def test_buffer_stays_bounded_for_endless_garbage(chunks: list[bytes]) -> None:
    cap = 512
    framer = Framer(cap)
    for chunk in chunks * 3:
        framer.feed(chunk)
        assert framer.buffered <= cap


# -- QuickFIX's framing quirks (FORMAT.md §8.3) -----------------------------------

def test_junk_before_begin_string_is_dropped() -> None:
    out = Framer().feed(pipes("35=0|").encode() + GOOD)
    assert out[-1] == GOOD
    assert reasons(out) == [GarbledReason.JUNK]
    assert b"".join(item.data for item in out if isinstance(item, Garbled)) == b"35=0\x01"


def test_partial_begin_string_is_kept_for_the_next_read() -> None:
    framer = Framer()
    assert framer.feed(b"xx8") == [Garbled(GarbledReason.JUNK, "no BeginString", b"xx")]
    assert framer.feed(GOOD[1:]) == [GOOD]


def test_too_short_body_length_ends_at_own_checksum_and_is_garbled() -> None:
    short = frame_with(HEARTBEAT, body_length=len(pipes(HEARTBEAT)) - 10)
    out = Framer().feed(short + OTHER)
    assert out == [short, OTHER]
    garbled = split_fields(short)
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BODY_LENGTH_MISMATCH


def test_too_long_body_length_swallows_the_next_message() -> None:
    long = frame_with(HEARTBEAT, body_length=len(pipes(HEARTBEAT)) + 10)
    out = Framer().feed(long + OTHER + GOOD)
    assert out == [long + OTHER, GOOD]
    garbled = split_fields(long + OTHER)
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BODY_LENGTH_MISMATCH


@pytest.mark.parametrize("text", ["256", "0", "999", "-1", "1x", ""])
def test_wrong_checksum_is_garbled(text: str) -> None:
    bad = frame_with(HEARTBEAT, check_sum=text)
    assert Framer().feed(bad) == [bad]
    garbled = split_fields(bad)
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BAD_CHECKSUM


def test_checksum_compares_as_a_number() -> None:
    # QuickFIX converts CheckSum to an int: 10=0126 equals 126.
    good = frame(HEARTBEAT)
    assert not isinstance(split_fields(good.replace(b"\x0110=", b"\x0110=0")), Garbled)


@pytest.mark.parametrize("fields", [
    "9=5|8=FIX.4.4|35=0|", "8=FIX.4.4|35=0|9=5|", "8=FIX.4.4|9=5|34=2|35=0|",
])
def test_first_three_fields_out_of_order_are_garbled(fields: str) -> None:
    garbled = split_fields(pipes(fields + "10=000|").encode())
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.FIRST_FIELDS_OUT_OF_ORDER


def test_first_fields_out_of_order_with_correct_length_and_checksum() -> None:
    body = pipes("34=2|35=0|49=A|52=20240102-03:04:05|56=B|")
    garbled = split_fields(wrap(body))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.FIRST_FIELDS_OUT_OF_ORDER


@pytest.mark.parametrize("field", ["abc=1", "1a=1", "+5=1", "=1", "\xb2=1", "2147483648=1",
                                   "-2147483649=1", "1" * 5000 + "=1"])
def test_non_integer_tag_is_garbled(field: str) -> None:
    garbled = split_fields(frame(HEARTBEAT + field + "|"))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BAD_TAG


@pytest.mark.parametrize("field", ["58x", "", "112"])
def test_field_without_equals_is_garbled(field: str) -> None:
    garbled = split_fields(frame(HEARTBEAT + field + "|"))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.MISSING_EQUALS


@pytest.mark.parametrize(("field", "tag"), [("0=HI", 0), ("-1=HI", -1), ("058=x", 58),
                                            ("2147483647=x", 2147483647),
                                            ("-2147483648=x", -2147483648)])
def test_zero_and_negative_tags_are_integers_not_garbled(field: str, tag: int) -> None:
    split = split_fields(frame(HEARTBEAT + field + "|"))
    assert not isinstance(split, Garbled)
    assert split[0][-2] == tag


@pytest.mark.parametrize("field", ["8=FIX.4.4", "9=5", "10=000", "008=x"])
def test_begin_string_length_or_checksum_inside_the_message_is_garbled(field: str) -> None:
    # QuickFIX leaves every 8, 9 and 10 out of the BodyLength it recomputes.
    garbled = split_fields(frame(HEARTBEAT + field + "|112=x|"))
    assert isinstance(garbled, Garbled)
    assert garbled.reason is GarbledReason.BODY_LENGTH_MISMATCH


def test_value_containing_equals_is_not_garbled() -> None:
    split = split_fields(frame(HEARTBEAT + "112=a=b==|"))
    assert not isinstance(split, Garbled)
    assert split[1][-2] == "a=b=="


def test_huge_body_length_is_too_large_and_the_framer_resynchronises() -> None:
    framer = Framer(1024)
    huge = b"8=FIX.4.4\x019=5000\x0135=0\x0134=2\x01"
    out = framer.feed(huge + GOOD)
    assert reasons(out)[0] is GarbledReason.TOO_LARGE
    assert set(reasons(out)) <= {GarbledReason.TOO_LARGE, GarbledReason.JUNK}
    assert frames(out) == [GOOD]
    assert framer.buffered == 0


def test_default_cap_is_one_mebibyte() -> None:
    assert Framer().max_message_size == DEFAULT_MAX_MESSAGE_SIZE == 1 << 20
    framer = Framer()
    over = framer.feed(b"8=FIX.4.4\x019=1048577\x0135=0\x01" + GOOD)
    assert reasons(over)[0] is GarbledReason.TOO_LARGE  # decided without waiting for 1 MiB
    assert frames(over) == [GOOD]
    under = Framer()
    assert under.feed(b"8=FIX.4.4\x019=1048000\x0135=0\x01") == []
    assert under.buffered > 0


def test_body_length_with_thousands_of_digits_is_too_large() -> None:
    out = Framer().feed(b"8=FIX.4.4\x019=" + b"9" * 5000 + b"\x01" + GOOD)
    assert reasons(out)[0] is GarbledReason.TOO_LARGE
    assert frames(out) == [GOOD]


def test_non_numeric_body_length_is_garbled_and_the_framer_resynchronises() -> None:
    out = Framer().feed(b"8=FIX.4.4\x019=12a\x0135=0\x01" + GOOD)
    assert reasons(out)[0] is GarbledReason.BAD_BODY_LENGTH_FIELD
    assert frames(out) == [GOOD]


def test_candidate_without_checksum_within_the_cap_is_dropped() -> None:
    # Too-short BodyLength and no CheckSum in reach: the window decides, not the read size.
    bad = b"8=FIX.4.4\x019=5\x0135=0\x01" + b"x" * 300
    one_shot = Framer(256).feed(bad + GOOD)
    pieces = feed_all(Framer(256), [(bad + GOOD)[i:i + 7] for i in range(0, len(bad + GOOD), 7)])
    for out in (one_shot, pieces):
        assert reasons(out)[0] is GarbledReason.TOO_LARGE
        assert frames(out) == [GOOD]


@pytest.mark.parametrize("data", [
    b"8=FIX.4.4\x019=\xb2\x0135=0\x0110=000\x01",
    b"8=FIX.4.4\x019=" + b"0" * 5000 + b"5\x0135=0\x0110=000\x01",
    frame_with(HEARTBEAT, check_sum="1" * 5000),
    frame_with(HEARTBEAT, check_sum="\xb2"),
    GOOD[:-1] + b"X",
])
def test_split_fields_on_odd_numbers_is_garbled_not_an_exception(data: bytes) -> None:
    assert isinstance(split_fields(data), Garbled)


def test_garbled_frames_decode_to_garbled() -> None:
    checker = validator()
    assert isinstance(checker.decode(frame_with(HEARTBEAT, check_sum="256")), Garbled)
    decoded = checker.decode(GOOD)
    assert isinstance(decoded, Structured)
    assert decoded.message.raw == GOOD
    assert dictionary().messages["0"].name == "Heartbeat"


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_feed_accepts_any_bytes_like_and_keeps_the_rest(kind: type) -> None:
    framer = Framer()
    assert framer.feed(kind(GOOD + OTHER[:9])) == [GOOD]
    assert framer.buffered == 9
    assert framer.feed(kind(OTHER[9:])) == [OTHER]
    assert framer.buffered == 0
