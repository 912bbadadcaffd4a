"""The in-memory FIX message: header, body with repeating groups, trailer.

Values are `str` holding exactly the text that arrived (latin-1 decoded bytes),
so an echo of `38=002000.00` stays `002000.00`; typed readers (`decimal`,
`int_value`) convert on demand. A repeating group sits in the body (or header)
at its NumInGroup tag, as a `Group` value, so that sorting items by tag gives
FIX's canonical order without breaking groups apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Union

Value = Union[str, "Group"]
Item = tuple[int, Value]


class Group:
    """The entries of one repeating group; each entry is a list of items."""

    __slots__ = ("declared", "entries", "order")

    def __init__(self, entries: list[list[Item]] | None = None,
                 order: dict[int, int] | None = None, declared: str | None = None) -> None:
        self.entries: list[list[Item]] = entries if entries is not None else []
        # Dictionary position of each member tag: canonical order inside an entry.
        self.order = order
        # NumInGroup text as received; validation compares it with the entries found.
        self.declared = declared

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[list[Item]]:
        return iter(self.entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Group) and self.entries == other.entries

    def __repr__(self) -> str:
        return f"Group({self.entries!r})"

    def __format__(self, spec: str) -> str:
        # The encoder's fast path formats plain values; a group must take the slow path.
        raise TypeError("a repeating group has no single text value")

    def add(self, items: Iterable[Item]) -> None:
        self.entries.append(list(items))


def item_str(items: Iterable[Item], tag: int) -> str | None:
    """The first plain value of `tag` among `items` (groups are skipped)."""
    for item_tag, value in items:
        if item_tag == tag and value.__class__ is str:
            return value
    return None


class Message:
    """A FIX message. BeginString, BodyLength, MsgType and CheckSum are not items.

    `raw` is the frame the message was decoded from (None for messages we build).
    """

    __slots__ = ("_index", "begin_string", "body", "header", "msg_type", "raw", "trailer")

    def __init__(self, msg_type: str, body: list[Item] | None = None,
                 header: dict[int, Value] | None = None,
                 begin_string: str = "FIX.4.4",
                 trailer: dict[int, str] | None = None,
                 raw: bytes | None = None) -> None:
        self.begin_string = begin_string
        self.msg_type = msg_type
        self.header: dict[int, Value] = header if header is not None else {}
        self.body: list[Item] = body if body is not None else []
        self.trailer: dict[int, str] = trailer if trailer is not None else {}
        self.raw = raw
        self._index: dict[int, Value] | None = None

    def __repr__(self) -> str:
        return (f"Message({self.msg_type!r}, header={self.header!r}, "
                f"body={self.body!r}, trailer={self.trailer!r})")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and self.begin_string == other.begin_string
                and self.msg_type == other.msg_type and self.header == other.header
                and self.body == other.body and self.trailer == other.trailer)

    # -- reading ------------------------------------------------------------
    def _body_index(self) -> dict[int, Value]:
        index = self._index
        if index is None:
            index = {}
            for tag, value in self.body:
                index.setdefault(tag, value)
            self._index = index
        return index

    def get(self, tag: int, default: str | None = None) -> str | None:
        """A plain value from the header or the body's top level (first occurrence)."""
        value = self.header.get(tag)
        if value is None:
            value = self._body_index().get(tag)
            if value is None:
                value = self.trailer.get(tag)
        if value.__class__ is str:
            return value
        return default

    def __getitem__(self, tag: int) -> str:
        value = self.get(tag)
        if value is None:
            raise KeyError(tag)
        return value

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, int) and (tag in self.header or tag in self._body_index()
                                         or tag in self.trailer)

    def group(self, tag: int) -> Group | None:
        """The repeating group whose NumInGroup tag is `tag`, if present."""
        value = self._body_index().get(tag)
        if value is None:
            value = self.header.get(tag)
        return value if isinstance(value, Group) else None

    def decimal(self, tag: int) -> Decimal | None:
        """A price or quantity as Decimal; None when absent or not a number."""
        text = self.get(tag)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None

    def int_value(self, tag: int) -> int | None:
        text = self.get(tag)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            return None

    # -- writing ------------------------------------------------------------
    def set(self, tag: int, value: Value) -> None:
        """Replace the body's top-level `tag`, or append it."""
        body = self.body
        for position, (item_tag, _) in enumerate(body):
            if item_tag == tag:
                body[position] = (tag, value)
                break
        else:
            body.append((tag, value))
        self._index = None

    def remove(self, tag: int) -> None:
        """Drop every top-level occurrence of `tag` from the body."""
        self.body = [item for item in self.body if item[0] != tag]
        self._index = None
