"""The pipeline's page from run manifests: real ones of the demo days, and hand-made edge cases."""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAYS
from news_ingest import report
from news_ingest.stages.manifest import SCHEMA_VERSION, RunManifest, write_manifest
from tests.support import nightly_run, settings_for

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_runs(
    demo_site: SiteServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[date, RunManifest]]:
    """A data root with the manifests of the three demo days, run through the real stages."""
    root = tmp_path_factory.mktemp("report") / "data"
    settings = settings_for(root)
    stages = {
        day: nightly_run(demo_site.base_url, settings, day, f"scheduled__{day}")
        for day in DEMO_DAYS
    }
    return str(root), stages


def _put(root: Path, day: str, name: str, manifest: Any) -> None:
    """Write a hand-made manifest (or raw text) where write_manifest would put it."""
    folder = root / "runs" / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (folder / f"manifest-{name}.json").write_text(text, encoding="utf-8")


def _manifest(day: str, written_at: str, **stages: Any) -> dict[str, Any]:
    """A manifest of schema version 1 (no version key), with the stages not given empty."""
    empty: dict[str, Any] = {n: {} for n in ("select", "fetch", "extract", "dedupe", "events")}
    stages = {"poll": [], **empty, **stages}
    return {"day": day, "run_id": f"run-{written_at}", "written_at": written_at, "stages": stages}


def _poll(feed_id: str, items: int = 5, error: str | None = None) -> dict[str, Any]:
    return {"feed_id": feed_id, "uri": None, "items": items, "error": error}


class _Tags(HTMLParser):
    """Every start tag and its attributes, to look for injected markup."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_demo_days_counts_come_from_the_manifests(
    demo_runs: tuple[str, dict[date, RunManifest]],
) -> None:
    root, stages = demo_runs
    rep = report.build_report(root)
    assert [d.day for d in rep.days] == list(DEMO_DAYS)
    for d in rep.days:
        s = stages[d.day]
        assert d.runs == 1
        assert (d.latest.fetched, d.latest.extracted) == (
            s.stages.fetch.fetched,
            s.stages.extract.extracted,
        )
        assert (d.latest.articles, d.latest.duplicates, d.latest.events) == (
            s.stages.dedupe.articles,
            s.stages.dedupe.duplicates,
            s.stages.events.events,
        )
        assert d.latest.feeds_failed == 1 and len(d.latest.polls) == 4
        assert d.latest.gate_status == "warning" and d.latest.published
    assert sum(d.latest.fetched for d in rep.days) > 0
    assert sum(d.latest.duplicates for d in rep.days) > 0


def test_demo_days_feed_health_names_the_broken_feed(
    demo_runs: tuple[str, dict[date, RunManifest]],
) -> None:
    rep = report.build_report(demo_runs[0])
    gone, *others = rep.feeds
    assert gone.feed_id == "demo-gone" and gone.failing
    assert (gone.error_streak_days, gone.error_streak_runs) == (3, 3)
    assert gone.failing_since == DEMO_DAYS[0] and gone.last_success_day is None
    assert gone.last_error and "HTTP 404" in gone.last_error
    assert [n for _, n in gone.items_by_day] == [None, None, None]
    assert {f.feed_id for f in others} == {"demo-courier", "demo-meridian", "demo-frontline"}
    for feed in others:
        assert not feed.failing and feed.error_streak_days == 0
        assert feed.last_success_day == DEMO_DAYS[-1]
        assert feed.items_per_day and feed.items_per_day > 0


def test_demo_days_page_has_charts_tables_and_json(
    demo_runs: tuple[str, dict[date, RunManifest]],
) -> None:
    root, stages = demo_runs
    rep = report.build_report(root)
    page = report.render_html(rep)
    tags = _tags(page)
    charts = [dict(a).get("data-chart") for t, a in tags if t == "svg" and ("class", "chart") in a]
    assert charts == ["fetched", "extracted", "duplicates", "events"]
    bars = {
        (dict(a)["data-day"], dict(a)["data-value"])
        for t, a in tags
        if t == "rect" and ("class", "bar") in a
    }
    for day in DEMO_DAYS:
        assert (day.isoformat(), str(stages[day].stages.fetch.fetched)) in bars
        assert (day.isoformat(), str(stages[day].stages.dedupe.duplicates)) in bars
    points = [dict(a) for t, a in tags if t == "circle" and ("class", "point") in a]
    assert [(p["data-day"], p["data-value"]) for p in points] == [
        (d.isoformat(), str(stages[d].stages.events.events)) for d in DEMO_DAYS
    ]
    assert '<tr class="failing" data-feed="demo-gone">' in page
    assert f'<span class="root" title="{root}">' in page
    assert not any(t == "script" for t, _ in tags)
    assert "http://" not in page.split("<body>")[0].replace("http://www.w3.org", "")
    data = json.loads(json.dumps(report.report_json(rep)))
    assert [d["events"] for d in data["days"]] == [
        stages[d].stages.events.events for d in DEMO_DAYS
    ]
    assert data["feeds"][0]["feed_id"] == "demo-gone" and data["feeds"][0]["error_streak_days"] == 3


def test_latest_manifest_of_a_day_wins_and_a_failed_gate_is_shown(tmp_path: Path) -> None:
    ok = _poll("a", 7)
    # Day 1: a failed run (finish_run's manifest: gate failures, nothing published),
    # then a passing rerun. Day 2: only a failed run.
    _put(
        tmp_path,
        "2026-03-01",
        "first",
        _manifest(
            "2026-03-01",
            "2026-03-02T00:10:00+00:00",
            poll=[ok],
            fetch={"fetched": 9},
            extract={"extracted": 1, "failed": 8},
            gate={"failures": ["most extractions failed (8 of 9 pages)"], "warnings": []},
        ),
    )
    _put(
        tmp_path,
        "2026-03-01",
        "rerun",
        _manifest(
            "2026-03-01",
            "2026-03-02T06:00:00+00:00",
            poll=[ok],
            fetch={"fetched": 9},
            extract={"extracted": 9},
            dedupe={"articles": 9, "duplicates": 1},
            events={"events": 4},
            gate={"failures": [], "warnings": []},
            published={"articles": "x", "events": "y"},
        ),
    )
    _put(
        tmp_path,
        "2026-03-02",
        "failed",
        _manifest(
            "2026-03-02",
            "2026-03-03T00:10:00+00:00",
            poll=[_poll("a", 0, "FetchError: HTTP 503")],
            gate={"failures": ["no feed listed any item"], "warnings": []},
        ),
    )
    rep = report.build_report(str(tmp_path))
    first, second = rep.days
    assert (first.runs, first.latest.gate_status, first.latest.extracted) == (2, "passed", 9)
    assert first.latest.published and not second.latest.published
    assert second.latest.gate_status == "failed"
    page = report.render_html(rep)
    assert 'class="failmark"' in page and "2026-03-02: quality gate failed" in page
    assert '<span class="badge failed">failed</span>' in page
    assert "no feed listed any item" in page
    assert rep.feeds[0].error_streak_days == 1 and rep.feeds[0].last_success_day == date(2026, 3, 1)


def test_a_version_1_manifest_reads_its_missing_counts_as_zero(tmp_path: Path) -> None:
    # Version 1 stage results gained keys over time: an old manifest lacks the later ones.
    old = _manifest(
        "2026-03-01",
        "2026-03-02T00:00:00+00:00",
        poll=[{"feed_id": "a", "items": 3, "error": "FetchError: HTTP 503 for http://a/"}],
        fetch={"fetched": 4, "failed": 1, "errors": [{"url": "u", "feed_id": "a", "error": "x"}]},
        events={"events": 3},
    )
    _put(tmp_path, "2026-03-01", "old", old)
    rep = report.build_report(str(tmp_path))
    (run,) = rep.runs
    assert (run.fetched, run.fetch_failed, run.extracted, run.events) == (4, 1, 0, 3)
    assert run.polls[0].error == "fetch: HTTP 503 for http://a/"
    assert run.gate_status == "unknown" and not rep.skipped


def test_a_manifest_that_cannot_be_understood_is_listed_not_read_as_zero(tmp_path: Path) -> None:
    _put(tmp_path, "2026-03-01", "bare", {"day": "2026-03-01"})
    mistyped = [
        {"fetch": {"fetched": "many"}},
        {"fetch": {"fetched": True}},
        {"dedupe": {"articles": 1.5}},
        {"extract": {"extracted": 1, "extracted_misspelt": 2}},
        {"gate": {"failures": "not a list", "warnings": []}},
        {"poll": ["junk"]},
    ]
    for n, stages in enumerate(mistyped):
        _put(tmp_path, "2026-03-02", f"odd{n}", _manifest("2026-03-02", "2026-03-03", **stages))
    _put(tmp_path, "2026-03-03", "future", {"schema_version": SCHEMA_VERSION + 1})
    rep = report.build_report(str(tmp_path))
    assert rep.runs == () and len(rep.skipped) == len(mistyped) + 2
    assert all(s.endswith(": ManifestError") for s in rep.skipped)
    with pytest.raises(ValueError, match="unknown manifest schema version: 3"):
        RunManifest.from_json(json.dumps({"schema_version": 3}))


def test_unreadable_manifests_are_listed_and_the_rest_is_shown(tmp_path: Path) -> None:
    _put(tmp_path, "2026-03-01", "good", _manifest("2026-03-01", "2026-03-02T00:00:00Z"))
    _put(tmp_path, "2026-03-01", "broken", "{not json")
    _put(tmp_path, "2026-03-02", "list", "[1, 2]")
    (tmp_path / "runs" / "date=2026-03-01" / ".manifest-tmp.json").write_text("{")
    (tmp_path / "runs" / "date=garbage").mkdir()
    rep = report.build_report(str(tmp_path))
    assert [d.day for d in rep.days] == [date(2026, 3, 1)]
    assert sorted(rep.skipped) == [
        "date=2026-03-01/manifest-broken.json: ManifestError",
        "date=2026-03-02/manifest-list.json: ManifestError",
    ]
    assert "2 manifest(s) could not be read" in report.render_html(rep)


def test_hostile_text_from_manifests_is_escaped(tmp_path: Path) -> None:
    evil_error = "<script>alert('boom')</script><img src=x onerror=alert(1)>"
    evil_feed = 'x"><svg onload=alert(2)>'
    _put(
        tmp_path,
        "2026-03-01",
        "evil",
        _manifest(
            "2026-03-01",
            "2026-03-02T00:00:00+00:00",
            poll=[_poll(evil_feed, 0, evil_error), _poll("fine", 3)],
            gate={"failures": ["</td><script>x()</script>"], "warnings": ["<b>w</b>"]},
        ),
    )
    page = report.render_html(report.build_report(str(tmp_path)))
    tags = _tags(page)
    assert not any(t in {"script", "img", "b"} for t, _ in tags)
    assert not any(name.startswith("on") for _, attrs in tags for name, _ in attrs)
    assert "&lt;script&gt;alert(&#x27;boom&#x27;)&lt;/script&gt;" in page
    assert "x&quot;&gt;&lt;svg onload=alert(2)&gt;" in page
    assert report.CONTENT_SECURITY_POLICY in page


def test_error_streak_follows_when_feeds_were_polled(tmp_path: Path) -> None:
    # Nightly runs fail for days 2 and 3; a later backfill of day 1 polls the feed fine.
    for day, at, error in (
        ("2026-03-01", "2026-03-02T00:05:00+00:00", None),
        ("2026-03-02", "2026-03-03T00:05:00+00:00", "HTTP 500"),
        ("2026-03-03", "2026-03-04T00:05:00+00:00", "HTTP 502"),
    ):
        _put(tmp_path, day, at[:10], _manifest(day, at, poll=[_poll("a", 4, error), _poll("b")]))
    feed = {f.feed_id: f for f in report.build_report(str(tmp_path)).feeds}
    assert (feed["a"].error_streak_days, feed["a"].failing_since) == (2, date(2026, 3, 2))
    assert feed["a"].last_error == "status: HTTP 502"
    assert feed["a"].last_success_day == date(2026, 3, 1)
    assert feed["a"].items_per_day == 4 and not feed["b"].failing
    # A run that did not poll the feed neither breaks nor extends its streak.
    _put(tmp_path, "2026-03-04", "x", _manifest("2026-03-04", "2026-03-05T00:05:00+00:00"))
    assert report.build_report(str(tmp_path)).feeds[0].error_streak_runs == 2
    _put(
        tmp_path,
        "2026-03-01",
        "backfill",
        _manifest("2026-03-01", "2026-03-06T09:00:00+00:00", poll=[_poll("a", 6)]),
    )
    feed = {f.feed_id: f for f in report.build_report(str(tmp_path)).feeds}
    assert not feed["a"].failing and feed["a"].last_success_day == date(2026, 3, 1)
    assert feed["a"].last_error == "status: HTTP 502"
    assert feed["a"].last_error_day == date(2026, 3, 3)


def test_window_empty_root_and_displayed_root(tmp_path: Path) -> None:
    for n in range(1, 6):
        day = f"2026-03-0{n}"
        _put(tmp_path, day, "m", _manifest(day, f"2026-03-0{n + 1}T00:00:00+00:00"))
    assert [d.day.day for d in report.build_report(str(tmp_path), days=2).days] == [4, 5]
    assert len(report.build_report(str(tmp_path), days=None).days) == 5
    empty = report.build_report(str(tmp_path / "nothing-here"))
    assert empty.days == () and 'id="empty"' in report.render_html(empty)
    assert report.display_root("s3://key:secret@bucket/news?endpoint_override=h") == (
        "s3://bucket/news"
    )


def test_manifests_on_an_object_store_root() -> None:
    # pyarrow's in-memory "mock" filesystem stands in for S3, as in test_stage_run.
    root = "mock:///bucket/report-test"
    for day in ("2026-03-01", "2026-03-02"):
        polls = [_poll("a", 3), _poll("b", 0, "HTTP 404")]
        v1 = _manifest(day, f"{day}T23:00:00+00:00", poll=polls, events={"events": 2})
        write_manifest(root, RunManifest.from_json(json.dumps(v1)))
    rep = report.build_report(root)
    assert [(d.day.day, d.latest.events) for d in rep.days] == [(1, 2), (2, 2)]
    assert [(f.feed_id, f.error_streak_days) for f in rep.feeds] == [("b", 2), ("a", 0)]
