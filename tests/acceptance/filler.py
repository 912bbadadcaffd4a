"""Filling in a `.def` payload before it is sent or compared (FORMAT.md section 4).

Order of operations, applied when the line is reached:

1. ``<TIME>``, ``<TIME+N>``, ``<TIME-N>`` become the UTC time (seconds precision).
2. If the payload starts with ``8=``: BodyLength(9) is inserted after the first field
   unless the payload already has a ``9=`` field, and CheckSum(10) is appended unless
   the payload already has a ``10=`` field. Hard-coded values are kept verbatim:
   that is how the scripts send deliberately wrong lengths and checksums.
3. Anything not starting with ``8=`` is left exactly as written.

``<FILE:path>`` is not supported: no FIX 4.4 script uses it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

SOH = b"\x01"
TIME_FORMAT = "%Y%m%d-%H:%M:%S"

_TIME_PLACEHOLDER = re.compile(rb"<TIME(?:([+-])(\d+))?>")
_BODY_LENGTH_FIELD = SOH + b"9="
_CHECKSUM_FIELD = SOH + b"10="


def format_time(moment: datetime) -> bytes:
    """FIX UTCTimestamp with whole seconds, as the original harness writes it."""
    return moment.strftime(TIME_FORMAT).encode("ascii")


def fill_times(payload: bytes, now: datetime) -> bytes:
    """Replace every time placeholder; `now` must be a UTC datetime."""

    def substitute(match: re.Match[bytes]) -> bytes:
        sign, amount = match.group(1), match.group(2)
        offset = timedelta(seconds=int(amount)) if amount else timedelta(0)
        return format_time(now - offset if sign == b"-" else now + offset)

    return _TIME_PLACEHOLDER.sub(substitute, payload)


def checksum(data: bytes) -> int:
    """FIX CheckSum: the byte sum modulo 256."""
    return sum(data) % 256


def checksum_field(data: bytes) -> bytes:
    """The ``10=NNN<SOH>`` field for a message whose bytes before 10= are `data`."""
    return b"10=%03d" % checksum(data) + SOH


def _split_head(payload: bytes) -> tuple[bytes, bytes]:
    """(first field with its SOH, the rest)."""
    end = payload.find(SOH)
    if end < 0:
        return payload, b""
    return payload[: end + 1], payload[end + 1 :]


def _split_trailer(payload: bytes, head_len: int) -> tuple[bytes, bytes | None]:
    """Split the part after the head into (body, hard-coded checksum field or None).

    The checksum field is the last ``<SOH>10=`` run to the end; its leading SOH stays
    with the body, because BodyLength counts up to and including that SOH.
    """
    at = payload.rfind(_CHECKSUM_FIELD)
    if at < head_len - 1:
        return payload[head_len:], None
    return payload[head_len : at + 1], payload[at + 1 :]


def fill_length_and_checksum(payload: bytes) -> bytes:
    """Insert BodyLength and append CheckSum unless the payload hard-codes them."""
    if not payload.startswith(b"8="):
        return payload
    head, _ = _split_head(payload)
    body, trailer = _split_trailer(payload, len(head))
    if _BODY_LENGTH_FIELD not in payload:
        head += b"9=%d" % len(body) + SOH
    if trailer is not None:
        return head + body + trailer
    return head + body + checksum_field(head + body)


def fill(payload: bytes, now: datetime) -> bytes:
    """Apply every filling step of FORMAT.md section 4 to one payload."""
    return fill_length_and_checksum(fill_times(payload, now))
