"""A task's process forked from a daemonic one (Celery's prefork pool) may start workers."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection

from news_ingest.processes import allow_child_processes


def _square(n: int) -> int:
    return n * n


def _start_a_pool(allow: bool, send: Connection) -> None:
    """In a daemonic process: a process pool's answer, or the error starting it raised."""
    from concurrent.futures import ProcessPoolExecutor

    if allow:
        allow_child_processes()
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            send.send(pool.submit(_square, 7).result(timeout=30))
    except Exception as exc:
        send.send(repr(exc))


def _in_daemonic_process(allow: bool) -> object:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_start_a_pool, args=(allow, send), daemon=True)
    child.start()
    answer = receive.recv() if receive.poll(60) else "no answer"
    child.join(timeout=30)
    return answer


def test_a_daemonic_process_may_start_workers_once_allowed() -> None:
    assert "daemonic processes are not allowed to have children" in str(
        _in_daemonic_process(allow=False)
    )
    assert _in_daemonic_process(allow=True) == 49


def test_a_process_that_is_no_daemon_is_left_as_it_is() -> None:
    allow_child_processes()
    assert not multiprocessing.current_process().daemon
