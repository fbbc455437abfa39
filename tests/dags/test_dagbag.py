"""DAG integrity: the DAG folder imports cleanly, cheaply, and wires the stages as designed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
DAGS = PROJECT / "dags"
ALLOWED_TOP_LEVEL = {"airflow", "pendulum", "__future__"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dag_folder_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"news_nightly", "news_harvest"}


def test_dag_ids_match_file_names(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


def test_nightly_is_a_daily_utc_data_interval_schedule(dagbag) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags["news_nightly"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "0 0 * * *"
    assert str(dag.timetable.timezone) in {"UTC", "Timezone('UTC')"}
    assert dag.catchup is False and dag.max_active_runs >= 2


def test_stages_are_wired_in_order(dagbag) -> None:
    dag = dagbag.dags["news_nightly"]
    order = [
        "load_feed_batches",
        "poll_feeds",
        "select_items_of_day",
        "fetch_and_extract_pages",
        "dedupe_articles",
        "extract_events",
        "finish_run",
        "prune_expired",
    ]
    assert {*order, "plan_shards"} == set(dag.task_ids)
    # Pruning runs last, and only once the night has published (the default trigger rule).
    assert dag.get_task("prune_expired").downstream_task_ids == set()
    assert dag.get_task("prune_expired").trigger_rule == "all_success"
    for upstream, downstream in pairwise(order):
        assert downstream in dag.get_task(upstream).downstream_task_ids
    # One fetch-and-extract task per shard, as many as plan_shards returns.
    shards = dag.get_task("fetch_and_extract_pages")
    assert shards.is_mapped and "plan_shards" in shards.upstream_task_ids
    assert {o.uri for o in dag.get_task("finish_run").outlets} == {
        "news_ingest://articles",
        "news_ingest://events",
    }


def test_harvest_runs_every_30_minutes_alone_without_catchup(dagbag) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags["news_harvest"]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "*/30 * * * *"
    assert dag.catchup is False and dag.max_active_runs == 1
    assert set(dag.task_ids) == {"load_feed_list", "harvest_feed", "summarize_harvest"}
    assert "harvest_feed" in dag.get_task("load_feed_list").downstream_task_ids
    assert "summarize_harvest" in dag.get_task("harvest_feed").downstream_task_ids


def test_harvest_schedule_comes_from_the_environment() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(DAGS)!r}); import news_harvest; "
        "print(news_harvest.HARVEST_CRON)"
    )
    env = {**os.environ, "NEWS_HARVEST_CRON": "*/10 * * * *"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "*/10 * * * *"


def test_tasks_that_fetch_share_the_fetch_pool(dagbag) -> None:
    pools = {(dag_id, t.task_id): t.pool for dag_id, dag in dagbag.dags.items() for t in dag.tasks}
    fetching = {
        ("news_nightly", "poll_feeds"),
        ("news_nightly", "fetch_and_extract_pages"),
        ("news_harvest", "harvest_feed"),
    }
    assert {k for k, pool in pools.items() if pool == "news_fetch"} == fetching


def test_every_task_has_a_time_limit(dagbag) -> None:
    limits = {
        (dag_id, t.task_id): t.execution_timeout
        for dag_id, dag in dagbag.dags.items()
        for t in dag.tasks
    }
    assert all(limits.values()), [k for k, v in limits.items() if not v]
    assert (
        limits[("news_nightly", "fetch_and_extract_pages")] > limits[("news_nightly", "poll_feeds")]
    )
    assert all(v.total_seconds() <= 12 * 3600 for v in limits.values())


def test_dag_files_import_only_airflow_sdk_pendulum_and_stdlib_at_top_level() -> None:
    for path in DAGS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                for name in names:
                    top = (name or "").split(".")[0]
                    assert top in ALLOWED_TOP_LEVEL or top in sys.stdlib_module_names, (path, name)
                    if top == "airflow":
                        assert name == "airflow.sdk", (path, name)


def test_parsing_the_dag_loads_no_heavy_library() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(DAGS)!r}); import news_nightly, news_harvest; "
        "heavy = [m for m in ('news_ingest', 'trafilatura', 'pyarrow', 'duckdb', 'feedparser') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_task_alerts_on_its_final_failure(dagbag, monkeypatch) -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from tests.support import webhook_receiver

    callbacks = {
        (dag_id, t.task_id): t.on_failure_callback
        for dag_id, dag in dagbag.dags.items()
        for t in dag.tasks
    }
    assert all(callbacks.values()), callbacks
    with webhook_receiver() as (url, received):
        monkeypatch.setenv("NEWS_ALERT_WEBHOOK", url)
        for dag_id, task_id in (("news_nightly", "finish_run"), ("news_harvest", "harvest_feed")):
            callback = callbacks[(dag_id, task_id)]
            for fn in callback if isinstance(callback, list) else [callback]:
                fn(
                    {
                        "ti": SimpleNamespace(dag_id=dag_id, run_id="r", task_id=task_id),
                        "data_interval_start": datetime(2026, 11, 19, tzinfo=UTC),
                        "exception": OSError("disk full"),
                    }
                )
    assert [r["error"] for r in received] == ["OSError: disk full"] * 2


def test_a_bad_setting_fails_the_first_task_without_retries(dagbag, monkeypatch) -> None:
    import pytest
    from airflow.sdk.exceptions import AirflowFailException

    monkeypatch.setenv("NEWS_FETCH_CONCURRENCY", "eight")
    task = dagbag.dags["news_nightly"].get_task("load_feed_batches")
    # AirflowFailException: failed at once, not retried; before any fetch.
    with pytest.raises(AirflowFailException, match=r"NEWS_FETCH_CONCURRENCY='eight'"):
        task.python_callable()
