"""Comparing a received message with an `E` line (FORMAT.md section 5.2).

Two independent checks, reported as different kinds of failure by the runner:

- `compare`: the original harness's rule. Same number of fields, same tags in the
  same order, values equal — except for the tags in `PATTERNS`, whose received
  value only has to contain a match of the pattern (timestamps, CheckSum).
- `check_integrity`: stricter than the original. The acceptor's own BodyLength and
  CheckSum must be right, as a real FIX peer would insist.
"""

from __future__ import annotations

import re

from tests.acceptance.filler import SOH, checksum

# From QuickFIX's test/definitions/fields.fmt: the expected value is ignored for these.
_TIMESTAMP = rb"\d{8}-\d{2}:\d{2}:\d{2}"
PATTERNS: dict[bytes, re.Pattern[bytes]] = {
    b"10": re.compile(rb"\d{3}"),
    b"42": re.compile(_TIMESTAMP),
    b"52": re.compile(_TIMESTAMP + rb"|" + _TIMESTAMP + rb"[.]\d{3}"),
    b"60": re.compile(_TIMESTAMP),
    b"122": re.compile(_TIMESTAMP),
}

_CHECKSUM_TRAILER = re.compile(rb"10=(\d{3})\x01\Z")


def show(message: bytes) -> str:
    """Human-readable form of FIX bytes: SOH shown as ``|``."""
    return message.replace(SOH, b"|").decode("latin-1")


def split_fields(message: bytes) -> list[tuple[bytes, bytes]]:
    """Split into (tag, value) pairs; trailing empty pieces are dropped.

    A field without ``=`` has an empty value, which makes ``112`` and ``112=`` equal,
    as in the original (Ruby's split drops trailing empty strings too).
    """
    pieces = message.split(SOH)
    while pieces and pieces[-1] == b"":
        pieces.pop()
    return [(tag, value) for tag, _, value in (p.partition(b"=") for p in pieces)]


def compare(expected: bytes, received: bytes) -> str | None:
    """Return None if `received` matches the filled-in `expected`, else the reason."""
    want, got = split_fields(expected), split_fields(received)
    if len(want) != len(got):
        return f"Number of fields do not match (expected {len(want)}, received {len(got)})"
    for (want_tag, want_value), (got_tag, got_value) in zip(want, got, strict=True):
        if want_tag != got_tag:
            return (
                f"Expected field ({want_tag.decode('latin-1')}) "
                f"but found field ({got_tag.decode('latin-1')})"
            )
        reason = _compare_value(want_tag, want_value, got_value)
        if reason is not None:
            return reason
    return None


def _compare_value(tag: bytes, want: bytes, got: bytes) -> str | None:
    name = tag.decode("latin-1")
    pattern = PATTERNS.get(tag)
    if pattern is not None:
        if pattern.search(got) is None:
            return (
                f"Value of field ({name}) '{got.decode('latin-1')}' "
                f"does not match pattern '{pattern.pattern.decode('ascii')}'"
            )
        return None
    if want != got:
        return (
            f"Value of field ({name}) differs: expected '{want.decode('latin-1')}' "
            f"but found '{got.decode('latin-1')}'"
        )
    return None


def check_integrity(message: bytes) -> str | None:
    """Return None if the message's BodyLength and CheckSum are correct, else why not.

    `message` is one framed message as read by the tester: ``8=…<SOH>9=L<SOH>`` then
    L bytes of body, then ``10=NNN<SOH>``.
    """
    length_start = message.find(SOH) + 1
    length_end = message.find(SOH, length_start)
    if not message.startswith(b"8=") or length_start == 0 or length_end < 0:
        return "message does not start with 8=…|9=…|"
    if not message.startswith(b"9=", length_start):
        return "second field is not BodyLength(9)"
    raw_length = message[length_start + 2 : length_end]
    if not raw_length.isdigit():
        return f"BodyLength '{raw_length.decode('latin-1')}' is not a number"
    trailer_at = message.rfind(SOH + b"10=") + 1
    if trailer_at <= 0 or _CHECKSUM_TRAILER.match(message, trailer_at) is None:
        return "message does not end with a 10=NNN| CheckSum field"
    actual_length = trailer_at - (length_end + 1)
    if int(raw_length) != actual_length:
        return f"BodyLength is {int(raw_length)} but the body has {actual_length} bytes"
    stated = int(message[trailer_at + 3 : trailer_at + 6])
    actual = checksum(message[:trailer_at])
    if stated != actual:
        return f"CheckSum is {stated:03d} but the bytes sum to {actual:03d}"
    return None
