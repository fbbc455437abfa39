"""Publish stage: the day's staged articles and events replace their partitions of D."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from news_ingest import store
from news_ingest.stages.common import JsonRecord, elapsed


@dataclass(frozen=True)
class PublishResult(JsonRecord):
    """Where the day's partitions were published."""

    articles: str
    events: str
    seconds: float


def publish_partitions(articles_uri: str, events_uri: str, day: date, root: str) -> PublishResult:
    """Replace the day's articles and events partitions with the staged tables (the store
    sorts each by its dataset's keys, so the order pages arrived in leaves no trace)."""
    started = time.monotonic()
    articles = store.write_partition_from(root, "articles", day, articles_uri)
    events = store.write_partition_from(root, "events", day, events_uri)
    return PublishResult(articles, events, elapsed(started))
