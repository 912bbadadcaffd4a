"""Message store hot path: µs per (set + incr sender + incr target + flush).

Usage: .venv/bin/python bench/store.py [--messages N] [--repeat R] [--dir PATH]

`--dir` decides the filesystem the journals (and the fsync figures) use; the default
is a fresh temporary directory. Every line names the sync policy it ran with.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from gateway.session.store import FileStoreFactory, MemoryStore, MessageStore, SyncPolicy

_NOW = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
_MESSAGE = (
    b"8=FIX.4.4\x019=178\x0135=8\x0134=000000\x0149=GATEWAY\x0152=20240102-09:30:00.000\x01"
    b"56=CLIENT\x016=101.25\x0111=ORD-0001\x0114=1000\x0117=EXEC-0001\x0131=101.25\x0132=1000"
    b"\x0137=ORD-0001\x0139=2\x0154=1\x0155=EURUSD\x01150=F\x01151=0\x0110=000\x01"
)


def _run(store: MessageStore, messages: int, flush_every: int) -> float:
    """µs per message for `messages` rounds of set + 2 incr, flushing every `flush_every`."""
    # Write back earlier runs' dirty pages first: on ext4 (data=ordered) the first
    # fsync would otherwise pay for them.
    os.sync()
    start = time.perf_counter_ns()
    for i in range(messages):
        store.set(store.next_sender_seq, _MESSAGE)
        store.incr_next_sender_seq()
        store.incr_next_target_seq()
        if (i + 1) % flush_every == 0:
            store.flush()
    store.flush()
    elapsed_ns = time.perf_counter_ns() - start
    store.close()
    return elapsed_ns / messages / 1000


def _fsyncs_per_second(directory: Path, seconds: float = 1.0) -> float:
    """Raw append + fdatasync rate of the filesystem under `directory`."""
    fd = os.open(directory / "fsync.probe", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sync = getattr(os, "fdatasync", os.fsync)
    try:
        count, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            os.write(fd, _MESSAGE)
            sync(fd)
            count += 1
    finally:
        os.close(fd)
    return count / seconds


def _cases(directory: Path) -> list[tuple[str, str, int, Callable[[str], MessageStore]]]:
    """(backend, sync label, flush every, opener by session id)."""
    def file(sync: SyncPolicy) -> Callable[[str], MessageStore]:
        return lambda session: FileStoreFactory(directory, sync).open(session, _NOW)

    return [
        ("memory", "n/a", 1, lambda _: MemoryStore(_NOW)),
        ("file", "none", 1, file(SyncPolicy.NONE)),
        ("file", "none", 50, file(SyncPolicy.NONE)),
        ("file", "batch", 1, file(SyncPolicy.BATCH)),
        ("file", "batch", 50, file(SyncPolicy.BATCH)),
        ("file", "always", 1, file(SyncPolicy.ALWAYS)),
    ]


def main() -> None:
    """Print one line per backend/policy, then the raw fsync rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        directory = Path(tmp)
        print(f"journal directory: {directory}  message: {len(_MESSAGE)} bytes")
        for n, (backend, sync, every, opener) in enumerate(_cases(directory)):
            # fsync-bound cases get fewer rounds so the run stays short
            rounds = args.messages if sync in ("n/a", "none") or every > 1 else args.messages // 20
            runs = sorted(
                _run(opener(f"BENCH-{n}-{r}"), rounds, every) for r in range(args.repeat)
            )
            print(
                f"{backend:6} PersistenceSync={sync:6} flush every {every:>2}: "
                f"{runs[len(runs) // 2]:9.2f} µs per set+incr+incr(+flush) "
                f"(median of {args.repeat}, best {runs[0]:.2f}; {rounds} messages each)"
            )
        print(f"raw write+fdatasync: {_fsyncs_per_second(directory):,.0f} fsyncs/s")


if __name__ == "__main__":
    main()
