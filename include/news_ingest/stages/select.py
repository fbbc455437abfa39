"""Select stage: the items of day D, and the one-row-per-article-of-D rule extract shares."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import pyarrow as pa

from news_ingest import store
from news_ingest.feeds import in_day
from news_ingest.stages.common import ITEMS_SCHEMA, JsonRecord, day_bounds, elapsed, work_uri
from news_ingest.stages.discovered import discovered_items
from news_ingest.stages.poll import PollResult

log = logging.getLogger(__name__)


class ArticleKey(NamedTuple):
    """What decides which row of an article is kept for a day."""

    article_id: str
    published_at: datetime | None
    feed_id: str
    url: str


@dataclass(frozen=True)
class RowsOfDay:
    """Of a list of rows: those kept for the day (positions, earliest first), and how many
    were dated in the day or undated."""

    chosen: list[int]
    in_day: int


def one_row_per_article(keys: Sequence[ArticleKey], day: date) -> RowsOfDay:
    """The rows dated in ``day`` or undated, one per article id: the earliest published
    wins, then the feed id, the URL and the row's position (undated rows come last)."""
    start, end = day_bounds(day)
    of_day = [
        i
        for i, k in enumerate(keys)
        if k.published_at is None or in_day(k.published_at, start, end)
    ]
    of_day.sort(
        key=lambda i: (
            keys[i].published_at is None,
            keys[i].published_at or start,
            keys[i].feed_id,
            keys[i].url,
            i,
        )
    )
    chosen: dict[str, int] = {}
    for i in of_day:
        chosen.setdefault(keys[i].article_id, i)
    return RowsOfDay(list(chosen.values()), len(of_day))


@dataclass(frozen=True)
class SelectResult(JsonRecord):
    """The items selected for D: the staged file and where they came from."""

    uri: str
    listed: int
    selected: int
    harvested: int
    other_days: int
    undated: int
    seconds: float


def select_items_of_day(polls: list[PollResult], day: date, run_id: str, root: str) -> SelectResult:
    """Items dated in ``day`` or undated (decided after extraction), one per article."""
    started = time.monotonic()
    tables = [store.read_table(p.uri) for p in polls if p.uri]
    rows = pa.concat_tables(tables).to_pylist() if tables else []
    listed = len(rows)
    # Items harvested earlier (maybe rotated out of their feed since) whose day is D.
    listed_ids = {r["article_id"] for r in rows}
    harvested = [
        r for r in discovered_items(root, day).to_pylist() if r["article_id"] not in listed_ids
    ]
    rows.extend(harvested)
    keys = [ArticleKey(r["article_id"], r["published_at"], r["feed_id"], r["url"]) for r in rows]
    of_day = one_row_per_article(keys, day)
    chosen = [rows[i] for i in of_day.chosen]
    uri = work_uri(root, day, run_id, "selected.parquet")
    store.write_table_atomic(uri, pa.Table.from_pylist(chosen, schema=ITEMS_SCHEMA))
    log.info(
        "selected %d articles of %s from %d items listed and %d harvested",
        len(chosen), day, listed, len(harvested),
    )  # fmt: skip
    return SelectResult(
        uri=uri,
        listed=listed,
        selected=len(chosen),
        harvested=len({r["article_id"] for r in harvested}),
        other_days=len(rows) - of_day.in_day,
        undated=sum(1 for r in chosen if r["published_at"] is None),
        seconds=elapsed(started),
    )
