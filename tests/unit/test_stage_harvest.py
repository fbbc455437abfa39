"""The harvest: items caught between nightly runs are processed by the nightly run of their
day even after they rotate out of their feed (and their page vanishes)."""

from __future__ import annotations

from datetime import timedelta

from demo.server import Route, SiteServer
from demo.site import DEMO_DAY
from news_ingest import store
from news_ingest.archive import archiving_fetcher
from news_ingest.config import Feed
from news_ingest.settings import Settings
from news_ingest.stages.common import StageError
from news_ingest.stages.discovered import discovered_items
from news_ingest.stages.harvest import harvest_feed
from tests.support import nightly_run

BODY = " ".join(
    ["Flood waters rose across the delta on Thursday as rescuers reached stranded villages."] * 12
)


def _page(title: str) -> bytes:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{title}. {BODY}</p></article></body></html>"
    ).encode()


def _rss(base: str, items: list[tuple[str, str]]) -> Route:
    xml = "".join(
        f"<item><title>{slug}</title><link>{base}/{slug}</link><pubDate>{when}</pubDate></item>"
        for slug, when in items
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{xml}</channel></rss>'
    return Route(body.encode(), "application/rss+xml")


def test_item_rotated_out_before_the_nightly_run_is_still_processed(settings: Settings) -> None:
    a, b, c = "alpha-floods", "bravo-floods", "charlie-floods"
    with SiteServer() as site:
        base = site.base_url
        site.routes.update({f"/{s}": Route(_page(s)) for s in (a, b, c)})
        site.routes["/rss"] = _rss(
            base, [(a, "Thu, 19 Nov 2026 08:00:00 GMT"), (b, "Thu, 19 Nov 2026 09:00:00 GMT")]
        )
        feed = Feed(id="busy", url=base + "/rss")
        with archiving_fetcher(settings, DEMO_DAY, "harvest") as fetcher:
            first = harvest_feed(feed, DEMO_DAY, settings, fetcher)
        with archiving_fetcher(settings, DEMO_DAY, "harvest") as fetcher:
            unchanged = harvest_feed(feed, DEMO_DAY, settings, fetcher)
        # Before the nightly run, b rotates out of the feed and its page disappears.
        site.routes["/rss"] = _rss(
            base, [(a, "Thu, 19 Nov 2026 08:00:00 GMT"), (c, "Thu, 19 Nov 2026 10:00:00 GMT")]
        )
        del site.routes[f"/{b}"]
        run = nightly_run("", settings, feeds=[feed])
        hits = {s: site.hits(f"/{s}") for s in (a, b, c)}
    assert first.health.new_items == 2 and first.pages_fetched == 2 and first.error is None
    assert unchanged.health.not_modified is True and unchanged.pages_fetched == 0
    assert run.stages.select.harvested == 1 and run.stages.select.selected == 3
    assert run.stages.fetch.replayed == 2 and run.stages.fetch.requested == 1
    assert hits == {a: 1, b: 1, c: 1}  # each page requested once, by whoever saw it first
    rows = store.read_partition(settings.data_root, "articles", DEMO_DAY).to_pylist()
    assert sorted(r["url"].rsplit("/", 1)[-1] for r in rows) == [a, b, c]


def test_harvest_records_items_of_other_days_in_their_own_partition(settings: Settings) -> None:
    with SiteServer() as site:
        site.routes["/x"] = Route(_page("x"))
        site.routes["/rss"] = _rss(site.base_url, [("x", "Fri, 20 Nov 2026 01:00:00 GMT")])
        feed = Feed(id="f", url=site.base_url + "/rss")
        with archiving_fetcher(settings, DEMO_DAY, "harvest") as fetcher:
            harvest_feed(feed, DEMO_DAY, settings, fetcher)
    assert discovered_items(settings.data_root, DEMO_DAY).num_rows == 0
    later = discovered_items(settings.data_root, DEMO_DAY + timedelta(days=1))
    assert later.column("url").to_pylist() == [site.base_url + "/x"]


def test_a_broken_feed_is_a_recorded_error(settings: Settings) -> None:
    with SiteServer() as site:
        feed = Feed(id="gone", url=site.base_url + "/nope.xml")
        with archiving_fetcher(settings, DEMO_DAY, "harvest") as fetcher:
            result = harvest_feed(feed, DEMO_DAY, settings, fetcher)
    assert result.error == StageError(
        site.base_url + "/nope.xml", "gone", "fetch", f"HTTP 404 for {site.base_url}/nope.xml"
    )
    assert result.pages_fetched == 0
