"""In-memory message store (QuickFIX's MemoryStore): nothing survives the process."""

from __future__ import annotations

from datetime import datetime

from gateway.session.store.base import StoreError
from gateway.session.store.common import SequenceNumbers, check_seq, seqs_in_range, to_utc


class MemoryStore(SequenceNumbers):
    """A `MessageStore` kept in a dict; `flush` has nothing to make durable."""

    def __init__(self, now: datetime) -> None:
        self._messages: dict[int, bytes] = {}
        self._next_sender_seq = 1
        self._next_target_seq = 1
        self._creation_time = to_utc(now)
        self._closed = False

    def set(self, seq: int, message: bytes) -> None:
        """Record the encoded outbound message sent with MsgSeqNum `seq` (latest wins)."""
        check_seq(seq)
        self._messages[seq] = bytes(message)

    def get(self, begin: int, end: int) -> list[tuple[int, bytes]]:
        """Stored messages with begin <= seq <= end, ascending. Missing seqs are absent."""
        self._check_open()
        messages = self._messages
        return [(seq, messages[seq]) for seq in seqs_in_range(messages, begin, end)]

    @property
    def creation_time(self) -> datetime:
        """UTC time of the last reset (or of creation)."""
        return self._creation_time

    def reset(self, now: datetime) -> None:
        """Forget all messages, both sequence numbers back to 1, creation_time = now."""
        self._check_open()
        self._messages.clear()
        self._next_sender_seq = 1
        self._next_target_seq = 1
        self._creation_time = to_utc(now)

    def flush(self) -> None:
        """Nothing to make durable; only checks the store is still open."""
        self._check_open()

    def close(self) -> None:
        """Mark the store unusable (idempotent)."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("memory store is closed")


class MemoryStoreFactory:
    """Opens a fresh, empty `MemoryStore` for every session (as QuickFIX does)."""

    def open(self, session_id: str, now: datetime) -> MemoryStore:
        """A new empty store whose creation_time is `now`."""
        return MemoryStore(now)
