"""Publish stage: the day's staged articles and events replace their partitions of D."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from news_ingest import store
from news_ingest.stages.common import JsonRecord, elapsed


@dataclass(frozen=True)
class PublishResult(JsonRecord):
    """Where the day's partitions were published (no fingerprints in older manifests)."""

    articles: str
    events: str
    seconds: float
    fingerprints: str | None = None


def publish_partitions(articles_uri: str, events_uri: str, day: date, root: str) -> PublishResult:
    """Replace the day's fingerprints, articles and events partitions with the staged tables."""
    started = time.monotonic()
    # Each partition is replaced atomically, one after the other; the store sorts each by
    # its dataset's keys, so the order pages arrived in leaves no trace. Fingerprints and
    # articles both come from the dedupe stage's file; dedupe's history uses a fingerprint
    # only while its text_sha256 matches the article's, so a run killed between the two
    # leaves no fingerprint of another text in use.
    fingerprints = store.write_partition_from(root, "fingerprints", day, articles_uri)
    articles = store.write_partition_from(root, "articles", day, articles_uri)
    events = store.write_partition_from(root, "events", day, events_uri)
    return PublishResult(articles, events, elapsed(started), fingerprints)
