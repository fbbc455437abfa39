"""The stages run in order on the demo site, without Airflow."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from demo.server import Route, SiteServer
from demo.site import (
    DEMO_DAY,
    SEED_COPY_SLUG,
    WIRE_COPY,
    WIRE_ORIGINAL,
    feed_list_yaml,
    stories_of,
)
from news_ingest import pipeline, store
from news_ingest.config import parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from tests.support import nightly_run, settings_for


def run_day(site: SiteServer, settings: Settings, day: date = DEMO_DAY) -> dict:
    return nightly_run(site.base_url, settings, day)


def test_demo_day_end_to_end_without_airflow(demo_site: SiteServer, settings: Settings) -> None:
    stages = run_day(demo_site, settings)
    assert [p["feed_id"] for p in stages["poll"] if p["error"]] == ["demo-gone"]
    expected = len(stories_of(DEMO_DAY)) + 2  # plus the gallery and the section page
    assert stages["dedupe"]["articles"] == expected
    rows = {
        r["url"].split("/")[-1].split(".")[0].split("?")[0]: r
        for r in store.read_partition(settings.data_root, "articles", DEMO_DAY).to_pylist()
    }
    assert rows[SEED_COPY_SLUG]["duplicate_of"] == "seed:000_6e5a1f3359e505b1"
    assert rows[WIRE_COPY]["duplicate_of"] == rows[WIRE_ORIGINAL]["article_id"]
    assert "utm_" not in rows["nairobi-student-protest"]["canonical_url"]
    summary = pipeline.format_summary(DEMO_DAY, stages)
    assert "feed demo-gone failed: FetchError: HTTP 404" in summary
    assert f"articles={expected}" in summary


def test_redirected_feed_link_keeps_listed_url_and_records_final_url(
    demo_site: SiteServer, settings: Settings
) -> None:
    run_day(demo_site, settings)
    row = duckdb.sql(
        f"select url, final_url from read_parquet('{settings.data_root}/articles/*/*.parquet') "
        "where url like '%/meridian/r/%'"
    ).fetchall()
    assert len(row) == 1 and row[0][1].endswith("kharkiv-drone-attack.html")


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
            polls = [pipeline.poll_feed(f, DEMO_DAY, settings, fetcher) for f in feeds]
            sel = pipeline.select_items_of_day(polls, DEMO_DAY, settings.data_root)
            pages = pipeline.fetch_pages(sel["uri"], DEMO_DAY, settings, fetcher)
    assert polls[1]["error"] and "not a feed" in polls[1]["error"]
    assert pages["fetched"] == 1 and pages["failed"] == 2
    assert sorted(e["error"] for e in pages["errors"]) == ["HTTP 404", "not HTML: application/pdf"]
    extracted = pipeline.extract_articles(pages["uri"], DEMO_DAY, settings.data_root)
    assert extracted["extracted"] == 1


def test_rerun_gives_identical_rows(demo_site: SiteServer, settings: Settings) -> None:
    run_day(demo_site, settings)
    first = store.read_partition(settings.data_root, "articles", DEMO_DAY).drop_columns(
        ["fetched_at"]
    )
    ev1 = store.read_partition(settings.data_root, "events", DEMO_DAY)
    run_day(demo_site, settings)
    assert (
        store.read_partition(settings.data_root, "articles", DEMO_DAY)
        .drop_columns(["fetched_at"])
        .equals(first)
    )
    assert store.read_partition(settings.data_root, "events", DEMO_DAY).equals(ev1)


def test_previous_days_originals_are_history_for_dedupe(
    demo_site: SiteServer, settings: Settings
) -> None:
    day_before = date(2026, 11, 18)
    run_day(demo_site, settings, day_before)
    stages = run_day(demo_site, settings)
    assert stages["dedupe"]["duplicates"] == 2  # history adds no false positives
    assert store.read_partition(settings.data_root, "articles", day_before).num_rows == 12


def test_date_provenance_feed_then_page_then_capture(settings: Settings) -> None:
    body = " ".join(["Council members debated the new budget for schools and roads."] * 15)

    def html(head: str) -> bytes:
        return (
            f"<html><head><title>T</title>{head}</head><body><article><p>{body}</p>"
            "</article></body></html>"
        ).encode()

    with SiteServer() as site:
        items = [
            ("feed-dated", "<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate>", ""),
            (
                "page-dated",
                "",
                "<meta property='article:published_time' content='2026-11-19T09:30:00Z'>",
            ),
            ("undated", "", ""),
            (
                "page-other-day",
                "",
                "<meta property='article:published_time' content='2026-11-12T09:30:00Z'>",
            ),
        ]
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            + "".join(
                f"<item><title>{slug}</title><link>{site.base_url}/{slug}</link>{date}</item>"
                for slug, date, _ in items
            )
            + "</channel></rss>"
        )
        site.routes["/rss"] = Route(rss.encode(), "application/rss+xml")
        for slug, _, head in items:
            site.routes[f"/{slug}"] = Route(html(head))
        feeds = parse_feed_list(f"feeds:\n  - {{id: f, url: '{site.base_url}/rss'}}\n")
        with Fetcher(settings) as fetcher:
            polls = [pipeline.poll_feed(f, DEMO_DAY, settings, fetcher) for f in feeds]
            sel = pipeline.select_items_of_day(polls, DEMO_DAY, settings.data_root)
            pages = pipeline.fetch_pages(sel["uri"], DEMO_DAY, settings, fetcher)
    extracted = pipeline.extract_articles(pages["uri"], DEMO_DAY, settings.data_root)
    rows = {r["url"].rsplit("/", 1)[-1]: r for r in store.read_table(extracted["uri"]).to_pylist()}
    assert set(rows) == {"feed-dated", "page-dated", "undated"}
    assert rows["feed-dated"]["date_source"] == "feed"
    assert rows["page-dated"]["date_source"] == "meta"
    assert rows["undated"]["date_source"] == "capture"
    assert rows["undated"]["published_at"] is None
    assert extracted["other_days"] == 1
    assert extracted["date_sources"] == {"capture": 1, "feed": 1, "meta": 1}


def _slugged(settings: Settings, day: date) -> dict[str, dict]:
    table = store.read_partition(settings.data_root, "articles", day)
    assert table is not None
    return {
        r["url"].split("?")[0].rsplit("/", 1)[-1].removesuffix(".html"): r
        for r in table.to_pylist()
    }


def test_clusters_kinds_and_copies_seen(demo_site: SiteServer, settings: Settings) -> None:
    run_day(demo_site, settings)
    rows = _slugged(settings, DEMO_DAY)
    original, copy, seed_copy = rows[WIRE_ORIGINAL], rows[WIRE_COPY], rows[SEED_COPY_SLUG]
    assert copy["duplicate_kind"] == "near" and copy["cluster_id"] == original["article_id"]
    assert original["cluster_id"] == original["article_id"] and original["copies_seen"] == 1
    assert copy["copies_seen"] is None
    assert seed_copy["cluster_id"] == "seed:000_6e5a1f3359e505b1"
    assert len(original["minhash"]) == 640 and original["shingle_count"] > 100


def test_seed_index_is_cached_and_rebuilt_when_seeds_change(
    demo_site: SiteServer, settings: Settings, tmp_path
) -> None:
    import shutil

    seeds = tmp_path / "seeds"
    shutil.copytree(settings.seeds_dir, seeds)
    local = replace(settings, seeds_dir=str(seeds))
    run_day(demo_site, local)
    cache = sorted((Path(local.data_root) / "cache").glob("seeds-*.parquet"))
    assert len(cache) == 1
    stamp = cache[0].stat().st_mtime_ns
    run_day(demo_site, local)
    assert cache[0].stat().st_mtime_ns == stamp  # reused, not rebuilt
    (seeds / "extra.txt").write_text("Another seed\nSome unrelated text about rainfall.")
    run_day(demo_site, local)
    assert len(list((Path(local.data_root) / "cache").glob("seeds-*.parquet"))) == 2


def test_days_run_out_of_order_converge_once_rerun_in_order(
    demo_site: SiteServer, settings: Settings, tmp_path
) -> None:
    before, day = date(2026, 11, 18), DEMO_DAY
    in_order = replace(settings, data_root=str(tmp_path / "in-order"))
    run_day(demo_site, in_order, before)
    run_day(demo_site, in_order, day)
    backfill = replace(settings, data_root=str(tmp_path / "backfill"))
    run_day(demo_site, backfill, day)  # D before D-1: no history yet
    run_day(demo_site, backfill, before)
    run_day(demo_site, backfill, day)  # rerun D once its history exists

    def rows(root: str) -> list[dict]:
        table = store.read_partition(root, "articles", day)
        assert table is not None
        return table.drop_columns(["fetched_at"]).to_pylist()

    assert rows(backfill.data_root) == rows(in_order.data_root)


def test_stages_work_on_an_object_store_root(demo_site: SiteServer, settings: Settings) -> None:
    # pyarrow's in-memory "mock" filesystem stands in for S3: same URI handling, no network.
    remote = replace(settings, data_root="mock:///bucket/news")
    stages = run_day(demo_site, remote)
    assert stages["published"]["articles"] == (
        "mock:///bucket/news/articles/date=2026-11-19/part-0.parquet"
    )
    articles = store.read_partition(remote.data_root, "articles", DEMO_DAY)
    assert articles is not None and articles.num_rows == stages["dedupe"]["articles"]
    assert stages["dedupe"]["duplicates"] == 2
    assert store.exists(pipeline.write_manifest(remote.data_root, DEMO_DAY, "r1", stages))


def test_quality_gate_passes_the_demo_day_with_a_warning(
    demo_site: SiteServer, settings: Settings
) -> None:
    stages = run_day(demo_site, settings)
    stages["staged"] = {"articles": stages["dedupe"]["uri"], "events": stages["events"]["uri"]}
    gate = pipeline.quality_gate(stages)
    assert gate.failures == []
    assert gate.warnings == ["1 of 4 feeds failed: demo-gone"]
    summary = pipeline.format_summary(
        DEMO_DAY, {**stages, "gate": {"failures": [], "warnings": gate.warnings}}
    )
    assert "gate warning: 1 of 4 feeds failed: demo-gone" in summary


def test_quality_gate_fails_on_breakage(tmp_path) -> None:
    import pyarrow as pa

    dead = {
        "poll": [
            {"feed_id": "a", "items": 0, "error": "HTTP 500"},
            {"feed_id": "b", "items": 0, "error": "timeout"},
        ]
    }
    assert pipeline.quality_gate(dead).failures == ["no feed listed any item"]
    broken = {
        "poll": [{"feed_id": "a", "items": 30, "error": None}],
        "fetch": {"fetched": 30, "failed": 0},
        "extract": {"failed": 20},
    }
    assert pipeline.quality_gate(broken).failures == ["most extractions failed (20 of 30 pages)"]
    wrong = tmp_path / "events.parquet"
    store.write_table_atomic(str(wrong), pa.table({"event_id": ["x"]}))
    gate = pipeline.quality_gate({"staged": {"events": str(wrong)}})
    assert len(gate.failures) == 1 and "differs from schema version 2" in gate.failures[0]


def test_manifest_records_seconds_per_stage(demo_site: SiteServer, settings: Settings) -> None:
    import json

    stages = run_day(demo_site, settings)
    uri = pipeline.write_manifest(settings.data_root, DEMO_DAY, "run-1", stages)
    manifest = json.loads(Path(uri).read_text())
    durations = manifest["durations"]
    assert list(durations) == list(pipeline.STAGE_RESULTS)
    assert durations["poll"] == max(p["seconds"] for p in stages["poll"])
    assert durations["extract"] == stages["extract"]["seconds"] > 0
    assert all(0 <= s < 120 for s in durations.values())
    assert "  seconds  poll=" in pipeline.format_summary(DEMO_DAY, stages)


def _page_rows(count: int, edit=lambda page, html: html) -> list[dict]:
    """``count`` fetched demo article pages of distinct stories, bodies put through ``edit``."""
    from datetime import UTC, datetime

    from demo.site import RENDERERS, all_pages

    templates = all_pages()
    rows = []
    for i in range(count):
        page = templates[i % len(templates)]
        page = replace(page, story=replace(page.story, slug=f"{page.story.slug}-{i}"))
        url = f"http://news.example{page.path}"
        body = edit(page, RENDERERS[page.story.outlet](page, "http://news.example", templates))
        rows.append(
            {
                "feed_id": "f",
                "source": "S",
                "url": url,
                "canonical_url": url,
                "article_id": f"id-{i}",
                "title": page.story.title,
                "published_at": page.published,
                "final_url": url,
                "status": 200,
                "content_type": "text/html; charset=utf-8",
                "body": body.encode(),
                "fetched_at": datetime(2026, 11, 19, 23, tzinfo=UTC),
                "error": None,
            }
        )
    return rows


def _extract_rows(rows: list[dict], settings: Settings) -> dict:
    uri = pipeline.work_uri(settings.data_root, DEMO_DAY, "pages.parquet")
    store.write_table_atomic(uri, pa.Table.from_pylist(rows, schema=pipeline.PAGES_SCHEMA))
    return pipeline.extract_articles(uri, DEMO_DAY, settings.data_root)


def test_extracts_every_page_of_a_night_larger_than_the_pool_backlog(settings: Settings) -> None:
    """More pages than the extraction pool keeps in flight: each one is extracted once."""
    rows = _page_rows(60)  # the pool holds workers * 8 pages in flight
    extracted = _extract_rows(rows, settings)
    assert extracted["extracted"] == 60 and extracted["failed"] == 0
    urls = store.read_table(extracted["uri"]).column("url").to_pylist()
    assert sorted(urls) == sorted(r["url"] for r in rows if r["published_at"].date() == DEMO_DAY)


PROMO = "Get the Gazette app for breaking news alerts."


def _with_promo(page, html: str) -> str:
    """The page with a promo paragraph after its story's first, as some sites put one."""
    opening = page.story.paragraphs[0].split()[0]
    end_of_first = html.index("</p>", html.index(f"<p>{opening}")) + len("</p>")
    return f"{html[:end_of_first]}<p>{PROMO}</p>{html[end_of_first:]}"


def test_a_line_repeated_across_a_sites_bodies_is_stripped(settings: Settings) -> None:
    rows = _page_rows(24, _with_promo)
    extracted = _extract_rows(rows, settings)
    texts = store.read_table(extracted["uri"]).column("text").to_pylist()
    assert texts and extracted["boilerplate_stripped"] == len(texts)
    assert not [t for t in texts if PROMO in t]
    # The same pages without the promo lose nothing.
    plain = _extract_rows(_page_rows(24), settings)
    assert plain["boilerplate_stripped"] == 0
    assert store.read_table(plain["uri"]).column("text").to_pylist() == texts


def _fetch_apart_and_together(site: SiteServer, root: Path) -> tuple[dict, dict]:
    settings = settings_for(root)
    feeds = parse_feed_list(feed_list_yaml(site.base_url))
    with Fetcher(settings) as fetcher:
        polls = pipeline.poll_feeds(feeds, DEMO_DAY, settings, fetcher)
        sel = pipeline.select_items_of_day(polls, DEMO_DAY, settings.data_root)
        apart = pipeline.fetch_pages(sel["uri"], DEMO_DAY, settings, fetcher)
        apart_extracted = pipeline.extract_articles(apart["uri"], DEMO_DAY, settings.data_root)
        apart_rows = store.read_table(apart_extracted["uri"]).drop_columns(["fetched_at"])
        together = pipeline.fetch_and_extract_pages(sel["uri"], DEMO_DAY, settings, fetcher)
    together_rows = store.read_table(together["extract"]["uri"]).drop_columns(["fetched_at"])
    key = [("article_id", "ascending")]
    assert together_rows.sort_by(key).equals(apart_rows.sort_by(key))
    return apart, together


def test_fetching_while_extracting_gives_what_the_two_stages_give(
    demo_site: SiteServer, tmp_path: Path
) -> None:
    apart, together = _fetch_apart_and_together(demo_site, tmp_path / "data")
    for stage in ("fetched", "failed", "requested"):
        assert together["fetch"][stage] == apart[stage]
    assert together["extract"]["extracted"] == len(stories_of(DEMO_DAY)) + 2  # gallery, section
    assert together["extract"]["seconds"] >= together["fetch"]["seconds"]


def test_extraction_failing_mid_fetch_stops_fetching_and_raises(
    demo_site: SiteServer, settings: Settings, monkeypatch
) -> None:
    import news_ingest.extract as extract

    feeds = parse_feed_list(feed_list_yaml(demo_site.base_url))
    with Fetcher(settings) as fetcher:
        polls = pipeline.poll_feeds(feeds, DEMO_DAY, settings, fetcher)
        sel = pipeline.select_items_of_day(polls, DEMO_DAY, settings.data_root)

        def broken_pool(*args, **kwargs):
            raise OSError("no process pool here")
            yield

        monkeypatch.setattr(extract, "extract_batch", broken_pool)
        with pytest.raises(OSError, match="no process pool"):
            pipeline.fetch_and_extract_pages(sel["uri"], DEMO_DAY, settings, fetcher)
