"""Answering a ResendRequest from the store (FORMAT.md §8.3 "Resending").

Only application messages are stored. Every sequence number in the requested
range that is not a stored application message (admin messages, messages the
application declines to resend) belongs to a run that is replaced by one
SequenceReset-GapFill; stored messages go out again as stored, with
PossDupFlag=Y, OrigSendingTime = their original SendingTime and a new
SendingTime. The output equals QuickFIX's, whose store also keeps admin messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.fix.codec import encode
from gateway.fix.errors import Garbled
from gateway.fix.message import Message
from gateway.fix.timefmt import utc_timestamp
from gateway.session import admin
from gateway.session.application import DoNotSend

if TYPE_CHECKING:
    from gateway.session.core import Session


def resend(session: Session, begin: int, end: int) -> None:
    """Send again what we sent from `begin` to `end` (0 = up to the last sent)."""
    next_sender = session.store.next_sender_seq
    if end == 0 or end >= next_sender:
        end = next_sender - 1
    if begin < 1 or begin > end:
        session.event(f"Nothing to resend FROM: {begin} TO: {end}")
        return
    if not session.settings.persist_messages:
        _send_gap_fill(session, begin, end + 1)
        return
    gap_start = begin
    for seq, data in session.store.get(begin, end):
        original = _resendable(session, data)
        if original is None:
            continue
        if gap_start < seq:
            _send_gap_fill(session, gap_start, seq)
        session._write(encode(original, canonical=False))
        session.event(f"Resending Message: {seq}")
        gap_start = seq + 1
    if gap_start <= end:
        _send_gap_fill(session, gap_start, end + 1)


def _resendable(session: Session, data: bytes) -> Message | None:
    """The stored message marked as a possible duplicate, or None to gap-fill it."""
    decoded = session.validator.decode(data)
    if isinstance(decoded, Garbled):
        session.event(f"Stored message unreadable, gap-filled: {decoded.detail}")
        return None
    message = decoded.message
    header = message.header
    header[122] = header.get(52, "")
    header[43] = "Y"
    header[52] = utc_timestamp(session.clock.time_ns())
    try:
        session.application.to_app(message, session)
    except DoNotSend:
        return None
    return message


def _send_gap_fill(session: Session, first: int, new_seq: int) -> None:
    message = admin.gap_fill(new_seq)
    session._fill_header(message, first)
    message.header[122] = message.header[52]
    session.application.to_admin(message, session)
    session._write(encode(message))
    session.event(f"Sent SequenceReset TO: {new_seq}")

