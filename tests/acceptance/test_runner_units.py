"""Unit tests of the .def runner's pure parts: line parser, filler, comparator, CompIDs.

No acceptor needed. Messages are written with ``|`` for SOH (see `m`).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import simplefix  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from tests.acceptance.compare import check_integrity, compare, show, split_fields
from tests.acceptance.compids import rewrite_compids, worker_compid
from tests.acceptance.defs import (
    Action,
    ConnectionVerb,
    DefSyntaxError,
    connect_role,
    parse_line,
    split_lines,
)
from tests.acceptance.filler import checksum, fill, fill_length_and_checksum, fill_times

NOW = datetime(2024, 2, 27, 19, 56, 48, 123456, tzinfo=UTC)


def m(text: str) -> bytes:
    """FIX text with `|` for SOH."""
    return text.replace("|", "\x01").encode("latin-1")


# --- line parser ---------------------------------------------------------------


def test_send_line_starting_with_8_is_connection_1_not_connection_8() -> None:
    line = parse_line(m("I8=FIX.4.4|35=A|"), 3)
    assert line is not None
    assert (line.action, line.conn, line.payload, line.lineno) == (
        Action.SEND,
        1,
        m("8=FIX.4.4|35=A|"),
        3,
    )


def test_addressed_lines_take_one_digit_and_a_comma() -> None:
    send = parse_line(m("I2,8=FIX.4.4|35=A|"), 1)
    expect = parse_line(m("E1,8=FIX.4.4|"), 1)
    assert send is not None and (send.conn, send.payload) == (2, m("8=FIX.4.4|35=A|"))
    assert expect is not None and (expect.action, expect.conn) == (Action.EXPECT, 1)


def test_payload_not_starting_with_8_stays_on_connection_1() -> None:
    line = parse_line(m("I35=0|8=FIX.4.4|9=29|"), 1)
    assert line is not None and (line.conn, line.payload) == (1, m("35=0|8=FIX.4.4|9=29|"))


@pytest.mark.parametrize(
    ("text", "action", "conn", "verb"),
    [
        ("iCONNECT", Action.INITIATE, 1, ConnectionVerb.CONNECT),
        ("i2,CONNECT", Action.INITIATE, 2, ConnectionVerb.CONNECT),
        ("iDISCONNECT", Action.INITIATE, 1, ConnectionVerb.DISCONNECT),
        ("e2,DISCONNECT", Action.AWAIT, 2, ConnectionVerb.DISCONNECT),
        ("eDISCONNECT", Action.AWAIT, 1, ConnectionVerb.DISCONNECT),
    ],
)
def test_connection_lines(text: str, action: Action, conn: int, verb: ConnectionVerb) -> None:
    line = parse_line(text.encode(), 1)
    assert line is not None and (line.action, line.conn, line.verb) == (action, conn, verb)


@pytest.mark.parametrize("text", ["", "#", "# comment with trailing blanks   "])
def test_blank_and_comment_lines_are_ignored(text: str) -> None:
    assert parse_line(text.encode(), 1) is None


@pytest.mark.parametrize("text", ["X8=FIX.4.4|", " iCONNECT", "iCONNECTED", "i10,CONNECT", "eFOO"])
def test_syntax_errors_name_their_line(text: str) -> None:
    with pytest.raises(DefSyntaxError) as caught:
        parse_line(m(text), 7)
    assert caught.value.lineno == 7


def test_split_lines_keeps_soh_and_strips_only_line_ends() -> None:
    assert split_lines(b"iCONNECT\r\nI8=FIX.4.4\x01\x0b\n\n# x \n") == [
        b"iCONNECT",
        b"I8=FIX.4.4\x01\x0b",
        b"",
        b"# x ",
    ]


def test_connect_role() -> None:
    assert connect_role(b"# x\ni1,CONNECT\n") is Action.INITIATE
    assert connect_role(b"eCONNECT\n") is Action.AWAIT
    assert connect_role(b"I8=FIX.4.4\x01\n") is None


# --- filler --------------------------------------------------------------------


def test_time_placeholders_use_seconds_and_offsets() -> None:
    filled = fill_times(b"52=<TIME>|60=<TIME>|122=<TIME-121>|126=<TIME+10>|", NOW)
    assert filled == (
        b"52=20240227-19:56:48|60=20240227-19:56:48|122=20240227-19:54:47|126=20240227-19:56:58|"
    )


def test_fill_inserts_body_length_and_checksum() -> None:
    filled = fill(m("8=FIX.4.4|35=0|34=2|49=TW44|52=<TIME>|56=ISLD|"), NOW)
    body = m("35=0|34=2|49=TW44|52=20240227-19:56:48|56=ISLD|")
    assert len(body) == 47
    head = m("8=FIX.4.4|9=47|") + body
    assert filled == head + b"10=%03d\x01" % (sum(head) % 256)


def test_fill_agrees_with_simplefix_encoding() -> None:
    reference = simplefix.FixMessage()
    for tag, value in [(8, "FIX.4.4"), (35, "1"), (34, 2), (49, "TW44"), (56, "ISLD"), (112, "HI")]:
        reference.append_pair(tag, value, header=tag in (8, 35))
    ours = fill_length_and_checksum(m("8=FIX.4.4|35=1|34=2|49=TW44|56=ISLD|112=HI|"))
    assert ours == reference.encode()


def test_hard_coded_body_length_is_kept_and_checksum_covers_it() -> None:
    filled = fill_length_and_checksum(m("8=FIX.4.4|9=40|35=A|34=1|"))
    assert filled.startswith(m("8=FIX.4.4|9=40|35=A|34=1|10="))
    assert filled.endswith(b"10=%03d\x01" % checksum(m("8=FIX.4.4|9=40|35=A|34=1|")))


def test_hard_coded_checksum_is_kept_and_excluded_from_body_length() -> None:
    filled = fill_length_and_checksum(m("8=FIX.4.4|35=0|34=2|10=256|"))
    assert filled == m("8=FIX.4.4|9=10|35=0|34=2|10=256|")


def test_payload_not_starting_with_8_is_sent_as_written() -> None:
    raw = m("35=0|8=FIX.4.4|9=29|34=2|10=121|")
    assert fill(raw, NOW) == raw


_VALUES = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)


@given(st.lists(st.tuples(st.integers(11, 9999), _VALUES), max_size=8))
def test_filled_messages_pass_the_integrity_check(fields: list[tuple[int, str]]) -> None:
    body = "".join(f"{tag}={value}|" for tag, value in fields)
    assert check_integrity(fill(m("8=FIX.4.4|35=0|" + body), NOW)) is None


# --- comparator ----------------------------------------------------------------

EXPECTED = m("8=FIX.4.4|9=61|35=0|34=2|49=ISLD|52=00000000-00:00:00.000|56=TW44|112=HELLO|10=0|")


def received(*, sending_time: str = "20240227-19:56:48.123", text: str = "HELLO") -> bytes:
    return m(f"8=FIX.4.4|9=61|35=0|34=2|49=ISLD|52={sending_time}|56=TW44|112={text}|10=123|")


def test_matching_message_compares_equal() -> None:
    assert compare(EXPECTED, received()) is None


@pytest.mark.parametrize("sending_time", ["20240227-19:56:48", "20240227-19:56:48.123"])
def test_sending_time_pattern_accepts_seconds_and_milliseconds(sending_time: str) -> None:
    assert compare(EXPECTED, received(sending_time=sending_time)) is None


def test_sending_time_pattern_rejects_garbage() -> None:
    reason = compare(EXPECTED, received(sending_time="yesterday"))
    assert reason is not None and "(52)" in reason


@pytest.mark.parametrize("tag", ["42", "60", "122"])
def test_time_fields_match_by_pattern(tag: str) -> None:
    expected = m(f"8=FIX.4.4|{tag}=00000000-00:00:00|")
    assert compare(expected, m(f"8=FIX.4.4|{tag}=20240227-19:56:48|")) is None
    assert compare(expected, m(f"8=FIX.4.4|{tag}=2024-02-27|")) is not None


def test_checksum_needs_three_digits_whatever_was_expected() -> None:
    assert compare(m("8=FIX.4.4|10=0|"), m("8=FIX.4.4|10=207|")) is None
    reason = compare(m("8=FIX.4.4|10=7|"), m("8=FIX.4.4|10=7|"))
    assert reason is not None and "(10)" in reason


def test_other_values_compare_exactly() -> None:
    assert compare(EXPECTED, received(text="HELLO ")) == (
        "Value of field (112) differs: expected 'HELLO' but found 'HELLO '"
    )


def test_field_count_mismatch() -> None:
    reason = compare(m("8=FIX.4.4|35=0|10=0|"), m("8=FIX.4.4|35=0|112=X|10=000|"))
    assert reason == "Number of fields do not match (expected 3, received 4)"


def test_field_order_matters() -> None:
    reason = compare(m("8=FIX.4.4|34=2|49=ISLD|"), m("8=FIX.4.4|49=ISLD|34=2|"))
    assert reason == "Expected field (34) but found field (49)"


def test_empty_values_are_equal() -> None:
    assert compare(m("8=FIX.4.4|112=|"), m("8=FIX.4.4|112=|")) is None
    assert split_fields(m("112=|10=000||")) == [(b"112", b""), (b"10", b"000")]


def test_show_renders_soh_as_bar() -> None:
    assert show(m("8=FIX.4.4|35=0|")) == "8=FIX.4.4|35=0|"


def test_integrity_check_catches_wrong_length_and_checksum() -> None:
    good = fill(m("8=FIX.4.4|35=0|34=2|"), NOW)
    assert check_integrity(good) is None
    too_long = good.replace(b"9=10", b"9=11")
    assert check_integrity(too_long) == "BodyLength is 11 but the body has 10 bytes"
    wrong_sum = good[:-4] + b"%03d\x01" % ((int(good[-4:-1]) + 1) % 256)
    reason = check_integrity(wrong_sum)
    assert reason is not None and reason.startswith("CheckSum is")


# --- CompID rewriting ----------------------------------------------------------


def test_worker_compids() -> None:
    assert worker_compid(None) == "TW44"
    assert worker_compid("master") == "TW44"
    assert worker_compid("gw1") == "TW44GW1"


def test_rewrite_shifts_a_correct_hard_coded_body_length() -> None:
    line = m("8=FIX.4.4|9=63|35=A|34=1|49=ISLD|52=00000000-00:00:00.000|56=TW44|98=0|108=30|10=0|")
    rewritten = rewrite_compids(line, {"TW44": "TW44GW0"})
    assert rewritten == line.replace(b"9=63", b"9=66").replace(b"56=TW44", b"56=TW44GW0")
    assert check_integrity(fill_length_and_checksum(rewritten[: rewritten.rfind(b"10=")])) is None


def test_rewrite_keeps_a_wrong_body_length_wrong_by_the_same_amount() -> None:
    line = m("8=FIX.4.4|9=40|35=A|34=1|49=TW44|52=<TIME>|56=ISLD|98=0|108=30|")
    assert rewrite_compids(line, {"TW44": "TW44GW12"}) == line.replace(b"9=40", b"9=44").replace(
        b"49=TW44", b"49=TW44GW12"
    )


def test_rewrite_shifts_length_also_when_8_is_not_first() -> None:
    line = m("35=0|8=FIX.4.4|9=29|34=2|49=TW44|52=<TIME>|56=ISLD|10=121|")
    assert rewrite_compids(line, {"TW44": "TW44X"}) == m(
        "35=0|8=FIX.4.4|9=30|34=2|49=TW44X|52=<TIME>|56=ISLD|10=121|"
    )


def test_rewrite_touches_whole_values_only() -> None:
    line = m("8=FIX.4.4|35=0|49=TW44X|56=TW|TW44=1|")
    assert rewrite_compids(line, {"TW44": "Z", "TW": "Y"}) == m(
        "8=FIX.4.4|35=0|49=TW44X|56=Y|TW44=1|"
    )
    assert rewrite_compids(line, {}) is line


_COMPIDS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)


@given(_COMPIDS, st.integers(-5, 5))
def test_rewritten_body_length_stays_off_by_the_same_amount(compid: str, error: int) -> None:
    body = m("35=D|34=2|49=TW44|52=<TIME>|56=ISLD|11=ID|")
    line = m(f"8=FIX.4.4|9={len(body) + error}|") + body
    rewritten = rewrite_compids(line, {"TW44": compid})
    new_body = rewritten[rewritten.index(b"35=") :]
    assert rewritten.startswith(m(f"8=FIX.4.4|9={len(new_body) + error}|"))
