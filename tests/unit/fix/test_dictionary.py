"""DataDictionary.load on our FIX44.xml and on QuickFIX's, and its errors on bad files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gateway.fix.dictionary import DataDictionary
from gateway.fix.errors import DictionaryError

from .support import DICTIONARY_PATHS, OURS_PATH, QF_PATH, dictionary

BOTH = pytest.mark.parametrize("name", sorted(DICTIONARY_PATHS))


def _xml_field_count(path: Path) -> int:
    fields = ET.parse(path).getroot().find("fields")
    assert fields is not None
    return sum(1 for child in fields if child.tag == "field")


@BOTH
def test_field_count_matches_the_xml(name: str) -> None:
    loaded = dictionary(name)
    assert len(loaded.fields) == _xml_field_count(DICTIONARY_PATHS[name])
    assert loaded.begin_string == "FIX.4.4"
    assert loaded.path == DICTIONARY_PATHS[name].resolve()


def test_quickfix_dictionary_sizes() -> None:
    loaded = dictionary("quickfix")
    assert len(loaded.fields) == 912
    assert len(loaded.messages) == 93


def test_our_dictionary_messages() -> None:
    assert set(dictionary("ours").messages) == {
        "0", "1", "2", "3", "4", "5", "A", "8", "9", "AG", "AJ", "C", "D", "F", "G", "H",
        "R", "S", "d", "j",
    }


def test_field_types() -> None:
    cases = [
        (34, "MsgSeqNum", "SEQNUM"), (38, "OrderQty", "QTY"), (44, "Price", "PRICE"),
        (52, "SendingTime", "UTCTIMESTAMP"), (54, "Side", "CHAR"),
        (126, "ExpireTime", "UTCTIMESTAMP"), (453, "NoPartyIDs", "NUMINGROUP"),
        (43, "PossDupFlag", "BOOLEAN"), (11, "ClOrdID", "STRING"),
    ]
    for which in DICTIONARY_PATHS:
        loaded = dictionary(which)
        for tag, field_name, fix_type in cases:
            definition = loaded.fields[tag]
            assert (definition.name, definition.type) == (field_name, fix_type), (which, tag)
            assert loaded.tag_by_name[field_name] == tag
            assert loaded.field_name(tag) == field_name
    assert dictionary().field_name(999) is None


@BOTH
def test_enums(name: str) -> None:
    loaded = dictionary(name)
    assert set(loaded.fields[21].enums) == {"1", "2", "3"}
    assert "w" not in loaded.fields[40].enums
    assert {"1", "2"} <= set(loaded.fields[40].enums)
    assert "CS" in loaded.fields[167].enums
    assert "BOO" not in loaded.fields[167].enums
    assert loaded.fields[11].enums == {}
    assert loaded.enum_description(54, "1") == "BUY"
    assert loaded.enum_description(54, "Z") is None
    assert loaded.enum_description(999, "1") is None


@BOTH
def test_header_and_trailer(name: str) -> None:
    loaded = dictionary(name)
    assert loaded.header_required == (8, 9, 34, 35, 49, 52, 56)
    assert {43, 97, 115, 116, 122, 128, 129, 144, 145, 627} <= loaded.header_tags
    assert 11 not in loaded.header_tags
    assert loaded.trailer_required == (10,)
    assert loaded.trailer_tags == {10, 89, 93}
    hops = loaded.header_groups[627]
    assert hops.delimiter == 628
    assert hops.members == {628, 629, 630}


@BOTH
@pytest.mark.parametrize(("msg_type", "required"), [
    ("D", (11, 40, 54, 60)),
    ("8", (6, 14, 17, 37, 39, 54, 150, 151)),
    ("d", (320, 322, 323)),
    ("0", ()),
    ("A", (98, 108)),
])
def test_message_required_fields(name: str, msg_type: str, required: tuple[int, ...]) -> None:
    assert dictionary(name).messages[msg_type].required == required


@BOTH
def test_message_fields_flatten_components(name: str) -> None:
    order = dictionary(name).messages["D"]
    assert {11, 38, 55, 167, 453, 386, 454} <= order.fields
    assert 448 not in order.fields  # a group member, not a top-level field
    assert 336 not in order.fields
    assert order.name == "NewOrderSingle"
    assert order.category == "app"
    assert dictionary(name).is_admin("A")
    assert not dictionary(name).is_admin("D")
    assert not dictionary(name).is_admin("ZZ")
    assert dictionary(name).msg_type_names["8"] == "ExecutionReport"


@BOTH
def test_groups(name: str) -> None:
    messages = dictionary(name).messages
    sessions = messages["D"].groups[386]
    assert (sessions.count_tag, sessions.delimiter) == (386, 336)
    assert sessions.order == {336: 0, 625: 1}
    related = messages["R"].groups[146]
    assert related.delimiter == 55
    assert 454 in related.members and 454 in related.groups
    alt_ids = messages["D"].groups[454]  # from the Instrument component
    assert alt_ids.delimiter == 455
    assert alt_ids.members == {455, 456}
    parties = messages["8"].groups[453]
    assert parties.delimiter == 448
    assert [tag for tag, _ in sorted(parties.order.items(), key=lambda item: item[1])] == [
        448, 447, 452, 802]
    assert parties.groups[802].delimiter == 523
    assert 454 in messages["d"].groups


def test_user_defined_fields_in_ours_only() -> None:
    ours = dictionary("ours")
    assert ours.fields[9601].name == "RoutingStrategy"
    assert set(ours.fields[9601].enums) == {"best", "split", "sequential", "manual"}
    assert ours.fields[9602].name == "PreferredLPs"
    assert {9601, 9602} <= ours.messages["D"].fields
    assert {9601, 9602} <= ours.messages["G"].fields
    assert 9601 not in dictionary("quickfix").fields
    assert 5000 not in ours.fields


def test_load_is_cached_per_path() -> None:
    assert DataDictionary.load(OURS_PATH) is DataDictionary.load(str(OURS_PATH))
    assert DataDictionary.load(QF_PATH) is not DataDictionary.load(OURS_PATH)


_MINIMAL = """<fix type="FIX" major="4" minor="4">
  <header><field name="BeginString" required="Y"/></header>
  <trailer><field name="CheckSum" required="Y"/></trailer>
  <messages>{messages}</messages>
  <components>{components}</components>
  <fields>
    <field number="8" name="BeginString" type="STRING"/>
    <field number="10" name="CheckSum" type="STRING"/>
    <field number="112" name="TestReqID" type="STRING"/>
  </fields>
</fix>"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "FIX44-bad.xml"
    path.write_text(text)
    return path


def test_minimal_dictionary_loads(tmp_path: Path) -> None:
    message = '<message name="TestRequest" msgtype="1" msgcat="admin"><field name="TestReqID" required="Y"/></message>'
    loaded = DataDictionary.load(_write(tmp_path, _MINIMAL.format(messages=message, components="")))
    assert loaded.messages["1"].required == (112,)


@pytest.mark.parametrize(("text", "complaint"), [
    ("<fix><fields>", "cannot read"),
    ("<notfix/>", "not <fix>"),
    (_MINIMAL.replace("<messages>{messages}</messages>", ""), "<messages>"),
    (_MINIMAL.format(
        messages='<message name="X" msgtype="X"><component name="Nope" required="Y"/></message>',
        components=""), "Nope"),
    (_MINIMAL.format(
        messages='<message name="X" msgtype="X"><field name="Missing" required="Y"/></message>',
        components=""), "Missing"),
    (_MINIMAL.format(messages='<message name="X"/>', components=""), "msgtype"),
    (_MINIMAL.format(
        messages='<message name="X" msgtype="X"><group name="TestReqID" required="N"/></message>',
        components=""), "no fields"),
    (_MINIMAL.replace('number="112"', 'number="abc"').format(messages="", components=""),
     "malformed"),
], ids=["bad-xml", "root", "no-messages", "undefined-component", "undefined-field",
        "no-msgtype", "empty-group", "bad-number"])
def test_bad_file_raises_dictionary_error_naming_it(tmp_path: Path, text: str,
                                                    complaint: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DictionaryError) as caught:
        DataDictionary.load(path)
    assert str(path.resolve()) in str(caught.value)
    assert complaint in str(caught.value)


def test_missing_file_raises_dictionary_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.xml"
    with pytest.raises(DictionaryError, match=r"absent\.xml"):
        DataDictionary.load(path)
