"""The report's data from run manifests: counts, feed health, unreadable manifests, raw text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from news_ingest import report_model
from news_ingest.stages.manifest import SCHEMA_VERSION, RunManifest, write_manifest
from tests.report_manifests import put_manifest, v1_manifest, v1_poll


def test_a_version_1_manifest_reads_its_missing_counts_as_zero(tmp_path: Path) -> None:
    # Version 1 stage results gained keys over time: an old manifest lacks the later ones.
    old = v1_manifest(
        "2026-03-01",
        "2026-03-02T00:00:00+00:00",
        poll=[{"feed_id": "a", "items": 3, "error": "FetchError: HTTP 503 for http://a/"}],
        fetch={"fetched": 4, "failed": 1, "errors": [{"url": "u", "feed_id": "a", "error": "x"}]},
        events={"events": 3},
    )
    put_manifest(tmp_path, "2026-03-01", "old", old)
    rep = report_model.build_report(str(tmp_path))
    (run,) = rep.runs
    assert (run.fetched, run.fetch_failed, run.extracted, run.events) == (4, 1, 0, 3)
    assert run.polls[0].error == "fetch: HTTP 503 for http://a/"
    assert run.gate_status == "unknown" and not rep.skipped


def test_a_manifest_that_cannot_be_understood_is_listed_not_read_as_zero(tmp_path: Path) -> None:
    put_manifest(tmp_path, "2026-03-01", "bare", {"day": "2026-03-01"})
    mistyped = [
        {"fetch": {"fetched": "many"}},
        {"fetch": {"fetched": True}},
        {"dedupe": {"articles": 1.5}},
        {"extract": {"extracted": 1, "extracted_misspelt": 2}},
        {"gate": {"failures": "not a list", "warnings": []}},
        {"poll": ["junk"]},
    ]
    for n, stages in enumerate(mistyped):
        put_manifest(
            tmp_path, "2026-03-02", f"odd{n}", v1_manifest("2026-03-02", "2026-03-03", **stages)
        )
    put_manifest(tmp_path, "2026-03-03", "future", {"schema_version": SCHEMA_VERSION + 1})
    rep = report_model.build_report(str(tmp_path))
    assert rep.runs == () and len(rep.skipped) == len(mistyped) + 2
    assert all(s.endswith(": ManifestError") for s in rep.skipped)
    with pytest.raises(ValueError, match="unknown manifest schema version: 3"):
        RunManifest.from_json(json.dumps({"schema_version": 3}))


def test_error_streak_follows_when_feeds_were_polled(tmp_path: Path) -> None:
    # Nightly runs fail for days 2 and 3; a later backfill of day 1 polls the feed fine.
    for day, at, error in (
        ("2026-03-01", "2026-03-02T00:05:00+00:00", None),
        ("2026-03-02", "2026-03-03T00:05:00+00:00", "HTTP 500"),
        ("2026-03-03", "2026-03-04T00:05:00+00:00", "HTTP 502"),
    ):
        put_manifest(
            tmp_path,
            day,
            at[:10],
            v1_manifest(day, at, poll=[v1_poll("a", 4, error), v1_poll("b")]),
        )
    feed = {f.feed_id: f for f in report_model.build_report(str(tmp_path)).feeds}
    assert (feed["a"].error_streak_days, feed["a"].failing_since) == (2, date(2026, 3, 2))
    assert feed["a"].last_error == "status: HTTP 502"
    assert feed["a"].last_success_day == date(2026, 3, 1)
    assert feed["a"].items_per_day == 4 and not feed["b"].failing
    # A run that did not poll the feed neither breaks nor extends its streak.
    put_manifest(
        tmp_path, "2026-03-04", "x", v1_manifest("2026-03-04", "2026-03-05T00:05:00+00:00")
    )
    assert report_model.build_report(str(tmp_path)).feeds[0].error_streak_runs == 2
    put_manifest(
        tmp_path,
        "2026-03-01",
        "backfill",
        v1_manifest("2026-03-01", "2026-03-06T09:00:00+00:00", poll=[v1_poll("a", 6)]),
    )
    feed = {f.feed_id: f for f in report_model.build_report(str(tmp_path)).feeds}
    assert not feed["a"].failing and feed["a"].last_success_day == date(2026, 3, 1)
    assert feed["a"].last_error == "status: HTTP 502"
    assert feed["a"].last_error_day == date(2026, 3, 3)


def test_manifests_on_an_object_store_root() -> None:
    # pyarrow's in-memory "mock" filesystem stands in for S3, as in test_stage_run.
    root = "mock:///bucket/report-test"
    for day in ("2026-03-01", "2026-03-02"):
        polls = [v1_poll("a", 3), v1_poll("b", 0, "HTTP 404")]
        v1 = v1_manifest(day, f"{day}T23:00:00+00:00", poll=polls, events={"events": 2})
        write_manifest(root, RunManifest.from_json(json.dumps(v1)))
    rep = report_model.build_report(root)
    assert [(d.day.day, d.latest.events) for d in rep.days] == [(1, 2), (2, 2)]
    assert [(f.feed_id, f.error_streak_days) for f in rep.feeds] == [("b", 2), ("a", 0)]


def test_text_from_manifests_is_kept_as_written(tmp_path: Path) -> None:
    # Escaping is the templates' job: the data (and its JSON) hold the text unchanged.
    feed, message = "a<b>&\"'", "gate <script>&amp;"
    manifest = v1_manifest(
        "2026-03-01",
        "2026-03-02T00:00:00+00:00",
        poll=[v1_poll(feed, 2)],
        gate={"failures": [message], "warnings": []},
    )
    put_manifest(tmp_path, "2026-03-01", "m", manifest)
    now = datetime(2026, 3, 3, tzinfo=UTC)
    rep = report_model.build_report(str(tmp_path), now=now)
    assert rep.feeds[0].feed_id == feed and rep.runs[0].gate_failures == (message,)
    data = report_model.report_json(rep)
    assert data["feeds"][0]["feed_id"] == feed and data["days"][0]["gate_failures"] == [message]
    assert data["generated_at"] == now.isoformat() and data["days"][0]["gate"] == "failed"


def test_parse_manifest_takes_the_folders_day() -> None:
    manifest = RunManifest.from_json(
        json.dumps(v1_manifest("2026-03-01", "2026-03-02T01:00:00+02:00", poll=[v1_poll("a")]))
    )
    run = report_model.parse_manifest(manifest, "uri", date(2026, 2, 28))
    assert (run.day, run.uri, run.written_at) == (
        date(2026, 2, 28),
        "uri",
        datetime(2026, 3, 1, 23, 0, tzinfo=UTC),
    )
    assert report_model.parse_manifest(manifest).day == date(2026, 3, 1)
