"""Shared helpers of the FIX codec/validation tests: dictionary paths and frame builders.

The frame builders compute BodyLength and CheckSum themselves (not with the codec's
`finish`), so tests of the codec do not check it against itself.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from gateway.fix.codec import split_fields
from gateway.fix.dictionary import DataDictionary
from gateway.fix.errors import Garbled
from gateway.fix.validation import Structured, ValidationOptions, Validator

REPO = Path(__file__).resolve().parents[3]
OURS_PATH = REPO / "fix_specs" / "FIX44.xml"
QF_PATH = Path(sys.prefix) / "share" / "quickfix" / "FIX44.xml"
DICTIONARY_PATHS = {"ours": OURS_PATH, "quickfix": QF_PATH}

SOH = "\x01"
TIME = "20240102-03:04:05"
TIME_MS = "20240102-03:04:05.678"
HEADER = f"34=2|49=CLIENT|52={TIME_MS}|56=GATEWAY|"


def pipes(text: str) -> str:
    """`|`-separated fields as SOH-separated ones."""
    return text.replace("|", SOH)


def wrap(fields: str, begin_string: str = "FIX.4.4") -> bytes:
    """A frame around SOH-terminated `35=...` fields: correct 8, 9 and 10 computed here."""
    body = fields.encode("latin-1")
    head = f"8={begin_string}{SOH}9={len(body)}{SOH}".encode("latin-1") + body
    return head + b"10=%03d\x01" % (sum(head) % 256)


def frame(fields: str, begin_string: str = "FIX.4.4") -> bytes:
    """A frame around `|`-separated `35=...|` fields."""
    return wrap(pipes(fields), begin_string)


def frame_with(fields: str, body_length: int | None = None, check_sum: str | None = None) -> bytes:
    """A frame with a chosen (possibly wrong) BodyLength and/or CheckSum text."""
    body = pipes(fields).encode("latin-1")
    length = len(body) if body_length is None else body_length
    head = f"8=FIX.4.4{SOH}9={length}{SOH}".encode("latin-1") + body
    text = f"{sum(head) % 256:03d}" if check_sum is None else check_sum
    return head + f"10={text}{SOH}".encode("latin-1")


def app_frame(msg_type: str, body: str, header: str = HEADER) -> bytes:
    """A frame of `msg_type` with the standard test header and `body` (`|`-separated)."""
    return frame(f"35={msg_type}|{header}{body}")


@cache
def dictionary(name: str = "ours") -> DataDictionary:
    return DataDictionary.load(DICTIONARY_PATHS[name])


def validator(name: str = "ours", **switches: bool) -> Validator:
    """A validator on the named dictionary with QuickFIX's switch names as keywords."""
    return Validator(dictionary(name), ValidationOptions(**switches))


def structure(data: bytes, checker: Validator | None = None) -> Structured:
    """Split and build a frame that must not be garbled."""
    split = split_fields(data)
    assert not isinstance(split, Garbled), split
    return (checker or validator()).build(split[0], split[1], data)
