"""The on-disk journal format of `FileStore`: record encoding and crash recovery.

How this works
--------------
A journal is one append-only file per session::

    MAGIC  record  record  record ...

and every record is framed as::

    u32 body length | u32 CRC-32 of body | body = u8 type + fields   (little-endian)

Record types:

* ``RESET``    i64 creation time (µs since the Unix epoch, UTC). Always the first
  record; implies empty messages and both sequence numbers = 1.
* ``MESSAGE``  u64 seq + the raw message bytes. A later record for the same seq wins.
* ``SEQS``     u64 next sender seq + u64 next target seq (the latest record wins).

A file is only ever appended to, except by `reset`, which writes a new file and
renames it over the old one. A crash can therefore only damage the tail: recovery
(`scan`) replays the longest prefix of records whose frame, CRC and shape are valid
and reports where that prefix ends, so the caller truncates whatever follows.
Zero-filled tails (a crash after the size grew but before data reached the disk)
fail the shape check because a body is never empty.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

MAGIC = b"FIXGWJ1\n"

FRAME = struct.Struct("<II")
_MESSAGE_HEAD = struct.Struct("<BQ")
_SEQS = struct.Struct("<BQQ")
_RESET = struct.Struct("<Bq")

_T_RESET = 1
_T_MESSAGE = 2
_T_SEQS = 3

# Bounds what recovery believes a length field; larger values are garbage.
MAX_MESSAGE = 64 * 1024 * 1024
_MAX_BODY = _MESSAGE_HEAD.size + MAX_MESSAGE

# Offset of a message's bytes from the start of its record.
MESSAGE_DATA_OFFSET = FRAME.size + _MESSAGE_HEAD.size

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_crc32 = zlib.crc32


def to_micros(when: datetime) -> int:
    """An aware datetime as whole microseconds since the Unix epoch."""
    return (when - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """The inverse of `to_micros`, as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


def append_message(buf: bytearray, seq: int, message: bytes) -> int:
    """Append a MESSAGE record; returns where the message bytes start within `buf`."""
    head = _MESSAGE_HEAD.pack(_T_MESSAGE, seq)
    start = len(buf)
    buf += FRAME.pack(len(head) + len(message), _crc32(message, _crc32(head)))
    buf += head
    buf += message
    return start + MESSAGE_DATA_OFFSET


def append_seqs(buf: bytearray, next_sender_seq: int, next_target_seq: int) -> None:
    """Append a SEQS record holding both sequence numbers."""
    body = _SEQS.pack(_T_SEQS, next_sender_seq, next_target_seq)
    buf += FRAME.pack(len(body), _crc32(body))
    buf += body


def append_reset(buf: bytearray, creation_time: datetime) -> None:
    """Append a RESET record (the first record of every journal)."""
    body = _RESET.pack(_T_RESET, to_micros(creation_time))
    buf += FRAME.pack(len(body), _crc32(body))
    buf += body


@dataclass
class Recovered:
    """The state replayed from the valid prefix of a journal."""

    valid_length: int
    creation_time: datetime | None = None
    next_sender_seq: int = 1
    next_target_seq: int = 1
    # seq -> (file offset of the message bytes, message length)
    index: dict[int, tuple[int, int]] = field(default_factory=dict)


def scan(data: bytes | memoryview) -> Recovered:
    """Replay the journal image `data` (which must start with MAGIC) up to its first bad record.

    `creation_time` stays None when not even the initial RESET record is intact:
    the caller then starts the journal afresh (nothing valid would be lost).
    """
    state = Recovered(valid_length=len(MAGIC))
    pos = len(MAGIC)
    size = len(data)
    while pos + FRAME.size <= size:
        length, crc = FRAME.unpack_from(data, pos)
        body_start = pos + FRAME.size
        end = body_start + length
        if not 0 < length <= _MAX_BODY or end > size:
            break
        if _crc32(data[body_start:end]) != crc:
            break
        if not _apply(state, data, body_start, length):
            break
        pos = end
        state.valid_length = pos
    return state


def _apply(state: Recovered, data: bytes | memoryview, start: int, length: int) -> bool:
    """Replay one CRC-checked record body; False if its shape is not one we write."""
    kind = data[start]
    if state.creation_time is None and kind != _T_RESET:
        return False
    if kind == _T_MESSAGE and length >= _MESSAGE_HEAD.size:
        _, seq = _MESSAGE_HEAD.unpack_from(data, start)
        if seq < 1:
            return False
        state.index[seq] = (start + _MESSAGE_HEAD.size, length - _MESSAGE_HEAD.size)
        return True
    if kind == _T_SEQS and length == _SEQS.size:
        _, sender, target = _SEQS.unpack_from(data, start)
        if sender < 1 or target < 1:
            return False
        state.next_sender_seq, state.next_target_seq = sender, target
        return True
    if kind == _T_RESET and length == _RESET.size:
        _, micros = _RESET.unpack_from(data, start)
        try:
            state.creation_time = from_micros(micros)
        except OverflowError:
            return False
        state.next_sender_seq = state.next_target_seq = 1
        state.index.clear()
        return True
    return False
