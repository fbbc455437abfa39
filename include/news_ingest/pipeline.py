"""The nightly stages for one UTC day, each reading and writing Parquet under the data root."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pyarrow as pa

from news_ingest import __version__, store
from news_ingest.archive import CaptureLookup, replay_days
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

if TYPE_CHECKING:
    # Extraction, dedupe and events load trafilatura, numpy and their models: imported by
    # the stages that use them, so the other tasks of a run start without them.
    from news_ingest.dedupe import Fingerprint
    from news_ingest.extract import Extracted, ExtractOptions, PageInput

MAX_CHILD_SITEMAPS = 50
MAX_SITEMAP_DEPTH = 3
# Stage name in the manifest's durations -> its result's key among the run's stage results.
STAGE_RESULTS = {
    "poll": "poll",
    "select": "select",
    "fetch": "fetch",
    "extract": "extract",
    "dedupe": "dedupe",
    "events": "events",
    "publish": "published",
}
P = ParamSpec("P")
T = TypeVar("T")


def _timed(stage: Callable[P, dict[str, Any]]) -> Callable[P, dict[str, Any]]:
    """Add the stage's wall time in seconds to its result, for the run manifest."""

    @wraps(stage)
    def timed(*args: P.args, **kwargs: P.kwargs) -> dict[str, Any]:
        started = time.monotonic()
        result = stage(*args, **kwargs)
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    return timed


ITEMS_SCHEMA = pa.schema(
    [
        ("feed_id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("published_at", store.TS),
    ]
)
PAGES_SCHEMA = pa.schema(
    [
        *ITEMS_SCHEMA,
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("content_type", pa.string()),
        ("body", pa.large_binary()),
        ("fetched_at", store.TS),
        ("error", pa.string()),
    ]
)


DEDUPE_COLUMNS = (
    "is_duplicate",
    "duplicate_of",
    "duplicate_similarity",
    "duplicate_kind",
    "cluster_id",
    "copies_seen",
    "dedupe_hash",
    "minhash",
    "shingle_count",
    "numbers_mask",
    "names_mask",
)
FINGERPRINT_COLUMNS = ["dedupe_hash", "minhash", "shingle_count", "numbers_mask", "names_mask"]
# Fingerprints are computed beside extraction, in the worker pool; verdicts come later.
EXTRACTED_SCHEMA = pa.schema(
    [
        f
        for f in store.ARTICLES_SCHEMA
        if f.name not in DEDUPE_COLUMNS or f.name in FINGERPRINT_COLUMNS
    ]
)


def worker_processes() -> int:
    """Processes for a stage's CPU-bound work: one per core, at most 4."""
    return min(os.cpu_count() or 1, 4)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC interval [day 00:00, day+1 00:00)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def work_uri(root: str, day: date, *parts: str) -> str:
    """Where a stage keeps its intermediate output for ``day``."""
    return store.join(root, "staging", f"date={day.isoformat()}", *parts)


def _feed_file(feed_id: str) -> str:
    # Feed ids are validated slugs, but a hash keeps input out of paths regardless.
    return hashlib.sha256(feed_id.encode()).hexdigest()[:16] + ".parquet"


def _items_table(items: Iterable[FeedItem], source: str | None) -> pa.Table:
    rows = [
        {
            "feed_id": i.feed_id,
            "source": source,
            "url": i.url,
            "canonical_url": i.canonical_url,
            "article_id": i.article_id,
            "title": i.title,
            "published_at": i.published_at,
        }
        for i in items
    ]
    return pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA)


@dataclass
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
    on_new: Callable[[list[FeedItem]], None] | None = None,
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


def discovered_uri(root: str, day: date, feed_id: str) -> str:
    """A new file of items first listed by a poll, in the partition of the items' day."""
    name = f"{_feed_file(feed_id).removesuffix('.parquet')}-{uuid.uuid4().hex}.parquet"
    return store.join(root, "discovered", f"date={day.isoformat()}", name)


def record_discovered(root: str, feed: Feed, items: list[FeedItem]) -> int:
    """Keep newly listed items under discovered/date=<published day, else today>, so the
    nightly run of their day selects them even once they rotate out of the feed."""
    today = datetime.now(UTC).date()
    by_day: dict[date, list[FeedItem]] = {}
    for item in items:
        day = item.published_at.astimezone(UTC).date() if item.published_at else today
        by_day.setdefault(day, []).append(item)
    for day, day_items in sorted(by_day.items()):
        store.write_table_atomic(
            discovered_uri(root, day, feed.id), _items_table(day_items, feed.source)
        )
    return len(items)


def discovered_items(root: str, day: date) -> pa.Table:
    """Items that polls and harvests first listed with ``day`` as their day."""
    folder = store.join(root, "discovered", f"date={day.isoformat()}")
    tables = [store.read_table(u).select(ITEMS_SCHEMA.names) for u in store.list_files(folder)]
    if not tables:
        return ITEMS_SCHEMA.empty_table()
    return pa.concat_tables([t.cast(ITEMS_SCHEMA) for t in tables])


def poll_feed_items(
    feed: Feed,
    settings: Settings,
    fetcher: Fetcher,
    on_new: Callable[[list[FeedItem]], None] | None = None,
    parse: FeedParser = parse_feed,
) -> tuple[list[FeedItem], dict[str, Any]]:
    """Poll a feed, or a sitemap and its child sitemaps (recursively, bounded); return its
    items and its health: status, items, new_items, not_modified, bytes, documents."""
    if on_new is None:

        def on_new(new: list[FeedItem]) -> None:
            record_discovered(settings.data_root, feed, new)

    top = poll_document(feed, feed.url, settings, fetcher, feed.kind, on_new, parse)
    items = list(top.items)
    polls = [top]
    child_errors: list[str] = []
    queue = [(c, 1) for c in top.children]
    visited = {feed.url}
    while queue and len(visited) <= MAX_CHILD_SITEMAPS:
        child, depth = queue.pop(0)
        if child in visited or depth > MAX_SITEMAP_DEPTH:
            continue
        visited.add(child)
        try:
            poll = poll_document(feed, child, settings, fetcher, "sitemap", on_new)
        except (FetchError, FeedParseError) as exc:
            child_errors.append(f"{child}: {type(exc).__name__}: {exc}"[:300])
            continue
        polls.append(poll)
        items.extend(poll.items)
        queue.extend((c, depth + 1) for c in poll.children)
    health = {
        "status": top.status,
        "items": len(items),
        "new_items": sum(p.new_items for p in polls),
        "not_modified": all(p.not_modified for p in polls),
        "bytes": sum(p.bytes for p in polls),
        "documents": len(polls),
        "child_errors": child_errors[:20],
    }
    return items, health


def discover_from_sitemaps(feed: Feed, day: date, settings: Settings, fetcher: Fetcher) -> int:
    """Items dated in D (news:publication_date, else lastmod) in the sitemaps that the
    robots.txt of the feed's site lists, indexes followed recursively; recorded under
    discovered/date=D, where the selection of D finds them. Returns how many."""
    start, end = day_bounds(day)
    found: dict[str, FeedItem] = {}
    queue = [(url, 0) for url in fetcher.sitemaps_of(feed.url)]
    visited = {feed.url}
    while queue and len(visited) <= MAX_CHILD_SITEMAPS:
        url, depth = queue.pop(0)
        if url in visited or depth > MAX_SITEMAP_DEPTH:
            continue
        visited.add(url)
        try:
            poll = poll_document(feed, url, settings, fetcher, "sitemap", on_new=lambda _: None)
        except (FetchError, FeedParseError):
            continue
        for item in poll.items:
            if in_day(item.published_at, start, end):
                found.setdefault(item.article_id, item)
        queue.extend((c, depth + 1) for c in poll.children)
    if found:
        record_discovered(settings.data_root, feed, list(found.values()))
    return len(found)


def poll_feed(
    feed: Feed, day: date, settings: Settings, fetcher: Fetcher, parse: FeedParser = parse_feed
) -> dict[str, Any]:
    """Poll one feed or sitemap conditionally; stage its items; never raise for a bad feed.

    The result is the feed's health for the run manifest: status, items, new_items,
    not_modified, error, bytes, seconds.
    """
    started = time.monotonic()
    result: dict[str, Any] = {
        "feed_id": feed.id,
        "uri": None,
        "status": None,
        "items": 0,
        "new_items": 0,
        "not_modified": False,
        "error": None,
        "bytes": 0,
    }
    try:
        items, health = poll_feed_items(feed, settings, fetcher, parse=parse)
        result.update(health)
        if not CaptureLookup(settings.data_root, replay_days(day)):
            # No page of D was captured (a backfill): look for D's articles in sitemaps too.
            result["sitemap_items"] = discover_from_sitemaps(feed, day, settings, fetcher)
        uri = work_uri(settings.data_root, day, "items", _feed_file(feed.id))
        store.write_table_atomic(uri, _items_table(items, feed.source))
        result["uri"] = uri
    except (FetchError, FeedParseError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a hostile feed must not fail the run
        result["error"] = f"unexpected {type(exc).__name__}: {exc}"[:500]
    result["seconds"] = round(time.monotonic() - started, 3)
    return result


FEEDS_PER_POLL_TASK = 25


def feed_batches(feeds: list[Feed], per_batch: int = FEEDS_PER_POLL_TASK) -> list[list[Feed]]:
    """The feed list cut into batches, one poll task each: hundreds of feeds would
    otherwise cost hundreds of Airflow task starts for a few requests apiece."""
    return [feeds[i : i + per_batch] for i in range(0, len(feeds), per_batch)]


def poll_feeds(
    feeds: list[Feed], day: date, settings: Settings, fetcher: Fetcher
) -> list[dict[str, Any]]:
    """``poll_feed`` for each feed, side by side on the fetcher's threads (their parsing
    on all cores); results in order."""
    if not feeds:
        return []
    from concurrent.futures import ThreadPoolExecutor

    parsers = min(len(feeds), worker_processes())
    threads = min(len(feeds), max(1, settings.fetch_concurrency))
    with feed_parsing_processes(parsers) as parse, ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda feed: poll_feed(feed, day, settings, fetcher, parse), feeds))


MAX_HARVEST_PAGES = 500


def harvest_feed(feed: Feed, day: date, settings: Settings, fetcher: Fetcher) -> dict[str, Any]:
    """One harvest of one feed: a conditional poll; new items recorded under discovered/
    and their pages fetched now into the raw archive (the fetcher's), unless captured
    already. Never raises for a bad feed or page."""
    started = time.monotonic()
    result: dict[str, Any] = {"feed_id": feed.id, "status": None, "error": None}
    new_items: list[FeedItem] = []

    def on_new(items: list[FeedItem]) -> None:
        record_discovered(settings.data_root, feed, items)
        new_items.extend(items)

    try:
        _items, health = poll_feed_items(feed, settings, fetcher, on_new)
        result.update(health)
    except (FetchError, FeedParseError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a hostile feed must not fail the harvest
        result["error"] = f"unexpected {type(exc).__name__}: {exc}"[:500]
    lookup = CaptureLookup(settings.data_root, [day - timedelta(days=1), day])
    todo = list({i.article_id: i for i in new_items if lookup.find(i.url) is None}.values())
    rows = [{"feed_id": i.feed_id, "url": i.url} for i in todo[:MAX_HARVEST_PAGES]]
    pages = fetcher.map(lambda r: _fetch_one(fetcher, r), rows, lambda r: r["url"])
    errors = [{"url": p["url"], "error": p["error"]} for p in pages if p["error"]]
    result.update(
        pages_fetched=len(pages) - len(errors),
        pages_failed=len(errors),
        pages_deferred=max(0, len(todo) - MAX_HARVEST_PAGES),
        page_errors=errors[:50],
        seconds=round(time.monotonic() - started, 3),
    )
    return result


def summarize_harvest(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and a readable line per failed feed, for the harvest's task log."""
    counts = {
        "feeds": len(results),
        "failed": sum(1 for r in results if r.get("error")),
        "not_modified": sum(1 for r in results if r.get("not_modified")),
        "new_items": sum(r.get("new_items", 0) for r in results),
        "pages_fetched": sum(r.get("pages_fetched", 0) for r in results),
        "pages_failed": sum(r.get("pages_failed", 0) for r in results),
    }
    lines = ["news_harvest " + " ".join(f"{k}={v}" for k, v in counts.items())]
    lines += [f"  feed {r['feed_id']} failed: {r['error']}" for r in results if r.get("error")]
    return {"counts": counts, "text": "\n".join(lines)}


@_timed
def select_items_of_day(polls: list[dict[str, Any]], day: date, root: str) -> dict[str, Any]:
    """Items dated in ``day`` or undated (decided after extraction), one per canonical URL."""
    start, end = day_bounds(day)
    tables = [store.read_table(p["uri"]) for p in polls if p.get("uri")]
    rows = pa.concat_tables(tables).to_pylist() if tables else []
    listed = len(rows)
    # Items harvested earlier (maybe rotated out of their feed since) whose day is D.
    listed_ids = {r["article_id"] for r in rows}
    harvested = [
        r for r in discovered_items(root, day).to_pylist() if r["article_id"] not in listed_ids
    ]
    rows.extend(harvested)
    keep = [r for r in rows if r["published_at"] is None or in_day(r["published_at"], start, end)]
    keep.sort(
        key=lambda r: (
            r["published_at"] is None,
            r["published_at"] or start,
            r["feed_id"],
            r["url"],
        )
    )
    chosen: dict[str, dict[str, Any]] = {}
    for row in keep:
        chosen.setdefault(row["article_id"], row)
    uri = work_uri(root, day, "selected.parquet")
    store.write_table_atomic(uri, pa.Table.from_pylist(list(chosen.values()), schema=ITEMS_SCHEMA))
    return {
        "uri": uri,
        "listed": listed,
        "selected": len(chosen),
        "harvested": len({r["article_id"] for r in harvested}),
        "other_days": listed + len(harvested) - len(keep),
        "undated": sum(1 for r in chosen.values() if r["published_at"] is None),
    }


def _page_row(
    row: dict[str, Any],
    final_url: str,
    status: int,
    ctype: str,
    fetched_at: datetime,
    body: bytes,
) -> dict[str, Any]:
    out = {
        **row,
        "final_url": final_url,
        "status": status,
        "content_type": ctype,
        "body": None,
        "fetched_at": fetched_at,
        "error": None,
    }
    if status != 200:
        out["error"] = f"HTTP {status}"
    elif ctype and "html" not in ctype.lower():
        out["error"] = f"not HTML: {ctype}"
    else:
        out["body"] = body
    return out


def _fetch_one(fetcher: Fetcher, row: dict[str, Any]) -> dict[str, Any]:
    try:
        resp = fetcher.get(row["url"])
    except FetchError as exc:
        return {
            **row,
            "final_url": row["url"],
            "status": None,
            "content_type": None,
            "body": None,
            "fetched_at": datetime.now(UTC),
            "error": str(exc)[:500],
        }
    ctype = resp.headers.get("content-type", "")
    return _page_row(row, resp.final_url, resp.status, ctype, resp.fetched_at, resp.body)


def _replay(lookup: CaptureLookup, row: dict[str, Any]) -> dict[str, Any] | None:
    """The page from the raw archive, or None when it must be fetched."""
    capture = lookup.find(row["url"])
    if capture is None:
        return None
    try:
        body = lookup.body(capture)
    except (OSError, ValueError):  # a capture that cannot be read is fetched again
        return None
    ctype = capture.content_type or ""
    return _page_row(row, capture.final_url, 200, ctype, capture.fetched_at, body)


PAGE_BATCH_ROWS = 128


@_timed
def fetch_pages(
    selected_uri: str,
    day: date,
    settings: Settings,
    fetcher: Fetcher,
    on_page: Callable[[dict[str, Any]], None] | None = None,
    keep_bodies: bool = True,
) -> dict[str, Any]:
    """The selected items' pages: read from the raw archive's captures of D when there,
    else fetched (concurrently, politely); failures are recorded, not raised.

    Pages go to Parquet in batches as they arrive (in completion order), so memory holds
    one batch of bodies, not the night's; ``on_page`` also gets each page as it arrives.
    Without ``keep_bodies`` the file keeps each page's fetch record but not its body
    (which the raw archive has).
    """
    rows = store.read_table(selected_uri).to_pylist()
    lookup = CaptureLookup(settings.data_root, replay_days(day))
    uri = work_uri(settings.data_root, day, "pages.parquet")
    lock = threading.Lock()
    batch: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    counts = {"pages": 0, "replayed": 0}

    with store.batch_writer(uri, PAGES_SCHEMA) as write:

        def keep(page: dict[str, Any], replayed: bool = False) -> None:
            if on_page is not None:
                on_page(dict(page))
            with lock:
                counts["pages"] += 1
                counts["replayed"] += replayed
                if page["error"]:
                    failed.append(
                        {"url": page["url"], "feed_id": page["feed_id"], "error": page["error"]}
                    )
                batch.append(page if keep_bodies else {**page, "body": None})
                if len(batch) >= PAGE_BATCH_ROWS:
                    write(pa.Table.from_pylist(batch, schema=PAGES_SCHEMA))
                    batch.clear()

        missing = []
        for row in rows:
            page = _replay(lookup, row)
            if page is None:
                missing.append(row)
            else:
                keep(page, replayed=True)
        # Handed out host by host (Fetcher.map), so no thread waits on one host's delay.
        fetcher.map(lambda r: keep(_fetch_one(fetcher, r)), missing, lambda r: r["url"])
        if batch:
            write(pa.Table.from_pylist(batch, schema=PAGES_SCHEMA))
    failed.sort(key=lambda e: (e["url"], e["feed_id"]))
    return {
        "uri": uri,
        "fetched": counts["pages"] - len(failed),
        "failed": len(failed),
        "replayed": counts["replayed"],
        "requested": counts["pages"] - counts["replayed"],
        "errors": failed[:100],
    }


def _article_row(page: dict[str, Any], ext: Extracted) -> dict[str, Any]:
    if page["published_at"] is not None:
        published, source = page["published_at"], "feed"
    elif ext.page_published_at is not None:
        published, source = ext.page_published_at, ext.page_date_source or "text"
    else:
        published, source = None, "capture"
    return {
        "article_id": ext.article_id,
        "feed_id": page["feed_id"],
        "source": page["source"],
        "url": page["url"],
        "final_url": page["final_url"],
        "canonical_url": ext.canonical_url,
        "domain": ext.domain,
        "title": ext.title or page["title"],
        "text": ext.text,
        "authors": ext.authors,
        "published_at": published,
        "date_source": source,
        "modified_at": ext.modified_at,
        "fetched_at": page["fetched_at"],
        "language": ext.language,
        "language_confidence": ext.language_confidence,
        "word_count": ext.word_count,
        "is_article": ext.is_article,
        "is_paywalled": ext.is_paywalled,
        "site_name": ext.site_name,
        "description": ext.description,
        "categories": ext.categories,
        "tags": ext.tags,
        "image_url": ext.image_url,
        "text_sha256": ext.text_sha256,
    }


_SHORT_LINES = "short_lines"


def _fingerprint_and_short_lines(ext: Extracted) -> dict[str, Any]:
    """Dedupe's fingerprint of an extracted text, as stored, and the text's short lines
    for the boilerplate learner (runs in the extraction pool, off the fetching process)."""
    from news_ingest.dedupe import Fingerprint
    from news_ingest.text import short_lines

    return {
        **Fingerprint.of(ext.article_id, ext.text).stored(),
        _SHORT_LINES: short_lines(ext.text),
    }


def _strip_learned(row: dict[str, Any], learned: set[str]) -> bool:
    """Remove the site's learned boilerplate lines from ``row``'s body; True if it changed.

    The shorter body is judged again by extraction's rule. The row keeps no page type, so
    a page that was an article is judged as one that declares none: it passed its type
    check already, and a flash's story evidence then comes from its URL alone.
    """
    from news_ingest.dedupe import Fingerprint
    from news_ingest.extract import looks_like_article
    from news_ingest.text import strip_boilerplate

    text = strip_boilerplate(row["text"], learned)
    if text == row["text"]:
        return False
    words = len(text.split())
    published = row["published_at"] if row["date_source"] != "capture" else None
    row.update(
        text=text,
        word_count=words,
        is_article=row["is_article"]
        and looks_like_article(words, row["title"], published, None, row["canonical_url"], text),
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        **Fingerprint.of(row["article_id"], text).stored(),
    )
    return True


def _chosen_rows(keys: list[tuple[int, str, datetime | None, str, str]], day: date) -> set[int]:
    """Of (row, article_id, published_at, feed_id, url): the rows dated in ``day`` or
    undated, one per article id, the earliest published (then feed, then URL) winning."""
    start, end = day_bounds(day)
    in_d = [k for k in keys if k[2] is None or in_day(k[2], start, end)]
    in_d.sort(key=lambda k: (k[2] is None, k[2] or start, k[3], k[4], k[0]))
    chosen: dict[str, int] = {}
    for k in in_d:
        chosen.setdefault(k[1], k[0])
    return set(chosen.values())


def _fetched_pages(pages_uri: str, rows: dict[str, dict[str, Any]]) -> Iterator[PageInput]:
    from news_ingest.extract import PageInput

    # Stream bodies batch by batch; only the small per-page metadata stays in memory.
    # Keys count every page read: ``rows`` shrinks as results are collected, so its
    # length would hand out a key still in flight.
    read = 0
    for batch in store.iter_batches(pages_uri):
        for page in batch.to_pylist():
            read += 1
            if page["body"] is None:
                continue
            key = str(read)
            body = page.pop("body")
            rows[key] = page
            yield PageInput(key, body, page["final_url"], page["content_type"])


EXTRACT_BATCH_ROWS = 256


@_timed
def extract_articles(
    pages_uri: str, day: date, root: str, options: ExtractOptions | None = None
) -> dict[str, Any]:
    """Extract every fetched page; keep those whose day is ``day``, one per canonical URL.

    Two streaming passes, so memory holds one batch of bodies, not the night's: the
    first extracts (on all cores) into a staged file while learning each site's
    repeated lines; the second drops those lines and the rows not kept.
    """
    pages: dict[str, dict[str, Any]] = {}
    return _extract_pages(_fetched_pages(pages_uri, pages), pages, day, root, options)


def _extract_pages(
    inputs: Iterator[PageInput],
    pages: dict[str, dict[str, Any]],
    day: date,
    root: str,
    options: ExtractOptions | None,
) -> dict[str, Any]:
    """``extract_articles`` over pages as ``inputs`` yields them (their rows in ``pages``)."""
    from news_ingest.extract import DEFAULT_OPTIONS, extract_batch
    from news_ingest.text import BoilerplateLearner

    errors: list[dict[str, Any]] = []
    learners: dict[str, BoilerplateLearner] = {}
    keys: list[tuple[int, str, datetime | None, str, str]] = []
    all_uri = work_uri(root, day, "extracted-all.parquet")
    workers = worker_processes()
    batch = extract_batch(
        inputs,
        options or DEFAULT_OPTIONS,
        workers=workers,
        then=_fingerprint_and_short_lines,
    )
    buffer: list[dict[str, Any]] = []
    with store.batch_writer(all_uri, EXTRACTED_SCHEMA) as write:
        for result in batch:
            page = pages.pop(result.key)
            if result.extracted is None:
                errors.append(
                    {"url": page["url"], "feed_id": page["feed_id"], "error": result.error}
                )
                continue
            row = {**_article_row(page, result.extracted), **result.extra}
            learners.setdefault(row["domain"], BoilerplateLearner()).add_lines(
                row.pop(_SHORT_LINES)
            )
            keys.append(
                (len(keys), row["article_id"], row["published_at"], row["feed_id"], row["url"])
            )
            buffer.append(row)
            if len(buffer) >= EXTRACT_BATCH_ROWS:
                write(pa.Table.from_pylist(buffer, schema=EXTRACTED_SCHEMA))
                buffer.clear()
        if buffer:
            write(pa.Table.from_pylist(buffer, schema=EXTRACTED_SCHEMA))
    learned = {domain: learner.learned() for domain, learner in learners.items()}
    chosen = _chosen_rows(keys, day)
    start, end = day_bounds(day)
    in_d = sum(1 for k in keys if k[2] is None or in_day(k[2], start, end))
    uri = work_uri(root, day, "extracted.parquet")
    kept: list[dict[str, Any]] = []
    stats = {"stripped": 0, "not_article": 0, "paywalled": 0}
    date_sources: dict[str, int] = {}
    index = 0
    with store.batch_writer(uri, EXTRACTED_SCHEMA) as write:
        for part in store.iter_batches(all_uri, rows=EXTRACT_BATCH_ROWS):
            for row in part.to_pylist():
                index += 1
                if index - 1 not in chosen:
                    continue
                stats["stripped"] += _strip_learned(row, learned.get(row["domain"], set()))
                stats["not_article"] += not row["is_article"]
                stats["paywalled"] += bool(row["is_paywalled"])
                date_sources[row["date_source"]] = date_sources.get(row["date_source"], 0) + 1
                kept.append(row)
            if kept:
                write(pa.Table.from_pylist(kept, schema=EXTRACTED_SCHEMA))
                kept.clear()
    store.delete(all_uri)
    errors.sort(key=lambda e: (e["url"], e["feed_id"]))
    return {
        "uri": uri,
        "extracted": len(keys),
        "failed": len(errors),
        "errors": errors[:100],
        "other_days": len(keys) - in_d,
        "same_url": in_d - len(chosen),
        "not_article": stats["not_article"],
        "paywalled": stats["paywalled"],
        "boilerplate_stripped": stats["stripped"],
        "date_sources": dict(sorted(date_sources.items())),
    }


class _Stopped(Exception):
    """Fetching stops because extraction failed."""


def fetch_and_extract_pages(
    selected_uri: str,
    day: date,
    settings: Settings,
    fetcher: Fetcher,
    options: ExtractOptions | None = None,
) -> dict[str, dict[str, Any]]:
    """``fetch_pages`` and ``extract_articles`` at once: pages are extracted as they
    arrive, so fetching (one process, mostly waiting) overlaps extraction (all cores).
    Writes and returns what the two stages would; ``{"fetch": ..., "extract": ...}``."""
    from news_ingest.extract import PageInput

    arrived: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=64)
    stop = threading.Event()
    outcome: dict[str, Any] = {}

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
            outcome["fetch"] = fetch_pages(
                selected_uri, day, settings, fetcher, hand_over, keep_bodies=False
            )
        except BaseException as exc:  # re-raised in the task's own thread below
            outcome["error"] = exc
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
        extracted = _extract_pages(inputs(), pages, day, settings.data_root, options)
    finally:
        stop.set()
        fetching.join()
    if "error" in outcome:
        raise outcome["error"]
    extracted["seconds"] = round(time.monotonic() - started, 3)
    return {"fetch": outcome["fetch"], "extract": extracted}


def _by_reference_order(row: dict[str, Any]) -> tuple[bool, datetime, str]:
    published = row["published_at"] or datetime.min.replace(tzinfo=UTC)
    return (row["published_at"] is None, published, row["article_id"])


def _stored_fingerprint(row: dict[str, Any], key: str) -> Fingerprint:
    from news_ingest.dedupe import Fingerprint

    if row.get("minhash") is None:  # a partition written before fingerprints were stored
        return Fingerprint.of(key, row.get("text") or "")
    return Fingerprint.from_stored(
        key,
        row["dedupe_hash"],
        row["minhash"],
        row["shingle_count"],
        row["numbers_mask"],
        row["names_mask"],
    )


def history_fingerprints(root: str, day: date, days: int) -> tuple[list[Fingerprint], set[str]]:
    """Stored fingerprints of the originals of the ``days`` days before ``day``, in
    reference order, and every article id those days hold."""
    fps: list[Fingerprint] = []
    ids: set[str] = set()
    for back in range(days, 0, -1):
        table = store.read_partition(root, "articles", day - timedelta(days=back))
        if table is None:
            continue
        names = set(table.column_names)
        columns = ["article_id", "published_at", "is_duplicate", "is_article"]
        columns += [c for c in FINGERPRINT_COLUMNS if c in names] or ["text"]
        rows = table.select(columns).to_pylist()
        ids.update(r["article_id"] for r in rows)
        originals = [r for r in rows if not r["is_duplicate"] and r["is_article"]]
        fps.extend(
            _stored_fingerprint(r, r["article_id"])
            for r in sorted(originals, key=_by_reference_order)
        )
    return fps, ids


def seed_fingerprints(seeds_dir: str, root: str) -> list[Fingerprint]:
    """Fingerprints of the seed corpus, from a cache rebuilt only when the seeds change."""
    from news_ingest.dedupe import load_seeds, seeds_digest

    uri = store.join(root, "cache", f"seeds-{seeds_digest(seeds_dir)}.parquet")
    if store.exists(uri):
        return [_stored_fingerprint(r, r["key"]) for r in store.read_table(uri).to_pylist()]
    fps = load_seeds(seeds_dir)
    table = pa.Table.from_pylist(
        [
            {
                "key": fp.key,
                "dedupe_hash": fp.exact,
                "minhash": fp.signature_bytes(),
                "shingle_count": fp.size,
                "numbers_mask": fp.numbers_mask,
                "names_mask": fp.names_mask,
            }
            for fp in fps
        ],
        schema=pa.schema(
            [
                ("key", pa.string()),
                ("dedupe_hash", pa.string()),
                ("minhash", pa.binary()),
                ("shingle_count", pa.int32()),
                ("numbers_mask", pa.int64()),
                ("names_mask", pa.int64()),
            ]
        ),
    )
    # Concurrent runs may both write it: same content, atomic rename, last one wins.
    store.write_table_atomic(uri, table)
    return fps


DEDUPE_INPUT_COLUMNS = ["article_id", "published_at", "is_article", *FINGERPRINT_COLUMNS]


@_timed
def dedupe_articles(extracted_uri: str, day: date, settings: Settings) -> dict[str, Any]:
    """Mark duplicates against the seeds, the previous days' originals and earlier articles of D.

    Verdicts need only the stored fingerprints (computed at extraction), so bodies are
    not read for them; the staged articles are then written batch by batch.
    """
    from news_ingest.dedupe import Candidate, dedupe_day

    names = set(store.read_schema(extracted_uri).names)
    columns = [c for c in DEDUPE_INPUT_COLUMNS if c in names]
    if not set(FINGERPRINT_COLUMNS) <= names:  # staged before fingerprints were
        columns.append("text")
    candidates = [
        Candidate(
            r["article_id"],
            r.get("text") or "",
            r["published_at"],
            r["is_article"],
            _stored_fingerprint(r, r["article_id"]),
        )
        for part in store.iter_batches(extracted_uri, columns, rows=4096)
        for r in part.to_pylist()
    ]
    history, history_ids = history_fingerprints(settings.data_root, day, settings.history_days)
    verdicts, prints = dedupe_day(
        candidates,
        seed_fingerprints(settings.seeds_dir, settings.data_root),
        history,
        sorted(history_ids),
        workers=worker_processes(),
    )
    del candidates
    copies: dict[str, int] = {}
    for v in verdicts.values():
        if v.is_duplicate and v.duplicate_of:
            copies[v.duplicate_of] = copies.get(v.duplicate_of, 0) + 1
    counts = {"articles": 0, "duplicates": 0, "of_seeds": 0, "originals": 0}
    by_kind = dict.fromkeys(("url", "exact", "near"), 0)
    uri = work_uri(settings.data_root, day, "articles.parquet")
    with store.batch_writer(uri, store.ARTICLES_SCHEMA) as write:
        for part in store.iter_batches(extracted_uri, rows=EXTRACT_BATCH_ROWS):
            if part.num_rows == 0:
                continue
            ids = part.column("article_id").to_pylist()
            is_article = part.column("is_article").to_pylist()
            rows = []
            for article_id, article in zip(ids, is_article, strict=True):
                v = verdicts[article_id]
                rows.append(
                    {
                        "is_duplicate": v.is_duplicate,
                        "duplicate_of": v.duplicate_of,
                        "duplicate_similarity": v.similarity,
                        "duplicate_kind": v.kind,
                        # Duplicates point at an original (or a seed), which names the cluster.
                        "cluster_id": v.duplicate_of if v.is_duplicate else article_id,
                        "copies_seen": None if v.is_duplicate else copies.get(article_id, 0),
                    }
                )
                counts["articles"] += 1
                if v.is_duplicate:
                    counts["duplicates"] += 1
                    counts["of_seeds"] += str(v.duplicate_of).startswith("seed:")
                    by_kind[str(v.kind)] = by_kind.get(str(v.kind), 0) + 1
                elif article:
                    counts["originals"] += 1
            if not set(FINGERPRINT_COLUMNS) <= set(part.column_names):
                for row, article_id in zip(rows, ids, strict=True):
                    row.update(prints[article_id].stored())
            write(_with_columns(part, rows, store.ARTICLES_SCHEMA))
    return {
        "uri": uri,
        "articles": counts["articles"],
        "duplicates": counts["duplicates"],
        "duplicates_of_seeds": counts["of_seeds"],
        "duplicates_by_kind": by_kind,
        "originals": counts["originals"],
        "history_references": len(history),
    }


def _with_columns(part: pa.RecordBatch, rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """``part`` with the columns in ``rows`` added or replaced, laid out as ``schema``;
    the other columns (bodies among them) are carried over without leaving Arrow."""
    names = list(rows[0]) if rows else []
    added = pa.RecordBatch.from_pylist(rows, schema=pa.schema([schema.field(n) for n in names]))
    columns = [
        added.column(f.name) if f.name in names else part.column(f.name).cast(f.type)
        for f in schema
    ]
    return pa.Table.from_batches([pa.RecordBatch.from_arrays(columns, schema=schema)])


EVENT_INPUT_COLUMNS = ["article_id", "text", "title", "published_at", "is_duplicate", "is_article"]


def _events_of_articles(extractor: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Events of a chunk of original articles, as a table (runs in a worker process)."""
    from news_ingest.events import get_extractor

    extract_events = get_extractor(extractor)
    events = [
        event.as_row()
        for row in rows
        for event in extract_events(
            row["article_id"], row["text"], row["published_at"], row["title"]
        )
    ]
    return pa.Table.from_pylist(events, schema=store.EVENTS_SCHEMA)


def _in_processes(
    fn: Callable[..., T], jobs: Iterable[tuple[Any, ...]], workers: int
) -> Iterator[T]:
    """``fn(*job)`` for each job, on ``workers`` processes (in this one when 1), in order,
    with a bounded number of jobs in flight so memory does not grow with their count."""
    if workers <= 1:
        for job in jobs:
            yield fn(*job)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    pending: list[Future[T]] = []
    # Forked, so that what the parent loaded is shared (fork is not the default on macOS,
    # nor on Linux from Python 3.14).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for job in jobs:
            pending.append(pool.submit(fn, *job))
            while len(pending) > workers * 2:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


@_timed
def extract_events_of_day(
    articles_uri: str, day: date, root: str, extractor: str = "rules", workers: int = 0
) -> dict[str, Any]:
    """Events from the day's original articles, by the extractor registered as ``extractor``,
    in chunks on ``workers`` processes (0: one per core, at most 4), streamed to Parquet."""
    from news_ingest.events import get_extractor

    extract = get_extractor(extractor)  # an unknown name fails here, not in a worker
    workers = workers or worker_processes()
    if workers > 1:
        # What the extractor loads on first use (the rules' lexicon and gazetteer: 0.45 s
        # of CPU) is loaded once here and inherited by the forked workers.
        extract("warm-up", "Police arrested protesters in Paris on Monday.", None, None)
    jobs = (
        (extractor, [r for r in batch.to_pylist() if not r["is_duplicate"] and r["is_article"]])
        for batch in store.iter_batches(articles_uri, EVENT_INPUT_COLUMNS, rows=64)
    )
    uri = work_uri(root, day, "events.parquet")
    events = with_fatalities = 0
    with store.batch_writer(uri, store.EVENTS_SCHEMA) as write:
        for table in _in_processes(_events_of_articles, jobs, workers):
            if table.num_rows:
                write(table)
                events += table.num_rows
                with_fatalities += table.num_rows - table.column("fatalities").null_count
    return {"uri": uri, "events": events, "with_fatalities": with_fatalities}


@_timed
def publish_partitions(articles_uri: str, events_uri: str, day: date, root: str) -> dict[str, Any]:
    """Replace the day's articles and events partitions with the staged tables (the store
    sorts each by its dataset's keys, so the order pages arrived in leaves no trace)."""
    return {
        "articles": store.write_partition_from(root, "articles", day, articles_uri),
        "events": store.write_partition_from(root, "events", day, events_uri),
    }


def stage_durations(stages: dict[str, Any]) -> dict[str, float]:
    """Seconds per stage; polls run side by side, so theirs is the slowest feed's."""
    out: dict[str, float] = {}
    for stage, key in STAGE_RESULTS.items():
        result = stages.get(key)
        results = result if isinstance(result, list) else [result]
        seconds = [
            float(r["seconds"])
            for r in results
            if isinstance(r, dict) and isinstance(r.get("seconds"), int | float)
        ]
        if seconds:
            out[stage] = max(seconds)
    return out


def write_manifest(root: str, day: date, run_id: str, stages: dict[str, Any]) -> str:
    """Write the run manifest (counts per stage and per feed, errors) as JSON; return its URI."""
    manifest = {
        "day": day.isoformat(),
        "run_id": run_id,
        "written_at": datetime.now(UTC).isoformat(),
        "news_ingest_version": __version__,
        "durations": stage_durations(stages),
        "stages": stages,
    }
    safe_run = hashlib.sha256(run_id.encode()).hexdigest()[:12]
    uri = store.join(root, "runs", f"date={day.isoformat()}", f"manifest-{safe_run}.json")
    # Encoded before the store is touched; written whole (temp + rename, or one upload).
    return store.write_bytes_atomic(uri, json.dumps(manifest, indent=2, default=str).encode())


@dataclass(frozen=True)
class GateResult:
    """What the quality gate found: failures fail the run, warnings are reported."""

    failures: list[str]
    warnings: list[str]


def quality_gate(stages: dict[str, Any]) -> GateResult:
    """Signs of breakage in a run's stage results (hard failures and softer warnings)."""
    failures: list[str] = []
    warnings: list[str] = []
    polls = stages.get("poll", [])
    bad_feeds = [p["feed_id"] for p in polls if p.get("error")]
    if polls and not any(p.get("items") for p in polls):
        failures.append("no feed listed any item")
    elif polls and len(bad_feeds) * 5 > len(polls):
        warnings.append(
            f"{len(bad_feeds)} of {len(polls)} feeds failed: {', '.join(bad_feeds[:10])}"
        )
    fetch, extract = stages.get("fetch", {}), stages.get("extract", {})
    fetched, failed = fetch.get("fetched", 0), extract.get("failed", 0)
    if fetched >= 5 and failed * 2 > fetched:
        failures.append(f"most extractions failed ({failed} of {fetched} pages)")
    elif fetched and failed * 10 > fetched:
        warnings.append(f"{failed} of {fetched} extractions failed")
    if fetch.get("failed", 0) * 5 > fetched + fetch.get("failed", 0) > 0:
        warnings.append(f"{fetch['failed']} page fetches failed")
    dedupe, events = stages.get("dedupe", {}), stages.get("events", {})
    if stages.get("select", {}).get("selected", 0) and not dedupe.get("articles", 0):
        failures.append("items were selected for the day but no article was written")
    if dedupe.get("originals", 0) >= 10 and not events.get("events", 0):
        warnings.append(f"no events from {dedupe['originals']} original articles")
    for dataset, uri in (stages.get("staged") or {}).items():
        problem = store.schema_problem(uri, store.DATASETS[dataset])
        if problem:
            failures.append(f"{dataset}: {problem}")
    return GateResult(failures, warnings)


def format_summary(day: date, stages: dict[str, Any]) -> str:
    """A human-readable per-stage summary of a run."""
    polls = stages.get("poll", [])
    failed = [p for p in polls if p.get("error")]
    sel, fet, ext = stages.get("select", {}), stages.get("fetch", {}), stages.get("extract", {})
    ded, evt = stages.get("dedupe", {}), stages.get("events", {})
    lines = [
        f"news_nightly summary for {day.isoformat()}",
        f"  poll     feeds={len(polls)} ok={len(polls) - len(failed)} failed={len(failed)} "
        f"items={sum(p.get('items', 0) for p in polls)} "
        f"new={sum(p.get('new_items', 0) for p in polls)} "
        f"not_modified={sum(1 for p in polls if p.get('not_modified'))}",
        f"  select   listed={sel.get('listed', 0)} selected={sel.get('selected', 0)} "
        f"other_days={sel.get('other_days', 0)} undated={sel.get('undated', 0)}",
        f"  fetch    fetched={fet.get('fetched', 0)} failed={fet.get('failed', 0)}",
        f"  extract  extracted={ext.get('extracted', 0)} failed={ext.get('failed', 0)} "
        f"other_days={ext.get('other_days', 0)} not_article={ext.get('not_article', 0)} "
        f"paywalled={ext.get('paywalled', 0)}",
        f"  dedupe   articles={ded.get('articles', 0)} duplicates={ded.get('duplicates', 0)} "
        f"(of seeds {ded.get('duplicates_of_seeds', 0)}) originals={ded.get('originals', 0)}",
        f"  events   events={evt.get('events', 0)} with_fatalities={evt.get('with_fatalities', 0)}",
    ]
    durations = stage_durations(stages)
    if durations:
        lines.append("  seconds  " + " ".join(f"{k}={v:.1f}" for k, v in durations.items()))
    for p in failed:
        lines.append(f"  feed {p['feed_id']} failed: {p['error']}")
    gate = stages.get("gate") or {}
    for message in gate.get("failures", []):
        lines.append(f"  GATE FAILED: {message}")
    for message in gate.get("warnings", []):
        lines.append(f"  gate warning: {message}")
    return "\n".join(lines)
