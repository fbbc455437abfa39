"""A backfill of a day without captures finds that day's articles through the sitemaps
that robots.txt lists (a news sitemap index here), not only through feed items."""

from __future__ import annotations

import pytest

import news_ingest.archive
from demo.server import SiteServer
from demo.site import DEMO_DAY, build_routes, stories_of
from news_ingest import store
from news_ingest.config import Feed
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.poll import poll_feeds
from tests.support import nightly_run


def _slugs(settings: Settings) -> set[str]:
    table = store.read_partition(settings.data_root, "articles", DEMO_DAY)
    assert table is not None
    return {
        u.split("?")[0].rsplit("/", 1)[-1].removesuffix(".html") for u in table["url"].to_pylist()
    }


def test_backfill_without_captures_finds_the_days_articles_in_sitemaps(
    settings: Settings,
) -> None:
    site = SiteServer().start()
    site.routes.update(build_routes(site.base_url))
    try:
        # Only the Courier's RSS feed is listed; Frontline publishes no feed, only the news
        # sitemap index that the site's robots.txt names.
        feed = Feed(id="demo-courier", url=site.base_url + "/courier/rss.xml", kind="feed")
        first = nightly_run("", settings, feeds=[feed])
        found = _slugs(settings)
        hits = len(site.requests)
        again = nightly_run(
            "", settings, feeds=[feed]
        )  # a rerun: captures exist now, nothing is discovered anew
    finally:
        site.stop()
    frontline = {p.story.slug for p in stories_of(DEMO_DAY) if p.story.outlet == "frontline"}
    courier = {p.story.slug for p in stories_of(DEMO_DAY) if p.story.outlet == "courier"}
    assert frontline and frontline <= found and courier <= found
    assert first.stages.poll[0].sitemap_items == len(frontline) + 1  # and the section page
    assert again.stages.poll[0].sitemap_items is None
    assert again.stages.select.selected == first.stages.select.selected
    assert again.stages.fetch.requested == 0
    assert _slugs(settings) == found
    assert all(r["path"] != "/frontline/sitemap.xml" for r in site.requests[hits:])


def test_a_batch_of_feeds_reads_the_capture_index_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whether D's pages were captured is a question about the day: asked per feed, a day
    # of harvests cost each feed of the batch a read of the day's whole index.
    reads: list[object] = []
    real = news_ingest.archive.read_index

    def counted(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(news_ingest.archive, "read_index", counted)
    site = SiteServer().start()
    site.routes.update(build_routes(site.base_url))
    paths = ["/courier/rss.xml", "/meridian/atom.xml", "/courier/rss.xml?again"]
    feeds = [Feed(id=f"f{n}", url=site.base_url + p, kind="feed") for n, p in enumerate(paths)]
    try:
        with Fetcher(settings) as fetcher:
            polls = poll_feeds(feeds, DEMO_DAY, "run", settings, fetcher)
    finally:
        site.stop()
    assert [p.error for p in polls] == [None] * 3 and all(p.health.items for p in polls)
    assert len(reads) == 1
