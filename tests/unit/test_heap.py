"""The garbage-collector policy of the long-running processes (gateway/heap.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from gateway import heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def restored_gc() -> Iterator[None]:
    yield
    while heap._freeze_survivors in gc.callbacks:
        gc.callbacks.remove(heap._freeze_survivors)
    gc.unfreeze()


def _in_generations(item: object) -> bool:
    return any(any(tracked is item for tracked in gc.get_objects(generation))
               for generation in range(3))


def test_settle_freezes_what_start_up_built_and_registers_once() -> None:
    built_at_start_up = [[index] for index in range(100)]
    heap.settle()
    heap.settle()
    assert gc.get_freeze_count() >= len(built_at_start_up)
    assert not _in_generations(built_at_start_up[0])
    assert gc.callbacks.count(heap._freeze_survivors) == 1


def test_survivors_of_an_older_collection_are_frozen_young_objects_are_not() -> None:
    heap.settle()
    young = [1, 2]
    gc.collect(0)
    assert _in_generations(young), "a young collection must not freeze"
    gc.collect(1)
    assert not _in_generations(young), "survivors of generation 1 are frozen"


def test_the_full_sweep_reclaims_a_cycle_that_died_while_frozen() -> None:
    heap.settle()
    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)  # both survive and are frozen
    watch = weakref.ref(first)
    del first, second
    gc.collect()
    assert watch() is not None, "frozen cycles are left alone by ordinary collections"
    assert heap.full_sweep() >= 2
    assert watch() is None
    assert gc.get_freeze_count() > 0, "the sweep freezes the survivors again"


async def test_the_sweep_runs_periodically() -> None:
    heap.settle()
    first, second = Node(), Node()
    first.other, second.other = second, first
    gc.collect(1)
    watch = weakref.ref(first)
    del first, second
    sweeper = asyncio.get_running_loop().create_task(heap.sweep_periodically(0.05))
    try:
        for _ in range(40):
            await asyncio.sleep(0.05)
            if watch() is None:
                break
    finally:
        sweeper.cancel()
    assert watch() is None
