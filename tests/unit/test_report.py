"""The pipeline's page from run manifests: real ones of the demo days, and hand-made edge cases."""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAYS
from news_ingest import report, report_model
from news_ingest.stages.manifest import RunManifest
from tests.report_manifests import put_manifest, v1_manifest, v1_poll
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


class _Tags(HTMLParser):
    """Every start tag with its attributes and every text, as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return _parsed(page).tags


def _attribute(page: str, tag: str, match: tuple[str, str], name: str) -> list[str | None]:
    """The attribute ``name`` of every ``tag`` that has the attribute ``match``."""
    return [dict(a).get(name) for t, a in _tags(page) if t == tag and match in a]


def test_demo_days_counts_come_from_the_manifests(
    demo_runs: tuple[str, dict[date, RunManifest]],
) -> None:
    root, stages = demo_runs
    rep = report_model.build_report(root)
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
    rep = report_model.build_report(demo_runs[0])
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
    rep = report_model.build_report(root)
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
    data = json.loads(json.dumps(report_model.report_json(rep)))
    assert [d["events"] for d in data["days"]] == [
        stages[d].stages.events.events for d in DEMO_DAYS
    ]
    assert data["feeds"][0]["feed_id"] == "demo-gone" and data["feeds"][0]["error_streak_days"] == 3


def test_latest_manifest_of_a_day_wins_and_a_failed_gate_is_shown(tmp_path: Path) -> None:
    ok = v1_poll("a", 7)
    # Day 1: a failed run (finish_run's manifest: gate failures, nothing published),
    # then a passing rerun. Day 2: only a failed run.
    put_manifest(
        tmp_path,
        "2026-03-01",
        "first",
        v1_manifest(
            "2026-03-01",
            "2026-03-02T00:10:00+00:00",
            poll=[ok],
            fetch={"fetched": 9},
            extract={"extracted": 1, "failed": 8},
            gate={"failures": ["most extractions failed (8 of 9 pages)"], "warnings": []},
        ),
    )
    put_manifest(
        tmp_path,
        "2026-03-01",
        "rerun",
        v1_manifest(
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
    put_manifest(
        tmp_path,
        "2026-03-02",
        "failed",
        v1_manifest(
            "2026-03-02",
            "2026-03-03T00:10:00+00:00",
            poll=[v1_poll("a", 0, "FetchError: HTTP 503")],
            gate={"failures": ["no feed listed any item"], "warnings": []},
        ),
    )
    rep = report_model.build_report(str(tmp_path))
    first, second = rep.days
    assert (first.runs, first.latest.gate_status, first.latest.extracted) == (2, "passed", 9)
    assert first.latest.published and not second.latest.published
    assert second.latest.gate_status == "failed"
    page = report.render_html(rep)
    assert 'class="failmark"' in page and "2026-03-02: quality gate failed" in page
    assert '<span class="badge failed">failed</span>' in page
    assert "no feed listed any item" in page
    assert rep.feeds[0].error_streak_days == 1 and rep.feeds[0].last_success_day == date(2026, 3, 1)


def test_unreadable_manifests_are_listed_and_the_rest_is_shown(tmp_path: Path) -> None:
    put_manifest(tmp_path, "2026-03-01", "good", v1_manifest("2026-03-01", "2026-03-02T00:00:00Z"))
    put_manifest(tmp_path, "2026-03-01", "broken", "{not json")
    put_manifest(tmp_path, "2026-03-02", "list", "[1, 2]")
    (tmp_path / "runs" / "date=2026-03-01" / ".manifest-tmp.json").write_text("{")
    (tmp_path / "runs" / "date=garbage").mkdir()
    rep = report_model.build_report(str(tmp_path))
    assert [d.day for d in rep.days] == [date(2026, 3, 1)]
    assert sorted(rep.skipped) == [
        "date=2026-03-01/manifest-broken.json: ManifestError",
        "date=2026-03-02/manifest-list.json: ManifestError",
    ]
    assert "2 manifest(s) could not be read" in report.render_html(rep)


def test_hostile_text_from_manifests_is_escaped(tmp_path: Path) -> None:
    evil_error = "<script>alert('boom')</script><img src=x onerror=alert(1)>"
    evil_feed = 'x"><svg onload=alert(2)>'
    put_manifest(
        tmp_path,
        "2026-03-01",
        "evil",
        v1_manifest(
            "2026-03-01",
            "2026-03-02T00:00:00+00:00",
            poll=[v1_poll(evil_feed, 0, evil_error), v1_poll("fine", 3)],
            gate={"failures": ["</td><script>x()</script>"], "warnings": ["<b>w</b>"]},
        ),
    )
    rep = report_model.build_report(str(tmp_path))
    page = report.render_html(rep)
    tags = _tags(page)
    assert not any(t in {"script", "img", "b"} for t, _ in tags)
    assert not any(name.startswith("on") for _, attrs in tags for name, _ in attrs)
    # Entities as Jinja2 spells them (&#39;, &#34;); a browser reads the text as it was.
    assert "&lt;script&gt;alert(&#39;boom&#39;)&lt;/script&gt;" in page
    assert "x&#34;&gt;&lt;svg onload=alert(2)&gt;" in page
    assert _attribute(page, "td", ("class", "feed"), "title") == [evil_feed, "fine"]
    (shown,) = _attribute(page, "span", ("class", "error"), "title")
    assert shown == rep.feeds[0].last_error and shown.endswith(evil_error)
    csp = _attribute(page, "meta", ("http-equiv", "Content-Security-Policy"), "content")
    assert csp == [report.CONTENT_SECURITY_POLICY]


def test_quotes_ampersands_and_tags_in_manifest_text_come_out_as_the_same_text(
    tmp_path: Path,
) -> None:
    # An entity in the text must show as written: escaped once, not left raw or escaped twice.
    feed = "a\"b'c &amp; d<script>f()</script>"
    error = "HTTP 500 \"x\" & 'y' <script>alert(1)</script> &lt;"
    put_manifest(
        tmp_path,
        "2026-03-01",
        "hostile",
        v1_manifest(
            "2026-03-01",
            "2026-03-02T00:00:00+00:00",
            poll=[v1_poll(feed, 0, error)],
            gate={"failures": [error], "warnings": []},
        ),
    )
    rep = report_model.build_report(str(tmp_path))
    page = report.render_html(rep)
    parsed = _parsed(page)
    shown_error = rep.feeds[0].last_error  # the kind the reader puts before a version 1 error
    assert shown_error and shown_error.endswith(error)
    assert not any(t == "script" for t, _ in parsed.tags)
    assert feed not in page and error not in page and "<script>" not in page
    assert _attribute(page, "tr", ("class", "failing"), "data-feed") == [feed]
    assert _attribute(page, "td", ("class", "feed"), "title") == [feed]
    assert _attribute(page, "span", ("class", "error"), "title") == [shown_error]
    # As text: the feed cell and the failing-feeds tile; the error cell; the gate's message.
    assert parsed.texts.count(feed) == 2
    assert parsed.texts.count(shown_error) == 1 and parsed.texts.count(error) == 1


def test_window_empty_root_and_displayed_root(tmp_path: Path) -> None:
    for n in range(1, 6):
        day = f"2026-03-0{n}"
        put_manifest(tmp_path, day, "m", v1_manifest(day, f"2026-03-0{n + 1}T00:00:00+00:00"))
    assert [d.day.day for d in report_model.build_report(str(tmp_path), days=2).days] == [4, 5]
    assert len(report_model.build_report(str(tmp_path), days=None).days) == 5
    empty = report_model.build_report(str(tmp_path / "nothing-here"))
    assert empty.days == () and 'id="empty"' in report.render_html(empty)
    assert report_model.display_root("s3://key:secret@bucket/news?endpoint_override=h") == (
        "s3://bucket/news"
    )
