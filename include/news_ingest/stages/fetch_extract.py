"""Fetch-and-extract stage: pages extracted as they arrive, so fetching overlaps extraction."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.common import JsonRecord, elapsed
from news_ingest.stages.extract import ExtractResult, extract_pages
from news_ingest.stages.fetch import FetchResult, fetch_pages

if TYPE_CHECKING:
    from news_ingest.extract import ExtractOptions, PageInput


@dataclass(frozen=True)
class FetchExtractResult(JsonRecord):
    """What the fetch and the extract stages would each have returned."""

    fetch: FetchResult
    extract: ExtractResult


class _Stopped(Exception):
    """Fetching stops because extraction failed."""


def fetch_and_extract_pages(
    selected_uri: str,
    day: date,
    run_id: str,
    settings: Settings,
    fetcher: Fetcher,
    options: ExtractOptions | None = None,
) -> FetchExtractResult:
    """``fetch_pages`` and ``extract_articles`` at once: pages are extracted as they
    arrive, so fetching (one thread, mostly waiting) overlaps extraction (all cores).
    Writes what the two stages would; the extract's seconds span both."""
    from news_ingest.extract import PageInput

    arrived: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=64)
    stop = threading.Event()
    fetched: list[FetchResult] = []
    failures: list[BaseException] = []

    def hand_over(page: dict[str, Any]) -> None:
        while not stop.is_set():
            try:
                arrived.put(page, timeout=0.5)
                return
            except queue.Full:
                continue
        raise _Stopped

    def fetch() -> None:
        try:
            # Bodies go straight to extraction; the raw archive keeps them, so the staged
            # pages file keeps only what each fetch did.
            fetched.append(
                fetch_pages(
                    selected_uri, day, run_id, settings, fetcher, hand_over, keep_bodies=False
                )
            )
        except BaseException as exc:  # re-raised in the task's own thread below
            failures.append(exc)
        finally:
            while True:
                try:
                    arrived.put(None, timeout=0.5)
                    break
                except queue.Full:
                    if stop.is_set():
                        break

    pages: dict[str, dict[str, Any]] = {}

    def inputs() -> Iterator[PageInput]:
        count = 0
        while (page := arrived.get()) is not None:
            count += 1
            body = page.pop("body")
            if body is None:
                continue
            pages[str(count)] = page
            yield PageInput(str(count), body, page["final_url"], page["content_type"])

    started = time.monotonic()
    fetching = threading.Thread(target=fetch, name="fetch_pages", daemon=True)
    fetching.start()
    try:
        extracted = extract_pages(inputs(), pages, day, run_id, settings.data_root, options)
    finally:
        stop.set()
        fetching.join()
    if failures:
        raise failures[0]
    return FetchExtractResult(fetched[0], replace(extracted, seconds=elapsed(started)))
