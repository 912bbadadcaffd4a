"""kill -9 a process writing to a FileStore at a random instant; nothing acknowledged is lost.

The child (`run_writer`, started as `python -c`) stores messages, flushes after each,
and prints a seq only once its flush returned (so a printed seq was "sent"). Every
`RESET_EVERY` messages it resets the store and prints `R <day>`. The test kills it
with SIGKILL at a random point, reopens the journal and checks the recovered store
is exactly the acknowledged state, or that state plus the one flush in flight.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.session.store import FileStoreFactory, SyncPolicy

ROOT = Path(__file__).resolve().parents[2]
SESSION = "FIX.4.4:GATEWAY->CLIENT"
DAY0 = datetime(2024, 1, 1, tzinfo=UTC)
RESET_EVERY = 1000
CHILD = "import sys; from tests.integration.test_store_kill9 import run_writer; run_writer(*sys.argv[1:])"


def payload(day: int, seq: int) -> bytes:
    """The message stored for `seq` on reset day `day` (varied length, checkable content)."""
    return b"8=FIX.4.4\x0134=%d\x0158=day %d\x01" % (seq, day) + b"x" * (seq * 37 % 400)


def run_writer(directory: str, sync: str) -> None:
    """Child process: write, flush, acknowledge on stdout; forever, until killed."""
    store = FileStoreFactory(directory, SyncPolicy(sync)).open(SESSION, DAY0)
    day = 0
    while True:
        seq = store.next_sender_seq
        if seq > RESET_EVERY:
            day += 1
            store.reset(DAY0 + timedelta(days=day))
            print("R", day, flush=True)
            continue
        store.set(seq, payload(day, seq))
        store.incr_next_sender_seq()
        store.incr_next_target_seq()
        store.flush()
        print(seq, flush=True)


def _kill_at_random(directory: Path, sync: str, rng: random.Random) -> list[str]:
    """Run the writer, SIGKILL it after a random delay; returns every complete ack line."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(directory), sync],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    try:
        read = child.stdout.readline()  # the writer is up and running
        # at ~20 µs a message this lands anywhere in the first resets: mid-message,
        # mid-flush, mid-reset (a reset renames a file, so it takes a while)
        time.sleep(rng.uniform(0, 0.06))
    finally:
        child.kill()
        child.wait(timeout=10)
    read += child.stdout.read()
    child.stdout.close()
    assert child.returncode == -9, "the writer died on its own"
    return read.decode().split("\n")[:-1]  # the last piece is a partial line (or empty)


def _acknowledged(lines: list[str]) -> tuple[int, int]:
    """(reset day, highest seq acknowledged since that reset)."""
    day, seq = 0, 0
    for line in lines:
        if line.startswith("R "):
            day, seq = int(line.split()[1]), 0
        else:
            seq = int(line)
    return day, seq


def _kill_and_check(directory: Path, sync: str, seed: int) -> None:
    """One run: kill the writer at a random instant, then check the recovered journal."""
    day, acked = _acknowledged(_kill_at_random(directory, sync, random.Random(seed)))

    store = FileStoreFactory(directory, SyncPolicy(sync)).open(SESSION, DAY0 + timedelta(days=99))
    try:
        disk_day = (store.creation_time - DAY0).days
        messages = store.get(1, 10**9)
        sender, target = store.next_sender_seq, store.next_target_seq
    finally:
        store.close()

    note = f"{sync} seed {seed}: acked day {day} seq {acked}; recovered day {disk_day}, next {sender}"
    assert disk_day in (day, day + 1), note
    if disk_day == day + 1:  # killed between reset and its acknowledgement
        assert (messages, sender, target) == ([], 1, 1), note
        return
    count = len(messages)
    assert messages == [(seq, payload(day, seq)) for seq in range(1, count + 1)], note
    assert count in (acked, acked + 1), note  # at most the one flush in flight
    assert target == sender, note  # both live in one record
    assert sender == count + 1 or (sender == count == acked + 1), note


# The loops (not parametrize) keep pytest out of this module's imports: the writer
# child imports it, and starting fast keeps each run short.


def test_acknowledged_messages_survive_kill_9_with_sync_none(tmp_path: Path) -> None:
    for run in range(6):
        _kill_and_check(tmp_path / str(run), "none", time.time_ns() + run)


def test_acknowledged_messages_survive_kill_9_with_sync_batch(tmp_path: Path) -> None:
    for run in range(2):
        _kill_and_check(tmp_path / str(run), "batch", time.time_ns() + run)
