"""Session message stores: the contract and its backends (memory, journal file)."""

from gateway.session.store.base import MessageStore, MessageStoreFactory, StoreError, SyncPolicy
from gateway.session.store.file import FileStore, FileStoreFactory
from gateway.session.store.memory import MemoryStore, MemoryStoreFactory

__all__ = [
    "FileStore",
    "FileStoreFactory",
    "MemoryStore",
    "MemoryStoreFactory",
    "MessageStore",
    "MessageStoreFactory",
    "StoreError",
    "SyncPolicy",
]
