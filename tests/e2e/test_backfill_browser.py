"""A backfill as users make it: in the Airflow UI, with a browser.

Starts api-server, scheduler, dag-processor and triggerer on 127.0.0.1 over SQLite (as
`make airflow` does) with a UI that asks to sign in, and drives Debian's Chromium through
Playwright (headless): signs in, opens news_nightly from the Dags list, fills the Trigger
button's Backfill form with the three demo days and "Missing Runs", and submits it. Once
the three runs have succeeded, every day's articles and events equal the same day run
alone with `airflow dags test` (what `make run` does), and the stage lines of a run's task
log show in the UI's log view.

The filled dialog is saved as a PNG in the test's temp folder, and copied to
NEWS_SCREENSHOT_DIR when set (`make screenshots` puts it in docs/img for the README).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from airflow_api import (
    Services,
    backfill_request,
    connect,
    signed_in_env,
    start_services,
    stop_services,
)

from demo.site import DEMO_DAYS
from news_ingest.stages.manifest import RunManifest
from tests.support import DayRun, day_rows, e2e_env, free_port, home_from

USER = "operator"
SCREENSHOT = "backfill-dialog.png"
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def ui_services(
    tmp_path_factory: pytest.TempPathFactory,
    feeds_file: Path,
    migrated_db: Path,
    stopping_services: list[subprocess.Popen[bytes]],
) -> Iterator[tuple[Services, str]]:
    """Airflow's services over a SQLite copy of the migrated DB, news_nightly left paused
    (the dialog unpauses it), whose UI signs in one admin; with that admin's password."""
    tmp = tmp_path_factory.mktemp("browser-backfill")
    home = home_from(migrated_db, tmp / "airflow")
    root = tmp / "backfill-data"
    password = secrets.token_urlsafe(12)
    env = e2e_env(
        home,
        feeds_file,
        NEWS_DATA_ROOT=str(root),
        # The DAG files do not change here: parsed at start, not every 30 s.
        AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="3600",
        **signed_in_env(home, USER, password),
    )
    starting = start_services(env, port := free_port())
    try:
        out, _ = starting.communicate(timeout=300)
        assert starting.returncode == 0, out
        base = f"http://127.0.0.1:{port}"
        yield connect("sqlite", base, root, home, (USER, password), unpause=False), password
    finally:
        starting.wait(timeout=300)
        # The api-server takes some seconds to exit: awaited at the end of the session.
        stopping_services.append(stop_services(env))


def _created_backfill(services: Services, timeout_s: float = 120) -> dict[str, Any]:
    """The backfill the dialog created (nothing else creates one on these services)."""
    deadline = time.monotonic() + timeout_s
    while True:
        listed = services.request("GET", "/api/v2/backfills?dag_id=news_nightly")["backfills"]
        if listed:
            [created] = listed
            return dict(created)
        assert time.monotonic() < deadline, "the dialog created no backfill"
        time.sleep(1)


def _manifest(root: Path, day: date, run_id: str) -> RunManifest:
    [manifest] = [
        m
        for m in (RunManifest.from_json(p.read_text()) for p in root.glob(f"runs/date={day}/*"))
        if m.run_id == run_id
    ]
    return manifest


# Starting the services, three runs two at a time, and the days run alone (shared with
# test_backfill_services, so already there when the whole suite runs).
@pytest.mark.timeout(1500)
def test_backfill_from_the_ui_dialog_equals_each_day_run_alone(
    ui_services: tuple[Services, str],
    days_run_alone: dict[date, DayRun],
    tmp_path: Path,
) -> None:
    services, password = ui_services
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not on PATH: `make browser` installs Debian's package"
    from playwright.sync_api import expect, sync_playwright

    first, last = DEMO_DAYS[0], DEMO_DAYS[-1]
    screenshot = tmp_path / SCREENSHOT
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True)
        try:
            # The dialog's dates are typed and read back as a user in UTC with English dates.
            context = browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale="en-US", timezone_id="UTC"
            )
            page = context.new_page()
            # Generous: on SQLite the UI's requests may be answered 503 while the scheduler
            # writes, and the UI sends them again.
            page.set_default_timeout(60_000)
            expect.set_options(timeout=60_000)

            # Airflow sends a visitor without a session to its sign-in page.
            page.goto(f"{services.base}/")
            page.get_by_label("Username").fill(USER)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("link", name="Dags", exact=True).click()
            page.get_by_role("link", name="news_nightly", exact=True).click()
            page.wait_for_url("**/dags/news_nightly")

            # The Trigger button's dialog (the Dags list had one per DAG), as Backfill.
            trigger = page.get_by_role("button", name="Trigger Dag")
            expect(trigger).to_have_count(1)
            trigger.click()
            dialog = page.get_by_role("dialog").filter(
                has=page.get_by_role("heading", name=re.compile("news_nightly"))
            )
            # Its radios are hidden inputs under their cards: a user clicks the card's text.
            dialog.get_by_text("Backfill", exact=True).click()
            expect(dialog.get_by_role("radio", name="Backfill")).to_be_checked()
            expect(dialog.get_by_role("heading")).to_have_text(re.compile("Run Backfill"))
            for label, day in (("From", first), ("To", last)):
                field = dialog.get_by_role("group").filter(has=page.get_by_text(label, exact=True))
                field.get_by_test_id("datetime-input").click()
                picker = page.get_by_role("dialog").filter(has=page.get_by_placeholder("HH:mm"))
                picker.get_by_placeholder("YYYY/MM/DD").fill(f"{day:%Y/%m/%d}")
                picker.get_by_placeholder("HH:mm").fill("00:00")
                page.keyboard.press("Escape")  # closes the date picker, not the dialog
                expect(picker).to_be_hidden()
                expect(field).to_contain_text(f"{day:%b} {day.day:02d}, {day.year} 00:00")
            dialog.get_by_text("Missing Runs", exact=True).click()
            expect(dialog.get_by_role("radio", name="Missing Runs", exact=True)).to_be_checked()
            dialog.get_by_role("spinbutton").fill("2")  # Max Active Runs
            # The dialog's dry run counts the runs the range gives.
            expect(dialog).to_contain_text(f"{len(DEMO_DAYS)} runs will be triggered")
            expect(dialog.get_by_role("button", name="Run Backfill")).to_be_enabled()
            dialog.screenshot(path=screenshot)
            dialog.get_by_role("button", name="Run Backfill").click()

            created = _created_backfill(services)
            assert created["reprocess_behavior"] == "none"  # "Missing Runs"
            assert created["max_active_runs"] == 2
            assert created["from_date"].startswith(f"{first}T00:00:00")
            assert created["to_date"].startswith(f"{last}T00:00:00")
            # On SQLite, a request the UI sent again after a 503 may have left the backfill
            # with runs missing; backfill_runs then creates it again, as a user would.
            again = backfill_request(max_active_runs=2)
            runs = services.backfill_runs(timeout_s=900, request=again)
            assert sorted(r["data_interval_start"][:10] for r in runs) == [
                d.isoformat() for d in DEMO_DAYS
            ]
            assert {r["state"] for r in runs} == {"success"}, runs
            dag = services.request("GET", "/api/v2/dags/news_nightly")
            assert dag["is_paused"] is False  # the dialog's "Unpause news_nightly" box

            # Each day equals the same day run alone.
            root = Path(services.root)
            for day in DEMO_DAYS:
                for dataset in ("articles", "events"):
                    alone = day_rows(days_run_alone[day].root, dataset, day)
                    assert day_rows(root, dataset, day) == alone, (day, dataset)
                    assert alone or dataset == "events", (day, dataset)

            # The events stage's lines in its task log, in the UI's log view.
            [run] = [r for r in runs if r["data_interval_start"].startswith(f"{DEMO_DAYS[1]}")]
            events = _manifest(root, DEMO_DAYS[1], run["dag_run_id"]).stages.events
            run_path = urllib.parse.quote(run["dag_run_id"], safe="")
            page.goto(f"{services.base}/dags/news_nightly/runs/{run_path}/tasks/extract_events")
            day = DEMO_DAYS[1]
            expect(page.get_by_text(f"extracting events of {day} with the")).to_be_visible()
            ended = f"{events.events} events of {day} in "
            expect(page.get_by_text(re.compile(re.escape(ended)))).to_be_visible()
        finally:
            browser.close()

    # The README's picture of the dialog.
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    if target := os.environ.get("NEWS_SCREENSHOT_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(target) / SCREENSHOT)
