"""Fetching while extracting gives what the two stages give apart; it stops if extraction fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY, feed_list_yaml, stories_of
from news_ingest import store
from news_ingest.config import parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.extract import extract_articles
from news_ingest.stages.fetch import FetchResult, fetch_pages
from news_ingest.stages.fetch_extract import FetchExtractResult, fetch_and_extract_pages
from news_ingest.stages.poll import poll_feeds
from news_ingest.stages.select import select_items_of_day
from tests.support import settings_for

RUN = "test-run"  # the run whose staging folder these stages share


def _fetch_apart_and_together(
    site: SiteServer, root: Path
) -> tuple[FetchResult, FetchExtractResult]:
    settings = settings_for(root)
    feeds = parse_feed_list(feed_list_yaml(site.base_url))
    with Fetcher(settings) as fetcher:
        polls = poll_feeds(feeds, DEMO_DAY, RUN, settings, fetcher)
        sel = select_items_of_day(polls, DEMO_DAY, RUN, settings.data_root)
        apart = fetch_pages(sel.uri, DEMO_DAY, RUN, settings, fetcher)
        apart_extracted = extract_articles(apart.uri, DEMO_DAY, RUN, settings.data_root)
        apart_rows = store.read_table(apart_extracted.uri).drop_columns(["fetched_at"])
        together = fetch_and_extract_pages(sel.uri, DEMO_DAY, RUN, settings, fetcher)
    together_rows = store.read_table(together.extract.uri).drop_columns(["fetched_at"])
    key = [("article_id", "ascending")]
    assert together_rows.sort_by(key).equals(apart_rows.sort_by(key))
    return apart, together


def test_fetching_while_extracting_gives_what_the_two_stages_give(
    demo_site: SiteServer, tmp_path: Path
) -> None:
    apart, together = _fetch_apart_and_together(demo_site, tmp_path / "data")
    for count in ("fetched", "failed", "requested"):
        assert getattr(together.fetch, count) == getattr(apart, count)
    assert together.extract.extracted == len(stories_of(DEMO_DAY)) + 2  # gallery, section
    assert together.extract.seconds >= together.fetch.seconds


def test_extraction_failing_mid_fetch_stops_fetching_and_raises(
    demo_site: SiteServer, settings: Settings, monkeypatch
) -> None:
    import news_ingest.extract as extract

    feeds = parse_feed_list(feed_list_yaml(demo_site.base_url))
    with Fetcher(settings) as fetcher:
        polls = poll_feeds(feeds, DEMO_DAY, RUN, settings, fetcher)
        sel = select_items_of_day(polls, DEMO_DAY, RUN, settings.data_root)

        def broken_pool(*args, **kwargs):
            raise OSError("no process pool here")
            yield

        monkeypatch.setattr(extract, "extract_batch", broken_pool)
        with pytest.raises(OSError, match="no process pool"):
            fetch_and_extract_pages(sel.uri, DEMO_DAY, RUN, settings, fetcher)
