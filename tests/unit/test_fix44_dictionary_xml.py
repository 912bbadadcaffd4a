"""fix_specs/FIX44.xml against QuickFIX's own FIX44.xml and the QuickFIX acceptance suite.

Our dictionary is a curated subset of QuickFIX's. These tests pin that every fact it
states (tags, names, types, enums, required flags, group layout) is the FIX standard's as
QuickFIX has it, and that QuickFIX validates every acceptance-suite message identically
whichever of the two dictionaries it is given.
"""

from __future__ import annotations

import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
import quickfix  # type: ignore[import-untyped]

OURS_PATH = Path(__file__).parents[2] / "fix_specs" / "FIX44.xml"
QF_PATH = Path(sys.prefix) / "share" / "quickfix" / "FIX44.xml"
DEFS_DIR = Path(__file__).parents[3] / "shared" / "qf-acceptance" / "defs"

SOH = "\x01"
USER_DEFINED = {9601, 9602}
# Tags the acceptance suite sends on purpose as invalid (14a_BadField).
DELIBERATELY_INVALID = {999, 0, -1, 5000}
# (MsgType, tag) pairs the suite sends on purpose where they are not allowed (14c).
DELIBERATELY_MISPLACED = {("0", 55)}
SESSION_MSGTYPES = ["0", "1", "2", "3", "4", "5", "A"]
APP_MSGTYPES = ["D", "F", "G", "H", "8", "9", "R", "S", "AG", "AJ", "j", "d", "C"]
# Fixed clock for the <TIME> placeholders: validation only looks at the format.
NOW = datetime(2024, 1, 2, 3, 4, 5)


class Dictionary:
    """The parts of a QuickFIX XML dictionary these tests compare."""

    def __init__(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        self.root = root
        self.fields = {f.attrib["name"]: f for f in _section(root, "fields")}
        self.by_number = {int(f.attrib["number"]): f for f in self.fields.values()}
        self.components = {c.attrib["name"]: c for c in _section(root, "components")}
        self.messages = {m.attrib["msgtype"]: m for m in _section(root, "messages")}

    def tag(self, name: str) -> int:
        """Tag number of a field by name."""
        return int(self.fields[name].attrib["number"])

    def sequence(self, node: ET.Element) -> Iterator[int]:
        """Tags in dictionary order, components expanded, group counters before contents."""
        for child in node:
            if child.tag == "component":
                yield from self.sequence(self.components[child.attrib["name"]])
            else:
                yield self.tag(child.attrib["name"])
                if child.tag == "group":
                    yield from self.sequence(child)

    def required(self, node: ET.Element) -> set[int]:
        """Message-level required tags, the way QuickFIX flattens required components."""
        tags: set[int] = set()
        for child in node:
            if child.get("required") != "Y":
                continue
            if child.tag == "component":
                tags |= self.required(self.components[child.attrib["name"]])
            else:
                tags.add(self.tag(child.attrib["name"]))
        return tags

    def allowed(self, msgtype: str) -> set[int]:
        """Every tag a message of this type may carry (header, body incl. groups, trailer)."""
        return (
            set(self.sequence(_section(self.root, "header")))
            | set(self.sequence(_section(self.root, "trailer")))
            | set(self.sequence(self.messages[msgtype]))
        )

    def groups(self, node: ET.Element) -> dict[str, ET.Element]:
        """Groups defined directly in node (nested groups included, components not)."""
        found: dict[str, ET.Element] = {}
        for group in node.iter("group"):
            found[group.attrib["name"]] = group
        return found


def _section(root: ET.Element, name: str) -> ET.Element:
    node = root.find(name)
    assert node is not None, f"<{name}> missing"
    return node


@cache
def ours() -> Dictionary:
    return Dictionary(OURS_PATH)


@cache
def theirs() -> Dictionary:
    assert QF_PATH.is_file(), f"QuickFIX's FIX44.xml not found at {QF_PATH}"
    return Dictionary(QF_PATH)


@cache
def qf_dd(path: Path) -> quickfix.DataDictionary:
    return quickfix.DataDictionary(str(path))


def _tree(node: ET.Element) -> list[tuple[str, str, str | None, object]]:
    return [(c.tag, c.attrib["name"], c.get("required"), _tree(c)) for c in node]


def _is_subsequence(short: list[int], long: list[int]) -> bool:
    it = iter(long)
    return all(tag in it for tag in short)


# --- structure and facts -------------------------------------------------------------


def test_quickfix_loads_our_dictionary() -> None:
    dd = qf_dd(OURS_PATH)
    assert dd.getVersion() == "FIX.4.4"
    assert dd.isMsgType("D") and dd.isField(9601) and not dd.isField(5000)


def test_header_and_trailer_identical_to_quickfix() -> None:
    for section in ("header", "trailer"):
        mine = _tree(_section(ours().root, section))
        assert mine == _tree(_section(theirs().root, section)), section


def test_fields_match_quickfix() -> None:
    mismatches: list[str] = []
    for name, field in ours().fields.items():
        number = int(field.attrib["number"])
        if number in USER_DEFINED:
            assert number not in theirs().by_number
            continue
        ref = theirs().by_number.get(number)
        ref_text = "nothing" if ref is None else f"{ref.attrib}"
        if ref is None or ref.attrib["name"] != name or ref.get("type") != field.get("type"):
            mismatches.append(f"{number} {name} {field.get('type')}: QuickFIX has {ref_text}")
            continue
        mine = [(v.get("enum"), v.get("description")) for v in field]
        if mine != [(v.get("enum"), v.get("description")) for v in ref]:
            mismatches.append(f"{number} {name}: enum values differ")
    assert mismatches == []


def test_every_msgtype_is_present() -> None:
    for msgtype in SESSION_MSGTYPES + APP_MSGTYPES:
        message = ours().messages[msgtype]
        ref = theirs().messages[msgtype]
        assert message.attrib == ref.attrib


@pytest.mark.parametrize("msgtype", SESSION_MSGTYPES + APP_MSGTYPES)
def test_required_fields_match_quickfix(msgtype: str) -> None:
    mine = ours().required(ours().messages[msgtype])
    assert mine == theirs().required(theirs().messages[msgtype])
    # Cross-check the flattening with QuickFIX's own reading of both files.
    for tag in ours().by_number:
        assert qf_dd(OURS_PATH).isRequiredField(msgtype, tag) == (tag in mine), tag
        assert qf_dd(QF_PATH).isRequiredField(msgtype, tag) == (tag in mine), tag


def test_layout_is_quickfix_order_with_only_omissions() -> None:
    """Messages and components keep QuickFIX's field order; nothing is invented."""
    nodes = [(f"message {t}", ours().messages[t], theirs().messages[t]) for t in ours().messages]
    nodes += [(f"component {n}", c, theirs().components[n]) for n, c in ours().components.items()]
    for label, mine, ref in nodes:
        sequence = [t for t in ours().sequence(mine) if t not in USER_DEFINED]
        assert _is_subsequence(sequence, list(theirs().sequence(ref))), label


def test_group_delimiters_and_contents_match_quickfix() -> None:
    owners = [(ours().messages[t], theirs().messages[t]) for t in ours().messages]
    owners += [(c, theirs().components[n]) for n, c in ours().components.items()]
    for mine_owner, ref_owner in owners:
        ref_groups = theirs().groups(ref_owner)
        for name, group in ours().groups(mine_owner).items():
            mine = list(ours().sequence(group))
            ref = list(theirs().sequence(ref_groups[name]))
            assert mine[0] == ref[0], f"{name}: delimiter {mine[0]} != {ref[0]}"
            assert _is_subsequence(mine, ref), name


def test_user_defined_fields() -> None:
    strategy = ours().by_number[9601]
    assert (strategy.attrib["name"], strategy.get("type")) == ("RoutingStrategy", "STRING")
    assert [v.get("enum") for v in strategy] == ["best", "split", "sequential", "manual"]
    preferred = ours().by_number[9602]
    assert (preferred.attrib["name"], preferred.get("type")) == ("PreferredLPs", "STRING")
    assert list(preferred) == []
    for msgtype in ("D", "G"):
        assert {9601, 9602, 100} <= ours().allowed(msgtype)
        assert not {9601, 9602} & ours().required(ours().messages[msgtype])
    assert {n for n in ours().by_number if n >= 5000} == USER_DEFINED


def test_dictionary_facts_the_acceptance_suite_relies_on() -> None:
    d = ours()
    assert 999 not in d.by_number and 5000 not in d.by_number
    assert [v.get("enum") for v in d.by_number[21]] == ["1", "2", "3"]
    assert "w" not in {v.get("enum") for v in d.by_number[40]}
    security_types = {v.get("enum") for v in d.by_number[167]}
    assert "CS" in security_types and "BOO" not in security_types
    for tag in (126, 60, 52, 122):
        assert d.by_number[tag].get("type") == "UTCTIMESTAMP", tag
    assert d.by_number[38].get("type") == "QTY"
    assert {97, 43, 122, 115, 116, 144, 128, 129, 145} <= set(
        d.sequence(_section(d.root, "header"))
    )
    assert 386 in d.allowed("D")
    assert next(d.sequence(d.groups(d.components["TrdgSesGrp"])["NoTradingSessions"])) == 336
    assert d.by_number[454].get("type") == "NUMINGROUP"
    assert 454 in d.allowed("D") and 454 in d.allowed("d")
    assert "I" in {v.get("enum") for v in d.by_number[150]}


@pytest.mark.parametrize(
    ("msgtype", "tags"),
    [
        ("D", {1, 11, 21, 38, 40, 44, 54, 55, 59, 60, 100, 126, 386, 454}),
        ("G", {11, 37, 38, 40, 41, 44, 54, 55, 60, 100}),
        ("F", {11, 37, 38, 41, 54, 55, 60}),
        ("H", {11, 37, 54, 55, 790}),
        ("8", {6, 14, 17, 30, 31, 32, 37, 39, 58, 103, 150, 151, 198, 527, 790}),
        ("9", {11, 37, 39, 41, 58, 102, 434}),
        ("R", {131, 146, 55, 54, 38, 62}),
        ("S", {62, 117, 131, 132, 133, 134, 135, 55}),
        ("AG", {131, 146, 55, 658}),
        ("AJ", {117, 693, 694, 132, 133}),
        ("3", {45, 58, 371, 372, 373}),
        ("j", {45, 58, 372, 379, 380}),
        ("A", {98, 108, 141, 384, 372, 385}),
    ],
)
def test_gateway_fields_are_in_their_messages(msgtype: str, tags: set[int]) -> None:
    assert tags <= ours().allowed(msgtype)


# --- the acceptance suite ------------------------------------------------------------


def _def_files() -> list[Path]:
    if not DEFS_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"acceptance definitions missing: {DEFS_DIR}")
        pytest.skip(f"acceptance definitions not present at {DEFS_DIR}")
    files = sorted(DEFS_DIR.rglob("*.def"))
    assert files, f"no .def files under {DEFS_DIR}"
    return files


def _fill_times(payload: str) -> str:
    def stamp(match: re.Match[str]) -> str:
        moment = NOW + timedelta(seconds=int(match.group(1) or 0))
        return moment.strftime("%Y%m%d-%H:%M:%S")

    return re.sub(r"<TIME([+-]\d+)?>", stamp, payload)


def _sent_messages() -> list[str]:
    """Payloads of every `I` line that is a FIX message, times filled in (FORMAT.md §3-4)."""
    payloads: list[str] = []
    for path in _def_files():
        for line in path.read_bytes().decode("latin-1").splitlines():
            if not line.startswith("I"):
                continue
            payload = line[3:] if re.match(r"^I\d,", line) else line[1:]
            if payload.startswith("8="):
                payloads.append(_fill_times(payload))
    return payloads


def _pairs(payload: str) -> list[tuple[str, str]]:
    return [(tag, value) for tag, _, value in (f.partition("=") for f in payload.split(SOH) if f)]


def _with_length_and_checksum(payload: str) -> str:
    """Rebuild with correct 9/10: garbling is the framer's concern, not the dictionary's."""
    fields = [f for f in payload.split(SOH) if f and not f.startswith(("9=", "10="))]
    head = fields[0] + SOH
    body = "".join(f + SOH for f in fields[1:])
    text = f"{head}9={len(body.encode('latin-1'))}{SOH}{body}"
    return f"{text}10={sum(text.encode('latin-1')) % 256:03d}{SOH}"


def _verdict(dd: quickfix.DataDictionary, text: str) -> str:
    """QuickFIX's answer: "OK" or the text of the exception that would become a Reject."""
    try:
        dd.validate(quickfix.Message(text, dd, True))
    except quickfix.FIXException as exc:
        return str(exc)
    return "OK"


def test_acceptance_suite_tags_are_defined_and_allowed() -> None:
    misplaced = set()
    for payload in _sent_messages():
        pairs = _pairs(payload)
        msgtype = dict(pairs).get("35", "")
        for text, _ in pairs:
            if not re.fullmatch(r"-?\d+", text) or int(text) in DELIBERATELY_INVALID:
                continue  # non-integer tags are the garbled-message tests
            tag = int(text)
            assert tag in ours().by_number, f"tag {tag} (35={msgtype}) not defined"
            if msgtype not in theirs().messages:
                continue  # 35=* is the invalid-MsgType test
            if tag in theirs().allowed(msgtype):
                assert tag in ours().allowed(msgtype), f"tag {tag} not allowed in 35={msgtype}"
            else:
                misplaced.add((msgtype, tag))
    assert misplaced == DELIBERATELY_MISPLACED


def test_quickfix_validates_acceptance_messages_identically() -> None:
    verdicts: dict[str, str] = {}
    for payload in _sent_messages():
        text = _with_length_and_checksum(payload)
        expected = _verdict(qf_dd(QF_PATH), text)
        assert _verdict(qf_dd(OURS_PATH), text) == expected, payload.replace(SOH, "|")
        verdicts[payload] = expected
    outcomes = set(verdicts.values())
    # The comparison is only meaningful if the suite's accepted and rejected cases are there.
    assert len(verdicts) > 100
    assert {
        "OK",
        "Invalid tag number: 5000",
        "Invalid tag number: 999",
        "Tag not defined for this message type: 55",
        "Value is incorrect (out of range) for this tag: 21",
        "Value is incorrect (out of range) for this tag: 40",
        "Value is incorrect (out of range) for this tag: 167",
        "Incorrect data format for value with tag: 38: +200.00",
        "Repeating group count mismatch",
        "Required tag missing: 11",
    } <= outcomes
    accepted = {dict(_pairs(p))["35"] for p, v in verdicts.items() if v == "OK"}
    assert {"D", "d", "8", "A", "0", "1", "2", "3", "4", "5"} <= accepted


# --- the gateway's own messages --------------------------------------------------------

_T = f"{NOW:%Y%m%d-%H:%M:%S}"
_HEAD = "8=FIX.4.4|35={}|34=2|49=GW|52=" + _T + ".000|56=LP1|"
GATEWAY_MESSAGES = {
    "D": f"11=C1|21=1|38=1000000|40=2|44=1.0850|54=1|55=EUR/USD|59=3|60={_T}|100=LP1|9601=manual|9602=LP1,LP2|",
    "G": f"11=C2|37=O1|38=500000|40=2|41=C1|44=1.0851|54=1|55=EUR/USD|60={_T}|9601=best|",
    "F": f"11=C3|37=O1|41=C2|54=1|55=EUR/USD|60={_T}|",
    "H": "11=C1|37=O1|54=1|55=EUR/USD|790=S1|",
    "8": "6=1.0850|14=1000000|17=E1|30=LP1|31=1.0850|32=1000000|37=O1|39=2|54=1|55=EUR/USD|150=F|151=0|198=LPO1|527=LPE1|",
    "9": "11=C3|37=O1|39=4|41=C2|58=Too late|102=0|434=1|",
    "R": "131=Q1|146=1|55=EUR/USD|54=1|38=1000000|",
    "S": f"62={_T}|117=QT1|131=Q1|132=1.0849|133=1.0851|134=1000000|135=2000000|55=EUR/USD|",
    "AG": "131=Q1|146=1|55=EUR/USD|658=1|",
    "j": "45=3|58=Unsupported Message Type|372=8|380=3|",
}


def _gateway_message(msgtype: str, body: str) -> str:
    return _with_length_and_checksum((_HEAD.format(msgtype) + body).replace("|", SOH))


@pytest.mark.parametrize("msgtype", sorted(GATEWAY_MESSAGES))
def test_gateway_messages_validate_under_both_dictionaries(msgtype: str) -> None:
    body = GATEWAY_MESSAGES[msgtype]
    assert _verdict(qf_dd(OURS_PATH), _gateway_message(msgtype, body)) == "OK"
    standard = re.sub(r"(?:^|(?<=\|))960[12]=[^|]*\|", "", body)  # QuickFIX lacks 9601/9602
    assert _verdict(qf_dd(QF_PATH), _gateway_message(msgtype, standard)) == "OK"


@pytest.mark.parametrize(
    ("msgtype", "body", "verdict"),
    [
        (
            "D",
            f"11=C1|40=1|54=1|60={_T}|9601=fastest|",
            "Value is incorrect (out of range) for this tag: 9601",
        ),
        (
            "F",
            f"11=C3|41=C2|54=1|60={_T}|9601=best|",
            "Tag not defined for this message type: 9601",
        ),
        ("D", f"11=C1|40=1|54=1|60={_T}|5000=x|", "Invalid tag number: 5000"),
    ],
)
def test_user_defined_tags_are_validated(msgtype: str, body: str, verdict: str) -> None:
    assert _verdict(qf_dd(OURS_PATH), _gateway_message(msgtype, body)) == verdict
