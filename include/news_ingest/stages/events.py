"""Events stage: events of D's original articles by the configured extractor, on all cores."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from news_ingest import parallel, store
from news_ingest.stages.common import JsonRecord, Progress, elapsed, work_uri, worker_processes

EVENT_INPUT_COLUMNS = ["article_id", "text", "title", "published_at", "is_duplicate", "is_article"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventsResult(JsonRecord):
    """The events stage of a night: the staged events and their counts."""

    uri: str
    events: int
    with_fatalities: int
    seconds: float


def _events_of_articles(extractor: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Events of a chunk of original articles, as a table (runs in a worker process)."""
    from news_ingest.events import get_extractor

    extract_events = get_extractor(extractor)
    events = [
        event.as_row()
        for row in rows
        for event in extract_events(
            row["article_id"], row["text"], row["published_at"], row["title"]
        )
    ]
    return pa.Table.from_pylist(events, schema=store.EVENTS_SCHEMA)


def _events_of_job(job: tuple[str, list[dict[str, Any]]]) -> pa.Table:
    return _events_of_articles(*job)


def _in_processes(
    jobs: Iterable[tuple[str, list[dict[str, Any]]]], workers: int
) -> Iterator[pa.Table]:
    """The events of each job, on ``workers`` processes (in this one when 1), in order;
    the workers are forked, so that what this process loaded is shared."""
    if workers <= 1:
        yield from map(_events_of_job, jobs)
        return
    for outcome in parallel.ordered(_events_of_job, jobs, workers):
        # A chunk lost (its worker died) fails the stage: its events would be missing unseen.
        yield outcome.result()


def extract_events_of_day(
    articles_uri: str,
    day: date,
    run_id: str,
    root: str,
    extractor: str = "rules",
    workers: int = 0,
) -> EventsResult:
    """Events from the day's original articles, by the extractor registered as ``extractor``,
    in chunks on ``workers`` processes (0: one per core, at most 4), streamed to Parquet."""
    from news_ingest.events import get_extractor

    started = time.monotonic()
    extract = get_extractor(extractor)  # an unknown name fails here, not in a worker
    workers = workers or worker_processes()
    if workers > 1:
        # What the extractor loads on first use (the rules' lexicon and gazetteer) is
        # loaded once here and inherited by the forked workers.
        extract("warm-up", "Police arrested protesters in Paris on Monday.", None, None)
    jobs = (
        (extractor, [r for r in batch.to_pylist() if not r["is_duplicate"] and r["is_article"]])
        for batch in store.iter_batches(articles_uri, EVENT_INPUT_COLUMNS, rows=64)
    )
    uri = work_uri(root, day, run_id, "events.parquet")
    events = with_fatalities = 0
    log.info("extracting events of %s with the %r extractor", day, extractor)
    progress = Progress(log, "chunks of 64 articles read for events", every=50)
    with store.batch_writer(uri, store.EVENTS_SCHEMA) as write:
        for table in _in_processes(jobs, workers):
            progress.advance()
            if table.num_rows:
                write(table)
                events += table.num_rows
                with_fatalities += table.num_rows - table.column("fatalities").null_count
    log.info(
        "%d events of %s in %.1f s, %d with a death toll",
        events, day, elapsed(started), with_fatalities,
    )  # fmt: skip
    return EventsResult(uri, events, with_fatalities, elapsed(started))
