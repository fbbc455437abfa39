"""Fetch-and-extract stage: pages extracted as they arrive, so fetching overlaps extraction."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.common import JsonRecord, StageError, elapsed
from news_ingest.stages.extract import ExtractResult, extract_pages
from news_ingest.stages.fetch import FetchResult, fetch_pages
from news_ingest.stages.shard import WHOLE_NIGHT, Shard

if TYPE_CHECKING:
    from news_ingest.extract import ExtractOptions, PageInput


@dataclass(frozen=True)
class FetchExtractResult(JsonRecord):
    """What the fetch and the extract stages would each have returned, for one shard."""

    fetch: FetchResult
    extract: ExtractResult
    shard: Shard = WHOLE_NIGHT


@dataclass(frozen=True)
class ShardSummary(JsonRecord):
    """One shard's share of a night, as the run manifest keeps it beside the totals."""

    index: int
    count: int
    pages: int
    fetched: int
    failed: int
    replayed: int
    extracted: int
    extract_failed: int
    articles: int
    fetch_seconds: float
    extract_seconds: float

    @classmethod
    def of(cls, result: FetchExtractResult) -> ShardSummary:
        """The summary of one shard's result."""
        fetch, extract = result.fetch, result.extract
        return cls(
            index=result.shard.index,
            count=result.shard.count,
            pages=fetch.fetched + fetch.failed,
            fetched=fetch.fetched,
            failed=fetch.failed,
            replayed=fetch.replayed,
            extracted=extract.extracted,
            extract_failed=extract.failed,
            articles=extract.extracted - extract.other_days - extract.same_url,
            fetch_seconds=fetch.seconds,
            extract_seconds=extract.seconds,
        )


def in_shard_order(results: Sequence[FetchExtractResult]) -> list[FetchExtractResult]:
    """A night's shard results ordered by shard; ValueError unless each shard is there once."""
    ordered = sorted(results, key=lambda r: r.shard.index)
    shards = [r.shard for r in ordered]
    count = shards[0].count if shards else 0
    if not shards or shards != [Shard(i, count) for i in range(count)]:
        found = ", ".join(f"{s.index} of {s.count}" for s in shards) or "none"
        raise ValueError(f"the shards of a night must be 0 to K-1 of K, once each; got {found}")
    return ordered


def staged_articles(results: Sequence[FetchExtractResult]) -> list[str]:
    """The staged articles of a night's shards, in shard order: what dedupe reads."""
    return [r.extract.uri for r in in_shard_order(results)]


def _errors(errors: Sequence[StageError]) -> tuple[StageError, ...]:
    # Each shard keeps its first 100 in this order, so these are the night's first 100.
    return tuple(sorted(errors, key=lambda e: (e.url or "", e.feed_id or ""))[:100])


def _staging_of(uri: str, count: int) -> str:
    # Several shards' files have no one URI: the run's staging folder holds them all.
    return uri if count == 1 else uri.rsplit("/shard=", 1)[0]


def combined(results: Sequence[FetchExtractResult]) -> FetchExtractResult:
    """The night's fetch and extract totals over its shards (which run side by side, so the
    seconds are the slowest shard's); the URIs are the run's staging folder when K > 1."""
    shards = in_shard_order(results)
    count = shards[0].shard.count
    fetches, extracts = [r.fetch for r in shards], [r.extract for r in shards]
    date_sources: dict[str, int] = {}
    for e in extracts:
        for source, n in e.date_sources.items():
            date_sources[source] = date_sources.get(source, 0) + n
    fetch = FetchResult(
        uri=_staging_of(fetches[0].uri, count),
        fetched=sum(f.fetched for f in fetches),
        failed=sum(f.failed for f in fetches),
        replayed=sum(f.replayed for f in fetches),
        requested=sum(f.requested for f in fetches),
        errors=_errors([x for f in fetches for x in f.errors]),
        seconds=max(f.seconds for f in fetches),
    )
    extract = ExtractResult(
        uri=_staging_of(extracts[0].uri, count),
        extracted=sum(e.extracted for e in extracts),
        failed=sum(e.failed for e in extracts),
        errors=_errors([x for e in extracts for x in e.errors]),
        other_days=sum(e.other_days for e in extracts),
        same_url=sum(e.same_url for e in extracts),
        not_article=sum(e.not_article for e in extracts),
        paywalled=sum(e.paywalled for e in extracts),
        boilerplate_stripped=sum(e.boilerplate_stripped for e in extracts),
        date_sources=dict(sorted(date_sources.items())),
        seconds=max(e.seconds for e in extracts),
    )
    return FetchExtractResult(fetch, extract, WHOLE_NIGHT)


class _Stopped(Exception):
    """Fetching stops because extraction failed."""


def fetch_and_extract_pages(
    selected_uri: str,
    day: date,
    run_id: str,
    settings: Settings,
    fetcher: Fetcher,
    options: ExtractOptions | None = None,
    shard: Shard = WHOLE_NIGHT,
) -> FetchExtractResult:
    """``fetch_pages`` and ``extract_articles`` at once: pages are extracted as they
    arrive, so fetching (one thread, mostly waiting) overlaps extraction (all cores).
    Writes what the two stages would, for ``shard``'s items into its folder; the
    extract's seconds span both."""
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
                    selected_uri,
                    day,
                    run_id,
                    settings,
                    fetcher,
                    hand_over,
                    keep_bodies=False,
                    shard=shard,
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
        extracted = extract_pages(
            inputs(), pages, day, run_id, settings.data_root, options, shard=shard
        )
    finally:
        stop.set()
        fetching.join()
    if failures:
        raise failures[0]
    return FetchExtractResult(fetched[0], replace(extracted, seconds=elapsed(started)), shard)
