"""news_harvest: poll every feed conditionally and archive new items' pages soon after they appear.

Runs every 30 minutes by default (`NEWS_HARVEST_CRON`), one run at a time, no catchup. Items
it finds are kept under `discovered/`, their pages in the raw archive, so the nightly run of
their day processes them even after they rotate out of the feed. Its fetching tasks share
the `news_fetch` pool with the nightly run's, so harvests, nightly runs and backfills
together stay polite.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

import pendulum
from airflow.sdk import CronDataIntervalTimetable, dag, get_current_context, task

FETCH_POOL = "news_fetch"
# Read here, not through news_ingest.settings: the schedule is needed when the DAG file is
# parsed, which must not import the library.
HARVEST_CRON = os.environ.get("NEWS_HARVEST_CRON", "").strip() or "*/30 * * * *"


def _capture_day() -> date:
    """The UTC day this harvest's captures belong to: the end of its data interval (now)."""
    end = get_current_context()["data_interval_end"]
    return pendulum.instance(end).in_timezone("UTC").date()


def alert_on_failure(context: Any) -> None:
    """Post a task's final failure to the news_alert_webhook Connection or NEWS_ALERT_WEBHOOK."""
    from news_connections import alert_on_failure

    alert_on_failure(context)


@dag(
    dag_id="news_harvest",
    schedule=CronDataIntervalTimetable(HARVEST_CRON, timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=pendulum.duration(minutes=25),
    default_args={
        "retries": 1,
        "retry_delay": pendulum.duration(minutes=1),
        # A host that never finishes a response must not hold a pool slot past the run.
        "execution_timeout": pendulum.duration(minutes=20),
        # Called once a task has failed its last retry, as in news_nightly.
        "on_failure_callback": alert_on_failure,
    },
    tags=["news"],
    doc_md=__doc__,
)
def news_harvest() -> None:
    @task
    def load_feed_list() -> list[dict[str, Any]]:
        from news_connections import checked_settings

        from news_ingest.config import load_feed_list

        return [feed.model_dump() for feed in load_feed_list(checked_settings().feeds_path)]

    @task(pool=FETCH_POOL, max_active_tis_per_dagrun=4)
    def harvest_feed(feed: dict[str, Any]) -> str:
        from news_connections import checked_settings

        from news_ingest.archive import archiving_fetcher
        from news_ingest.config import Feed
        from news_ingest.stages.harvest import harvest_feed

        settings = checked_settings()
        with archiving_fetcher(settings, _capture_day(), "harvest") as fetcher:
            return harvest_feed(Feed(**feed), _capture_day(), settings, fetcher).to_json()

    @task
    def summarize_harvest(results: list[str]) -> str:
        # Also kept under harvests/ for the operator page's harvest health.
        from news_connections import checked_settings

        from news_ingest.stages.harvest import HarvestResult, summarize_harvest
        from news_ingest.stages.harvest import write_harvest_record as record

        harvested = [HarvestResult.from_json(r) for r in results]
        summary = summarize_harvest(harvested)
        print(summary.text)
        run_id = str(get_current_context()["run_id"])
        record(checked_settings().data_root, _capture_day(), run_id, harvested)
        return summary.to_json()

    summarize_harvest(harvest_feed.expand(feed=load_feed_list()))


news_harvest()
