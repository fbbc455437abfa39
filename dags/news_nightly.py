"""news_nightly: one UTC day of news feeds to deduplicated articles and events in Parquet."""

from __future__ import annotations

from datetime import date
from typing import Any

import pendulum
from airflow.sdk import Asset, CronDataIntervalTimetable, dag, get_current_context, task

ARTICLES = Asset("news_ingest://articles")
EVENTS = Asset("news_ingest://events")
# Tasks that fetch share this pool with news_harvest's (`make setup` creates it).
FETCH_POOL = "news_fetch"


def _day() -> date:
    """Day D of this run: the start of its data interval, in UTC."""
    start = get_current_context()["data_interval_start"]
    return pendulum.instance(start).in_timezone("UTC").date()


def alert_on_failure(context: Any) -> None:
    """Post a task's final failure to the news_alert_webhook Connection or NEWS_ALERT_WEBHOOK."""
    from news_connections import alert_on_failure

    alert_on_failure(context)


def _settings() -> Any:
    """The settings, checked: a bad NEWS_* value fails the task at once, without retries."""
    from news_connections import checked_settings

    return checked_settings()


def _run_id() -> str:
    """This run's id, which names its manifest."""
    return str(get_current_context()["run_id"])


@dag(
    dag_id="news_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=2,
    default_args={
        "retries": 2,
        # No task may run forever (a host that drips its headers, a hung worker): each is
        # stopped, retried and alerted on. Fetching a night has its own, longer bound.
        "execution_timeout": pendulum.duration(hours=2),
        "retry_delay": pendulum.duration(minutes=2),
        # Called once a task has failed its last retry.
        "on_failure_callback": alert_on_failure,
    },
    tags=["news"],
    doc_md=__doc__,
)
def news_nightly() -> None:
    # Stage results cross task edges as the JSON of their records; bodies stay in files.
    @task
    def load_feed_batches() -> list[list[dict[str, Any]]]:
        from news_ingest.config import load_feed_list
        from news_ingest.stages.poll import feed_batches

        feeds = load_feed_list(_settings().feeds_path)
        return [[feed.model_dump() for feed in batch] for batch in feed_batches(feeds)]

    @task(pool=FETCH_POOL, max_active_tis_per_dagrun=4)
    def poll_feeds(feeds: list[dict[str, Any]]) -> list[str]:
        from news_ingest.archive import archiving_fetcher
        from news_ingest.config import Feed
        from news_ingest.stages.poll import poll_feeds

        settings = _settings()
        with archiving_fetcher(settings, _day(), "poll") as fetcher:
            polls = poll_feeds([Feed(**f) for f in feeds], _day(), _run_id(), settings, fetcher)
        return [poll.to_json() for poll in polls]

    @task
    def select_items_of_day(polls: list[list[str]]) -> str:
        from news_ingest.stages.poll import PollResult
        from news_ingest.stages.select import select_items_of_day

        results = [PollResult.from_json(poll) for batch in polls for poll in batch]
        root = _settings().data_root
        return select_items_of_day(results, _day(), _run_id(), root).to_json()

    @task
    def plan_shards() -> list[str]:
        # Read once for the night, so every shard and dedupe agree on K.
        from news_ingest.stages.shard import shards_of_night

        return [shard.to_json() for shard in shards_of_night(_settings().fetch_shards)]

    @task(pool=FETCH_POOL, execution_timeout=pendulum.duration(hours=12))
    def fetch_and_extract_pages(selected: str, shard: str) -> str:
        # One task per shard of sites: a shard's pages are extracted on all cores while
        # the rest are still arriving; shards may run on different workers.
        from news_ingest.archive import archiving_fetcher
        from news_ingest.stages.fetch_extract import fetch_and_extract_pages
        from news_ingest.stages.select import SelectResult
        from news_ingest.stages.shard import Shard

        settings, uri = _settings(), SelectResult.from_json(selected).uri
        part = Shard.from_json(shard)
        with archiving_fetcher(settings, _day(), "fetch") as fetcher:
            result = fetch_and_extract_pages(uri, _day(), _run_id(), settings, fetcher, shard=part)
        return result.to_json()

    @task
    def dedupe_articles(fetched: list[str]) -> str:
        from news_ingest.stages.dedupe import dedupe_articles
        from news_ingest.stages.fetch_extract import FetchExtractResult, staged_articles

        uris = staged_articles([FetchExtractResult.from_json(shard) for shard in fetched])
        return dedupe_articles(uris, _day(), _run_id(), _settings()).to_json()

    @task
    def extract_events(deduped: str) -> str:
        from news_ingest.stages.dedupe import DedupeResult
        from news_ingest.stages.events import extract_events_of_day

        settings, uri = _settings(), DedupeResult.from_json(deduped).uri
        extractor = settings.event_extractor
        root = settings.data_root
        return extract_events_of_day(uri, _day(), _run_id(), root, extractor).to_json()

    @task(outlets=[ARTICLES, EVENTS])
    def finish_run(
        polls: list[list[str]], selected: str, fetched: list[str], deduped: str, events: str
    ) -> str:
        # Gate, publish (only past the gate, so the Assets update only then), manifest.
        import airflow

        from news_ingest.stages.manifest import manifest_uri, run_results_from_json
        from news_ingest.stages.run import finish

        results = run_results_from_json(polls, selected, list(fetched), deduped, events)
        versions = {"airflow": airflow.__version__}
        root = _settings().data_root
        manifest = finish(_day(), _run_id(), results, root, versions)
        if manifest.gate is not None and manifest.gate.failures:
            # The day's partitions are left as they were; the manifest says why.
            failures = "; ".join(manifest.gate.failures)
            uri = manifest_uri(root, _day(), _run_id())
            raise RuntimeError(f"quality gate failed: {failures} ({uri})")
        return manifest.to_json()

    @task
    def prune_expired(manifest: str) -> str:
        # After a published night only: a failed one keeps everything for its rerun. The
        # window counts back from this run's day, so a backfill prunes only older days.
        from news_ingest.retention import Retention, prune_expired

        settings = _settings()
        return prune_expired(settings.data_root, _day(), Retention.of(settings)).to_json()

    polls = poll_feeds.expand(feeds=load_feed_batches())
    selected = select_items_of_day(polls)
    fetched = fetch_and_extract_pages.partial(selected=selected).expand(shard=plan_shards())
    deduped = dedupe_articles(fetched)
    events = extract_events(deduped)
    prune_expired(finish_run(polls, selected, fetched, deduped, events))


news_nightly()
