"""Forked worker processes: results in order, bounded in flight, killed past a time limit."""

from __future__ import annotations

import gc
import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")


class WorkerDied(Exception):
    """The worker process ended (segfault, OOM kill, exit) while it ran the item."""

    def __init__(self, exitcode: int | None) -> None:
        super().__init__(f"worker died (exit code {exitcode})")
        self.exitcode = exitcode


class TimedOut(Exception):
    """The item ran over its time limit, and its worker was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"over the time limit of {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    """One item and what became of it: its value, or the error that it alone cost."""

    item: T
    value: R | None = None
    error: BaseException | None = None

    def result(self) -> R:
        """The value, or the error raised."""
        if self.error is not None:
            raise self.error
        return cast(R, self.value)


# The functions of open pools, by token: a forked worker finds its function here, so that
# it is inherited with what it closes over (a loaded lexicon, dedupe arrays), never pickled.
_FUNCTIONS: dict[int, Callable[[Any], Any]] = {}
_TOKENS = itertools.count()


def _run(token: int, item: Any) -> Any:
    return _FUNCTIONS[token](item)


class Workers(Generic[T, R]):
    """``fn`` on ``workers`` forked processes, each item's worker killed past its time limit."""

    # A worker is forked when the first item arrives (and again when one is replaced), so
    # ``fn`` and what it closes over are as loaded by then. ``tasks_per_worker`` (0: no
    # limit) replaces workers so that memory stays bounded however many items come.

    def __init__(
        self,
        fn: Callable[[T], R],
        workers: int,
        *,
        time_limit: float | Callable[[T], float] | None = None,
        tasks_per_worker: int = 0,
    ) -> None:
        from pebble import ProcessPool

        from news_ingest.processes import allow_child_processes

        allow_child_processes()  # a task under Celery's prefork pool may fork workers too
        self.workers = max(1, workers)
        self._time_limit = time_limit
        self._token = next(_TOKENS)
        _FUNCTIONS[self._token] = fn
        self._pool = ProcessPool(
            max_workers=self.workers,
            max_tasks=max(0, tasks_per_worker),
            # Forked by name: fork is not the default on macOS, nor on Linux from 3.14.
            context=multiprocessing.get_context("fork"),
        )

    def __enter__(self) -> Workers[T, R]:
        # What this process holds (the gazetteer's places, the lexicons) is shared with the
        # forked workers: frozen, the collector of neither side walks it again, which would
        # cost CPU at every full collection and copy its pages into each worker.
        gc.freeze()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # pebble leaves close and stop unannotated.
        if kind is None:
            self._pool.close()  # type: ignore[no-untyped-call]
        else:  # the caller gave up: what is still running is moot
            self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()
        del _FUNCTIONS[self._token]
        gc.unfreeze()

    def _limit(self, item: T) -> float | None:
        limit = self._time_limit
        return limit(item) if callable(limit) else limit

    def _schedule(self, item: T) -> tuple[T, Future[Any], float | None]:
        limit = self._limit(item)
        return item, self._pool.schedule(_run, args=(self._token, item), timeout=limit), limit

    @staticmethod
    def _outcome(item: T, future: Future[Any], limit: float | None) -> Outcome[T, R]:
        from pebble import ProcessExpired

        try:
            return Outcome(item, value=future.result())
        except ProcessExpired as exc:
            return Outcome(item, error=WorkerDied(exc.exitcode))
        except TimeoutError as exc:
            # pebble's own timeout, unlike an error raised by ``fn``, has no remote traceback.
            if limit is not None and getattr(exc, "traceback", None) is None:
                return Outcome(item, error=TimedOut(limit))
            return Outcome(item, error=exc)
        except Exception as exc:
            return Outcome(item, error=exc)

    def call(self, item: T) -> Outcome[T, R]:
        """``fn(item)`` on a worker, waited for; safe from several threads at once."""
        return self._outcome(*self._schedule(item))

    def map(self, items: Iterable[T], in_flight: int = 0) -> Iterator[Outcome[T, R]]:
        """``fn`` of each item in input order, at most ``in_flight`` handed over and not yielded."""
        # Bounded, so that memory does not grow with the items' count; by default each
        # worker has one item running and one waiting while a result is handed back.
        bound = in_flight if in_flight > 0 else 2 * self.workers + 1
        pending: deque[tuple[T, Future[Any], float | None]] = deque()
        for item in items:
            pending.append(self._schedule(item))
            while len(pending) >= bound:
                yield self._outcome(*pending.popleft())
        while pending:
            yield self._outcome(*pending.popleft())


def ordered(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    *,
    in_flight: int = 0,
    time_limit: float | Callable[[T], float] | None = None,
    tasks_per_worker: int = 0,
) -> Iterator[Outcome[T, R]]:
    """``Workers(fn, ...).map(items, in_flight)``: the pool lives as long as the iteration."""
    with Workers(fn, workers, time_limit=time_limit, tasks_per_worker=tasks_per_worker) as pool:
        yield from pool.map(items, in_flight)
