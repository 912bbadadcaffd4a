"""FIX tag=value codec: field splitting and canonical encoding of framed messages.

Frames come from `gateway.fix.framing.Framer`; `split_fields` verifies one (first
fields, BodyLength, CheckSum) and reports what is wrong as `Garbled` (no exception
ever leaves the codec).

Data fields (FIX type "data": RawData, XmlData, EncodedText, Signature...) may hold
SOH; as in QuickFIX, one right after its length field is read by that length, and
one that does not end where the length says garbles the frame. `encode` writes SOH
in such a field only, and only with the right length in front of it.

`split_fields` is the hot path: one latin-1 decode, C-level `translate` (to see
that every field has exactly one '=') then `replace`/`split`, a dict lookup per
tag, and the CheckSum via `zlib.adler32` (whose low 16 bits are 1 + the byte sum
as long as that sum stays below adler's modulus 65521).

C speedups: `split_fields` and `encode` run once per message, and even the tricks
above leave them a few µs of interpreter bookkeeping. The optional extension
`gateway.fix._speedups` (gateway/fix/_speedups.c, built by setup.py when a compiler is
there) does the common case in C: a frame that splits cleanly, a message whose values
are plain str (in repeating groups too). For anything else it answers None and the
Python code below runs. The Python code stays the reference: `split_fields_py` and
`encode_py` define the results, the C functions must give the very same values and
bytes, and tests/unit/fix/test_speedups.py compares them. `FIXGW_PURE_PYTHON=1` in
the environment turns the C path off, as does a missing extension (fix/speedups.py).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from operator import itemgetter

from gateway.fix import speedups
from gateway.fix.errors import EncodeError, Garbled, GarbledReason
from gateway.fix.framing import digits_value
from gateway.fix.message import Group, Item, Message

# Whether the C speedups are in use (the extension imported and not switched off).
SPEEDUPS = speedups.ENABLED
_c_split_fields = speedups.split_fields
_c_encode_message = speedups.encode_message

SOH = "\x01"

_TAG_OF: dict[str, int] = {str(tag): tag for tag in range(10_000)}
# Tags other than 8, 9, 10, for the fields between 35 and the CheckSum: one of those
# there is a KeyError that sends the frame to the slow path, which garbles it.
_inner_tag: Callable[[str], int] = {
    text: tag for text, tag in _TAG_OF.items() if tag not in (8, 9, 10)}.__getitem__
# Every byte but '=' and SOH, deleted to see the separators alone: a frame whose
# fields each hold exactly one '=' leaves "=\x01" repeated.
_NOT_SEPARATOR = bytes(byte for byte in range(256) if byte not in b"=\x01")
_ALTERNATING = b"=\x01" * 4096
# 8=<BeginString> 9=<digits> 35=: the first three fields in one C-level match.
_HEAD = re.compile("8=[^\x01]*\x019=([0-9]+)\x0135=")
_PREFIX: dict[int, str] = {tag: f"{tag}=" for tag in range(10_000)}
_by_tag: Callable[[Item], int] = itemgetter(0)
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
# FIX 4.4's data fields and the length fields that must come right before them
# (Signature's is 93; every other one's is its own tag - 1). A data value may hold
# SOH, so it is read by that length, as QuickFIX does, not up to the next SOH.
_LENGTH_OF_DATA: dict[int, int] = {89: 93, **{data: data - 1 for data in (
    91, 96, 213, 349, 351, 353, 355, 357, 359, 361, 363, 365, 446, 619, 622)}}
_DATA_TAGS = frozenset(_LENGTH_OF_DATA)
_DATA_AFTER_LENGTH: dict[str, str] = {
    str(length): str(data) for data, length in _LENGTH_OF_DATA.items()}


def checksum(data: bytes | bytearray | memoryview) -> int:
    """FIX CheckSum: the byte sum modulo 256."""
    view = memoryview(data)
    if len(view) <= 256 or (len(view) <= 512 and not isinstance(data, memoryview)
                            and data.isascii()):
        # Sum below 65521: adler32's low 16 bits are exactly 1 + the byte sum.
        return ((zlib.adler32(view) & 0xFFFF) - 1) & 0xFF
    total = 0
    for start in range(0, len(view), 256):
        total += (zlib.adler32(view[start:start + 256]) & 0xFFFF) - 1
    return total & 0xFF


def split_fields(frame: bytes) -> tuple[list[int], list[str]] | Garbled:
    """Verify a frame (first fields, BodyLength, CheckSum) and split it into tags and values.

    The result includes 8, 9, 35 ... 10 in arrival order. The C speedups split the
    frames that split cleanly; every other frame takes `split_fields_py`.
    """
    if _c_split_fields is not None:
        split = _c_split_fields(frame)
        if split is not None:
            return split
    return split_fields_py(frame)


def split_fields_py(frame: bytes) -> tuple[list[int], list[str]] | Garbled:
    """`split_fields` in Python: the reference the C speedups must agree with."""
    text = frame.decode("latin-1")
    head = _HEAD.match(text)
    if head is None:
        return _bad_head(text, frame)
    checksum_start = text.rfind("\x0110=") + 1
    declared = head[1]
    # int() inline for the usual short numbers: a call to _number costs on this path.
    if checksum_start != head.end() - 3 + (
            int(declared) if len(declared) < 20 else digits_value(declared)):
        return Garbled(GarbledReason.BODY_LENGTH_MISMATCH, f"BodyLength {declared[:24]}", frame)
    declared_sum = text[checksum_start + 3:-1]
    # isdecimal, not isdigit: int() refuses the latin-1 superscripts isdigit accepts.
    if not declared_sum.isdecimal() or text[-1] != SOH:
        return Garbled(GarbledReason.BAD_CHECKSUM, f"CheckSum {declared_sum[:24]}", frame)
    summed = frame[:checksum_start]
    if ((int(declared_sum) if len(declared_sum) < 20 else digits_value(declared_sum))
            != ((zlib.adler32(summed) - 1) & 0xFF if checksum_start <= 256 else checksum(summed))):
        return Garbled(GarbledReason.BAD_CHECKSUM, f"CheckSum {declared_sum[:24]}", frame)
    if _ALTERNATING.startswith(frame.translate(None, _NOT_SEPARATOR)):
        # Exactly one '=' per field: split them all at once (parts end with "").
        parts = text.replace("=", SOH).split(SOH)
        try:
            fast_tags = [8, 9, *map(_inner_tag, parts[4:-3:2]), 10]
        except KeyError:
            pass   # an odd tag: the field-by-field split below says what it is
        else:
            if _DATA_TAGS.isdisjoint(fast_tags):
                return fast_tags, parts[1:-1:2]
    split = _split_slow(text[:-1])
    if isinstance(split, Garbled):
        return Garbled(split.reason, split.detail, frame)
    tag_texts, values = split
    tags = _convert_tags(tag_texts)
    if tags is None:
        return Garbled(GarbledReason.BAD_TAG, "tag is not a 32-bit integer", frame)
    if tags.count(8) != 1 or tags.count(9) != 1 or tags.count(10) != 1:
        # QuickFIX leaves every 8, 9 and 10 out of the length it recomputes, so one
        # inside the message makes the BodyLength wrong: garbled, not rejected.
        return Garbled(GarbledReason.BODY_LENGTH_MISMATCH, "8, 9 or 10 inside the message", frame)
    return tags, values


def _bad_head(text: str, frame: bytes) -> Garbled:
    """Why the first three fields are not `8=...|9=<digits>|35=`."""
    first_end = text.find(SOH)
    if not text.startswith("8=") or not text.startswith("9=", first_end + 1):
        return Garbled(GarbledReason.FIRST_FIELDS_OUT_OF_ORDER, "8 and 9 must come first", frame)
    second_end = text.find(SOH, first_end + 1)
    if not text.startswith("35=", second_end + 1):
        return Garbled(GarbledReason.FIRST_FIELDS_OUT_OF_ORDER, "35 must be the third field", frame)
    declared = text[first_end + 3:second_end]
    return Garbled(GarbledReason.BODY_LENGTH_MISMATCH, f"BodyLength {declared[:24]}", frame)


def _split_slow(fields: str) -> tuple[list[str], list[str]] | Garbled:
    """Field by field: values that contain '=' (legal), fields without it (garbled),
    and data fields, read by the length their length field gives (they may hold SOH)."""
    tag_texts: list[str] = []
    values: list[str] = []
    start, end = 0, len(fields)
    data_tag: str | None = None   # the data field the previous field gave a length for
    data_length = 0
    while True:
        equals = fields.find("=", start)
        stop = fields.find(SOH, start)
        if stop < 0:
            stop = end
        if equals < 0 or equals > stop:
            return Garbled(GarbledReason.MISSING_EQUALS, repr(fields[start:stop][:32]), b"")
        tag = fields[start:equals]
        if tag == data_tag:
            stop = equals + 1 + data_length
            if stop >= end or fields[stop] != SOH:
                return Garbled(GarbledReason.BAD_DATA_LENGTH, f"{tag}: length {data_length}", b"")
        value = fields[equals + 1:stop]
        tag_texts.append(tag)
        values.append(value)
        data_tag = _DATA_AFTER_LENGTH.get(tag)
        if data_tag is not None:
            if value.isascii() and value.isdigit():
                data_length = int(value) if len(value) < 20 else digits_value(value)
            else:
                data_tag = None   # not a length: the data field ends at SOH (and fails validation)
        if stop >= end:
            return tag_texts, values
        start = stop + 1


def _convert_tags(tag_texts: list[str]) -> list[int] | None:
    tags: list[int] = []
    for text in tag_texts:
        tag = _TAG_OF.get(text)
        if tag is None:
            body = text[1:] if text.startswith("-") else text
            if not body.isdigit() or not body.isascii():
                return None
            tag = -digits_value(body) if text.startswith("-") else digits_value(body)
            if not _INT32_MIN <= tag <= _INT32_MAX:
                return None  # QuickFIX reads tags as int: out of range is "not an integer"
        tags.append(tag)
    return tags


# -- encoding -----------------------------------------------------------------

def _prefix(tag: int) -> str:
    prefix = _PREFIX.get(tag)
    return prefix if prefix is not None else f"{tag}="


def _write_items(items: list[Item], out: list[str], canonical: bool = True) -> None:
    for tag, value in sorted(items, key=_by_tag) if canonical else items:
        if value.__class__ is str:
            out.append(_prefix(tag) + value + SOH)
        else:
            _write_group(tag, value, out)  # type: ignore[arg-type]


def _write_group(tag: int, group: Group, out: list[str]) -> None:
    out.append(f"{tag}={len(group.entries)}{SOH}")
    order = group.order
    for entry in group.entries:
        if order is not None:
            entry = sorted(entry, key=lambda item: order.get(item[0], 1 << 30))
        for member_tag, value in entry:
            if value.__class__ is str:
                out.append(_prefix(member_tag) + value + SOH)
            else:
                _write_group(member_tag, value, out)  # type: ignore[arg-type]


def encode(message: Message, canonical: bool = True) -> bytes:
    """Encode in canonical order: 8, 9, 35, header by tag, body by tag, trailer, 10.

    `canonical=False` keeps the body in its current order (for resending a stored
    message, already canonical, whose groups a dictionary-less session cannot see).
    The C speedups encode messages whose values are latin-1 str without SOH or
    `Group`s of such; every other message takes `encode_py`.
    """
    if _c_encode_message is not None:
        data = _c_encode_message(message.msg_type, message.header, message.body,
                                 message.trailer, message.begin_string, canonical)
        if data is not None:
            return data
    return encode_py(message, canonical)


def encode_py(message: Message, canonical: bool = True) -> bytes:
    """`encode` in Python: the reference the C speedups must agree with.

    Messages without repeating groups take a fast path of one join per part; a
    `Group` refuses f-string formatting, which sends its message the general way.
    """
    header = message.header
    body = sorted(message.body, key=_by_tag) if canonical else message.body
    trailer = message.trailer
    try:
        text = (f"35={message.msg_type}{SOH}"
                + "".join([f"{tag}={value}{SOH}" for tag, value in sorted(header.items())])
                + "".join([f"{tag}={value}{SOH}" for tag, value in body])
                + ("".join([f"{tag}={trailer[tag]}{SOH}" for tag in (93, 89) if tag in trailer])
                   if trailer else ""))
    except TypeError:
        return _encode_with_groups(message, canonical)
    fields = 1 + len(header) + len(body) + (sum(1 for tag in (93, 89) if tag in trailer) if trailer else 0)
    if text.count(SOH) != fields:
        return _encode_with_groups(message, canonical)  # SOH in a value: data fields may
    return _frame(text.encode("latin-1"), message.begin_string)


def _encode_with_groups(message: Message, canonical: bool) -> bytes:
    out = [f"35={message.msg_type}{SOH}"]
    header = message.header
    if header:
        _write_items(list(header.items()), out)
    _write_items(message.body, out, canonical)
    trailer = message.trailer
    if trailer:
        for tag in (93, 89):
            if tag in trailer:
                out.append(f"{tag}={trailer[tag]}{SOH}")
    return finish(out, message.begin_string)


def _frame(body: bytes, begin_string: str) -> bytes:
    data = f"8={begin_string}{SOH}9={len(body)}{SOH}".encode("latin-1") + body
    return data + b"10=%03d\x01" % checksum(data)


def finish(parts: list[str], begin_string: str = "FIX.4.4") -> bytes:
    """Prepend 8/9 and append 10 to encoded fields, one field per part, each ending in SOH.

    A value may hold SOH only in a data field right after its length field, and only
    when that length is right: the frame must read back as the very fields written.
    """
    body_text = "".join(parts)
    data = _frame(body_text.encode("latin-1"), begin_string)
    if body_text.count(SOH) != len(parts):
        split = split_fields_py(data)
        if isinstance(split, Garbled) or [
                f"{tag}={value}{SOH}" for tag, value in zip(*split, strict=True)][2:-1] != parts:
            raise EncodeError("a field value contains SOH (only a data field after its "
                              "length field, with that length, may)")
    return data
