"""The C speedups (gateway/fix/_speedups.c) against the Python reference paths.

Each C function handles the common case and answers None for the rest; wherever it
answers, the answer must equal the Python one (values, bytes, verdicts, exceptions).
Inputs: generated valid messages, their bytes mangled in many ways, random flat field
lists, the validator-vs-QuickFIX mutations, and the acceptance suite's inbound messages.

Under CI=true the extension must be importable (a failing test, not a skip), so CI
cannot silently lose it; elsewhere a missing extension skips the C-vs-Python tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gateway.fix import codec
from gateway.fix.codec import encode_py, split_fields_py
from gateway.fix.dictionary import MessageDef
from gateway.fix.errors import Garbled
from gateway.fix.message import Group, Item, Message, Value
from gateway.fix.validation import STANDARD_HEADER_TAGS, Structured, Validator

from .strategies import messages, render
from .support import SOH, dictionary, validator, wrap
from .test_split_fields import DATA_FIELDS
from .test_validation_vs_quickfix import mutated, to_frame

speedups: ModuleType | None
try:
    from gateway.fix import _speedups as speedups
except ImportError:
    speedups = None
else:
    speedups.register_group(Group)  # what gateway.fix.speedups does, FIXGW_PURE_PYTHON or not

IN_CI = os.environ.get("CI", "").lower() == "true"
MISSING = ("gateway.fix._speedups is not built (no C compiler when the package was installed?);"
           " the C-vs-Python comparisons are skipped, the pure-Python paths are in use")
needs_c = pytest.mark.skipif(speedups is None, reason=MISSING)
EXAMPLES = settings(max_examples=300, deadline=None)


def c() -> ModuleType:
    assert speedups is not None
    return speedups


def test_extension_is_importable_under_ci() -> None:
    if speedups is None:
        if IN_CI:
            pytest.fail("CI=true but gateway.fix._speedups cannot be imported: "
                        "the C extension was not built (see setup.py)")
        pytest.skip(MISSING)
    assert callable(speedups.split_fields)


@needs_c
@pytest.mark.parametrize(("value", "expected"), [("1", "False"), ("", "True"), ("0", "True")])
def test_pure_python_switch(value: str, expected: str) -> None:
    script = ("from gateway.fix import codec, validation; "
              "print(codec.SPEEDUPS and validation._c_build_flat is not None)")
    environment = {**os.environ, "FIXGW_PURE_PYTHON": value}
    out = subprocess.run([sys.executable, "-c", script], env=environment, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == expected


# -- split_fields ---------------------------------------------------------------------

def simple(expected: tuple[list[int], list[str]] | Garbled, data: bytes) -> bool:
    """Whether C splits the frame: Python does, every field ends at an SOH (no data field
    holds one) and every tag text is canonical 0..9999.

    (Python also reads `055` as 55 or `-1` as -1; C leaves those to it, as specified.)
    """
    if isinstance(expected, Garbled):
        return False
    texts = [field.partition("=")[0] for field in data.decode("latin-1").split(SOH)[:-1]]
    return len(texts) == len(expected[0]) and all(
        text.isascii() and text.isdigit() and str(int(text)) == text and int(text) < 10_000
        for text in texts)


def compare_split(data: bytes) -> tuple[list[int], list[str]] | None:
    ours = c().split_fields(data)
    expected = split_fields_py(data)
    assert (ours is not None) == simple(expected, data), data
    if ours is not None:
        assert ours == expected
        assert all(tag.__class__ is int for tag in ours[0])
        assert all(value.__class__ is str for value in ours[1])
    assert codec.split_fields(data) == expected
    return ours


@needs_c
@EXAMPLES
@given(messages())
def test_split_fields_of_valid_frames(message: Message) -> None:
    data = wrap(render(message))
    assert compare_split(data) is not None


def resum(data: bytes) -> bytes:
    """`data` with the digits of its last CheckSum field made right (3 of them)."""
    at = data.rfind(b"\x0110=")
    if at < 0 or not data.endswith(b"\x01"):
        return data
    return data[:at + 4] + b"%03d" % (sum(data[:at + 1]) % 256) + b"\x01"


def body_length(data: bytes, delta: int) -> bytes:
    """`data` with its BodyLength changed by `delta`."""
    start = data.find(b"\x019=") + 3
    end = data.find(b"\x01", start)
    if start < 3 or end < 0 or not data[start:end].isdigit():
        return data
    return data[:start] + b"%d" % max(0, int(data[start:end]) + delta) + data[end:]


def reframe(data: bytes) -> bytes:
    """The fields between 9 and 10 of a (possibly mangled) frame, with right 9 and 10."""
    text = data.decode("latin-1")
    start = text.find("\x0135=")
    end = text.rfind("\x0110=")
    if start < 0 or end <= start:
        return data
    return wrap(text[start + 1:end + 1])


FIELD_MANGLES = [
    lambda text: text.replace("\x0155=", "\x01055="),  # leading zero in a tag
    lambda text: text.replace("\x0134=", "\x01-34="),
    lambda text: text.replace("\x0149=", "\x0112345="),
    lambda text: text.replace("\x0149=", "\x012147483648="),
    lambda text: text.replace("\x0156=", "\x0156==", 1),  # '=' in a value
    lambda text: text.replace("\x0156=", "\x0156", 1),  # no '=' at all
    lambda text: text.replace("\x0152=", "\x018=FIX.4.4\x0152="),  # 8, 9, 10 inside
    lambda text: text.replace("\x0152=", "\x019=12\x0152="),
    lambda text: text.replace("\x0152=", "\x0110=000\x0152="),
    lambda text: text.replace("\x0152=", "\x01=x\x0152="),  # empty tag
    lambda text: text.replace("\x0152=", "\x01\xb2=x\x0152="),  # latin-1 digit as a tag
    lambda text: text.replace("\x0152=", "\x0112=\xe9\xff\x80\x0152="),  # high bytes
    lambda text: text.replace("\x0152=", "\x01\x0152="),  # empty field
    lambda text: text.replace("\x0152=", "\x0152=\x01"),
    lambda text: text.replace("\x0193=3", "\x0193=4"),  # a data field's length wrong
    lambda text: text.replace("\x0193=3", "\x0193=2"),
    lambda text: text.replace("\x0193=3", "\x0193=03"),
    lambda text: text.replace("\x0193=3", "\x0193=x"),
    lambda text: text.replace("\x0193=3\x0189=sig", "\x0193=3\x0189=s\x01g"),  # SOH in data
    lambda text: text.replace("\x0152=", "\x0195=5\x0196=a\x0110=\x0152="),
    lambda text: text.replace("\x0152=", "\x0195=1\x0196=\x01\x0152="),
    lambda text: text.replace("\x0152=", "\x0195=0\x0196=\x0152="),
]
RAW_MANGLES: list[Callable[[bytes], bytes]] = [
    lambda data: data.replace(b"\x019=", b"\x019=0", 1),  # BodyLength with a leading zero
    lambda data: data.replace(b"\x019=", b"\x019=000000000000000000000000000", 1),
    lambda data: data.replace(b"\x019=", b"\x019=1", 1),
    lambda data: data.replace(b"\x019=", b"\x019=99999999999999999999999", 1),
    lambda data: data.replace(b"\x019=", b"\x019=-", 1),
    lambda data: data.replace(b"\x019=", b"\x019=\xb2", 1),
    lambda data: data[:-4] + b"0" + data[-4:],  # CheckSum with a leading zero
    lambda data: data[:-4] + b"000000000000000000000000" + data[-4:],
    lambda data: data[:-4] + b"1" + data[-4:],
    lambda data: data[:-4] + b"9999999999999999999999999" + data[-4:],
    lambda data: data[:-4] + b"+" + data[-3:],
    lambda data: data[:-4] + b"\xb2" + data[-3:],
    lambda data: data[:-4] + data[-3:],
    lambda data: data[:-1],  # no final SOH
    lambda data: data[:-1] + b"x",
    lambda data: body_length(data, +1),
    lambda data: body_length(data, -1),
    lambda data: data + b"\x01",
    lambda data: data[:-4] + b"\x01",  # 10= without digits
    lambda data: data[: data.rfind(b"\x0110=")] + b"\x01",  # no CheckSum field
    lambda data: data.replace(b"\x0135=", b"\x0134=", 1),  # first fields out of order
    lambda data: data.replace(b"8=", b"9=", 1),
    lambda data: b"8=\x01" + data[data.find(b"\x01") + 1:],  # empty BeginString
    lambda data: data.replace(b"8=FIX.4.4", b"8=FIX=4.4", 1),
    lambda data: b"8=" + b"\xff" * 3 + data[9:],
    lambda data: data + data,  # two frames in one
    lambda data: b"",
    lambda data: b"8=",
]


ONE_MESSAGE = Message("D", [(11, "A"), (38, "100"), (55, "X"), (58, "a=b")],
                      {34: "2", 49: "C", 52: "20240102-03:04:05", 56: "G"},
                      trailer={93: "3", 89: "sig"})


@needs_c
@pytest.mark.parametrize("mangle", range(len(FIELD_MANGLES)))
def test_split_fields_of_each_field_mangle(mangle: int) -> None:
    data = FIELD_MANGLES[mangle](wrap(render(ONE_MESSAGE)).decode("latin-1")).encode("latin-1")
    compare_split(data)
    compare_split(reframe(data))


@needs_c
@pytest.mark.parametrize("mangle", range(len(RAW_MANGLES)))
def test_split_fields_of_each_frame_mangle(mangle: int) -> None:
    data = RAW_MANGLES[mangle](wrap(render(ONE_MESSAGE)))
    compare_split(data)
    compare_split(resum(data))


@needs_c
@EXAMPLES
@given(messages(), st.lists(st.sampled_from(range(len(FIELD_MANGLES))), min_size=1, max_size=3),
       st.booleans())
def test_split_fields_of_mangled_fields(message: Message, mangles: list[int],
                                        fix_frame: bool) -> None:
    text = wrap(render(message)).decode("latin-1")
    for mangle in mangles:
        text = FIELD_MANGLES[mangle](text)
    data = text.encode("latin-1")
    compare_split(reframe(data) if fix_frame else data)


@needs_c
@EXAMPLES
@given(messages(), st.lists(st.sampled_from(range(len(RAW_MANGLES))), min_size=1, max_size=2))
def test_split_fields_of_mangled_frames(message: Message, mangles: list[int]) -> None:
    data = wrap(render(message))
    for mangle in mangles:
        data = RAW_MANGLES[mangle](data)
    compare_split(data)
    compare_split(resum(data))


@needs_c
@EXAMPLES
@given(messages(), st.data())
def test_split_fields_of_flipped_bytes(message: Message, draw: st.DataObject) -> None:
    data = bytearray(wrap(render(message)))
    for _ in range(draw.draw(st.integers(1, 3))):
        position = draw.draw(st.integers(0, len(data) - 1))
        data[position] = draw.draw(st.sampled_from(b"\x01=0189-\xb2\xff") | st.integers(0, 255))
    compare_split(bytes(data))
    compare_split(reframe(bytes(data)))


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=120))
def test_split_fields_of_any_bytes(data: bytes) -> None:
    for candidate in (data, b"8=FIX.4.4\x019=" + data, wrap("35=" + data.decode("latin-1"))):
        compare_split(candidate)


@needs_c
@EXAMPLES
@given(st.lists(st.one_of(DATA_FIELDS, st.sampled_from(["58=x", "95=2", "96=ab", "93=1"])),
                max_size=4))
def test_split_fields_of_data_fields(fields: list[str]) -> None:
    compare_split(wrap("35=D\x01" + "".join(field + SOH for field in fields)))


@needs_c
def test_split_fields_of_odd_inputs() -> None:
    data = wrap("35=0\x01112=x\x01")
    assert c().split_fields(bytearray(data)) is None  # only bytes itself
    assert c().split_fields(memoryview(data)) is None  # type: ignore[arg-type]
    many = wrap("35=0\x01" + "112=x\x01" * 5000)  # past the Python fast path's 4096 fields
    assert compare_split(many) is not None
    assert compare_split(wrap("35=\x01")) is not None
    assert compare_split(wrap("35=0\x010=\x019999=\x01")) is not None


# -- build_flat -----------------------------------------------------------------------

HEADER_TAGS = sorted(dictionary().header_tags | STANDARD_HEADER_TAGS)
FIELD_TAGS = st.one_of(
    st.sampled_from(HEADER_TAGS),
    st.sampled_from([93, 89, 10, 8, 9, 35]),
    st.sampled_from([1, 11, 38, 40, 54, 55, 58, 112, 5000, 9999, 0, -1, 20000]),
    st.sampled_from([453, 448, 447, 386, 336, 454, 455, 627, 628, 146, 33]),  # groups, members
)
FIELD_VALUES = st.sampled_from(["", "1", "0", "x", "a=b", "\xe9"]) | st.text(max_size=4)


@st.composite
def field_lists(draw: st.DrawFn) -> tuple[list[int], list[str]]:
    msg_type = draw(st.sampled_from(["D", "8", "0", "R", "ZZ", "d"]))
    middle = draw(st.lists(st.tuples(FIELD_TAGS, FIELD_VALUES), max_size=14))
    tags = [8, 9, 35, *(tag for tag, _ in middle), 10]
    values = ["FIX.4.4", "99", msg_type, *(value for _, value in middle), "000"]
    return tags, values


CHECKERS = {"ours": validator(), "no dictionary": Validator(None)}


def hits_group(checker: Validator, tags: list[int], msg_type: str) -> bool:
    """Whether Python's build reads a group: the walk is linear up to the first one."""
    dictionary = checker.dictionary
    message_def = dictionary.messages.get(msg_type) if dictionary else None
    groups = message_def.groups if message_def else {}
    header_groups = dictionary.header_groups if dictionary else {}
    for tag in tags[3:-1]:
        if tag in checker.header_tags:
            if tag in header_groups:
                return True
        elif tag not in checker.trailer_tags and tag in groups:
            return True
    return False


def compare_build(checker: Validator, tags: list[int], values: list[str]) -> Structured:
    dictionary = checker.dictionary
    message_def = dictionary.messages.get(values[2]) if dictionary else None
    flat = c().build_flat(tags, values, checker.header_tags, checker.trailer_tags,
                          message_def.groups if message_def else None,
                          dictionary.header_groups if dictionary else None)
    expected = checker.build_py(tags, values)
    assert (flat is None) == hits_group(checker, tags, values[2])
    if flat is not None:
        header, body, trailer, header_items, trailer_items, out_of_order = flat
        message = expected.message
        assert header == message.header and list(header) == list(message.header)
        assert body == message.body
        assert trailer == message.trailer and list(trailer) == list(message.trailer)
        assert header_items == expected.header_items
        assert trailer_items == expected.trailer_items
        assert out_of_order == expected.out_of_order_tag
        assert out_of_order.__class__ is int
    built = checker.build(tags, values, b"raw")
    assert built.message == expected.message and built.message.raw == b"raw"
    assert built.message.begin_string == expected.message.begin_string
    assert (built.header_items, built.trailer_items, built.out_of_order_tag) == (
        expected.header_items, expected.trailer_items, expected.out_of_order_tag)
    return expected


@needs_c
@settings(max_examples=500, deadline=None)
@given(field_lists(), st.sampled_from(sorted(CHECKERS)))
def test_build_flat_matches_build(fields: tuple[list[int], list[str]], name: str) -> None:
    compare_build(CHECKERS[name], *fields)


@needs_c
def test_build_flat_edge_cases() -> None:
    checker = validator()
    header = [(34, "2"), (49, "C"), (52, "t"), (56, "G")]
    cases = [
        [(11, "A"), (34, "2")],                 # header after body: out of order 34
        [(93, "3"), (11, "A"), (89, "s")],      # trailer in the middle: out of order 11
        [(93, "3"), (0, "A"), (11, "B")],       # tag 0 out of order leaves 0, then 11
        [(49, "C"), (49, "D"), (93, "1"), (93, "2")],  # setdefault keeps the first
        [(11, "A"), (627, "1"), (628, "H")],    # header group after the body: None
        [(58, "x"), (453, "0")],                # body group: None
    ]
    for body in cases:
        fields = header + body
        compare_build(checker, [8, 9, 35, *(t for t, _ in fields), 10],
                      ["FIX.4.4", "1", "D", *(v for _, v in fields), "000"])
    # Not the simple case: the Python path (and its errors) decide.
    assert c().build_flat((8, 9, 35, 10), ["a", "b", "c", "d"], set(), set(), None, None) is None
    assert c().build_flat([8, 9, 35], ["a", "b", "c"], set(), set(), None, None) is None
    assert c().build_flat([8, 9, 35, 10], ["a", "b", "c"], set(), set(), None, None) is None
    with pytest.raises(TypeError):
        c().build_flat([8, 9, 35, [1], 10], list("abcde"), set(), set(), None, None)


# -- certainly_valid ------------------------------------------------------------------

def compare_verdicts(checker: Validator, structured: Structured) -> bool | None:
    message_def = checker.dictionary.messages.get(structured.message.msg_type) \
        if checker.dictionary else None
    if message_def is None:
        return None
    expected = checker._certainly_valid(structured, message_def)
    ours = c().certainly_valid(
        structured.message.body, structured.header_items, structured.trailer_items,
        message_def.fields, message_def.groups, checker._known_tags, checker._value_rules,
        checker._ruled_tags)
    assert ours is expected
    return expected


@needs_c
@settings(max_examples=500, deadline=None)
@given(st.data())
def test_certainly_valid_on_mutated_messages(data: st.DataObject) -> None:
    frame = to_frame(data.draw(mutated("ours")))
    split = split_fields_py(frame)
    assume(not isinstance(split, Garbled))
    assert not isinstance(split, Garbled)
    checker = validator()
    compare_verdicts(checker, checker.build_py(*split))
    compare_build(checker, *split)


@needs_c
@settings(max_examples=200, deadline=None)
@given(messages())
def test_certainly_valid_on_valid_messages(message: Message) -> None:
    split = split_fields_py(wrap(render(message)))
    assert not isinstance(split, Garbled)
    checker = validator()
    verdict = compare_verdicts(checker, checker.build_py(*split))
    has_group = any(isinstance(value, Group) for _, value in message.body)
    assert verdict is not has_group


class Recorder:
    """Rules that note the order they are called in; one may raise or say no."""

    def __init__(self, fail: int | None = None, answer: bool = True) -> None:
        self.calls: list[str] = []
        self.fail = fail
        self.answer = answer

    def rule(self, tag: int) -> Callable[[str], bool]:
        def check(value: str) -> bool:
            self.calls.append(value)
            if tag == self.fail:
                if self.answer:
                    raise ValueError(f"rule {tag}")
                return False
            return True
        return check


@needs_c
@pytest.mark.parametrize(("fail", "answer"), [(None, True), (44, True), (44, False), (38, True)])
def test_certainly_valid_calls_rules_in_python_order(fail: int | None, answer: bool) -> None:
    body: list[Item] = [(tag, str(tag)) for tag in (55, 44, 38, 1, 11, 1000, 54, 40, 130, 2050)]
    header = [(8, "FIX.4.4"), (9, "10"), (35, "D"), (34, "1")]
    trailer = [(10, "000")]
    fields = frozenset(tag for tag, _ in body)
    known = fields | {8, 9, 35, 34, 10}
    outcomes = []
    for judge in ("python", "c"):
        recorder = Recorder(fail, answer)
        rules: dict[int, frozenset[str] | Callable[[str], bool]] = {
            tag: recorder.rule(tag) for tag in (1000, 44, 38, 2050, 130, 34, 10)}
        rules[55] = frozenset({"55"})
        checker = Validator(None)
        checker._known_tags, checker._value_rules = known, rules
        checker._ruled_tags = frozenset(rules)
        structured = Structured(Message("D", body), header, trailer, 0)
        try:
            if judge == "python":
                verdict: object = checker._certainly_valid(
                    structured, MessageDef("D", "Order", "app", fields, (), {}))
            else:
                verdict = c().certainly_valid(body, header, trailer, fields, {}, known, rules,
                                              checker._ruled_tags)
        except ValueError as exc:
            verdict = f"raised {exc}"
        outcomes.append((verdict, recorder.calls))
    assert outcomes[0] == outcomes[1]


@needs_c
def test_certainly_valid_edge_cases() -> None:
    checker = validator()
    d = dictionary().messages["D"]
    args = (d.fields, d.groups, checker._known_tags, checker._value_rules, checker._ruled_tags)
    header = [(8, "FIX.4.4"), (9, "1"), (35, "D"), (34, "2"), (49, "A"), (52, "20240102-03:04:05"),
              (56, "B")]
    trailer = [(10, "000")]
    body: list[Item] = [(11, "A"), (21, "1"), (40, "1"), (54, "1"),
                        (60, "20240102-03:04:05")]
    verdicts = {
        "valid": (body, header, trailer),
        "repeated": ([*body, (11, "B")], header, trailer),
        "repeated across": (body, [*header, (11, "B")], trailer),
        "empty": ([*body, (58, "")], header, trailer),
        "unknown": ([*body, (999, "x")], header, trailer),
        "misplaced": ([*body, (112, "x")], header, trailer),
        "group": ([*body, (453, Group([[(448, "A")]]))], header, trailer),
        "bad value": ([*body[:1], (21, "9"), *body[2:]], header, trailer),
        "bad format": ([*body, (38, "1e5")], header, trailer),
    }
    for name, (b, h, t) in verdicts.items():
        structured = Structured(Message("D", b), h, t, 0)
        expected = checker._certainly_valid(structured, d)
        assert c().certainly_valid(b, h, t, *args) is expected, name
        assert expected is (name == "valid")
    # A header tag the known tags lack (no real dictionary does that).
    lacking = validator()
    lacking._known_tags = lacking._known_tags - {49}
    structured = Structured(Message("D", body), header, trailer, 0)
    assert lacking._certainly_valid(structured, d) is False
    assert c().certainly_valid(body, header, trailer, d.fields, d.groups, lacking._known_tags,
                               lacking._value_rules, lacking._ruled_tags) is False
    with pytest.raises(ValueError, match="length 3"):
        c().certainly_valid([(1, "a", "b")], header, trailer, *args)  # type: ignore[list-item]


# -- encode_message -------------------------------------------------------------------

def compare_encode(message: Message, canonical: bool) -> bytes | None:
    ours = c().encode_message(message.msg_type, message.header, message.body,
                              message.trailer, message.begin_string, canonical)
    try:
        expected: bytes | type[Exception] = encode_py(message, canonical)
    except Exception as exc:
        expected = type(exc)
    if ours is not None:
        assert ours == expected
    else:
        assert not plain(message), message
    try:
        through: bytes | type[Exception] = codec.encode(message, canonical)
    except Exception as exc:
        through = type(exc)
    assert through == expected
    return ours


def plain(message: Message) -> bool:
    """Whether C must encode it: exact ints and latin-1 str without SOH everywhere, in
    Groups (exactly) whose entries are lists and whose order maps tags to ints."""
    def text(value: object) -> bool:
        return (value.__class__ is str and SOH not in value  # type: ignore[operator]
                and all(ord(char) < 256 for char in value))  # type: ignore[attr-defined]

    def tag(value: object) -> bool:
        return value.__class__ is int and -(2**63) <= value < 2**63  # type: ignore[operator]

    def group(value: object, depth: int) -> bool:
        if value.__class__ is not Group or depth >= 16:
            return False
        order = value.order  # type: ignore[attr-defined]
        return ((order is None or (order.__class__ is dict
                                   and all(tag(position) for position in order.values())))
                and value.entries.__class__ is list  # type: ignore[attr-defined]
                and all(entry.__class__ is list and items(entry, depth + 1)
                        for entry in value.entries))  # type: ignore[attr-defined]

    def field(item: object, depth: int) -> bool:
        return (item.__class__ is tuple and len(item) == 2  # type: ignore[arg-type]
                and tag(item[0]) and (text(item[1]) or group(item[1], depth)))  # type: ignore[index]

    def items(entries: list[Item], depth: int) -> bool:
        return all(field(item, depth) for item in entries)

    trailer = [message.trailer[tag] for tag in (93, 89) if tag in message.trailer]
    return (text(message.msg_type) and text(message.begin_string)
            and all(field((key, value), 0) for key, value in message.header.items())
            and items(message.body, 0)
            and all(text(value) for value in trailer))


@needs_c
@EXAMPLES
@given(messages(), st.booleans())
def test_encode_message_of_generated_messages(message: Message, canonical: bool) -> None:
    ours = compare_encode(message, canonical)
    assert (ours is None) == (not plain(message))


ENCODE_TAGS = st.one_of(st.integers(0, 200), st.integers(-5, 20_000),
                        st.sampled_from([2**31, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**80]))
PLAIN_VALUES = st.text(st.characters(codec="latin-1", exclude_characters="\x01"), max_size=5)
ODD_VALUES: st.SearchStrategy[object] = st.one_of(
    PLAIN_VALUES,
    st.sampled_from(["", "a=b", "\x01", "x\x01y", "\u20ac", "\xff", "1"]),
    st.sampled_from([5, Decimal("1.50"), None, Group([[(448, "A")]]), True]),
)


class Text(str):
    pass


@st.composite
def flat_messages(draw: st.DrawFn) -> Message:
    """Random flat messages: every value plain half the time, else odd ones mixed in."""
    odd = draw(st.booleans())
    values = ODD_VALUES if odd else PLAIN_VALUES
    header = draw(st.dictionaries(ENCODE_TAGS, values, max_size=5))
    body = draw(st.lists(st.tuples(st.sampled_from([1, 11, 38, 55, 5000, 11, 0]) | ENCODE_TAGS,
                                   values), max_size=8))
    trailer = draw(st.dictionaries(st.sampled_from([93, 89, 10, 58]), values, max_size=3))
    msg_type = draw(st.sampled_from(["D", "8", "", "AE", "\xe9", "\u20ac", "a\x01"] if odd
                                    else ["D", "8", "", "AE", "\xe9"]))
    begin = draw(st.sampled_from(["FIX.4.4", "FIXT.1.1", "", "F\x01X", "\xe9", "\u20ac"] if odd
                                 else ["FIX.4.4", "FIXT.1.1", "", "F\x01X", "\xe9"]))
    return Message(msg_type, body, header, begin, trailer)  # type: ignore[arg-type]


@needs_c
@settings(max_examples=500, deadline=None)
@given(flat_messages(), st.booleans())
def test_encode_message_matches_encode(message: Message, canonical: bool) -> None:
    compare_encode(message, canonical)


@needs_c
def test_encode_message_edge_cases() -> None:
    header: dict[int, Value] = {56: "G", 49: "C", 34: "2", 52: "t"}
    body: list[Item] = [(55, "X"), (11, "A"), (55, "Y"), (38, "1"), (11, "B")]
    assert compare_encode(Message("D", [(55, "X")], {34: Group()}), True) is not None
    for trailer in ({}, {93: "3", 89: "sig"}, {89: "sig"}, {93: "3"}, {10: "x", 58: "y"}):
        for canonical in (True, False):
            assert compare_encode(Message("D", list(body), dict(header), trailer=trailer),
                                  canonical) is not None
    odd: list[Message] = [
        Message("D", [(55, 5)]),                   # an int value: Python formats it
        Message("D", [(55, Text("X"))]),          # a str subclass
        Message("D", [[55, "X"]]),  # type: ignore[list-item]  # a list, not a tuple
        Message("D", [(55, "X", "Y")]),  # type: ignore[list-item]
        Message("D", [(True, "X")]),
        Message(5, [(55, "X")]),  # type: ignore[arg-type]
        Message("D", [(55, "X")], begin_string=Text("FIX.4.4")),
        Message("D", [(55, "X\x01")]),
        Message("D", [(55, "\u20ac")]),
    ]
    for message in odd:
        assert compare_encode(message, True) is None
    assert c().encode_message("D", {}, (), {}, "FIX.4.4", True) is None  # type: ignore[arg-type]


class SubGroup(Group):
    pass


GROUP_TAGS = st.sampled_from([55, 54, 38, 448, 447, 452, 9000])


@st.composite
def groups(draw: st.DrawFn, depth: int = 0) -> Group:
    """Repeating groups as the dictionary builds them (order maps member tags to their
    positions, some tags left out) or as code builds them (no order), nested at times."""
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        entry: list[Item] = []
        for _ in range(draw(st.integers(0, 4))):
            member = draw(GROUP_TAGS)
            if depth < 2 and draw(st.integers(0, 5)) == 0:
                entry.append((member, draw(groups(depth + 1))))
            else:
                entry.append((member, draw(PLAIN_VALUES)))
        entries.append(entry)
    order = draw(st.none() | st.dictionaries(GROUP_TAGS, st.integers(-3, 40), max_size=5))
    return Group(entries, order)


@needs_c
@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([11, 131, 146, 453, 600]), PLAIN_VALUES | groups()),
                max_size=6),
       st.dictionaries(st.sampled_from([49, 56, 627]), PLAIN_VALUES | groups(), max_size=3),
       st.booleans())
def test_encode_message_with_repeating_groups(body: list[Item], header: dict[int, Value],
                                              canonical: bool) -> None:
    assert compare_encode(Message("R", body, header), canonical) is not None


@needs_c
def test_encode_message_groups_it_leaves_to_python() -> None:
    order = {55: 0, 54: 1}
    entry: list[Item] = [(54, "1"), (55, "X")]
    deep: Value = "1"
    for _ in range(20):
        deep = Group([[(55, deep)]])
    odd: list[Message] = [
        Message("R", [(146, SubGroup([entry], order))]),             # a subclass
        Message("R", [(146, Group([tuple(entry)], order))]),  # type: ignore[list-item]
        Message("R", [(146, Group([entry], {55: "0", 54: 1}))]),    # a position not an int
        Message("R", [(146, Group([[(55, 5)]], order))]),             # an int value
        Message("R", [(146, Group([[(55, "X\x01")]], order))]),      # SOH in a member
        Message("R", [(146, deep)]),                                  # deeper than 16
    ]
    for message in odd:
        assert compare_encode(message, True) is None
    quote_request = Message("R", [(131, "Q1"), (146, Group([entry, [(38, "5"), (55, "Y")]],
                                                           {55: 0, 54: 1, 38: 2}))])
    assert compare_encode(quote_request, True) == (
        encode_py(Message("R", [(131, "Q1"), (146, "2"), (55, "X"), (54, "1"), (55, "Y"),
                                (38, "5")]), canonical=False))


# -- the acceptance suite's inbound messages ------------------------------------------

def acceptance_frames(folder: Path) -> list[bytes]:
    from tests.acceptance.defs import Action, iter_numbered_lines, parse_line
    from tests.acceptance.filler import fill

    now = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    frames = []
    for path in sorted(folder.glob("**/*.def")):
        for number, raw in iter_numbered_lines(path.read_bytes()):
            line = parse_line(raw, number)
            if line is not None and line.action is Action.SEND:
                frames.append(fill(line.payload, now))
    return frames


@needs_c
def test_acceptance_inbound_messages(pytestconfig: pytest.Config) -> None:
    from tests.acceptance.plugin import defs_dir, defs_unavailable

    folder = defs_dir(pytestconfig)
    frames = acceptance_frames(folder)
    if not frames:
        defs_unavailable(folder)
    checkers = [validator(), validator("quickfix"), Validator(None)]
    split_by_c = 0
    for data in frames:
        split = compare_split(data)
        split_by_c += split is not None
        expected = split_fields_py(data)
        if isinstance(expected, Garbled):
            continue
        for checker in checkers:
            structured = compare_build(checker, *expected)
            compare_verdicts(checker, structured)
            for canonical in (True, False):
                compare_encode(structured.message, canonical)
    assert split_by_c > len(frames) // 2
