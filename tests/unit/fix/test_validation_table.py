"""FORMAT.md §8.3 validation table, order of checks, the four QuickFIX switches, and the
acceptance-suite dictionary facts, all against OUR dictionary (fix_specs/FIX44.xml).

Reasons 9 (CompID) and 10 (SendingTime accuracy) are session-level, not the validator's.
"""

from __future__ import annotations

import pytest

from gateway.fix.errors import Rejection
from gateway.fix.errors import SessionRejectReason as Reason

from .support import HEADER, TIME, app_frame, structure, validator

ORDER = f"11=ID|21=1|40=1|54=1|60={TIME}|"  # a minimal valid NewOrderSingle body


def check(msg_type: str, body: str, header: str = HEADER, **switches: bool) -> Rejection | None:
    checker = validator("ours", **switches)
    return checker.validate(structure(app_frame(msg_type, body, header), checker))


def assert_rejected(rejection: Rejection | None, reason: int, ref_tag: int | None,
                    text: str) -> None:
    assert rejection is not None
    assert (int(rejection.reason), rejection.ref_tag) == (reason, ref_tag)
    assert rejection.message_text == text


# -- one test per row ---------------------------------------------------------------

@pytest.mark.parametrize("tag", [999, 0, -1, 5000])
def test_row_invalid_tag_number(tag: int) -> None:
    assert_rejected(check("D", ORDER + f"{tag}=HI|"), 0, tag, "Invalid tag number")


@pytest.mark.parametrize(("msg_type", "body", "header", "tag"), [
    ("0", "", "34=2|49=CLIENT|52=20240102-03:04:05|", 56),
    ("0", "", "49=CLIENT|52=20240102-03:04:05|56=G|", 34),
    ("D", f"21=1|40=1|54=1|60={TIME}|", HEADER, 11),
    ("8", "6=1|11=A|14=0|17=E|37=O|39=0|54=1|150=0|", HEADER, 151),
    ("d", "320=R|322=S|", HEADER, 323),
])
def test_row_required_tag_missing(msg_type: str, body: str, header: str, tag: int) -> None:
    assert_rejected(check(msg_type, body, header), 1, tag, "Required tag missing")


def test_row_tag_not_defined_for_message_type() -> None:
    assert_rejected(check("0", "55=INTC|"), 2, 55, "Tag not defined for this message type")


@pytest.mark.parametrize(("msg_type", "body", "header", "tag"), [
    ("0", "", "34=2|49=CLIENT|52=20240102-03:04:05|56=|", 56),
    ("0", "", HEADER + "115=|", 115),
    ("1", "112=|", HEADER, 112),
])
def test_row_tag_specified_without_a_value(msg_type: str, body: str, header: str,
                                           tag: int) -> None:
    assert_rejected(check(msg_type, body, header), 4, tag, "Tag specified without a value")


@pytest.mark.parametrize(("field", "tag"), [("21=4", 21), ("167=BOO", 167), ("40=w", 40)])
def test_row_value_is_incorrect(field: str, tag: int) -> None:
    body = ORDER.replace("21=1|", "").replace("40=1|", "") + field + "|"
    if tag != 40:
        body += "40=1|"
    assert_rejected(check("D", body), 5, tag, "Value is incorrect (out of range) for this tag")


@pytest.mark.parametrize(("field", "tag"), [("38=+200.00", 38), ("126=20040415", 126)])
def test_row_incorrect_data_format(field: str, tag: int) -> None:
    assert_rejected(check("D", ORDER + field + "|"), 6, tag, "Incorrect data format for value")


def test_row_invalid_msgtype() -> None:
    assert_rejected(check("*", ORDER), 11, None, "Invalid MsgType")


@pytest.mark.parametrize(("body", "tag"), [
    (ORDER + "58=a|58=b|", 58), (ORDER + "55=A|38=1|55=A|", 55), (ORDER + "11=ID|", 11),
])
def test_row_tag_appears_more_than_once(body: str, tag: int) -> None:
    assert_rejected(check("D", body), 13, tag, "Tag appears more than once")


def test_row_repeated_header_tag() -> None:
    assert_rejected(check("0", "", HEADER + "49=X|"), 13, 49, "Tag appears more than once")


def test_row_header_field_after_body_field() -> None:
    header = "34=2|49=CLIENT|52=20240102-03:04:05|"
    rejection = check("D", ORDER + "56=G|97=Y|", header)
    assert_rejected(rejection, 14, 56, "Tag specified out of required order")


def test_row_body_field_after_trailer_field() -> None:
    rejection = check("D", ORDER.replace(f"60={TIME}|", f"93=1|60={TIME}|"))
    assert_rejected(rejection, 14, 60, "Tag specified out of required order")


@pytest.mark.parametrize("body", [
    ORDER + "386=3|336=A|336=B|", ORDER + "386=1|336=A|336=B|", ORDER + "386=0|336=A|",
    ORDER + "453=1|448=A|447=D|448=B|", ORDER + "453=2|448=A|802=2|523=X|",
])
def test_row_incorrect_numingroup_count(body: str) -> None:
    tag = int(body[len(ORDER):].split("=")[0])
    assert_rejected(check("D", body), 16, tag, "Incorrect NumInGroup count for repeating group")


def test_correct_group_counts_are_valid() -> None:
    body = ORDER + "386=2|336=A|625=x|336=B|453=2|448=A|802=2|523=X|523=Y|448=B|447=D|"
    assert check("D", body) is None


# -- order of checks (FORMAT.md §8.3) -------------------------------------------------

@pytest.mark.parametrize(("msg_type", "body", "header", "expected"), [
    # structure (14) before MsgType (11)
    ("*", ORDER + "97=Y|", HEADER, (14, 97)),
    # MsgType (11) before required (1)
    ("*", "", "49=C|56=G|", (11, None)),
    # required (1) before any field check
    ("D", "21=4|40=w|54=1|60=x|999=1|", HEADER, (1, 11)),
    ("D", ORDER.replace("60=", "59=0|61=") + "38=x|", HEADER, (1, 60)),
    # header required before body required
    ("D", "", "49=C|52=20240102-03:04:05|56=G|", (1, 34)),
    # header fields before trailer before body
    ("D", ORDER + "21=4|", HEADER + "43=X|", (6, 43)),
    ("D", ORDER + "38=x|93=x|", HEADER, (6, 93)),
    # body fields in ascending tag order, not arrival order
    ("D", "167=BOO|" + ORDER + "38=+1|", HEADER, (6, 38)),
    ("D", ORDER.replace("21=1", "21=4").replace("40=1", "40=w"), HEADER, (5, 21)),
    ("D", ORDER + "9999=1|55=A|55=A|", HEADER, (13, 55)),
    # per field: repeated, empty, format, enum, known tag, allowed, group count
    ("D", ORDER + "58=a|58=|", HEADER, (13, 58)),
    ("D", ORDER + "38=|", HEADER, (4, 38)),
    ("D", ORDER.replace("54=1", "54=12"), HEADER, (6, 54)),
    ("0", "38=x|", HEADER, (6, 38)),
    ("0", "21=4|", HEADER, (5, 21)),
    ("0", "5000=x|55=A|", HEADER, (2, 55)),
    ("D", ORDER + "386=x|336=A|", HEADER, (6, 386)),
    ("D", ORDER + "386=2|336=A|0=1|", HEADER, (0, 0)),
    ("D", ORDER + "386=2|336=A|999=1|", HEADER, (16, 386)),
    ("D", ORDER + "386=2|336=A|55=A|55=B|", HEADER, (13, 55)),
])
def test_order_of_checks(msg_type: str, body: str, header: str,
                         expected: tuple[int, int | None]) -> None:
    rejection = check(msg_type, body, header)
    assert rejection is not None
    assert (int(rejection.reason), rejection.ref_tag) == expected


# -- the four switches ------------------------------------------------------------------

def test_validate_fields_out_of_order_switch() -> None:
    header = "34=2|49=CLIENT|52=20240102-03:04:05|"
    body = ORDER + "56=G|"
    assert_rejected(check("D", body, header), 14, 56, "Tag specified out of required order")
    assert check("D", body, header, fields_out_of_order=False) is None


def test_validate_fields_have_values_switch() -> None:
    assert_rejected(check("1", "112=|"), 4, 112, "Tag specified without a value")
    assert check("1", "112=|", fields_have_values=False) is None
    # Off, an empty value still has to have the field's format.
    off = check("D", ORDER + "38=|", fields_have_values=False)
    assert off is not None and (int(off.reason), off.ref_tag) == (6, 38)


@pytest.mark.parametrize("field", ["5000=x", "9999=x", "20000=y"])
def test_validate_user_defined_fields_switch(field: str) -> None:
    tag = int(field.split("=")[0])
    assert_rejected(check("D", ORDER + field + "|"), 0, tag, "Invalid tag number")
    assert check("D", ORDER + field + "|", user_defined_fields=False) is None


def test_user_defined_fields_switch_keeps_format_and_enum_checks() -> None:
    assert check("D", ORDER + "9601=best|9602=LP1,LP2|") is None
    rejection = check("D", ORDER + "9601=fastest|", user_defined_fields=False)
    assert rejection is not None and (int(rejection.reason), rejection.ref_tag) == (5, 9601)
    rejection = check("0", "9601=best|")
    assert rejection is not None and (int(rejection.reason), rejection.ref_tag) == (2, 9601)
    assert check("0", "9601=best|", user_defined_fields=False) is None


def test_allow_unknown_msg_fields_switch() -> None:
    assert_rejected(check("0", "55=INTC|"), 2, 55, "Tag not defined for this message type")
    assert check("0", "55=INTC|", allow_unknown_msg_fields=True) is None
    assert check("D", ORDER + "999=x|", allow_unknown_msg_fields=True) is None
    # Only tags below 5000: user-defined ones follow ValidateUserDefinedFields.
    rejection = check("D", ORDER + "5000=x|", allow_unknown_msg_fields=True)
    assert rejection is not None and (int(rejection.reason), rejection.ref_tag) == (0, 5000)
    # Formats are still checked.
    rejection = check("0", "38=x|", allow_unknown_msg_fields=True)
    assert rejection is not None and (int(rejection.reason), rejection.ref_tag) == (6, 38)


def test_no_dictionary_means_no_validation() -> None:
    from gateway.fix.validation import Validator
    checker = Validator(None)
    assert checker.validate(structure(app_frame("*", "999=|"), checker)) is None


# -- acceptance-suite facts on OUR dictionary ------------------------------------------

def test_new_order_single_without_quantity_and_symbol_is_valid() -> None:
    assert check("D", ORDER) is None
    assert check("D", ORDER + "38=002000.00|55=INTC|167=CS|") is None


def test_security_definition_with_empty_alt_id_group_is_valid() -> None:
    assert check("d", "320=R|322=S|323=1|454=0|") is None
    assert check("d", "55=X|320=R|322=S|323=1|454=1|455=ISIN|456=4|") is None


@pytest.mark.parametrize(("field", "tag"), [("21=4", 21), ("167=BOO", 167), ("40=w", 40)])
def test_acceptance_enum_values_rejected(field: str, tag: int) -> None:
    body = "11=ID|54=1|60=20240102-03:04:05|" + ("40=1|" if tag != 40 else "") + field + "|"
    rejection = check("D", body)
    assert rejection is not None
    assert (rejection.reason, rejection.ref_tag) == (Reason.VALUE_IS_INCORRECT, tag)


@pytest.mark.parametrize(("field", "tag"), [("38=+200.00", 38), ("126=20040415", 126),
                                            ("60=20040415", 60)])
def test_acceptance_formats_rejected(field: str, tag: int) -> None:
    rejection = check("D", ORDER.replace(f"60={TIME}|", "") + f"60={TIME}|" + field + "|"
                      if tag != 60 else ORDER.replace(f"60={TIME}", field))
    assert rejection is not None
    assert (rejection.reason, rejection.ref_tag) == (Reason.INCORRECT_DATA_FORMAT, tag)


@pytest.mark.parametrize("stamp", ["20240102-03:04:05", "20240102-03:04:05.678"])
def test_timestamps_with_seconds_or_milliseconds_are_valid(stamp: str) -> None:
    header = f"34=2|49=CLIENT|52={stamp}|56=GATEWAY|122={stamp}|43=Y|"
    assert check("D", ORDER.replace(TIME, stamp) + f"126={stamp}|", header) is None


def test_header_fields_the_suite_uses_are_header_fields() -> None:
    header = HEADER + "43=N|97=Y|115=ON|116=SUB|122=20240102-03:04:05|128=TO|129=TS|144=L|145=L|"
    assert check("D", ORDER, header) is None
