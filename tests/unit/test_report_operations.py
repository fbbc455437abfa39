"""The operator page: links from each day to its Airflow run and task logs, stage durations,
harvest health, and counts shown as integers."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from news_ingest import report, report_model
from news_ingest.stages.common import StageError
from news_ingest.stages.harvest import HarvestResult, write_harvest_record
from news_ingest.stages.poll import UNPOLLED
from tests.report_manifests import put_manifest, v1_manifest, v1_poll

RUN_ID = "scheduled__2026-11-19T00:00:00+00:00"
RUN_PATH = "../dags/news_nightly/runs/scheduled__2026-11-19T00%3A00%3A00%2B00%3A00"
DURATIONS = {"poll": 1.3, "select": 0.5, "fetch": 75.0, "extract": 75.0, "dedupe": 3725.0}


class _Page(HTMLParser):
    """Links (href, target, text) and the text of each element with a data-key or id."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str | None, str]] = []
        self.keyed: dict[str, list[str]] = {}
        self._open: list[tuple[str, list[str]]] = []
        self._link: tuple[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a":
            self._link, self._text = (a.get("href") or "", a.get("target")), []
        key = a.get("data-key") or a.get("data-stage") or a.get("id")
        self._open.append((tag, [key] if key else []))
        if key:
            self.keyed.setdefault(key, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((*self._link, "".join(self._text).strip()))
            self._link = None
        while self._open:
            open_tag, _keys = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        for _tag, keys in self._open:
            for key in keys:
                self.keyed[key][-1] += data


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _night(tmp_path: Path, **extra: Any) -> None:
    manifest = v1_manifest(
        "2026-11-19",
        "2026-11-20T00:40:00+00:00",
        poll=[v1_poll("steady", 12), v1_poll("other", 3)],
        fetch={"fetched": 9},
        extract={"extracted": 9},
        dedupe={"articles": 9, "duplicates": 1},
        gate={"failures": [], "warnings": []},
    )
    put_manifest(tmp_path, "2026-11-19", "a", {**manifest, "run_id": RUN_ID, **extra})


def test_each_day_links_to_its_run_and_its_stages_task_logs(tmp_path: Path) -> None:
    _night(tmp_path, durations=DURATIONS)
    rep = report_model.build_report(str(tmp_path))
    page = _page(report.render_html(rep))
    assert (RUN_PATH, "_top", "2026-11-19") in page.links
    stage_links = {text: href for href, target, text in page.links if target == "_top"}
    assert stage_links["poll"] == f"{RUN_PATH}/tasks/poll_feeds"
    assert stage_links["fetch"] == f"{RUN_PATH}/tasks/fetch_and_extract_pages"
    assert stage_links["dedupe"] == f"{RUN_PATH}/tasks/dedupe_articles"
    # A deployment may serve the UI elsewhere: the base is the model's to set.
    other = report_model.build_report(str(tmp_path), ui_base="https://af.example/")
    assert other.days[0].run_url == f"https://af.example/{RUN_PATH.removeprefix('../')}"


def test_stage_durations_are_shown_as_people_read_them(tmp_path: Path) -> None:
    _night(tmp_path, durations=DURATIONS)
    page = _page(report.render_html(report_model.build_report(str(tmp_path))))
    shown = {stage: page.keyed[stage][0].strip() for stage in DURATIONS}
    assert shown == {
        "poll": "poll 1.3 s",
        "select": "select 0.5 s",
        "fetch": "fetch 1 min 15 s",
        "extract": "extract 1 min 15 s",
        "dedupe": "dedupe 1 h 02 min",
    }
    # Fetch and extract overlap in one task: counted once.
    assert page.keyed["total_seconds"][0] == "1 h 03 min in all"
    data = report_model.report_json(report_model.build_report(str(tmp_path)))
    assert data["days"][0]["durations"] == DURATIONS
    assert data["days"][0]["run_url"] == RUN_PATH


def test_a_manifest_without_durations_shows_none(tmp_path: Path) -> None:
    _night(tmp_path)
    rep = report_model.build_report(str(tmp_path))
    assert rep.days[0].stage_times == ()
    assert "in all" not in report.render_html(rep)


def test_counts_are_integers_on_the_page(tmp_path: Path) -> None:
    # Items per day average 13 over two days: shown as 13, not 13.0.
    _night(tmp_path)
    put_manifest(
        tmp_path,
        "2026-11-20",
        "b",
        v1_manifest("2026-11-20", "2026-11-21T00:40:00+00:00", poll=[v1_poll("steady", 14)]),
    )
    rep = report_model.build_report(str(tmp_path))
    steady = next(f for f in rep.feeds if f.feed_id == "steady")
    assert steady.items_per_day == 13.0
    page = report.render_html(rep)
    parsed = _page(page)
    table = page[page.index('id="feed-health"') : page.index('id="runs-by-day"')]
    assert "13.0" not in table and ">13<" in table
    for key in ("listed", "fetched", "extracted", "articles", "duplicates", "events"):
        assert all(v.strip().isdigit() for v in parsed.keyed[key]), (key, parsed.keyed[key])
    assert parsed.keyed["fetched"] == ["0", "9"]  # newest day first


def _harvest(tmp_path: Path, at: datetime, run_id: str, failed: str | None = None) -> None:
    health = replace(UNPOLLED, status=200, items=20, new_items=4)
    ok = HarvestResult("steady", health, None, 4, 0, 0, (), 0.5)
    results = [ok]
    if failed:
        error = StageError("https://x.example/rss", failed, "status", "HTTP 503 <gone>")
        results.append(HarvestResult(failed, UNPOLLED, error, 0, 0, 0, (), 0.1))
    write_harvest_record(str(tmp_path), at.date(), run_id, results, now=at)


def test_harvest_health_beside_the_nightly(tmp_path: Path) -> None:
    _night(tmp_path)
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    runs = [f"scheduled__2026-11-19T23:{m}:00+00:00" for m in ("00", "30")]
    runs.append("manual__2026-11-20T00:00:00+00:00")
    _harvest(tmp_path, start - timedelta(minutes=60), runs[0])
    _harvest(tmp_path, start - timedelta(minutes=30), runs[1])
    _harvest(tmp_path, start, runs[2], failed="broken-feed")
    rep = report_model.build_report(str(tmp_path), now=start + timedelta(minutes=10))
    assert [h.record.run_id for h in rep.harvest.runs] == runs[::-1]
    assert not rep.harvest.stale and rep.harvest.usual_gap == timedelta(minutes=30)
    html = report.render_html(rep)
    page = _page(html)
    hrefs = [href for href, target, _ in page.links if "news_harvest" in href]
    assert hrefs[0] == "../dags/news_harvest/runs/manual__2026-11-20T00%3A00%3A00%2B00%3A00"
    assert len(hrefs) == 3
    assert page.keyed["failed"] == ["1", "0", "0"] and page.keyed["new_items"] == ["4"] * 3
    assert "broken-feed" in html and "HTTP 503 &lt;gone&gt;" in html  # escaped
    assert "harvest-stale" not in html and "1 feed failed" in html
    # Three usual gaps and more without a harvest: flagged.
    late = report_model.build_report(str(tmp_path), now=start + timedelta(hours=2))
    assert late.harvest.stale
    assert "harvest-stale" in report.render_html(late)
    data = report_model.report_json(late)
    assert data["harvest"]["stale"] is True
    assert [r["run_id"] for r in data["harvest"]["runs"]] == runs[::-1]
    json.dumps(data)


def test_no_harvest_records_yet(tmp_path: Path) -> None:
    rep = report_model.build_report(str(tmp_path))
    assert rep.harvest.runs == () and not rep.harvest.stale
    assert 'id="no-harvest"' in report.render_html(rep)


def test_harvest_records_are_read_from_the_newest_days(tmp_path: Path) -> None:
    first = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(20):
        _harvest(tmp_path, first + timedelta(hours=6 * i), f"r{i:02d}")
    records, skipped = report_model.read_harvests(str(tmp_path), limit=5)
    assert [r.run_id for r in records] == ["r19", "r18", "r17", "r16", "r15"]
    assert skipped == [] and records[0].day == date(2026, 11, 5)
