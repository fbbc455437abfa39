"""Harvest stage: between nightly runs, one feed polled and its new pages archived."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from news_ingest import store
from news_ingest.archive import CaptureLookup
from news_ingest.config import Feed
from news_ingest.feeds import FeedItem
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.common import JsonRecord, StageError, elapsed, error_of
from news_ingest.stages.discovered import record_discovered
from news_ingest.stages.fetch import fetch_page, page_error
from news_ingest.stages.poll import UNPOLLED, FeedHealth, poll_feed_items

MAX_HARVEST_PAGES = 500


@dataclass(frozen=True)
class HarvestResult(JsonRecord):
    """One harvest of one feed: its poll's health or error, and its new pages' fetches."""

    feed_id: str
    health: FeedHealth
    error: StageError | None
    pages_fetched: int
    pages_failed: int
    pages_deferred: int
    page_errors: tuple[StageError, ...]
    seconds: float


@dataclass(frozen=True)
class HarvestSummary(JsonRecord):
    """A harvest run's counts over its feeds, and a readable line per failed feed."""

    feeds: int
    failed: int
    not_modified: int
    new_items: int
    pages_fetched: int
    pages_failed: int
    text: str


def harvest_feed(feed: Feed, day: date, settings: Settings, fetcher: Fetcher) -> HarvestResult:
    """One harvest of one feed: a conditional poll; new items recorded under discovered/
    and their pages fetched now into the raw archive (the fetcher's), unless captured
    already. Never raises for a bad feed or page."""
    started = time.monotonic()
    new_items: list[FeedItem] = []

    def on_new(items: list[FeedItem]) -> None:
        record_discovered(settings.data_root, feed, items)
        new_items.extend(items)

    health, error = UNPOLLED, None
    try:
        _items, health = poll_feed_items(feed, settings, fetcher, on_new)
    except Exception as exc:  # a hostile feed must not fail the harvest
        error = error_of(exc, feed.id, feed.url)
    lookup = CaptureLookup(settings.data_root, [day - timedelta(days=1), day])
    todo = list({i.article_id: i for i in new_items if lookup.find(i.url) is None}.values())
    rows = [{"feed_id": i.feed_id, "url": i.url} for i in todo[:MAX_HARVEST_PAGES]]
    pages = fetcher.map(lambda r: fetch_page(fetcher, r), rows, lambda r: r["url"])
    errors = [e for e in map(page_error, pages) if e is not None]
    return HarvestResult(
        feed_id=feed.id,
        health=health,
        error=error,
        pages_fetched=len(pages) - len(errors),
        pages_failed=len(errors),
        pages_deferred=max(0, len(todo) - MAX_HARVEST_PAGES),
        page_errors=tuple(errors[:50]),
        seconds=elapsed(started),
    )


def summarize_harvest(results: list[HarvestResult]) -> HarvestSummary:
    """Counts and a readable line per failed feed, for the harvest's task log."""
    counts = {
        "feeds": len(results),
        "failed": sum(1 for r in results if r.error),
        "not_modified": sum(1 for r in results if r.health.not_modified),
        "new_items": sum(r.health.new_items for r in results),
        "pages_fetched": sum(r.pages_fetched for r in results),
        "pages_failed": sum(r.pages_failed for r in results),
    }
    lines = ["news_harvest " + " ".join(f"{k}={v}" for k, v in counts.items())]
    lines += [f"  feed {r.feed_id} failed: {r.error}" for r in results if r.error]
    return HarvestSummary(**counts, text="\n".join(lines))


@dataclass(frozen=True)
class HarvestRecord(JsonRecord):
    """One harvest run as the operator page shows it: when, its counts, its failed feeds."""

    run_id: str
    day: date
    written_at: datetime
    feeds: int
    failed: int
    new_items: int
    pages_fetched: int
    pages_failed: int
    failed_feeds: tuple[tuple[str, str], ...]


def harvest_record_uri(root: str, day: date, run_id: str) -> str:
    """Where the record of harvest run ``run_id`` (capturing for ``day``) is written."""
    safe_run = hashlib.sha256(run_id.encode()).hexdigest()[:12]
    return store.join(root, "harvests", f"date={day.isoformat()}", f"harvest-{safe_run}.json")


def write_harvest_record(
    root: str, day: date, run_id: str, results: list[HarvestResult], now: datetime | None = None
) -> HarvestRecord:
    """Keep a harvest run's record under harvests/date=D (pruned with discovered/)."""
    summary = summarize_harvest(results)
    record = HarvestRecord(
        run_id=run_id,
        day=day,
        written_at=now or datetime.now(UTC),
        feeds=summary.feeds,
        failed=summary.failed,
        new_items=summary.new_items,
        pages_fetched=summary.pages_fetched,
        pages_failed=summary.pages_failed,
        failed_feeds=tuple((r.feed_id, str(r.error)[:500]) for r in results if r.error),
    )
    store.write_bytes_atomic(harvest_record_uri(root, day, run_id), record.to_json().encode())
    return record
