"""A backfill created the way the UI's dialog does, run by the real Airflow services, and
the pipeline's page in the UI of those services.

Starts api-server, scheduler, dag-processor and triggerer on 127.0.0.1 over SQLite, and
another set over PostgreSQL 15, side by side; on each, creates a 3-day backfill through
`POST /api/v2/backfills` with 2 runs at once, and checks every day equals the same day
run alone with `airflow dags test` (what `make run` does), that the concurrent days left
the shared state (seed cache, history partitions, manifests) whole, and that a second
backfill reprocessing completed runs leaves the data identical. Each run's task logs, read
through the logs API as the UI's log view reads them, show every stage's start and end
lines with the counts of that run's manifest, and the failed demo feed.

Then, on the SQLite services, the "News ingestion" page: served by that api-server from
the backfill's manifests (and one of a night when no feed answered, so the quality gate
failed), looked at with Playwright in headless Chromium (Debian's chromium, no browser
download): the charts, the per-day numbers of the manifests, the broken demo feed, and
the UI's navigation leading to it. Screenshots go to .artifacts/.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from airflow_api import Services, backfill_request, connect, start_services, stop_services
from pg_server import temporary_postgres

from demo.site import DEMO_DAYS
from news_ingest.stages.manifest import RunManifest
from tests.support import (
    DayRun,
    closed_port_url,
    day_rows,
    e2e_env,
    free_port,
    home_from,
    manifest_path,
    nightly_run,
    prepare_airflow_home,
    settings_for,
)

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / ".artifacts"
DBS = ["sqlite", "postgresql"]
OUTAGE_DAY = date(2026, 11, 17)  # the night before the demo days: no feed answered
pytestmark = pytest.mark.e2e


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Backfilled:
    """What the two backfills left: the runs as the API listed them after each, and a copy
    of the data root taken after the first (the second then works on the root itself)."""

    services: Services
    first_runs: list[dict[str, Any]]
    after_first: Path
    second_runs: list[dict[str, Any]]


@pytest.fixture(scope="module")
def outage_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The manifest of a night when no feed answered (its quality gate failed), written by
    the stages before any backfill runs, so it is the oldest manifest of the page."""
    data = tmp_path_factory.mktemp("outage") / "data"
    settings = settings_for(data)
    outage = nightly_run(closed_port_url(), settings, OUTAGE_DAY, "scheduled__2026-11-18")
    assert outage.gate is not None and outage.gate.failures == ("no feed listed any item",)
    return manifest_path(settings, outage)


def _backfill(db: str, base: str, root: Path, home: Path, tmp: Path) -> Backfilled:
    """The UI's backfill of the demo days (2 runs at once), then the same reprocessing
    completed runs, through the REST API of the services at ``base``."""
    services = connect(db, base, root, home)
    request = backfill_request(max_active_runs=2)
    first = services.create_backfill(request)
    first_runs = services.backfill_runs(request=request)
    after_first = tmp / "after-first"
    shutil.copytree(root, after_first)
    services.wait_completed(first["id"])
    again = backfill_request(max_active_runs=2, reprocess="completed")
    services.create_backfill(again)
    return Backfilled(services, first_runs, after_first, services.backfill_runs(request=again))


@pytest.fixture(scope="module")
def backfills(
    tmp_path_factory: pytest.TempPathFactory,
    feeds_file: Path,
    migrated_db: Path,
    outage_manifest: Path,
    stopping_services: list[subprocess.Popen[bytes]],
) -> Iterator[dict[str, Backfilled | BaseException]]:
    """api-server, scheduler, dag-processor and triggerer over a SQLite file, and another
    set over a fresh PostgreSQL 15 cluster, each running the backfills (_backfill): both
    at once, as they share nothing but the demo site, and each alone leaves the CPU idle
    for much of the time (one run of the three at a time, the scheduler's timers)."""
    # Exited in turn: the services of both, then the PostgreSQL cluster.
    with ExitStack() as cluster, ExitStack() as running:
        envs: dict[str, dict[str, str]] = {}
        starting: dict[str, subprocess.Popen[str]] = {}
        running.callback(_stop_all, envs, starting, stopping_services)
        results: dict[str, Backfilled | BaseException] = {}

        def backfill(db: str, conn: dict[str, str]) -> None:
            try:
                tmp = tmp_path_factory.mktemp(f"services-{db}")
                root = tmp / "backfill-data"
                envs[db] = e2e_env(
                    tmp / "airflow",
                    feeds_file,
                    NEWS_DATA_ROOT=str(root),
                    # The DAG files do not change here: parsed at start, not every 30 s.
                    AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="3600",
                    **conn,
                )
                if db == "sqlite":  # the SQLite DB every e2e home starts from
                    home_from(migrated_db, tmp / "airflow")
                else:
                    prepare_airflow_home(envs[db])
                port = free_port()
                starting[db] = start_services(envs[db], port)
                out, _ = starting[db].communicate(timeout=300)
                assert starting[db].returncode == 0, out
                home = Path(envs[db]["AIRFLOW_HOME"])
                results[db] = _backfill(db, f"http://127.0.0.1:{port}", root, home, tmp)
            except BaseException as exc:  # reported by that database's test
                results[db] = exc

        threads = [threading.Thread(target=backfill, args=("sqlite", {}))]
        threads[0].start()
        try:  # while the SQLite services start
            pg_url = cluster.enter_context(temporary_postgres())
        except Exception as exc:
            results["postgresql"] = exc
        else:
            conn = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg_url}
            threads.append(threading.Thread(target=backfill, args=("postgresql", conn)))
            threads[-1].start()
        for thread in threads:
            thread.join()
        yield results


def _stop_all(
    envs: dict[str, dict[str, str]],
    starting: dict[str, subprocess.Popen[str]],
    stopping: list[subprocess.Popen[bytes]],
) -> None:
    """Stop every set of services (at once), any start still going on first. The stops
    (the api-server takes some 6 s to exit) end while later tests run."""
    for process in starting.values():
        process.wait(timeout=300)
    stopping += [stop_services(env) for env in envs.values()]


def _backfilled(backfills: dict[str, Backfilled | BaseException], db: str) -> Backfilled:
    result = backfills[db]
    if isinstance(result, BaseException):
        raise result
    return result


def _overlapping(runs: list[dict[str, Any]]) -> bool:
    """Whether any two runs were running at the same moment."""
    spans = sorted(
        (datetime.fromisoformat(r["start_date"]), datetime.fromisoformat(r["end_date"]))
        for r in runs
    )
    latest_end = spans[0][1]
    for start, end in spans[1:]:
        if start < latest_end:
            return True
        latest_end = max(latest_end, end)
    return False


def _check_shared_state(root: Path, alone: dict[date, DayRun]) -> None:
    """What the concurrent days share is whole: no temp files, one seed cache, manifests."""
    leftovers = [p for p in root.rglob(".*") if p.is_file()]
    assert leftovers == [], leftovers
    [cache] = (root / "cache").glob("seeds-*.parquet")
    reference = next(iter(alone.values())).root / "cache" / cache.name
    assert (
        duckdb.sql(f"select * from '{cache}' order by key").fetchall()
        == duckdb.sql(f"select * from '{reference}' order by key").fetchall()
    )
    for day in DEMO_DAYS:
        manifests = [
            RunManifest.from_json(p.read_text()) for p in (root / "runs").glob(f"date={day}/*.json")
        ]
        assert manifests, day
        assert all(m.day == day and m.gate is not None and not m.gate.failures for m in manifests)


def _backfill_days(runs: list[dict[str, Any]]) -> list[str]:
    return sorted(r["data_interval_start"][:10] for r in runs)


# Its setup runs both databases' services and backfills (and the days run alone).
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("db", DBS)
def test_backfill_from_the_ui_equals_each_day_run_alone(
    db: str, backfills: dict[str, Backfilled | BaseException], days_run_alone: dict[date, DayRun]
) -> None:
    backfilled = _backfilled(backfills, db)
    runs = backfilled.first_runs
    assert _backfill_days(runs) == [d.isoformat() for d in DEMO_DAYS]
    assert {r["state"] for r in runs} == {"success"}
    # Parallel safety is only shown if days really ran at the same time.
    assert _overlapping(runs), runs
    after_first = backfilled.after_first
    snapshot = {
        (d, ds): day_rows(after_first, ds, d) for d in DEMO_DAYS for ds in ("articles", "events")
    }
    for day in DEMO_DAYS:
        for dataset in ("articles", "events"):
            alone = day_rows(days_run_alone[day].root, dataset, day)
            assert snapshot[(day, dataset)] == alone, (day, dataset)
            assert snapshot[(day, dataset)] or dataset == "events"
    _check_shared_state(after_first, days_run_alone)

    # The second backfill ran the same three runs again, and changed no row.
    root = backfilled.services.root
    assert _backfill_days(backfilled.second_runs) == [d.isoformat() for d in DEMO_DAYS]
    assert {r["state"] for r in backfilled.second_runs} == {"success"}
    for (day, dataset), rows in snapshot.items():
        assert day_rows(root, dataset, day) == rows, (day, dataset)
    _check_shared_state(root, days_run_alone)


def _stage_lines(m: RunManifest) -> dict[str, list[tuple[str, str]]]:
    """Per task, each stage's (start, end) lines in its task log, as patterns: the numbers
    are this run's manifest's, the seconds any."""
    day, s, secs = m.day, m.stages, r"[0-9.]+ s"
    feeds, failed = len(s.poll), [p for p in s.poll if p.error is not None]
    items = sum(p.health.items for p in s.poll)
    ex = s.extract
    of_day = ex.extracted - ex.other_days - ex.same_url
    dd = s.dedupe
    return {
        "poll_feeds": [
            (
                f"polling {feeds} feeds for {day}",
                f"polled {feeds} feeds in {secs}: {items} items listed, {len(failed)} feeds failed",
            )
        ],
        "select_items_of_day": [
            (
                "",  # one line: the stage is a single query
                f"selected {s.select.selected} articles of {day} from {s.select.listed} items "
                f"listed and {s.select.harvested} harvested",
            )
        ],
        "fetch_and_extract_pages": [
            (
                f"fetching {s.fetch.fetched + s.fetch.failed} pages of {day}",
                f"fetched {s.fetch.fetched} pages in {secs} \\({s.fetch.replayed} from the "
                f"archive\\), {s.fetch.failed} failed",
            ),
            (
                f"extracting pages of {day}",
                f"extracted {ex.extracted} pages in {secs}, {of_day} of them articles of {day}; "
                f"{ex.failed} failed",
            ),
        ],
        "dedupe_articles": [
            (
                "",
                f"deduplicated {dd.articles} articles of {day} in {secs}: {dd.originals} "
                f"originals, {dd.duplicates} copies \\({dd.duplicates_of_seeds} of seeds\\), "
                f"against {dd.history_references} earlier articles",
            )
        ],
        "extract_events": [
            (
                f"extracting events of {day} with the 'rules' extractor",
                f"{s.events.events} events of {day} in {secs}, {s.events.with_fatalities} with "
                "a death toll",
            )
        ],
    }


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("db", DBS)
def test_task_logs_show_each_stage_through_the_logs_api(
    db: str, backfills: dict[str, Backfilled | BaseException]
) -> None:
    """What an operator watching a night in the UI sees: each stage's lines in its task's
    log (the latest try: the second backfill ran every task again)."""
    backfilled = _backfilled(backfills, db)
    services, root = backfilled.services, Path(backfilled.services.root)
    for run in backfilled.second_runs:
        day = date.fromisoformat(run["data_interval_start"][:10])
        manifest = max(
            (RunManifest.from_json(p.read_text()) for p in root.glob(f"runs/date={day}/*.json")),
            key=lambda m: m.written_at,
        )
        assert manifest.run_id == run["dag_run_id"]
        # The pipeline's own lines (its loggers are news_ingest.*) of each task, all its
        # mapped instances' in turn, as (level, message).
        lines: dict[str, list[tuple[str, str]]] = {}
        for ti in services.task_instances(run["dag_run_id"]):
            assert ti["state"] == "success", ti
            lines.setdefault(ti["task_id"], []).extend(
                (e.get("level", ""), e["event"])
                for e in services.task_log(ti)
                if str(e.get("logger", "")).startswith("news_ingest.")
            )
        for task, stages in _stage_lines(manifest).items():
            messages = [message for _, message in lines[task]]
            for start, end in stages:
                ends = [i for i, m in enumerate(messages) if re.fullmatch(end, m)]
                assert len(ends) == 1, (run["dag_run_id"], task, end, messages)
                if start:
                    starts = [i for i, m in enumerate(messages) if re.fullmatch(start, m)]
                    assert len(starts) == 1 and starts[0] < ends[0], (task, start, messages)
        # One warning per failed feed, naming it and why (the demo's broken feed).
        failed = [p for p in manifest.stages.poll if p.error is not None]
        assert [p.feed_id for p in failed] == ["demo-gone"]
        warnings = [m for level, m in lines["poll_feeds"] if level == "warning"]
        assert warnings == [f"feed {p.feed_id} failed: {p.error}" for p in failed]


# On the SQLite services and their manifests; its timeout covers them when run alone.
@pytest.mark.timeout(1800)
def test_news_ingestion_page_in_the_airflow_ui(
    backfills: dict[str, Backfilled | BaseException], outage_manifest: Path
) -> None:
    backfilled = _backfilled(backfills, "sqlite")
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not on PATH: `make browser` installs Debian's package"
    from playwright.sync_api import sync_playwright

    base, data = backfilled.services.base, backfilled.services.root
    # The outage night's manifest joins the backfill's, in its day's folder.
    outage_folder = data / "runs" / f"date={OUTAGE_DAY}"
    outage_folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(outage_manifest, outage_folder / outage_manifest.name)
    # Each day's latest manifest is the one the page shows (each demo day has two, one
    # per backfill).
    by_day: dict[date, list[RunManifest]] = {}
    for path in data.glob("runs/*/manifest-*.json"):
        manifest = RunManifest.from_json(path.read_text())
        by_day.setdefault(manifest.day, []).append(manifest)
    assert sorted(by_day) == [OUTAGE_DAY, *DEMO_DAYS]
    manifests = {day: max(ms, key=lambda m: (m.written_at, m.run_id)) for day, ms in by_day.items()}

    # Airflow's auth guards the page: a bad token is refused, the JSON has the numbers.
    assert _get(f"{base}/news-ingest/", token="not-a-token")[0] == 403
    status, body = _get(f"{base}/news-ingest/data.json")
    assert status == 200
    days = {d["day"]: d for d in json.loads(body)["days"]}
    for day, m in manifests.items():
        assert days[day.isoformat()]["fetched"] == m.stages.fetch.fetched
        assert days[day.isoformat()]["events"] == m.stages.events.events

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/news-ingest/")
            assert page.locator("h1").inner_text() == "News ingestion"
            charts = page.locator("svg.chart")
            assert charts.count() == 4
            for key, pick in (
                ("fetched", lambda s: s.fetch.fetched),
                ("extracted", lambda s: s.extract.extracted),
                ("duplicates", lambda s: s.dedupe.duplicates),
                ("events", lambda s: s.events.events),
            ):
                marks = page.locator(f'svg[data-chart="{key}"] [data-day]')
                shown = {
                    marks.nth(i).get_attribute("data-day"): marks.nth(i).get_attribute("data-value")
                    for i in range(marks.count())
                }
                assert shown == {
                    d.isoformat(): str(pick(m.stages)) for d, m in manifests.items()
                }, key
                row = page.locator(f'#runs-by-day tr[data-day="{DEMO_DAYS[1]}"]')
                cell = row.locator(f'td[data-key="{key}"]')
                assert cell.inner_text() == str(pick(manifests[DEMO_DAYS[1]].stages))
            assert page.locator("svg.chart .failmark").count() == 4  # the outage day
            outage_row = page.locator(f'#runs-by-day tr[data-day="{OUTAGE_DAY}"]')
            assert "failed" in outage_row.inner_text()
            gone = page.locator('#feed-health tr.failing[data-feed="demo-gone"]')
            assert gone.count() == 1
            streak = gone.locator('td[data-key="error_streak_days"]')
            assert streak.get_attribute("data-value") == "4"
            assert "4 days" in streak.inner_text() and "HTTP 404" in gone.inner_text()
            assert page.locator("#feed-health tr.failing").count() == 1
            page.screenshot(path=ARTIFACTS / "news-ingestion-page-only.png", full_page=True)

            # The Airflow UI: the navigation entry leads to the page, in an iframe.
            ui = browser.new_page(viewport={"width": 1400, "height": 1640})
            ui.goto(f"{base}/")
            nav = ui.get_by_role("link", name="News ingestion")
            nav.wait_for(timeout=60_000)
            nav.click()
            ui.wait_for_url("**/plugin/news-ingestion**")
            frame = ui.frame_locator('iframe[title="News ingestion"]')
            frame.locator("#feed-health").wait_for()
            assert frame.locator("svg.chart").count() == 4
            assert frame.locator('tr.failing[data-feed="demo-gone"]').count() == 1
            ui.screenshot(path=ARTIFACTS / "news-ingestion-page.png")
        finally:
            browser.close()
