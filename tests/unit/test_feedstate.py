"""Conditional GET of feeds against a counting server, the per-feed state store, feed health."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

from demo.server import Route, SiteServer
from news_ingest.config import Feed
from news_ingest.feeds import parse_feed
from news_ingest.feedstate import DocState, load_state, save_state, state_uri
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.discovered import discovered_uri
from news_ingest.stages.poll import PollResult, poll_feed

DAY = datetime(2026, 11, 19, tzinfo=UTC).date()


def _rss(base: str, slugs: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{s}</title><link>{base}/{s}</link>"
        "<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item>"
        for s in slugs
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    ).encode()


def _poll(feed: Feed, settings: Settings) -> PollResult:
    with Fetcher(settings) as fetcher:
        return poll_feed(feed, DAY, "test-run", settings, fetcher)


def test_unchanged_feed_is_a_304_on_the_second_poll(settings: Settings) -> None:
    with SiteServer() as site:
        site.routes["/rss"] = Route(_rss(site.base_url, ["a", "b"]), "application/rss+xml")
        feed = Feed(id="f", url=site.base_url + "/rss")
        first = _poll(feed, settings)
        second = _poll(feed, settings)
        sent = [r["headers"] for r in site.requests if r["path"] == "/rss"]
    assert first.health.status == 200 and first.health.not_modified is False
    assert first.health.items == 2 and first.health.new_items == 2 and first.health.bytes > 0
    assert "If-None-Match" not in sent[0]
    assert sent[1]["If-None-Match"].startswith('"') and "If-Modified-Since" in sent[1]
    assert second.health.status == 304 and second.health.not_modified is True
    assert second.health.items == 2 and second.health.new_items == 0 and second.health.bytes == 0
    assert second.error is None and second.seconds >= 0
    # The staged items of a not-modified poll are the last parse's.
    from news_ingest import store

    assert store.read_table(second.uri).num_rows == 2


def test_same_content_without_validators_is_not_modified(settings: Settings) -> None:
    with SiteServer() as site:
        route = Route(_rss(site.base_url, ["a"]), "application/rss+xml", validators=False)
        site.routes["/rss"] = route
        feed = Feed(id="f", url=site.base_url + "/rss")
        _poll(feed, settings)
        again = _poll(feed, settings)
        site.routes["/rss"] = Route(
            _rss(site.base_url, ["a", "b", "c"]), "application/rss+xml", validators=False
        )
        changed = _poll(feed, settings)
    assert (again.health.status, again.health.not_modified, again.health.new_items) == (
        200,
        True,
        0,
    )
    assert changed.health.not_modified is False and changed.health.items == 3
    assert changed.health.new_items == 2


def test_unreadable_state_means_an_unconditional_poll(settings: Settings) -> None:
    with SiteServer() as site:
        site.routes["/rss"] = Route(_rss(site.base_url, ["a"]), "application/rss+xml")
        feed = Feed(id="f", url=site.base_url + "/rss")
        _poll(feed, settings)
        Path(state_uri(settings.data_root, "f", feed.url)).write_text("{not json")
        again = _poll(feed, settings)
        sent = [r["headers"] for r in site.requests if r["path"] == "/rss"]
    assert "If-None-Match" not in sent[1]
    assert (again.health.status, again.health.not_modified, again.health.items) == (200, False, 1)


def test_state_writes_racing_leave_a_whole_file(settings: Settings) -> None:
    root = settings.data_root
    url = "https://a.org/rss"
    stop = threading.Event()
    bad: list[str] = []

    def writer(tag: str) -> None:
        for i in range(60):
            state = DocState(
                "f", url, etag=f'"{tag}{i}"', items=[{"url": f"https://a.org/{i}"}] * 50
            )
            save_state(root, state)

    def reader() -> None:
        path = Path(state_uri(root, "f", url))
        while not stop.is_set():
            if path.exists():
                try:
                    json.loads(path.read_bytes())
                except ValueError as exc:
                    bad.append(str(exc))

    threads = [threading.Thread(target=writer, args=(t,)) for t in "ab"]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert bad == []
    assert load_state(root, "f", url).etag in {'"a59"', '"b59"'}
    assert [p.name for p in Path(root, "state", "feeds").iterdir()] == [
        Path(state_uri(root, "f", url)).name
    ]


def test_sitemap_index_children_are_polled_conditionally(settings: Settings) -> None:
    with SiteServer() as site:
        child = (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{site.base_url}/a</loc><lastmod>2026-11-19</lastmod></url></urlset>"
        ).encode()
        index = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.base_url}/child.xml</loc></sitemap></sitemapindex>"
        ).encode()
        site.routes.update({"/index.xml": Route(index), "/child.xml": Route(child)})
        feed = Feed(id="s", url=site.base_url + "/index.xml", kind="sitemap")
        first = _poll(feed, settings)
        second = _poll(feed, settings)
        statuses = [r["headers"].get("If-None-Match") is not None for r in site.requests]
    assert first.health.items == 1 and first.health.documents == 2 and not first.health.not_modified
    assert second.health.items == 1 and second.health.not_modified is True
    assert statuses.count(True) == 2  # index and child both asked conditionally


def test_json_feed_items() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "J",
            "items": [
                {
                    "id": "1",
                    "url": "/2026/11/19/story?utm_source=json",
                    "title": "Story",
                    "date_published": "2026-11-19T08:30:00+01:00",
                    "summary": "s",
                },
                {"id": "2", "external_url": "https://other.org/x", "title": "Ext"},
                {"id": "3", "url": "javascript:alert(1)"},
                "junk",
            ],
        }
    ).encode()
    items = parse_feed("j", body, "https://news.example.org/feed.json", "application/feed+json")
    assert [i.url for i in items] == [
        "https://news.example.org/2026/11/19/story?utm_source=json",
        "https://other.org/x",
    ]
    assert items[0].published_at == datetime(2026, 11, 19, 7, 30, tzinfo=UTC)
    assert "utm_" not in items[0].canonical_url and items[1].published_at is None


def test_feed_ids_and_urls_reach_file_names_only_hashed(settings: Settings) -> None:
    """A feed id or URL never becomes part of a path: the state file and the items a poll
    discovers are named by a hash of them, stable across runs and distinct per feed."""
    root = settings.data_root
    hostile = "../../etc/passwd"
    url = "https://example.org/feed?x=/../y"
    name = Path(state_uri(root, hostile, url)).name
    key = hashlib.sha256(f"{hostile}\n{url}".encode()).hexdigest()[:24]
    assert (
        state_uri(root, hostile, url) == f"{root}/state/feeds/{key}.json" and name == f"{key}.json"
    )
    assert state_uri(root, hostile, url) == state_uri(root, hostile, url)
    others = {state_uri(root, f, u) for f in ("a", "b") for u in (url, url + "2")}
    assert len(others) == 4

    day = datetime(2026, 11, 19, tzinfo=UTC).date()
    found = discovered_uri(root, day, hostile)
    folder, _, file = found.rpartition("/")
    assert folder == f"{root}/discovered/date=2026-11-19"
    feed_key = hashlib.sha256(hostile.encode()).hexdigest()[:16]
    assert re.fullmatch(feed_key + r"-[0-9a-f]{32}\.parquet", file), file
    assert discovered_uri(root, day, "other").rpartition("/")[2][:16] != feed_key


def test_a_validator_that_is_not_ascii_is_not_sent_and_the_poll_goes_on(
    settings: Settings,
) -> None:
    # A server once sent a Latin-1 byte in its ETag: sent back as it was stored, the header
    # cannot be encoded (UnicodeEncodeError, not an HTTP error) and the poll failed.
    with SiteServer() as site:
        site.routes["/rss"] = Route(_rss(site.base_url, ["a"]), "application/rss+xml")
        feed = Feed(id="f", url=site.base_url + "/rss")
        _poll(feed, settings)
        state = load_state(settings.data_root, "f", feed.url)
        state.etag, state.last_modified = '"caf\u00e9"', "Thu, 19 Nov 2026 08:00:00 \u00c9ST"
        save_state(settings.data_root, state)
        again = _poll(feed, settings)
        sent = [r["headers"] for r in site.requests if r["path"] == "/rss"]
    assert again.error is None
    assert "If-None-Match" not in sent[1] and "If-Modified-Since" not in sent[1]
    assert (again.health.status, again.health.not_modified, again.health.items) == (200, True, 1)


def test_a_state_is_stored_as_the_json_of_its_fields_and_read_back_whole(tmp_path: Path) -> None:
    from dataclasses import asdict

    items = [
        {"url": "http://a.example/1", "title": "Ünïcode “quotes”", "published_at": None},
        {"url": "http://a.example/2", "title": None, "published_at": "2026-11-19T10:00:00+00:00"},
    ]
    state = DocState("f", "http://a.example/rss", etag='W/"1"', items=items, children=["c"])
    root = str(tmp_path)
    save_state(root, state)
    stored = Path(state_uri(root, "f", state.url)).read_bytes()
    expected = json.dumps({"version": 1, **asdict(state)}, sort_keys=True).encode()
    assert stored == expected
    assert load_state(root, "f", state.url) == state
