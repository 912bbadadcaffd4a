"""The message store contract (QuickFIX's MessageStore, sans-IO and synchronous).

The session core calls these methods inline while it handles a message; none of
them may block on the network. Durability is split in two steps so that the
transport can group-commit (SPEC §10, `PersistenceSync`):

* every mutating call records the change in the store at once (visible to later
  reads, and written to the operating system no later than the next `flush`);
* `flush()` makes everything recorded so far durable according to the store's
  sync policy. The transport calls it once per event-loop turn, *before* it
  writes the bytes produced in that turn to any socket ("persist before send").

Sequence numbers follow FIX: both start at 1 after `reset`.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Protocol


class SyncPolicy(enum.Enum):
    """How `flush()` makes data durable (config key `PersistenceSync`)."""

    BATCH = "batch"    # one write + fsync per flush (group commit); the default
    ALWAYS = "always"  # write + fsync on every mutating call
    NONE = "none"      # write on flush, never fsync (tests only; survives kill -9, not power loss)


class StoreError(Exception):
    """The store cannot read or write its backing storage."""


class MessageStore(Protocol):
    """Outbound messages by sequence number, plus both sequence numbers."""

    def set(self, seq: int, message: bytes) -> None:
        """Record the encoded outbound message sent with MsgSeqNum `seq`."""

    def get(self, begin: int, end: int) -> list[tuple[int, bytes]]:
        """Stored messages with begin <= seq <= end, ascending. Missing seqs are absent."""

    @property
    def next_sender_seq(self) -> int:
        """The MsgSeqNum our next outbound message will carry."""

    @property
    def next_target_seq(self) -> int:
        """The MsgSeqNum we expect on the next inbound message."""

    def set_next_sender_seq(self, seq: int) -> None: ...

    def set_next_target_seq(self, seq: int) -> None: ...

    def incr_next_sender_seq(self) -> None: ...

    def incr_next_target_seq(self) -> None: ...

    @property
    def creation_time(self) -> datetime:
        """UTC time of the last reset (or of creation); drives the daily session reset."""

    def reset(self, now: datetime) -> None:
        """Forget all messages, both sequence numbers back to 1, creation_time = now."""

    def flush(self) -> None:
        """Make everything recorded so far durable per the sync policy."""

    def close(self) -> None:
        """Flush and release files/handles; the store is unusable afterwards."""


class MessageStoreFactory(Protocol):
    """Opens (or recovers) the store of one session."""

    def open(self, session_id: str, now: datetime) -> MessageStore: ...

