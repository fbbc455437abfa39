"""The parallel helper: order, the bound in flight, time limits, dead workers, forked functions."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from news_ingest import parallel
from news_ingest.parallel import Outcome, TimedOut, WorkerDied, Workers


def _slower_first(item: int) -> int:
    # The first items take longest, so that they finish last.
    time.sleep(0.05 * (6 - item))
    return item * 10


def test_results_come_in_input_order_whatever_order_they_finish_in() -> None:
    outcomes = list(parallel.ordered(_slower_first, range(6), workers=2, in_flight=6))
    assert [o.item for o in outcomes] == list(range(6))
    assert [o.result() for o in outcomes] == [0, 10, 20, 30, 40, 50]


def test_no_more_items_are_handed_over_than_the_bound_allows() -> None:
    pulled = 0

    def items() -> Iterator[int]:
        nonlocal pulled
        for item in range(40):
            pulled += 1
            yield item

    ahead = []
    for yielded, outcome in enumerate(parallel.ordered(abs, items(), workers=2, in_flight=3)):
        ahead.append(pulled - yielded)
        assert outcome.result() == outcome.item
    # Items pulled from the input and not yet given back: never more than the bound.
    assert max(ahead) == 3


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_an_item_over_its_time_limit_is_stopped_and_the_others_complete() -> None:
    started = time.monotonic()
    outcomes = list(parallel.ordered(_sleep, [0.0, 5.0, 0.01, 0.0], workers=2, time_limit=0.5))
    assert isinstance(outcomes[1].error, TimedOut) and outcomes[1].value is None
    assert [o.result() for i, o in enumerate(outcomes) if i != 1] == [0.0, 0.01, 0.0]
    assert time.monotonic() - started < 4.5
    with pytest.raises(TimedOut, match=r"time limit of 0\.5 s"):
        outcomes[1].result()


def test_a_time_limit_can_depend_on_the_item() -> None:
    # Each item may run for its own length and a half: none is stopped.
    outcomes = list(
        parallel.ordered(_sleep, [0.6, 0.0], workers=2, time_limit=lambda item: item + 0.5)
    )
    assert [o.result() for o in outcomes] == [0.6, 0.0]


def _killed_at_three(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def test_a_worker_killed_costs_only_its_item() -> None:
    outcomes = list(parallel.ordered(_killed_at_three, range(8), workers=2))
    assert isinstance(outcomes[3].error, WorkerDied) and outcomes[3].item == 3
    assert outcomes[3].error.exitcode == -signal.SIGKILL
    assert [o.result() for o in outcomes if o.item != 3] == [0, 1, 2, 4, 5, 6, 7]


def _fails_at_two(item: int) -> int:
    if item == 2:
        raise ValueError("no two")
    return item


def test_an_error_raised_by_the_function_is_carried_on_its_item() -> None:
    outcomes = list(parallel.ordered(_fails_at_two, range(4), workers=2))
    assert isinstance(outcomes[2].error, ValueError)
    with pytest.raises(ValueError, match="no two"):
        outcomes[2].result()
    assert [o.result() for o in outcomes if o.item != 2] == [0, 1, 3]


def test_the_function_is_inherited_at_the_fork_not_pickled() -> None:
    # A closure over a lock pickles neither by reference nor by value.
    lock = threading.Lock()
    loaded = {"words": 3}

    def fn(item: int) -> int:
        with lock:
            return item * loaded["words"]

    assert [o.result() for o in parallel.ordered(fn, range(4), workers=2)] == [0, 3, 6, 9]


def test_calls_from_several_threads_each_get_their_own_result() -> None:
    with Workers(_slower_first, 2, time_limit=5.0) as pool, ThreadPoolExecutor(4) as threads:
        outcomes: list[Outcome[int, int]] = list(threads.map(pool.call, range(6)))
    assert [o.result() for o in outcomes] == [0, 10, 20, 30, 40, 50]


def _frozen_in_worker(_item: int) -> int:
    return gc.get_freeze_count()


def test_what_the_parent_holds_is_frozen_for_the_workers_and_thawed_after() -> None:
    held = [[i] for i in range(1000)]  # tracked objects the workers inherit
    with Workers(_frozen_in_worker, 2) as pool:
        frozen = pool.call(0).result()
    assert frozen >= len(held)
    assert gc.get_freeze_count() == 0
