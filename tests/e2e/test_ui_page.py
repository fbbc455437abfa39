"""The "News ingestion" page, served by the real api-server and looked at in headless Chromium.

Makes real manifests (the three demo days run through the stages, after a night when no
feed answered and the quality gate failed), starts only the api-server with the plugin
folder, and checks with Playwright (Debian's chromium, no browser download) that the page
shows the charts, the per-day numbers of the manifests and the broken demo feed, and that
the UI's navigation leads to it. Screenshots go to .artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAYS
from tests.support import AIRFLOW, airflow_env, closed_port_url, nightly_run, settings_for

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / ".artifacts"
OUTAGE_DAY = date(2026, 11, 17)  # the night before the demo days: no feed answered
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            if _get(f"{base}/api/v2/monitor/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError("api-server did not answer:\n" + log.read_text()[-3000:])


def _stop(server: subprocess.Popen[bytes]) -> None:
    """End the api-server and the workers it forked (its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.mark.timeout(300)
def test_news_ingestion_page_in_the_airflow_ui(demo_site: SiteServer, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not on PATH: `make browser` installs Debian's package"
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = airflow_env(tmp_path / "airflow", NEWS_DATA_ROOT=str(data))
    log = tmp_path / "api-server.log"
    started = time.monotonic()
    # Migrate and start the api-server in the background while the manifests are made.
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                "sh",
                "-c",
                '"$0" db migrate && exec "$0" api-server --host 127.0.0.1 --port "$1" --workers 1',
                AIRFLOW,
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        settings = settings_for(data)
        outage = nightly_run(closed_port_url(), settings, OUTAGE_DAY, "scheduled__2026-11-18")
        assert outage["gate"]["failures"] == ["no feed listed any item"]
        stages: dict[date, dict[str, Any]] = {OUTAGE_DAY: outage}
        for day in DEMO_DAYS:
            run = nightly_run(demo_site.base_url, settings, day, f"scheduled__{day}")
            stages[day] = run
        manifests = {
            date.fromisoformat(m["day"]): m
            for m in (json.loads(p.read_text()) for p in data.glob("runs/*/manifest-*.json"))
        }
        assert sorted(manifests) == sorted(stages)
        _wait_healthy(base, server, log)
        ready = time.monotonic() - started

        # Airflow's auth guards the page: a bad token is refused, the JSON has the numbers.
        assert _get(f"{base}/news-ingest/", token="not-a-token")[0] == 403
        status, body = _get(f"{base}/news-ingest/data.json")
        assert status == 200
        days = {d["day"]: d for d in json.loads(body)["days"]}
        for day, m in manifests.items():
            assert days[day.isoformat()]["fetched"] == m["stages"]["fetch"]["fetched"]
            assert days[day.isoformat()]["events"] == m["stages"]["events"]["events"]

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
                    ("fetched", lambda s: s["fetch"]["fetched"]),
                    ("extracted", lambda s: s["extract"]["extracted"]),
                    ("duplicates", lambda s: s["dedupe"]["duplicates"]),
                    ("events", lambda s: s["events"]["events"]),
                ):
                    marks = page.locator(f'svg[data-chart="{key}"] [data-day]')
                    shown = {
                        marks.nth(i).get_attribute("data-day"): marks.nth(i).get_attribute(
                            "data-value"
                        )
                        for i in range(marks.count())
                    }
                    assert shown == {
                        d.isoformat(): str(pick(m["stages"])) for d, m in manifests.items()
                    }, key
                    row = page.locator(f'#runs-by-day tr[data-day="{DEMO_DAYS[1]}"]')
                    cell = row.locator(f'td[data-key="{key}"]')
                    assert cell.inner_text() == str(pick(manifests[DEMO_DAYS[1]]["stages"]))
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
        print(f"api-server ready after {ready:.0f}s, done after {time.monotonic() - started:.0f}s")
    finally:
        _stop(server)
