"""Hypothesis strategies for valid FIX 4.4 messages of our dictionary, and their wire text.

A generated message is a `Message` in canonical order (header by tag, body by tag,
group members in dictionary order). `render` writes it as `|`-separated fields
without using the codec, so tests compare the codec with an independent writer.
"""

from __future__ import annotations

from hypothesis import strategies as st

from gateway.fix.message import Group, Item, Message, Value

from .support import SOH, dictionary

# Any latin-1 text but SOH, '=' and odd characters included.
TEXT = st.text(st.characters(codec="latin-1", exclude_characters="\x01"), min_size=1, max_size=10)
ODD_TEXT = st.sampled_from(["002000.00", "a=b", "==", "8=FIX.4.4", "10=000", " x ", "é"])
STRING = st.one_of(TEXT, ODD_TEXT)
INT = st.integers(0, 10**9).map(str) | st.sampled_from(["0007", "-3"])
# Decimal texts kept as written: leading zeros, trailing zeros, no fraction.
DECIMAL = st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,4})?", fullmatch=True) | st.sampled_from(
    ["002000.00", "0.0000", "100"])
TIMESTAMP = st.builds(
    lambda y, mo, d, h, mi, s, ms: f"{y:04d}{mo:02d}{d:02d}-{h:02d}:{mi:02d}:{s:02d}{ms}",
    st.integers(1970, 2099), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
    st.integers(0, 59), st.integers(0, 59), st.sampled_from(["", ".000", ".123", ".999"]))
YES_NO = st.sampled_from(["Y", "N"])


def enum(tag: int) -> st.SearchStrategy[str]:
    """A value of the tag's enumeration in our dictionary."""
    return st.sampled_from(sorted(dictionary().fields[tag].enums))


HEADER_REQUIRED: dict[int, st.SearchStrategy[str]] = {
    34: INT.filter(lambda text: not text.startswith("-")), 49: STRING, 52: TIMESTAMP, 56: STRING}
HEADER_OPTIONAL: dict[int, st.SearchStrategy[str]] = {
    43: YES_NO, 97: YES_NO, 115: STRING, 122: TIMESTAMP, 128: STRING}

# Per message type: required and optional body fields (value strategies) and groups.
BODIES: dict[str, tuple[dict[int, st.SearchStrategy[str]], dict[int, st.SearchStrategy[str]],
                        tuple[int, ...]]] = {
    "D": ({11: STRING, 40: enum(40), 54: enum(54), 60: TIMESTAMP},
          {1: STRING, 21: enum(21), 38: DECIMAL, 44: DECIMAL, 55: STRING, 58: STRING,
           59: enum(59), 126: TIMESTAMP, 167: enum(167), 9601: enum(9601), 9602: STRING},
          (453, 386, 454)),
    "8": ({6: DECIMAL, 14: DECIMAL, 17: STRING, 37: STRING, 39: enum(39), 54: enum(54),
           150: enum(150), 151: DECIMAL},
          {11: STRING, 31: DECIMAL, 32: DECIMAL, 38: DECIMAL, 44: DECIMAL, 55: STRING,
           58: STRING, 60: TIMESTAMP},
          (453,)),
    "d": ({320: STRING, 322: STRING, 323: enum(323)}, {55: STRING, 58: STRING}, (454,)),
}

# Group layouts: (members in dictionary order with value strategies; nested groups).
GROUPS: dict[int, tuple[tuple[tuple[int, st.SearchStrategy[str]], ...], tuple[int, ...]]] = {
    453: (((448, STRING), (447, enum(447)), (452, enum(452))), (802,)),
    802: (((523, STRING), (803, enum(803))), ()),
    386: (((336, STRING), (625, STRING)), ()),
    454: (((455, STRING), (456, STRING)), ()),
}


@st.composite
def group(draw: st.DrawFn, count_tag: int, depth: int = 0) -> Group:
    """1-3 entries; each starts with the delimiter, other members optional."""
    members, nested = GROUPS[count_tag]
    (delimiter, first), *rest = members
    entries: list[list[Item]] = []
    for _ in range(draw(st.integers(1, 3))):
        entry: list[Item] = [(delimiter, draw(first))]
        entry += [(tag, draw(values)) for tag, values in rest if draw(st.booleans())]
        if depth == 0:
            entry += [(tag, draw(group(tag, depth + 1))) for tag in nested if draw(st.booleans())]
        entries.append(entry)
    return Group(entries)


def _some(draw: st.DrawFn, fields: dict[int, st.SearchStrategy[str]],
          everyone: bool = False) -> dict[int, Value]:
    return {tag: draw(values) for tag, values in fields.items() if everyone or draw(st.booleans())}


@st.composite
def messages(draw: st.DrawFn, msg_types: tuple[str, ...] = ("D", "8", "d")) -> Message:
    """A valid message (our dictionary) in canonical order."""
    msg_type = draw(st.sampled_from(msg_types))
    header = _some(draw, HEADER_REQUIRED, everyone=True) | _some(draw, HEADER_OPTIONAL)
    required, optional, groups = BODIES[msg_type]
    body = _some(draw, required, everyone=True) | _some(draw, optional)
    for tag in groups:
        if draw(st.booleans()):
            body[tag] = draw(group(tag))
    trailer: dict[int, str] = {}
    if draw(st.integers(0, 4)) == 0:
        trailer = {93: "3", 89: "sig"}
    return Message(msg_type, sorted(body.items()), dict(sorted(header.items())), trailer=trailer)


def render_items(items: list[Item], out: list[str]) -> None:
    """Write items as they are ordered (no sorting): groups as count then entries."""
    for tag, value in items:
        if isinstance(value, Group):
            out.append(f"{tag}={len(value)}{SOH}")
            for entry in value:
                render_items(entry, out)
        else:
            out.append(f"{tag}={value}{SOH}")


def render(message: Message) -> str:
    """The SOH-terminated `35=...` fields of a message in the order its containers hold them."""
    out = [f"35={message.msg_type}{SOH}"]
    render_items(list(message.header.items()), out)
    render_items(message.body, out)
    for tag in (93, 89):
        if tag in message.trailer:
            out.append(f"{tag}={message.trailer[tag]}{SOH}")
    return "".join(out)
