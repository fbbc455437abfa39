"""A backfill created the way the UI's dialog does, run by the real Airflow services.

Starts api-server, scheduler, dag-processor and triggerer on 127.0.0.1, once over SQLite
and once over PostgreSQL 15, creates a 3-day backfill through `POST /api/v2/backfills`
with 2 runs at once, and checks every day equals the same day run alone with `airflow
dags test` (what `make run` does), that the concurrent days left the shared state (seed
cache, history partitions, manifests) whole, and that a second backfill reprocessing
completed runs leaves the data identical.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pg_server import temporary_postgres

from demo.server import SiteServer
from demo.site import DEMO_DAYS, feed_list_yaml
from tests.support import AIRFLOW, airflow_env, prepare_airflow_home

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(10):
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            # SQLite allows one writer: while the scheduler writes, the API rolls back and
            # answers 503 (or 500 when the lock hits its audit-log insert), so the request is
            # safe to send again, as a user would. PostgreSQL never needs this.
            if exc.code not in (500, 503) or attempt == 9:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def _rows(root: Path, dataset: str, day: date) -> list[tuple]:
    exclude = " exclude (fetched_at)" if dataset == "articles" else ""
    key = "article_id" if dataset == "articles" else "event_id"
    return duckdb.sql(
        f"select *{exclude} from read_parquet('{root}/{dataset}/date={day}/*.parquet') "
        f"order by {key}"
    ).fetchall()


def _wait_backfill(base: str, token: str, backfill_id: int, timeout_s: float = 900) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _request(base, "GET", f"/api/v2/backfills/{backfill_id}", token).get("completed_at"):
            return
        time.sleep(3)
    raise AssertionError(f"backfill {backfill_id} did not complete in {timeout_s:.0f}s")


def _airflow_env(home: Path, feeds: Path, **extra: str) -> dict[str, str]:
    # The demo site is a single host, so the politeness spacing (tested on its own in
    # tests/unit/test_politeness.py) would only serialize every request of these runs.
    # Unpausing (as the dialog does) would also start today's scheduled run, which only
    # competes with the backfill for the CPU; backfill runs are created by the API call.
    return airflow_env(
        home,
        NEWS_FEEDS=str(feeds),
        NEWS_PER_HOST_DELAY="0",
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",
        **extra,
    )


@pytest.fixture(scope="module")
def feeds_file(tmp_path_factory: pytest.TempPathFactory, demo_site: SiteServer) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "feeds.yaml"
    path.write_text(feed_list_yaml(demo_site.base_url))
    return path


@pytest.fixture(scope="module")
def days_run_alone(tmp_path_factory: pytest.TempPathFactory, feeds_file: Path) -> dict[date, Path]:
    """Each demo day run alone, as `make run DATE=D` does it, each into its own data root."""
    tmp = tmp_path_factory.mktemp("alone")
    # Their own metadata DBs: their manual runs would otherwise occupy the backfill's dates.
    # One migration, copied, so the three days can run side by side.
    migrated = tmp / "airflow-migrated"
    env = _airflow_env(migrated, feeds_file)
    prepare_airflow_home(env)
    roots: dict[date, Path] = {}
    running: dict[date, subprocess.Popen[bytes]] = {}
    for day in DEMO_DAYS:
        home, roots[day] = tmp / f"airflow-{day}", tmp / f"data-{day}"
        home.mkdir()
        shutil.copy(migrated / "airflow.db", home / "airflow.db")
        with (home / "run.log").open("wb") as log:
            running[day] = subprocess.Popen(
                [AIRFLOW, "dags", "test", "news_nightly", (day + timedelta(days=1)).isoformat()],
                env={**_airflow_env(home, feeds_file), "NEWS_DATA_ROOT": str(roots[day])},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    for day, process in running.items():
        code = process.wait(timeout=900)
        assert code == 0, (day, (tmp / f"airflow-{day}" / "run.log").read_text()[-3000:])
    return roots


@pytest.fixture(params=["sqlite", "postgresql"])
def metadata_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Airflow's metadata DB settings: a SQLite file, or a fresh PostgreSQL 15 cluster."""
    if request.param == "sqlite":
        yield {}
        return
    with temporary_postgres() as url:
        yield {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": url}


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


def _check_shared_state(root: Path, alone: dict[date, Path]) -> None:
    """What the concurrent days share is whole: no temp files, one seed cache, manifests."""
    leftovers = [p for p in root.rglob(".*") if p.is_file()]
    assert leftovers == [], leftovers
    [cache] = (root / "cache").glob("seeds-*.parquet")
    reference = next(iter(alone.values())) / "cache" / cache.name
    assert (
        duckdb.sql(f"select * from '{cache}' order by key").fetchall()
        == duckdb.sql(f"select * from '{reference}' order by key").fetchall()
    )
    for day in DEMO_DAYS:
        manifests = [json.loads(p.read_text()) for p in (root / "runs").glob(f"date={day}/*.json")]
        assert manifests, day
        assert all(
            m["day"] == day.isoformat() and not m["stages"]["gate"]["failures"] for m in manifests
        )


# Two backfills per metadata DB, after three reference runs shared by both DBs.
@pytest.mark.timeout(1800)
def test_backfill_from_the_ui_equals_each_day_run_alone(
    tmp_path: Path,
    metadata_db: dict[str, str],
    feeds_file: Path,
    days_run_alone: dict[date, Path],
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    backfilled = tmp_path / "backfill-data"
    env = _airflow_env(
        tmp_path / "airflow", feeds_file, NEWS_DATA_ROOT=str(backfilled), **metadata_db
    )
    prepare_airflow_home(env)
    script = str(PROJECT / "scripts" / "airflow-services.sh")
    started = subprocess.run(
        [script, "start", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        deadline = time.monotonic() + 120
        token = _request(base, "GET", "/auth/token")["access_token"]
        while True:  # the dag-processor parses the folder after it starts
            try:
                _request(base, "GET", "/api/v2/dags/news_nightly", token)
                break
            except Exception:
                assert time.monotonic() < deadline, "news_nightly never appeared"
                time.sleep(2)
        # The dialog's "unpause" box, then its request.
        _request(base, "PATCH", "/api/v2/dags/news_nightly", token, {"is_paused": False})
        request = {
            "dag_id": "news_nightly",
            "from_date": f"{DEMO_DAYS[0]}T00:00:00Z",
            "to_date": f"{DEMO_DAYS[-1]}T00:00:00Z",
            "max_active_runs": 2,
            "run_backwards": False,
            "dag_run_conf": {},
            "reprocess_behavior": "none",
        }
        first = _request(base, "POST", "/api/v2/backfills", token, request)
        _wait_backfill(base, token, first["id"])
        runs = _request(base, "GET", "/api/v2/dags/news_nightly/dagRuns?limit=50", token)
        backfill_runs = [r for r in runs["dag_runs"] if r.get("run_type") == "backfill"]
        assert sorted(r["data_interval_start"][:10] for r in backfill_runs) == [
            d.isoformat() for d in DEMO_DAYS
        ]
        assert {r["state"] for r in backfill_runs} == {"success"}
        # Parallel safety is only shown if days really ran at the same time.
        assert _overlapping(backfill_runs), backfill_runs
        snapshot = {
            (d, ds): _rows(backfilled, ds, d) for d in DEMO_DAYS for ds in ("articles", "events")
        }
        for day in DEMO_DAYS:
            for dataset in ("articles", "events"):
                assert snapshot[(day, dataset)] == _rows(days_run_alone[day], dataset, day), (
                    day,
                    dataset,
                )
                assert snapshot[(day, dataset)] or dataset == "events"
        _check_shared_state(backfilled, days_run_alone)

        second = _request(
            base,
            "POST",
            "/api/v2/backfills",
            token,
            {**request, "reprocess_behavior": "completed"},
        )
        _wait_backfill(base, token, second["id"])
        for (day, dataset), rows in snapshot.items():
            assert _rows(backfilled, dataset, day) == rows, (day, dataset)
        _check_shared_state(backfilled, days_run_alone)
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=120, check=False)
