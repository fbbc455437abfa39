"""Fixtures of the fault-injection suite: a loopback-only safety net, the hostile server,
and a peak-memory probe whose figures are collected for RELIABILITY.md."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.faults.figures import FIGURES, record  # noqa: F401  (record: re-exported)
from tests.faults.hostile import HostileServer


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every TCP connection the code opens and refuse any to a non-loopback address
    (a safety net: the fetcher's own guard must refuse first, see test assertions)."""
    opened: list[tuple[str, int]] = []
    real = socket.create_connection

    def guarded(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address[0], address[1]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        opened.append((host, port))
        if not loopback:
            raise AssertionError(f"test tried to connect to non-loopback {host}:{port}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return opened


@pytest.fixture(scope="session", autouse=True)
def events_data_loaded() -> None:
    """The gazetteer and event lexicon, loaded once before any case measures its memory:
    a fixed cost of some 320 MB that would otherwise count as the first case's growth."""
    from news_ingest.events import load_lexicon
    from news_ingest.places import default_gazetteer

    default_gazetteer()
    load_lexicon()


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


class PeakMemory:
    """Samples the memory of this process and its children (extraction workers).

    PSS, not RSS: forked workers share the parent's pages, which RSS would count once per
    process (a large parent, late in the whole suite, would look like gigabytes)."""

    def __init__(self, every_s: float = 0.05) -> None:
        self.proc = psutil.Process()
        self.every_s = every_s
        self.start_rss = self._rss()
        self.peak = self.start_rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        total = self.proc.memory_full_info().pss
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_full_info().pss
        return int(total)

    def _run(self) -> None:
        # A PSS sample walks every page of every process: some 40 ms for a process of 1 GiB,
        # and the forked workers map as much. Waiting at least four times what the last
        # sample took keeps the probe under a fifth of a core (at every_s while it is cheap).
        wait = self.every_s
        while not self._stop.wait(wait):
            started = time.monotonic()
            self.peak = max(self.peak, self._rss())
            wait = max(self.every_s, 4 * (time.monotonic() - started))

    def __enter__(self) -> PeakMemory:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.seconds = time.monotonic() - self.started

    @property
    def peak_mib(self) -> float:
        return self.peak / 2**20

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.start_rss) / 2**20


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With FAULTS_REPORT=<file>, write every case's figures there as JSON."""
    target = os.environ.get("FAULTS_REPORT")
    if target and FIGURES:
        old = json.loads(Path(target).read_text()) if Path(target).exists() else {}
        old.update(FIGURES)
        Path(target).write_text(json.dumps(old, indent=1, sort_keys=True))
