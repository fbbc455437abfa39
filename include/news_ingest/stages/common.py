"""What the stages share: the day's bounds, staging paths, stage errors and JSON records."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, Self

import pyarrow as pa
from pydantic import ConfigDict, TypeAdapter

from news_ingest import store

ErrorKind = Literal["fetch", "parse", "status", "content_type", "extract", "unexpected"]

ITEMS_SCHEMA = pa.schema(
    [
        ("feed_id", pa.string()),
        ("source", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("article_id", pa.string()),
        ("title", pa.string()),
        ("published_at", store.TS),
    ]
)


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    """The validator and serializer of a record class, built once per class."""
    if cls not in _ADAPTERS:
        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


class JsonRecord:
    """A frozen dataclass that crosses task edges and manifests as JSON, read back strictly.

    Reading rejects unknown keys, missing fields and wrong types (a bool or a string where
    a count belongs), so a record that cannot be understood fails loudly.
    """

    __pydantic_config__ = ConfigDict(extra="forbid", strict=True)

    def to_json(self) -> str:
        """The record as a JSON object."""
        return str(_adapter(type(self)).dump_json(self).decode())

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-compatible Python values."""
        return dict(_adapter(type(self)).dump_python(self, mode="json"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        """The record from its JSON; raises pydantic.ValidationError (a ValueError)."""
        record: Self = _adapter(cls).validate_json(text)
        return record


@dataclass(frozen=True)
class StageError(JsonRecord):
    """One feed, document or page that a stage skipped, and why."""

    url: str | None
    feed_id: str | None
    kind: ErrorKind
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def error_of(exc: Exception, feed_id: str | None, url: str | None = None) -> StageError:
    """The stage error for an exception from fetching or parsing a feed document or page."""
    from news_ingest.feeds import FeedParseError
    from news_ingest.http import FetchError

    if isinstance(exc, FetchError):
        return StageError(url, feed_id, "fetch", str(exc)[:500])
    if isinstance(exc, FeedParseError):
        return StageError(url, feed_id, "parse", str(exc)[:500])
    return StageError(url, feed_id, "unexpected", f"{type(exc).__name__}: {exc}"[:500])


class Progress:
    """Progress lines of a long stage in the task log: one every ``every`` items or
    ``seconds`` seconds, whichever comes first (callers hold their own lock if threaded)."""

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        total: int | None = None,
        every: int = 500,
        seconds: float = 30.0,
    ) -> None:
        self.log, self.what, self.total = log, what, total
        self.every, self.seconds = every, seconds
        self.done = self._done_at_last = 0
        self._last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more items done; log a line when one is due."""
        self.done += n
        now = time.monotonic()
        if self.done - self._done_at_last >= self.every or now - self._last >= self.seconds:
            of = "" if self.total is None else f" of {self.total}"
            self.log.info("%s: %d%s", self.what, self.done, of)
            self._done_at_last, self._last = self.done, now


def elapsed(started: float) -> float:
    """Seconds since ``started`` (a time.monotonic() reading), for the run manifest."""
    return round(time.monotonic() - started, 3)


def worker_processes() -> int:
    """Processes for a stage's CPU-bound work: one per core, at most 4."""
    return min(os.cpu_count() or 1, 4)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC interval [day 00:00, day+1 00:00)."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def work_uri(root: str, day: date, run_id: str, *parts: str) -> str:
    """Where a stage of run ``run_id`` keeps its intermediate output for ``day``: each run
    its own folder, so two runs of one day (a backfill beside a rerun) never share a file."""
    run = hashlib.sha256(run_id.encode()).hexdigest()[:16]  # run ids hold ':' and '+'
    return store.join(root, "staging", f"date={day.isoformat()}", f"run={run}", *parts)


def feed_file(feed_id: str) -> str:
    """A file name for a feed's items: feed ids are validated slugs, but a hash keeps
    input out of paths regardless."""
    return hashlib.sha256(feed_id.encode()).hexdigest()[:16] + ".parquet"
