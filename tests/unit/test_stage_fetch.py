"""The fetch stage: failed pages are recorded with their kind and the rest goes on."""

from __future__ import annotations

from demo.server import Route, SiteServer
from demo.site import DEMO_DAY
from news_ingest.config import parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.extract import extract_articles
from news_ingest.stages.fetch import fetch_pages
from news_ingest.stages.poll import poll_feed
from news_ingest.stages.select import select_items_of_day

RUN = "test-run"  # the run whose staging folder these stages share


def test_a_broken_page_is_recorded_and_the_rest_is_written(settings: Settings) -> None:
    good = (
        "<html><head><title>A</title></head><body><article><p>"
        + ("Gunmen killed 5 villagers near Gusau, police said on Monday. " * 12)
        + "</p></article></body></html>"
    )
    with SiteServer() as site:
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>ok</title><link>{site.base_url}/ok</link>"
            "<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item>"
            f"<item><title>gone</title><link>{site.base_url}/missing</link>"
            "<pubDate>Thu, 19 Nov 2026 09:00:00 GMT</pubDate></item>"
            f"<item><title>pdf</title><link>{site.base_url}/doc.pdf</link>"
            "<pubDate>Thu, 19 Nov 2026 10:00:00 GMT</pubDate></item>"
            "</channel></rss>"
        )
        site.routes.update(
            {
                "/rss": Route(rss.encode(), "application/rss+xml"),
                "/ok": Route(good.encode()),
                "/doc.pdf": Route(b"%PDF-1.4 binary", "application/pdf"),
                "/junk.xml": Route(b"<html>not a feed</html>"),
            }
        )
        feeds = parse_feed_list(
            f"feeds:\n  - {{id: good, url: '{site.base_url}/rss'}}\n"
            f"  - {{id: junk, url: '{site.base_url}/junk.xml'}}\n"
        )
        with Fetcher(settings) as fetcher:
            polls = [poll_feed(f, DEMO_DAY, RUN, settings, fetcher) for f in feeds]
            sel = select_items_of_day(polls, DEMO_DAY, RUN, settings.data_root)
            pages = fetch_pages(sel.uri, DEMO_DAY, RUN, settings, fetcher)
    assert polls[1].error is not None and polls[1].error.kind == "parse"
    assert "not a feed" in polls[1].error.message
    assert pages.fetched == 1 and pages.failed == 2
    assert sorted((e.kind, e.message) for e in pages.errors) == [
        ("content_type", "not HTML: application/pdf"),
        ("status", "HTTP 404"),
    ]
    extracted = extract_articles(pages.uri, DEMO_DAY, RUN, settings.data_root)
    assert extracted.extracted == 1
