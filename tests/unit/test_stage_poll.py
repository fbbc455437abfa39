"""A backfill of a day without captures finds that day's articles through the sitemaps
that robots.txt lists (a news sitemap index here), not only through feed items."""

from __future__ import annotations

from demo.server import SiteServer
from demo.site import DEMO_DAY, build_routes, stories_of
from news_ingest import store
from news_ingest.config import Feed
from news_ingest.settings import Settings
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
