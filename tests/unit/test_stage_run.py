"""A whole nightly run on the demo site without Airflow, and its finish: gate, publish, manifest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from demo.server import SiteServer
from demo.site import DEMO_DAY, SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL, stories_of
from news_ingest import store
from news_ingest.settings import Settings
from news_ingest.stages.common import StageError
from news_ingest.stages.dedupe import DedupeResult
from news_ingest.stages.events import EventsResult
from news_ingest.stages.extract import ExtractResult
from news_ingest.stages.fetch import FetchResult
from news_ingest.stages.manifest import GateResult, RunManifest, RunResults, manifest_uri
from news_ingest.stages.poll import UNPOLLED, PollResult
from news_ingest.stages.run import finish, format_summary, quality_gate
from news_ingest.stages.select import SelectResult
from tests.support import manifest_path, nightly_results, nightly_run


def run_day(site: SiteServer, settings: Settings, day: date = DEMO_DAY) -> RunManifest:
    return nightly_run(site.base_url, settings, day)


def test_demo_day_end_to_end_without_airflow(demo_site: SiteServer, settings: Settings) -> None:
    run = run_day(demo_site, settings)
    assert [p.feed_id for p in run.stages.poll if p.error] == ["demo-gone"]
    expected = len(stories_of(DEMO_DAY)) + 2  # plus the gallery and the section page
    assert run.stages.dedupe.articles == expected
    rows = {
        r["url"].split("/")[-1].split(".")[0].split("?")[0]: r
        for r in store.read_partition(settings.data_root, "articles", DEMO_DAY).to_pylist()
    }
    assert rows[SEED_COPY_SLUG]["duplicate_of"] == "seed:000_6e5a1f3359e505b1"
    assert rows[WIRE_COPY]["duplicate_of"] == rows[WIRE_ORIGINAL]["article_id"]
    assert "utm_" not in rows["nairobi-student-protest"]["canonical_url"]
    summary = format_summary(run)
    assert "feed demo-gone failed: fetch: HTTP 404" in summary
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


def test_stages_work_on_an_object_store_root(demo_site: SiteServer, settings: Settings) -> None:
    # pyarrow's in-memory "mock" filesystem stands in for S3: same URI handling, no network.
    remote = replace(settings, data_root="mock:///bucket/news")
    run = run_day(demo_site, remote)
    assert run.published is not None
    assert run.published.articles == "mock:///bucket/news/articles/date=2026-11-19/part-0.parquet"
    articles = store.read_partition(remote.data_root, "articles", DEMO_DAY)
    assert articles is not None and articles.num_rows == run.stages.dedupe.articles
    assert run.stages.dedupe.duplicates == 2
    assert store.exists(manifest_uri(remote.data_root, DEMO_DAY, run.run_id))


def test_quality_gate_passes_the_demo_day_with_a_warning(
    demo_site: SiteServer, settings: Settings
) -> None:
    run = run_day(demo_site, settings)
    assert run.gate == GateResult((), ("1 of 4 feeds failed: demo-gone",))
    assert run.published is not None
    assert "gate warning: 1 of 4 feeds failed: demo-gone" in format_summary(run)


def _results(tmp_path: Path, **stages: Any) -> RunResults:
    """Stage results of a quiet night (nothing listed), with ``stages`` replaced; the staged
    files exist and have their datasets' schemas."""
    articles, events = str(tmp_path / "articles.parquet"), str(tmp_path / "events.parquet")
    store.write_table_atomic(articles, store.STAGED_ARTICLES_SCHEMA.empty_table())
    store.write_table_atomic(events, store.EVENTS_SCHEMA.empty_table())
    quiet = RunResults(
        poll=(),
        select=SelectResult("", 0, 0, 0, 0, 0, 0.0),
        fetch=FetchResult("", 0, 0, 0, 0, (), 0.0),
        extract=ExtractResult("", 0, 0, (), 0, 0, 0, 0, 0, {}, 0.0),
        dedupe=DedupeResult(articles, 0, 0, 0, {}, 0, 0, 0.0),
        events=EventsResult(events, 0, 0, 0.0),
    )
    return replace(quiet, **stages)


def _poll(feed_id: str, items: int, error: str | None = None) -> PollResult:
    health = replace(UNPOLLED, items=items)
    failed = StageError(None, feed_id, "fetch", error) if error else None
    return PollResult(feed_id, None, health, None, failed, 0.0)


def test_quality_gate_fails_on_breakage(tmp_path: Path) -> None:
    dead = _results(tmp_path, poll=(_poll("a", 0, "HTTP 500"), _poll("b", 0, "timeout")))
    assert quality_gate(dead).failures == ("no feed listed any item",)
    quiet = _results(tmp_path)
    broken = replace(
        quiet,
        poll=(_poll("a", 30),),
        fetch=replace(quiet.fetch, fetched=30),
        extract=replace(quiet.extract, failed=20),
    )
    assert quality_gate(broken).failures == ("most extractions failed (20 of 30 pages)",)
    wrong = tmp_path / "wrong-events.parquet"
    store.write_table_atomic(str(wrong), pa.table({"event_id": ["x"]}))
    gate = quality_gate(replace(quiet, events=replace(quiet.events, uri=str(wrong))))
    assert len(gate.failures) == 1 and "differs from schema version 2" in gate.failures[0]
    # Dedupe stages the articles with their fingerprints: without them, nothing to publish.
    bare = tmp_path / "bare-articles.parquet"
    store.write_table_atomic(str(bare), store.ARTICLES_SCHEMA.empty_table())
    gate = quality_gate(replace(quiet, dedupe=replace(quiet.dedupe, uri=str(bare))))
    assert gate.failures == (f"articles: schema of {bare} differs from schema version 3",)


def test_a_failed_gate_publishes_nothing_and_its_manifest_says_why(
    demo_site: SiteServer, settings: Settings
) -> None:
    results = nightly_results(demo_site.base_url, settings)
    empty = replace(results, poll=tuple(replace(p, health=UNPOLLED) for p in results.poll))
    manifest = finish(DEMO_DAY, "gated", empty, settings.data_root, {})
    assert manifest.gate is not None and manifest.gate.failures == ("no feed listed any item",)
    assert manifest.published is None
    assert store.read_partition(settings.data_root, "articles", DEMO_DAY) is None
    written = manifest_path(settings, manifest).read_text()
    assert RunManifest.from_json(written) == manifest
    assert "GATE FAILED: no feed listed any item" in format_summary(manifest)


def test_manifest_records_seconds_per_stage(demo_site: SiteServer, settings: Settings) -> None:
    run = run_day(demo_site, settings)
    durations = run.durations
    assert list(durations) == ["poll", "select", "fetch", "extract", "dedupe", "events", "publish"]
    assert durations["poll"] == max(p.seconds for p in run.stages.poll)
    assert durations["extract"] == run.stages.extract.seconds > 0
    assert all(0 <= s < 120 for s in durations.values())
    assert "  seconds  poll=" in format_summary(run)
    assert RunManifest.from_json(manifest_path(settings, run).read_text()) == run


def test_two_runs_of_one_day_interleaved_each_keep_their_staged_files(
    demo_site: SiteServer, settings: Settings
) -> None:
    # A backfill's run and a manual rerun of the same day, forced to interleave: the second
    # runs whole between the first one's stages. Staged files belong to their run: the
    # rerun neither rewrites nor deletes any of the first run's (a shared
    # extracted-all.parquet, deleted by one run while the other read it, failed the other).
    from demo.site import feed_list_yaml
    from news_ingest.archive import archiving_fetcher
    from news_ingest.config import parse_feed_list
    from news_ingest.stages.dedupe import dedupe_articles
    from news_ingest.stages.events import extract_events_of_day
    from news_ingest.stages.fetch_extract import fetch_and_extract_pages
    from news_ingest.stages.poll import poll_feeds
    from news_ingest.stages.select import select_items_of_day

    root = settings.data_root
    feeds = parse_feed_list(feed_list_yaml(demo_site.base_url))
    with archiving_fetcher(settings, DEMO_DAY, "poll") as fetcher:
        polls = poll_feeds(feeds, DEMO_DAY, "backfill", settings, fetcher)
    selected = select_items_of_day(polls, DEMO_DAY, "backfill", root)
    with archiving_fetcher(settings, DEMO_DAY, "fetch") as fetcher:
        fetched = fetch_and_extract_pages(selected.uri, DEMO_DAY, "backfill", settings, fetcher)
    staged = [Path(selected.uri), Path(fetched.fetch.uri), Path(fetched.extract.uri)]
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in staged]

    rerun = nightly_run(demo_site.base_url, settings, DEMO_DAY, "manual")

    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in staged] == before
    deduped = dedupe_articles([fetched.extract.uri], DEMO_DAY, "backfill", settings)
    events = extract_events_of_day(deduped.uri, DEMO_DAY, "backfill", root)
    results = RunResults(tuple(polls), selected, fetched.fetch, fetched.extract, deduped, events)
    first = finish(DEMO_DAY, "backfill", results, root, {"airflow": "not run"})
    assert first.gate is not None and not first.gate.failures
    assert deduped.uri != rerun.stages.dedupe.uri
    assert (first.stages.dedupe.articles, first.stages.events.events) == (
        rerun.stages.dedupe.articles,
        rerun.stages.events.events,
    )


def test_each_stage_logs_its_start_end_and_failures(
    demo_site: SiteServer, settings: Settings, caplog: Any
) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="news_ingest")
    run_day(demo_site, settings)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("news_ingest.stages")]
    for opening in (
        "polling ",
        "polled ",
        "feed demo-gone failed: fetch: ",
        "selected ",
        "fetching ",
        "fetched ",
        "extracting pages of ",
        "extracted ",
        "deduplicated ",
        "extracting events of ",
    ):
        assert any(line.startswith(opening) for line in lines), (opening, lines)
    assert any(" events of 2026-11-19 in " in line for line in lines), lines
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["feed demo-gone failed"]
