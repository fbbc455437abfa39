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
    """Post a task's final failure to NEWS_ALERT_WEBHOOK, when it is set."""
    from news_ingest.alerts import send_failure_alert
    from news_ingest.settings import Settings

    send_failure_alert(dict(context), Settings.from_env().alert_webhook)


def _flat(polls: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per-feed poll results from the poll tasks' per-batch lists, in feed-list order."""
    return [poll for batch in polls for poll in batch]


def _stages(
    polls: list[list[dict[str, Any]]],
    selected: dict[str, Any],
    pages: dict[str, Any],
    extracted: dict[str, Any],
    articles: dict[str, Any],
    events: dict[str, Any],
) -> dict[str, Any]:
    """The stage results of a run, keyed as the manifest and the quality gate expect."""
    return {
        "poll": _flat(polls),
        "select": selected,
        "fetch": pages,
        "extract": extracted,
        "dedupe": articles,
        "events": events,
        "staged": {"articles": articles["uri"], "events": events["uri"]},
    }


@dag(
    dag_id="news_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=2,
    default_args={
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=2),
        # Called once a task has failed its last retry.
        "on_failure_callback": alert_on_failure,
    },
    tags=["news"],
    doc_md=__doc__,
)
def news_nightly() -> None:
    @task
    def load_feed_batches() -> list[list[dict[str, Any]]]:
        from news_ingest.config import load_feed_list
        from news_ingest.pipeline import feed_batches
        from news_ingest.settings import Settings

        feeds = load_feed_list(Settings.from_env().feeds_path)
        return [[feed.model_dump() for feed in batch] for batch in feed_batches(feeds)]

    @task(pool=FETCH_POOL, max_active_tis_per_dagrun=4)
    def poll_feeds(feeds: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from news_ingest.archive import archiving_fetcher
        from news_ingest.config import Feed
        from news_ingest.pipeline import poll_feeds
        from news_ingest.settings import Settings

        settings = Settings.from_env()
        with archiving_fetcher(settings, _day(), "poll") as fetcher:
            return poll_feeds([Feed(**feed) for feed in feeds], _day(), settings, fetcher)

    @task
    def select_items_of_day(polls: list[list[dict[str, Any]]]) -> dict[str, Any]:
        from news_ingest.pipeline import select_items_of_day
        from news_ingest.settings import Settings

        return select_items_of_day(_flat(polls), _day(), Settings.from_env().data_root)

    @task(pool=FETCH_POOL, multiple_outputs=True)
    def fetch_and_extract_pages(selected: dict[str, Any]) -> dict[str, dict[str, Any]]:
        # One task, so pages are extracted on all cores while the rest are still arriving.
        from news_ingest.archive import archiving_fetcher
        from news_ingest.pipeline import fetch_and_extract_pages
        from news_ingest.settings import Settings

        settings = Settings.from_env()
        with archiving_fetcher(settings, _day(), "fetch") as fetcher:
            return fetch_and_extract_pages(selected["uri"], _day(), settings, fetcher)

    @task
    def dedupe_articles(extracted: dict[str, Any]) -> dict[str, Any]:
        from news_ingest.pipeline import dedupe_articles
        from news_ingest.settings import Settings

        return dedupe_articles(extracted["uri"], _day(), Settings.from_env())

    @task
    def extract_events(articles: dict[str, Any]) -> dict[str, Any]:
        from news_ingest.pipeline import extract_events_of_day
        from news_ingest.settings import Settings

        settings = Settings.from_env()
        return extract_events_of_day(
            articles["uri"], _day(), settings.data_root, settings.event_extractor
        )

    @task
    def check_quality(
        polls: list[list[dict[str, Any]]],
        selected: dict[str, Any],
        pages: dict[str, Any],
        extracted: dict[str, Any],
        articles: dict[str, Any],
        events: dict[str, Any],
    ) -> dict[str, Any]:
        from dataclasses import asdict

        from news_ingest.pipeline import quality_gate, write_manifest
        from news_ingest.settings import Settings

        stages = _stages(polls, selected, pages, extracted, articles, events)
        gate = asdict(quality_gate(stages))
        if gate["failures"]:
            # The day's partitions are left as they were; the manifest says why.
            run_id = str(get_current_context()["run_id"])
            uri = write_manifest(
                Settings.from_env().data_root, _day(), run_id, {**stages, "gate": gate}
            )
            raise RuntimeError(f"quality gate failed: {'; '.join(gate['failures'])} ({uri})")
        return gate

    @task(outlets=[ARTICLES, EVENTS])
    def publish_partitions(
        articles: dict[str, Any], events: dict[str, Any], gate: dict[str, Any]
    ) -> dict[str, Any]:
        # `gate` is taken only so that publishing waits for a passed quality check.
        from news_ingest.pipeline import publish_partitions
        from news_ingest.settings import Settings

        root = Settings.from_env().data_root
        return publish_partitions(articles["uri"], events["uri"], _day(), root)

    @task
    def summarize_run(
        polls: list[list[dict[str, Any]]],
        selected: dict[str, Any],
        pages: dict[str, Any],
        extracted: dict[str, Any],
        articles: dict[str, Any],
        events: dict[str, Any],
        gate: dict[str, Any],
        published: dict[str, Any],
    ) -> str:
        import airflow

        from news_ingest.pipeline import format_summary, write_manifest
        from news_ingest.settings import Settings

        stages = _stages(polls, selected, pages, extracted, articles, events)
        stages.update(gate=gate, published=published, versions={"airflow": airflow.__version__})
        print(format_summary(_day(), stages))
        run_id = str(get_current_context()["run_id"])
        return write_manifest(Settings.from_env().data_root, _day(), run_id, stages)

    polls = poll_feeds.expand(feeds=load_feed_batches())
    selected = select_items_of_day(polls)
    fetched = fetch_and_extract_pages(selected)
    pages, extracted = fetched["fetch"], fetched["extract"]
    articles = dedupe_articles(extracted)
    events = extract_events(articles)
    gate = check_quality(polls, selected, pages, extracted, articles, events)
    published = publish_partitions(articles, events, gate)
    summarize_run(polls, selected, pages, extracted, articles, events, gate, published)


news_nightly()
