"""Message accessors and the encoder's refusal of values containing SOH."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.fix.codec import encode
from gateway.fix.errors import EncodeError
from gateway.fix.message import Group, Message

from .support import app_frame, structure


def _order() -> Message:
    parties = Group([[(448, "BRK"), (447, "D"), (452, "1")], [(448, "DESK"), (447, "D")]])
    return Message(
        "D",
        body=[(11, "ID-1"), (38, "002000.00"), (44, "1.2500"), (453, parties), (54, "1"), (58, "a=b")],
        header={34: "7", 49: "CLIENT", 56: "GATEWAY"},
        trailer={93: "3"},
    )


def test_get_reads_header_body_and_trailer() -> None:
    message = _order()
    assert message.get(49) == "CLIENT"
    assert message.get(11) == "ID-1"
    assert message.get(58) == "a=b"
    assert message.get(93) == "3"
    assert message.get(1) is None
    assert message.get(1, "none") == "none"
    assert message[54] == "1"
    with pytest.raises(KeyError):
        message[1]


def test_get_does_not_return_a_group_as_text() -> None:
    message = _order()
    assert message.get(453) is None
    assert message.get(453, "x") == "x"
    assert 453 in message
    assert 999 not in message
    assert "11" not in message


def test_decimal_is_decimal_and_the_text_is_kept() -> None:
    message = _order()
    quantity = message.decimal(38)
    assert isinstance(quantity, Decimal)
    assert quantity == Decimal("2000")
    assert message.get(38) == "002000.00"
    assert message.decimal(44) == Decimal("1.25")
    assert b"\x0138=002000.00\x01" in encode(message)


def test_decimal_of_absent_or_non_numeric_value_is_none() -> None:
    message = _order()
    assert message.decimal(1) is None
    assert message.decimal(11) is None


def test_decimal_of_a_received_quantity_keeps_its_text() -> None:
    data = app_frame("D", "11=ID|21=1|38=002000.00|40=1|54=1|55=INTC|60=20240102-03:04:05|")
    message = structure(data).message
    assert message.decimal(38) == Decimal("2000.00")
    assert message.get(38) == "002000.00"
    assert encode(message) == data


def test_int_value() -> None:
    message = _order()
    assert message.int_value(34) == 7
    assert message.int_value(54) == 1
    assert message.int_value(11) is None
    assert message.int_value(1) is None


def test_group_access() -> None:
    message = _order()
    parties = message.group(453)
    assert parties is not None
    assert len(parties) == 2
    assert [entry[0] for entry in parties] == [(448, "BRK"), (448, "DESK")]
    assert message.group(11) is None
    assert message.group(386) is None


def test_header_group_access() -> None:
    hops = Group([[(628, "HOP")]])
    message = Message("0", header={49: "A", 627: hops})
    assert message.group(627) is hops


def test_set_replaces_or_appends_and_refreshes_lookups() -> None:
    message = _order()
    assert message.get(11) == "ID-1"
    message.set(11, "ID-2")
    assert message.get(11) == "ID-2"
    assert [tag for tag, _ in message.body].count(11) == 1
    message.set(1, "ACCT")
    assert message.get(1) == "ACCT"
    assert message.body[-1] == (1, "ACCT")


def test_remove_drops_every_top_level_occurrence() -> None:
    message = Message("D", body=[(11, "A"), (58, "x"), (58, "y")])
    assert message.get(58) == "x"
    message.remove(58)
    assert 58 not in message
    assert message.get(58) is None
    assert message.body == [(11, "A")]


def test_equality_covers_header_body_trailer_and_type() -> None:
    assert _order() == _order()
    other = _order()
    other.set(11, "ID-2")
    assert other != _order()
    other = _order()
    other.header[34] = "8"
    assert other != _order()
    other = _order()
    other.msg_type = "G"
    assert other != _order()


@pytest.mark.parametrize(
    "message",
    [
        Message("D", body=[(58, "a\x01b")]),
        Message("D", header={49: "A\x01"}),
        Message("D", body=[(453, Group([[(448, "x\x01y")]]))]),
        Message("D", trailer={93: "1\x01"}),
        Message("D\x01"),
        Message("D", body=[(95, "2"), (96, "a\x01b")]),
        Message("D", body=[(96, "a\x01b")]),
        Message("D", body=[(93, "3"), (89, "a\x01b")]),  # sorted: 89 before its length
        Message("D", trailer={93: "3", 89: "a\x01"}),
    ],
    ids=["body", "header", "group", "trailer", "msgtype", "data-length", "data-alone",
         "data-apart", "signature-length"],
)
def test_encode_refuses_soh_inside_a_value(message: Message) -> None:
    with pytest.raises(EncodeError):
        encode(message)
