"""Poll stage: conditional GETs of feeds and sitemaps (one sitemap walk), their items staged."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from news_ingest import store
from news_ingest.archive import has_page_captures, replay_days
from news_ingest.config import Feed
from news_ingest.feeds import (
    FeedItem,
    FeedParseError,
    FeedParser,
    feed_parsing_processes,
    in_day,
    looks_like_sitemap,
    parse_feed,
    parse_sitemap,
)
from news_ingest.feedstate import load_state, save_state
from news_ingest.http import Fetcher, FetchError
from news_ingest.settings import Settings
from news_ingest.stages.common import (
    JsonRecord,
    StageError,
    day_bounds,
    elapsed,
    error_of,
    feed_file,
    work_uri,
    worker_processes,
)
from news_ingest.stages.discovered import items_table, record_discovered

MAX_CHILD_SITEMAPS = 50
MAX_SITEMAP_DEPTH = 3
FEEDS_PER_POLL_TASK = 25
OnNew = Callable[[list[FeedItem]], None]


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedHealth(JsonRecord):
    """How one poll of a feed (and its child sitemaps) went, summed over its documents."""

    status: int | None
    items: int
    new_items: int
    not_modified: bool
    bytes: int
    documents: int
    child_errors: tuple[StageError, ...]


UNPOLLED = FeedHealth(None, 0, 0, False, 0, 0, ())


@dataclass(frozen=True)
class PollResult(JsonRecord):
    """One feed's poll in a nightly run: its health, its staged items, or why it failed."""

    feed_id: str
    uri: str | None
    health: FeedHealth
    # Items of D found in the sitemaps robots.txt lists: counted only on a backfill.
    sitemap_items: int | None
    error: StageError | None
    seconds: float


@dataclass(frozen=True)
class _DocPoll:
    """One feed document polled: what it lists and how the poll went."""

    items: list[FeedItem]
    children: list[str]
    status: int
    not_modified: bool
    new_items: int
    bytes: int


def poll_document(
    feed: Feed,
    url: str,
    settings: Settings,
    fetcher: Fetcher,
    kind: str | None,
    on_new: OnNew | None = None,
    parse: FeedParser = parse_feed,
) -> _DocPoll:
    """Conditional GET of one feed document, parsed unless unchanged; its state updated.

    "Not modified" is a 304 to If-None-Match / If-Modified-Since, or a body whose SHA-256
    equals the last one (servers that send no or wrong validators); either way the items
    of the last parse are reused. Raises FetchError / FeedParseError.
    """
    state = load_state(settings.data_root, feed.id, url)
    known = state.sha256 is not None
    headers = state.conditional_headers() if known else {}
    fetch_kind = "sitemap" if kind == "sitemap" else "feed"
    resp = fetcher.get(url, headers=headers, kind=fetch_kind)
    now = datetime.now(UTC).isoformat()
    if resp.status == 304 and not known:  # a validator we never sent: ask again plainly
        resp = fetcher.get(url, kind=fetch_kind)
    if resp.status == 304:
        poll = _DocPoll(state.feed_items(), state.children, 304, True, 0, resp.wire_bytes)
    elif resp.status == 200:
        digest = hashlib.sha256(resp.body).hexdigest()
        if known and digest == state.sha256:
            poll = _DocPoll(state.feed_items(), state.children, 200, True, 0, resp.wire_bytes)
        else:
            ctype = resp.headers.get("content-type")
            children: list[str] = []
            if kind == "sitemap" or (kind is None and looks_like_sitemap(resp.body)):
                items, children = parse_sitemap(feed.id, resp.body)
            else:
                items = parse(feed.id, resp.body, resp.final_url, ctype)
            known_ids = set(state.seen)
            new = state.remember(items, children)
            if on_new is not None and new:
                # Recorded before the state says "seen", so a crash between loses nothing.
                on_new([i for i in items if i.article_id not in known_ids])
            state.sha256, state.changed_at = digest, now
            poll = _DocPoll(items, children, 200, False, new, resp.wire_bytes)
        state.etag = resp.headers.get("etag")
        state.last_modified = resp.headers.get("last-modified")
    else:
        raise FetchError(f"HTTP {resp.status} for {url}")
    state.polled_at = now
    save_state(settings.data_root, state)
    return poll


def walk_sitemaps(
    feed: Feed,
    urls: list[str],
    depth: int,
    settings: Settings,
    fetcher: Fetcher,
    on_new: OnNew | None,
) -> Iterator[_DocPoll | StageError]:
    """Each sitemap of ``urls`` (at ``depth``) and of the indexes among them, breadth first,
    bounded in count and depth; a document that fails is yielded as its error."""
    pending = deque((url, depth) for url in urls)
    visited = {feed.url}
    while pending and len(visited) <= MAX_CHILD_SITEMAPS:
        url, level = pending.popleft()
        if url in visited or level > MAX_SITEMAP_DEPTH:
            continue
        visited.add(url)
        try:
            poll = poll_document(feed, url, settings, fetcher, "sitemap", on_new)
        except (FetchError, FeedParseError) as exc:
            yield error_of(exc, feed.id, url)
            continue
        yield poll
        pending.extend((child, level + 1) for child in poll.children)


def poll_feed_items(
    feed: Feed,
    settings: Settings,
    fetcher: Fetcher,
    on_new: OnNew | None = None,
    parse: FeedParser = parse_feed,
) -> tuple[list[FeedItem], FeedHealth]:
    """Poll a feed, or a sitemap and its child sitemaps; its items and its health.
    New items go to ``on_new`` (by default: recorded under discovered/)."""
    if on_new is None:

        def on_new(new: list[FeedItem]) -> None:
            record_discovered(settings.data_root, feed, new)

    top = poll_document(feed, feed.url, settings, fetcher, feed.kind, on_new, parse)
    polls, errors = [top], []
    for visit in walk_sitemaps(feed, top.children, 1, settings, fetcher, on_new):
        if isinstance(visit, StageError):
            errors.append(visit)
        else:
            polls.append(visit)
    items = [item for poll in polls for item in poll.items]
    health = FeedHealth(
        status=top.status,
        items=len(items),
        new_items=sum(p.new_items for p in polls),
        not_modified=all(p.not_modified for p in polls),
        bytes=sum(p.bytes for p in polls),
        documents=len(polls),
        child_errors=tuple(errors[:20]),
    )
    return items, health


def discover_from_sitemaps(feed: Feed, day: date, settings: Settings, fetcher: Fetcher) -> int:
    """Items dated in D (news:publication_date, else lastmod) in the sitemaps that the
    robots.txt of the feed's site lists, indexes followed; recorded under
    discovered/date=D, where the selection of D finds them. Returns how many."""
    start, end = day_bounds(day)
    found: dict[str, FeedItem] = {}
    sitemaps = fetcher.sitemaps_of(feed.url)
    for visit in walk_sitemaps(feed, sitemaps, 0, settings, fetcher, on_new=lambda _: None):
        if isinstance(visit, StageError):
            continue
        for item in visit.items:
            if in_day(item.published_at, start, end):
                found.setdefault(item.article_id, item)
    if found:
        record_discovered(settings.data_root, feed, list(found.values()))
    return len(found)


def poll_feed(
    feed: Feed,
    day: date,
    run_id: str,
    settings: Settings,
    fetcher: Fetcher,
    parse: FeedParser = parse_feed,
    captured: bool | None = None,
) -> PollResult:
    """Poll one feed or sitemap conditionally and stage its items; never raises for a bad feed.
    ``captured``: whether D's pages were archived (looked up when not given)."""
    started = time.monotonic()
    health, uri, sitemap_items, error = UNPOLLED, None, None, None
    try:
        items, health = poll_feed_items(feed, settings, fetcher, parse=parse)
        if captured is None:
            captured = has_page_captures(settings.data_root, replay_days(day))
        if not captured:
            # No page of D was captured (a backfill): look for D's articles in sitemaps too.
            sitemap_items = discover_from_sitemaps(feed, day, settings, fetcher)
        staged = work_uri(settings.data_root, day, run_id, "items", feed_file(feed.id))
        store.write_table_atomic(staged, items_table(items, feed.source))
        uri = staged
    except Exception as exc:  # a hostile feed must not fail the run
        error = error_of(exc, feed.id, feed.url)
    return PollResult(feed.id, uri, health, sitemap_items, error, elapsed(started))


def feed_batches(feeds: list[Feed], per_batch: int = FEEDS_PER_POLL_TASK) -> list[list[Feed]]:
    """The feed list cut into batches, one poll task each: hundreds of feeds would
    otherwise cost hundreds of Airflow task starts for a few requests apiece."""
    return [feeds[i : i + per_batch] for i in range(0, len(feeds), per_batch)]


def poll_feeds(
    feeds: list[Feed], day: date, run_id: str, settings: Settings, fetcher: Fetcher
) -> list[PollResult]:
    """``poll_feed`` for each feed, side by side on the fetcher's threads (their parsing
    on all cores); results in order."""
    if not feeds:
        return []
    from concurrent.futures import ThreadPoolExecutor

    started = time.monotonic()
    log.info("polling %d feeds for %s", len(feeds), day)
    parsers = min(len(feeds), worker_processes())
    threads = min(len(feeds), max(1, settings.fetch_concurrency))
    # Looked up once for the batch: reading the capture index for each feed cost a poll
    # of a harvested day as many reads of its whole index as it has feeds.
    captured = has_page_captures(settings.data_root, replay_days(day))
    with feed_parsing_processes(parsers) as parse, ThreadPoolExecutor(threads) as pool:
        polls = list(
            pool.map(
                lambda feed: poll_feed(feed, day, run_id, settings, fetcher, parse, captured),
                feeds,
            )
        )
    for poll in polls:
        if poll.error is not None:
            log.warning("feed %s failed: %s", poll.feed_id, poll.error)
    failed = sum(poll.error is not None for poll in polls)
    items = sum(poll.health.items for poll in polls)
    log.info(
        "polled %d feeds in %.1f s: %d items listed, %d feeds failed",
        len(feeds), elapsed(started), items, failed,
    )  # fmt: skip
    return polls
