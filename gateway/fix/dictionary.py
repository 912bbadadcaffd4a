"""Data dictionary: loads QuickFIX-format XML (ours in fix_specs/ or QuickFIX's own).

The loader flattens components the way QuickFIX does, so the validator asks
only set-membership questions on the hot path:

* a message's `fields` are the tags allowed at its top level (components
  flattened, group NumInGroup tags included, group members excluded);
* a tag is required at message level when it is `required="Y"` and every
  component on the way to it is required too;
* a group's delimiter is its first member (the first field of a leading
  component), its members include nested groups' NumInGroup tags, and its
  required members count only when the group itself is required.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from gateway.fix.errors import DictionaryError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DICTIONARY = REPO_ROOT / "fix_specs" / "FIX44.xml"

# XML type names, grouped by how QuickFIX checks their format.
INT_TYPES = frozenset({"INT", "SEQNUM", "LENGTH", "NUMINGROUP", "TAGNUM"})
DECIMAL_TYPES = frozenset({"PRICE", "AMT", "QTY", "FLOAT", "PRICEOFFSET", "PERCENTAGE"})
MULTI_VALUE_TYPES = frozenset({"MULTIPLEVALUESTRING", "MULTIPLESTRINGVALUE", "MULTIPLECHARVALUE"})


@dataclass(frozen=True, slots=True)
class FieldDef:
    tag: int
    name: str
    type: str
    enums: dict[str, str]  # value -> description; empty when not enumerated


@dataclass(slots=True)
class GroupDef:
    """One repeating group, per message type (the same group may differ between messages)."""

    count_tag: int
    delimiter: int
    members: frozenset[int]
    order: dict[int, int]            # member tag -> position, for canonical encoding
    required: tuple[int, ...]        # checked in each entry (only when the group is required)
    groups: dict[int, GroupDef]      # nested groups by NumInGroup tag


@dataclass(slots=True)
class MessageDef:
    msg_type: str
    name: str
    category: str                    # "admin" or "app"
    fields: frozenset[int]
    required: tuple[int, ...]        # ascending, the order QuickFIX reports the first missing one
    groups: dict[int, GroupDef]


@dataclass(slots=True)
class DataDictionary:
    """Everything validation and encoding need to know about one FIX version."""

    path: Path
    begin_string: str
    fields: dict[int, FieldDef]
    tag_by_name: dict[str, int]
    header_tags: frozenset[int]
    header_required: tuple[int, ...]
    header_groups: dict[int, GroupDef]
    trailer_tags: frozenset[int]
    trailer_required: tuple[int, ...]
    messages: dict[str, MessageDef]
    msg_type_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> DataDictionary:
        return _load_cached(Path(path).resolve())

    def field_name(self, tag: int) -> str | None:
        definition = self.fields.get(tag)
        return definition.name if definition else None

    def enum_description(self, tag: int, value: str) -> str | None:
        definition = self.fields.get(tag)
        return definition.enums.get(value) if definition else None

    def is_admin(self, msg_type: str) -> bool:
        definition = self.messages.get(msg_type)
        return definition is not None and definition.category == "admin"


@cache
def _load_cached(path: Path) -> DataDictionary:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise DictionaryError(f"{path}: cannot read data dictionary: {exc}") from exc
    try:
        return _Loader(path, root).build()
    except DictionaryError:
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise DictionaryError(f"{path}: malformed data dictionary: {exc}") from exc


class _Loader:
    def __init__(self, path: Path, root: ET.Element) -> None:
        self.path = path
        self.root = root
        self.fields: dict[int, FieldDef] = {}
        self.tag_by_name: dict[str, int] = {}
        self.components: dict[str, ET.Element] = {}

    def fail(self, message: str) -> DictionaryError:
        return DictionaryError(f"{self.path}: {message}")

    def build(self) -> DataDictionary:
        if self.root.tag != "fix":
            raise self.fail("root element is not <fix>")
        kind = self.root.get("type", "FIX")
        begin_string = f"{kind}.{self.root.get('major')}.{self.root.get('minor')}"
        self._read_fields()
        for component in self._section("components", required=False):
            self.components[component.get("name", "")] = component
        header = _Collected()
        self._collect(self._section("header"), "header", header, required=True)
        trailer = _Collected()
        self._collect(self._section("trailer"), "trailer", trailer, required=True)
        messages: dict[str, MessageDef] = {}
        names: dict[str, str] = {}
        for element in self._section("messages"):
            msg_type = element.get("msgtype")
            if msg_type is None:
                raise self.fail(f"message {element.get('name')!r} has no msgtype")
            collected = _Collected()
            self._collect(element, f"message {msg_type}", collected, required=True)
            messages[msg_type] = MessageDef(
                msg_type=msg_type, name=element.get("name", msg_type),
                category=element.get("msgcat", "app"), fields=frozenset(collected.tags),
                required=tuple(sorted(collected.required)), groups=collected.groups)
            names[msg_type] = element.get("name", msg_type)
        return DataDictionary(
            path=self.path, begin_string=begin_string, fields=self.fields,
            tag_by_name=self.tag_by_name, header_tags=frozenset(header.tags),
            header_required=tuple(sorted(header.required)), header_groups=header.groups,
            trailer_tags=frozenset(trailer.tags), trailer_required=tuple(sorted(trailer.required)),
            messages=messages, msg_type_names=names)

    def _section(self, name: str, required: bool = True) -> list[ET.Element]:
        element = self.root.find(name)
        if element is None:
            if required:
                raise self.fail(f"<{name}> section not found")
            return []
        return list(element)

    def _read_fields(self) -> None:
        for element in self._section("fields"):
            if element.tag != "field":
                continue
            name = element.get("name")
            number = element.get("number")
            kind = element.get("type")
            if not name or not number or not kind:
                raise self.fail(f"<field> needs name, number and type: {element.attrib}")
            enums = {value.get("enum", ""): value.get("description", "")
                     for value in element if value.tag == "value"}
            tag = int(number)
            self.fields[tag] = FieldDef(tag, name, kind.upper(), enums)
            self.tag_by_name[name] = tag

    def _tag(self, element: ET.Element, where: str) -> int:
        name = element.get("name", "")
        tag = self.tag_by_name.get(name)
        if tag is None:
            raise self.fail(f"{where}: field {name!r} not defined in <fields>")
        return tag

    def _collect(self, parent: Iterable[ET.Element], where: str, out: _Collected, required: bool,
                 in_group: bool = False) -> None:
        """Add the fields of `parent`'s children to `out`, flattening components.

        As in QuickFIX, a component directly inside a group contributes no required fields.
        """
        for child in parent:
            child_required = required and child.get("required", "N") in ("Y", "y")
            if in_group and child.tag == "component":
                child_required = False
            if child.tag == "field":
                tag = self._tag(child, where)
                out.add(tag, child_required)
            elif child.tag == "component":
                component = self.components.get(child.get("name", ""))
                if component is None:
                    raise self.fail(f"{where}: component {child.get('name')!r} not defined")
                self._collect(component, where, out, child_required)
            elif child.tag == "group":
                tag = self._tag(child, where)
                out.add(tag, child_required)
                out.groups[tag] = self._group(child, tag, where, child_required)

    def _group(self, element: ET.Element, count_tag: int, where: str, required: bool) -> GroupDef:
        members = _Collected()
        self._collect(element, f"{where} group {count_tag}", members, required, in_group=True)
        if not members.order:
            raise self.fail(f"{where}: group {count_tag} has no fields")
        return GroupDef(count_tag=count_tag, delimiter=members.order[0],
                        members=frozenset(members.tags),
                        order={tag: index for index, tag in enumerate(members.order)},
                        required=tuple(members.required_in_order), groups=members.groups)


class _Collected:
    """Accumulator for one message, header, trailer or group level."""

    def __init__(self) -> None:
        self.tags: set[int] = set()
        self.order: list[int] = []
        self.required: set[int] = set()
        self.required_in_order: list[int] = []
        self.groups: dict[int, GroupDef] = {}

    def add(self, tag: int, required: bool) -> None:
        if tag not in self.tags:
            self.tags.add(tag)
            self.order.append(tag)
        if required and tag not in self.required:
            self.required.add(tag)
            self.required_in_order.append(tag)
