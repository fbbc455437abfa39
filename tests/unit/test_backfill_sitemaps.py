"""A backfill of a day without captures finds that day's articles through the sitemaps
that robots.txt lists (a news sitemap index here), not only through feed items."""

from __future__ import annotations

from demo.server import SiteServer
from demo.site import DEMO_DAY, build_routes, stories_of
from news_ingest import pipeline, store
from news_ingest.archive import archiving_fetcher
from news_ingest.config import Feed
from news_ingest.settings import Settings


def _run(feed: Feed, settings: Settings) -> dict:
    day = DEMO_DAY
    with archiving_fetcher(settings, day, "poll") as fetcher:
        polls = [pipeline.poll_feed(feed, day, settings, fetcher)]
    selected = pipeline.select_items_of_day(polls, day, settings.data_root)
    with archiving_fetcher(settings, day, "fetch") as fetcher:
        pages = pipeline.fetch_pages(selected["uri"], day, settings, fetcher)
    extracted = pipeline.extract_articles(pages["uri"], day, settings.data_root)
    articles = pipeline.dedupe_articles(extracted["uri"], day, settings)
    events = pipeline.extract_events_of_day(articles["uri"], day, settings.data_root)
    pipeline.publish_partitions(articles["uri"], events["uri"], day, settings.data_root)
    return {"poll": polls, "select": selected, "fetch": pages}


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
        first = _run(feed, settings)
        found = _slugs(settings)
        hits = len(site.requests)
        again = _run(feed, settings)  # a rerun: captures exist now, nothing is discovered anew
    finally:
        site.stop()
    frontline = {p.story.slug for p in stories_of(DEMO_DAY) if p.story.outlet == "frontline"}
    courier = {p.story.slug for p in stories_of(DEMO_DAY) if p.story.outlet == "courier"}
    assert frontline and frontline <= found and courier <= found
    assert first["poll"][0]["sitemap_items"] == len(frontline) + 1  # and the section page
    assert "sitemap_items" not in again["poll"][0]
    assert again["select"]["selected"] == first["select"]["selected"]
    assert again["fetch"]["requested"] == 0
    assert _slugs(settings) == found
    assert all(r["path"] != "/frontline/sitemap.xml" for r in site.requests[hits:])
