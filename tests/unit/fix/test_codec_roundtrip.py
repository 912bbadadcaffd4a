"""Round trips of the codec: parse = split_fields + Validator.build, encode = canonical order.

Expected bytes are written by `strategies.render` + `support.wrap`, which share no code
with the codec, and BodyLength/CheckSum are recomputed here from the output bytes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.fix.codec import checksum, encode, split_fields
from gateway.fix.errors import Garbled
from gateway.fix.message import Group, Item, Message
from gateway.fix.timefmt import parse_utc_timestamp, utc_timestamp

from .strategies import messages, render
from .support import SOH, dictionary, structure, validator, wrap

FRAME = re.compile(rb"8=FIX\.4\.4\x019=([0-9]+)\x01(35=.*\x01)10=([0-9]{3})\x01", re.DOTALL)
EXAMPLES = settings(max_examples=100, deadline=None)


def parse(data: bytes) -> Message:
    return structure(data).message


def assert_well_formed(data: bytes) -> None:
    """BodyLength and CheckSum of `data` recomputed without the codec."""
    match = FRAME.fullmatch(data)
    assert match is not None, data
    assert int(match[1]) == len(match[2])
    assert int(match[3]) == sum(data[: match.start(3) - 3]) % 256


@EXAMPLES
@given(messages())
def test_encode_of_parse_is_identity_for_canonical_input(message: Message) -> None:
    data = wrap(render(message))
    structured = structure(data)
    assert encode(structured.message) == data
    assert structured.message == message
    assert validator().validate(structured) is None


@EXAMPLES
@given(messages())
def test_parse_of_encode_gives_the_message_back(message: Message) -> None:
    data = encode(message)
    assert_well_formed(data)
    assert data == wrap(render(message))
    assert parse(data) == message


def _shuffled(draw: st.DrawFn, items: list[Item]) -> list[Item]:
    """Items permuted; inside each group entry the delimiter stays first."""
    out: list[Item] = []
    for tag, value in draw(st.permutations(items)):
        if isinstance(value, Group):
            value = Group([entry[:1] + _shuffled(draw, entry[1:]) for entry in value])
        out.append((tag, value))
    return out


@st.composite
def shuffled(draw: st.DrawFn) -> tuple[Message, Message]:
    """A canonical message and the same content in another valid arrival order."""
    message = draw(messages())
    header = dict(_shuffled(draw, list(message.header.items())))
    body = _shuffled(draw, message.body)
    return message, Message(message.msg_type, body, header, trailer=message.trailer)


@EXAMPLES
@given(shuffled())
def test_reencoding_a_shuffled_input_gives_canonical_order(pair: tuple[Message, Message]) -> None:
    canonical, arrived = pair
    data = wrap(render(arrived))
    structured = structure(data)
    assert validator().validate(structured) is None
    assert encode(structured.message) == wrap(render(canonical))


def test_echo_of_the_format_example_is_canonical() -> None:
    # FORMAT.md §8.1: 38=002000.00 keeps its text, body fields sorted by tag.
    fields = ("35=D|34=2|49=C|52=20240102-03:04:05|56=G|11=ID|21=1|40=1|54=1|38=002000.00|"
              "55=INTC|60=20240102-03:04:05|167=CS|454=0|").replace("|", SOH)
    out = encode(parse(wrap(fields)))
    assert out == wrap(fields.replace(f"40=1{SOH}54=1{SOH}38=002000.00{SOH}",
                                      f"38=002000.00{SOH}40=1{SOH}54=1{SOH}"))


def test_header_group_in_canonical_position() -> None:
    fields = "35=0|34=2|49=C|52=20240102-03:04:05|56=G|627=2|628=A|628=B|630=x|".replace("|", SOH)
    structured = structure(wrap(fields))
    hops = structured.message.group(627)
    assert hops is not None and len(hops) == 2
    assert validator().validate(structured) is None
    assert encode(structured.message) == wrap(fields)


@given(st.binary(max_size=600))
def test_checksum_is_the_byte_sum_modulo_256(data: bytes) -> None:
    assert checksum(data) == sum(data) % 256
    assert checksum(bytearray(data)) == sum(data) % 256


@EXAMPLES
@given(messages())
def test_split_fields_returns_every_field_in_arrival_order(message: Message) -> None:
    data = wrap(render(message))
    split = split_fields(data)
    assert not isinstance(split, Garbled)
    tags, values = split
    fields = data.decode("latin-1").split(SOH)[:-1]
    assert [f"{tag}={value}" for tag, value in zip(tags, values, strict=True)] == fields
    assert tags[:3] == [8, 9, 35] and tags[-1] == 10


# 253402300799 is 9999-12-31T23:59:59 UTC, the last second a 4-digit year can write.
@given(st.integers(0, 253402300799 * 10**9 + 10**9 - 1))
def test_sending_time_has_milliseconds(epoch_ns: int) -> None:
    text = utc_timestamp(epoch_ns)
    assert len(text) == 21
    assert re.fullmatch(r"[0-9]{8}-[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}", text)
    seconds, rest = divmod(epoch_ns, 10**9)
    moment = datetime.fromtimestamp(seconds, UTC)
    assert text == moment.strftime("%Y%m%d-%H:%M:%S") + f".{rest // 10**6:03d}"
    parsed = parse_utc_timestamp(text)
    assert parsed == moment.replace(microsecond=rest // 10**6 * 1000)


def test_sending_time_example() -> None:
    assert utc_timestamp(1_704_164_645_678_901_234) == "20240102-03:04:05.678"
    assert utc_timestamp(0) == "19700101-00:00:00.000"
    assert parse_utc_timestamp("20240102-03:04:05") == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_utc_timestamp("20241302-03:04:05") is None
    assert dictionary().fields[52].type == "UTCTIMESTAMP"


DATA_VALUE = st.lists(st.sampled_from([SOH, "=", f"{SOH}10=", "<x/>", "\xe9", "7"]),
                      min_size=1, max_size=5).map("".join)  # empty: rejected, as any field


@EXAMPLES
@given(DATA_VALUE, DATA_VALUE, DATA_VALUE)
def test_data_fields_holding_soh_round_trip_and_validate(xml: str, text: str, signature: str) -> None:
    # XmlData in the header, EncodedText in the body, Signature in the trailer: each
    # after its length field, free to hold SOH (FIX "data" type), read back by length.
    message = Message(
        "D",
        [(11, "ID"), (21, "1"), (38, "100"), (40, "1"), (54, "1"), (55, "INTC"),
         (60, "20240102-03:04:05"), (354, str(len(text))), (355, text)],
        {34: "2", 49: "C", 52: "20240102-03:04:05", 56: "G", 212: str(len(xml)), 213: xml},
        trailer={93: str(len(signature)), 89: signature})
    data = encode(message)
    assert_well_formed(data)
    structured = structure(data)
    assert structured.message == message
    assert validator().validate(structured) is None
