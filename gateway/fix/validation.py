"""Turning split fields into a `Message`, and validating it as QuickFIX does.

`Validator.build` structures the flat fields (header / body with repeating
groups / trailer) exactly as QuickFIX's parser does, remembering the first
field out of place. `Validator.validate` then applies the checks in QuickFIX's
order (FORMAT.md §8.3): structure (373=14) → MsgType known (11) → required
fields (1) → every header, trailer, then body field in ascending tag order:
repeated (13), empty (4), format (6), enum (5), known tag (0), allowed in the
message (2), NumInGroup count (16). The first failure is returned as a
`Rejection` value. Group members are structured but, as in QuickFIX, only
their presence (required members) and counts are checked.

Hot path: `_certainly_valid` proves in one pass over the fields (no sorting) that
none of the per-field checks can fail; only when it cannot (a duplicate, an empty,
unknown or misplaced tag, a bad value, a repeating group) does `_iterate` walk the
fields in QuickFIX's order to find the first problem. Both give the same verdict.

C speedups: `build` (for messages without repeating groups) and `_certainly_valid`
also exist in the optional extension `gateway.fix._speedups` (see codec.py), because
their per-field loops are most of a message's validation time in Python. The Python
methods `build_py` and `_certainly_valid` are the reference: the C functions must
return the same sections and the same verdict (tests/unit/fix/test_speedups.py), and
`build` falls back to `build_py` whenever a group tag appears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import cast

from gateway.fix import speedups
from gateway.fix.codec import split_fields
from gateway.fix.dictionary import MULTI_VALUE_TYPES, DataDictionary, GroupDef, MessageDef
from gateway.fix.errors import Garbled, Rejection
from gateway.fix.errors import SessionRejectReason as Reason
from gateway.fix.formats import Checker, checker_for
from gateway.fix.message import Group, Item, Message, Value

# Header tags of FIX 4.x, for sessions that run without a data dictionary.
STANDARD_HEADER_TAGS = frozenset({
    8, 9, 35, 49, 56, 115, 128, 90, 91, 34, 50, 142, 57, 143, 116, 144, 129, 145,
    43, 97, 52, 122, 212, 213, 347, 369, 627, 628, 629, 630,
})
STANDARD_TRAILER_TAGS = frozenset({93, 89, 10})
_by_tag: Callable[[Item], int] = itemgetter(0)
_USER_DEFINED_MIN = 5000
_FRAMING_TAGS = frozenset({8, 9, 35})  # always present once a frame splits
_c_build_flat = speedups.build_flat
_c_certainly_valid = speedups.certainly_valid


@dataclass(frozen=True, slots=True)
class ValidationOptions:
    """The QuickFIX per-session validation switches."""

    fields_out_of_order: bool = True     # ValidateFieldsOutOfOrder
    fields_have_values: bool = True      # ValidateFieldsHaveValues
    user_defined_fields: bool = True     # ValidateUserDefinedFields
    allow_unknown_msg_fields: bool = False  # AllowUnknownMsgFields


class Structured:
    """A message as built from the wire, with what validation needs to know about it."""

    __slots__ = ("header_items", "message", "out_of_order_tag", "trailer_items")

    def __init__(self, message: Message, header_items: list[tuple[int, str]],
                 trailer_items: list[tuple[int, str]], out_of_order_tag: int) -> None:
        self.message = message
        self.header_items = header_items
        self.trailer_items = trailer_items
        self.out_of_order_tag = out_of_order_tag


class Validator:
    """Structures and validates inbound messages for one session's dictionary and switches."""

    def __init__(self, dictionary: DataDictionary | None,
                 options: ValidationOptions = ValidationOptions()) -> None:
        self.dictionary = dictionary
        self.options = options
        self.header_tags = dictionary.header_tags if dictionary else STANDARD_HEADER_TAGS
        self.trailer_tags = dictionary.trailer_tags if dictionary else STANDARD_TRAILER_TAGS
        self._formats: dict[int, tuple[Checker | None, frozenset[str] | None, bool]] = {}
        # Per tag, what a value must satisfy (format and enum in one): the set of valid
        # values, or a predicate; tags of free text without enums are absent.
        self._value_rules: dict[int, frozenset[str] | Checker] = {}
        if dictionary is not None:
            for tag, definition in dictionary.fields.items():
                enums = frozenset(definition.enums) if definition.enums else None
                spec = (checker_for(definition.type), enums, definition.type in MULTI_VALUE_TYPES)
                self._formats[tag] = spec
                rule = _value_rule(*spec)
                if rule is not None:
                    self._value_rules[tag] = rule
        self._ruled_tags = frozenset(self._value_rules)
        self._known_tags = frozenset(self._formats)

    def decode(self, frame: bytes) -> Structured | Garbled:
        """Verify, split and structure one frame from the `Framer`."""
        split = split_fields(frame)
        if isinstance(split, Garbled):
            return split
        return self.build(split[0], split[1], frame)

    # -- structure ----------------------------------------------------------
    def build(self, tags: list[int], values: list[str], raw: bytes | None = None) -> Structured:
        """Arrange split fields (8, 9, 35 ... 10) into a Message; never fails."""
        if _c_build_flat is not None:
            msg_type = values[2]
            dictionary = self.dictionary
            message_def = dictionary.messages.get(msg_type) if dictionary else None
            flat = _c_build_flat(tags, values, self.header_tags, self.trailer_tags,
                                 message_def.groups if message_def else None,
                                 dictionary.header_groups if dictionary else None)
            if flat is not None:
                header, body, trailer, header_items, trailer_items, out_of_order = flat
                return Structured(Message(msg_type, body, header, values[0], trailer, raw),
                                  header_items, trailer_items, out_of_order)
        return self.build_py(tags, values, raw)

    def build_py(self, tags: list[int], values: list[str], raw: bytes | None = None) -> Structured:
        """`build` in Python, groups included: the reference for the C speedups."""
        msg_type = values[2]
        dictionary = self.dictionary
        message_def = dictionary.messages.get(msg_type) if dictionary else None
        groups = message_def.groups if message_def else None
        header_groups = dictionary.header_groups if dictionary else None
        header_tags, trailer_tags = self.header_tags, self.trailer_tags
        header: dict[int, Value] = {}
        body: list[Item] = []
        trailer: dict[int, str] = {}
        header_items = [(8, values[0]), (9, values[1]), (35, msg_type)]
        trailer_items: list[tuple[int, str]] = []
        section = 0  # 0 header, 1 body, 2 trailer
        out_of_order = 0
        index, end = 3, len(tags) - 1
        while index < end:
            tag = tags[index]
            value: Value = values[index]
            index += 1
            if tag in header_tags:
                if section and not out_of_order:
                    out_of_order = tag
                header_items.append((tag, value))  # type: ignore[arg-type]
                if header_groups and tag in header_groups:
                    value, index = _read_group(header_groups[tag], value, tags, values, index, end)  # type: ignore[arg-type]
                header.setdefault(tag, value)
            elif tag in trailer_tags:
                section = 2
                trailer_items.append((tag, value))  # type: ignore[arg-type]
                trailer.setdefault(tag, value)  # type: ignore[arg-type]
            else:
                if section == 2 and not out_of_order:
                    out_of_order = tag
                section = 1
                if groups and tag in groups:
                    value, index = _read_group(groups[tag], value, tags, values, index, end)  # type: ignore[arg-type]
                body.append((tag, value))
        trailer_items.append((10, values[-1]))
        message = Message(msg_type, body, header, values[0], trailer, raw)
        return Structured(message, header_items, trailer_items, out_of_order)

    # -- validation ---------------------------------------------------------
    def validate(self, structured: Structured) -> Rejection | None:
        """The first problem QuickFIX would report, or None for a valid message."""
        dictionary = self.dictionary
        if dictionary is None:
            return None
        if self.options.fields_out_of_order and structured.out_of_order_tag:
            return Rejection(Reason.TAG_SPECIFIED_OUT_OF_REQUIRED_ORDER, structured.out_of_order_tag)
        message = structured.message
        message_def = dictionary.messages.get(message.msg_type)
        if message_def is None:
            return Rejection(Reason.INVALID_MSGTYPE)
        problem = self._check_required(dictionary, message_def, message)
        if problem is not None:
            return problem
        if 35 in message.header:
            # A second MsgType: QuickFIX's header order puts it right after the first.
            return Rejection(Reason.TAG_APPEARS_MORE_THAN_ONCE, 35)
        if (_c_certainly_valid(message.body, structured.header_items, structured.trailer_items,
                               message_def.fields, message_def.groups, self._known_tags,
                               self._value_rules, self._ruled_tags)
                if _c_certainly_valid is not None
                else self._certainly_valid(structured, message_def)):
            return None
        problem = self._iterate(sorted(structured.header_items[3:], key=_by_tag),
                                structured.header_items[:3], None)
        if problem is not None:
            return problem
        problem = self._iterate(structured.trailer_items, [], None)
        if problem is not None:
            return problem
        body_items = [(tag, value if value.__class__ is str else value.declared or "")  # type: ignore[union-attr]
                      for tag, value in message.body]
        return self._iterate(sorted(body_items, key=_by_tag), [], message_def, message)

    def _check_required(self, dictionary: DataDictionary, message_def: MessageDef,
                        message: Message) -> Rejection | None:
        header = message.header
        for tag in dictionary.header_required:
            if tag not in header and tag not in _FRAMING_TAGS:
                return Rejection(Reason.REQUIRED_TAG_MISSING, tag)
        present = {tag for tag, _ in message.body}
        for tag in message_def.required:
            if tag not in present:
                return Rejection(Reason.REQUIRED_TAG_MISSING, tag)
        for tag, value in message.body:
            if value.__class__ is Group:
                group_def = message_def.groups.get(tag)
                if group_def is not None:
                    problem = _check_group_required(group_def, value)
                    if problem is not None:
                        return problem
        return None

    def _certainly_valid(self, structured: Structured, message_def: MessageDef) -> bool:
        """True only if `_iterate` finds nothing in header, trailer and body (see module doc).

        Set and dict operations do the per-field work in C; every way to fail sends the
        message to `_iterate`, which finds the first problem in QuickFIX's order.
        """
        body = structured.message.body
        body_tags = dict(body)
        if (len(body_tags) != len(body) or not message_def.fields.issuperset(body_tags)
                or not message_def.groups.keys().isdisjoint(body_tags)):
            return False  # a repeated or misplaced tag, or a repeating group
        # No group tag in the body, so every value is a str from here on.
        header, trailer = structured.header_items, structured.trailer_items
        fields = cast(dict[int, str], body_tags)
        fields.update(header)
        fields.update(trailer)
        if (len(fields) != len(header) + len(trailer) + len(body)
                or not self._known_tags.issuperset(fields) or "" in fields.values()):
            return False  # a repeated, unknown or empty field
        rules = self._value_rules
        for tag in self._ruled_tags.intersection(fields):
            rule, value = rules[tag], fields[tag]
            if not (value in rule if isinstance(rule, frozenset) else rule(value)):
                return False
        return True

    def _iterate(self, items: list[tuple[int, str]], leading: list[tuple[int, str]],
                 message_def: MessageDef | None, message: Message | None = None) -> Rejection | None:
        options = self.options
        formats = self._formats
        known = self.dictionary.fields if self.dictionary else {}
        last: int | None = None
        for tag, value in (leading + items) if leading else items:
            if tag == last:
                return Rejection(Reason.TAG_APPEARS_MORE_THAN_ONCE, tag)
            last = tag
            if not value and options.fields_have_values:
                return Rejection(Reason.TAG_SPECIFIED_WITHOUT_A_VALUE, tag)
            spec = formats.get(tag)
            if spec is not None:
                checker, enums, multi = spec
                if checker is not None and not checker(value):
                    return Rejection(Reason.INCORRECT_DATA_FORMAT, tag)
                if enums is not None and not _enum_ok(value, enums, multi):
                    return Rejection(Reason.VALUE_IS_INCORRECT, tag)
            if tag >= _USER_DEFINED_MIN:
                if not options.user_defined_fields:
                    continue
            elif options.allow_unknown_msg_fields:
                continue
            if tag not in known:
                return Rejection(Reason.INVALID_TAG_NUMBER, tag)
            if message_def is not None:
                if tag not in message_def.fields:
                    return Rejection(Reason.TAG_NOT_DEFINED_FOR_MESSAGE_TYPE, tag)
                if (tag in message_def.groups and message is not None
                        and (not value.lstrip("-").isdigit() or int(value) != _entries(message, tag))):
                    return Rejection(Reason.INCORRECT_NUMINGROUP_COUNT, tag)
        return None


def _entries(message: Message, tag: int) -> int:
    """Entries of every occurrence of group `tag`: QuickFIX counts a repeated group as one."""
    return sum(len(value) for item_tag, value in message.body
               if item_tag == tag and isinstance(value, Group))


def _value_rule(checker: Checker | None, enums: frozenset[str] | None,
                multi: bool) -> frozenset[str] | Checker | None:
    """What `_iterate`'s format and enum checks demand of a value, as one rule."""
    if enums is None:
        return checker
    if not multi:
        # In the enum and well formed <=> in the enum values that are well formed.
        return frozenset(value for value in enums if checker is None or checker(value))
    return lambda value: ((checker is None or checker(value))
                          and _enum_ok(value, enums, multi=True))


def _enum_ok(value: str, enums: frozenset[str], multi: bool) -> bool:
    if multi:
        return all(token in enums for token in value.split(" "))
    return value in enums


def _check_group_required(group_def: GroupDef, group: Group) -> Rejection | None:
    for entry in group.entries:
        present = {tag for tag, _ in entry}
        for tag in group_def.required:
            if tag not in present:
                return Rejection(Reason.REQUIRED_TAG_MISSING, tag)
        for tag, value in entry:
            nested = group_def.groups.get(tag)
            if nested is not None and isinstance(value, Group):
                problem = _check_group_required(nested, value)
                if problem is not None:
                    return problem
    return None


def _read_group(group_def: GroupDef, declared: str, tags: list[int], values: list[str],
                index: int, end: int) -> tuple[Group, int]:
    """Read entries the way QuickFIX's parser does.

    A new entry starts at the delimiter, or at a member when no entry is open or
    the open entry already has that tag; the first non-member ends the group.
    """
    members = group_def.members
    delimiter = group_def.delimiter
    entries: list[list[Item]] = []
    entry: list[Item] | None = None
    seen: set[int] = set()
    while index < end:
        tag = tags[index]
        if tag not in members:
            break
        if entry is None or tag == delimiter or tag in seen:
            entry = []
            seen = set()
            entries.append(entry)
        value: Value = values[index]
        index += 1
        nested = group_def.groups.get(tag)
        if nested is not None:
            value, index = _read_group(nested, values[index - 1], tags, values, index, end)
        entry.append((tag, value))
        seen.add(tag)
    return Group(entries, group_def.order, declared), index
