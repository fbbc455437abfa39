"""Worker processes started from a task that runs under Celery's prefork pool."""

from __future__ import annotations

import multiprocessing


def allow_child_processes() -> None:
    """Let this process start worker processes though it descends from a daemonic one.

    Under Celery's prefork pool (CeleryExecutor's default) a task runs in a process forked
    from a daemonic pool process, whose flag it inherits, and multiprocessing then refuses
    to start any child ("daemonic processes are not allowed to have children"). The task's
    process is no daemon of anyone's: Airflow's supervisor owns it, and every pool the
    stages start is closed (its workers joined) before the stage returns.
    """
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    if config.get("daemon"):
        config["daemon"] = False
