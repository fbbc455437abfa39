"""Items that polls and harvests first listed, kept under discovered/date=D for D's nightly run."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime

import pyarrow as pa

from news_ingest import store
from news_ingest.config import Feed
from news_ingest.feeds import FeedItem
from news_ingest.stages.common import ITEMS_SCHEMA, feed_file


def items_table(items: Iterable[FeedItem], source: str | None) -> pa.Table:
    """Feed items as rows of the items schema."""
    rows = [
        {
            "feed_id": i.feed_id,
            "source": source,
            "url": i.url,
            "canonical_url": i.canonical_url,
            "article_id": i.article_id,
            "title": i.title,
            "published_at": i.published_at,
        }
        for i in items
    ]
    return pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA)


def discovered_uri(root: str, day: date, feed_id: str) -> str:
    """A new file of items first listed by a poll, in the partition of the items' day."""
    name = f"{feed_file(feed_id).removesuffix('.parquet')}-{uuid.uuid4().hex}.parquet"
    return store.join(root, "discovered", f"date={day.isoformat()}", name)


def record_discovered(root: str, feed: Feed, items: list[FeedItem]) -> int:
    """Keep newly listed items under discovered/date=<published day, else today>, so the
    nightly run of their day selects them even once they rotate out of the feed."""
    today = datetime.now(UTC).date()
    by_day: dict[date, list[FeedItem]] = {}
    for item in items:
        day = item.published_at.astimezone(UTC).date() if item.published_at else today
        by_day.setdefault(day, []).append(item)
    for day, day_items in sorted(by_day.items()):
        store.write_table_atomic(
            discovered_uri(root, day, feed.id), items_table(day_items, feed.source)
        )
    return len(items)


def discovered_items(root: str, day: date) -> pa.Table:
    """Items that polls and harvests first listed with ``day`` as their day."""
    folder = store.join(root, "discovered", f"date={day.isoformat()}")
    tables = [store.read_table(u).select(ITEMS_SCHEMA.names) for u in store.list_files(folder)]
    if not tables:
        return ITEMS_SCHEMA.empty_table()
    return pa.concat_tables([t.cast(ITEMS_SCHEMA) for t in tables])
