"""Fetch stage: the selected items' pages, replayed from the raw archive or fetched politely."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa

from news_ingest import store
from news_ingest.archive import CaptureLookup, replay_days
from news_ingest.http import Fetcher, FetchError
from news_ingest.settings import Settings
from news_ingest.stages.common import (
    ITEMS_SCHEMA,
    ErrorKind,
    JsonRecord,
    Progress,
    StageError,
    elapsed,
    work_uri,
)
from news_ingest.stages.shard import Shard

PAGES_SCHEMA = pa.schema(
    [
        *ITEMS_SCHEMA,
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("content_type", pa.string()),
        ("body", pa.large_binary()),
        ("fetched_at", store.TS),
        ("error", pa.string()),
    ]
)
PAGE_BATCH_ROWS = 128
# Key of a page row (kept in memory only, not in PAGES_SCHEMA): the kind of its error.
ERROR_KIND = "error_kind"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchResult(JsonRecord):
    """The fetch stage of a night: the staged pages file and how its pages were obtained."""

    uri: str
    fetched: int
    failed: int
    replayed: int
    requested: int
    errors: tuple[StageError, ...]
    seconds: float


def page_error(page: dict[str, Any]) -> StageError | None:
    """Why a page row has no body, or None when it has one."""
    if not page["error"]:
        return None
    kind: ErrorKind = page.get(ERROR_KIND) or "fetch"
    return StageError(page["url"], page["feed_id"], kind, page["error"])


def _page_row(
    row: dict[str, Any],
    final_url: str,
    status: int,
    ctype: str,
    fetched_at: datetime,
    body: bytes,
) -> dict[str, Any]:
    out = {
        **row,
        "final_url": final_url,
        "status": status,
        "content_type": ctype,
        "body": None,
        "fetched_at": fetched_at,
        "error": None,
    }
    if status != 200:
        out.update(error=f"HTTP {status}", error_kind="status")
    elif ctype and "html" not in ctype.lower():
        out.update(error=f"not HTML: {ctype}", error_kind="content_type")
    else:
        out["body"] = body
    return out


def fetch_page(fetcher: Fetcher, row: dict[str, Any]) -> dict[str, Any]:
    """The page row of one item (``feed_id``, ``url``, ...) fetched now; errors recorded."""
    try:
        resp = fetcher.get(row["url"])
    except FetchError as exc:
        return {
            **row,
            "final_url": row["url"],
            "status": None,
            "content_type": None,
            "body": None,
            "fetched_at": datetime.now(UTC),
            "error": str(exc)[:500],
            ERROR_KIND: "fetch",
        }
    ctype = resp.headers.get("content-type", "")
    return _page_row(row, resp.final_url, resp.status, ctype, resp.fetched_at, resp.body)


def _replay(lookup: CaptureLookup, row: dict[str, Any]) -> dict[str, Any] | None:
    """The page from the raw archive, or None when it must be fetched."""
    capture = lookup.find(row["url"])
    if capture is None:
        return None
    try:
        body = lookup.body(capture)
    except (OSError, ValueError):  # a capture that cannot be read is fetched again
        return None
    ctype = capture.content_type or ""
    return _page_row(row, capture.final_url, 200, ctype, capture.fetched_at, body)


def fetch_pages(
    selected_uri: str,
    day: date,
    run_id: str,
    settings: Settings,
    fetcher: Fetcher,
    on_page: Callable[[dict[str, Any]], None] | None = None,
    keep_bodies: bool = True,
    shard: Shard | None = None,
) -> FetchResult:
    """The selected items' pages: read from the raw archive's captures of D when there,
    else fetched (concurrently, politely); failures are recorded, not raised.

    Pages go to Parquet in batches as they arrive (in completion order), so memory holds
    one batch of bodies, not the night's; ``on_page`` also gets each page as it arrives.
    Without ``keep_bodies`` the file keeps each page's fetch record but not its body
    (which the raw archive has). With ``shard``, only its items, staged in its folder.
    """
    started = time.monotonic()
    rows = store.read_table(selected_uri).to_pylist()
    folder = () if shard is None else (shard.folder,)
    if shard is not None:
        rows = [r for r in rows if shard.holds(r["url"])]
    lookup = CaptureLookup(settings.data_root, replay_days(day))
    uri = work_uri(settings.data_root, day, run_id, *folder, "pages.parquet")
    lock = threading.Lock()
    batch: list[dict[str, Any]] = []
    failed: list[StageError] = []
    counts = {"pages": 0, "replayed": 0}
    log.info("fetching %d pages of %s", len(rows), day)
    progress = Progress(log, "pages fetched or replayed", len(rows))

    with store.batch_writer(uri, PAGES_SCHEMA) as write:

        def keep(page: dict[str, Any], replayed: bool = False) -> None:
            if on_page is not None:
                on_page(dict(page))
            with lock:
                counts["pages"] += 1
                counts["replayed"] += replayed
                progress.advance()
                error = page_error(page)
                if error is not None:
                    failed.append(error)
                    log.warning("page %s failed: %s", error.url, error)
                batch.append(page if keep_bodies else {**page, "body": None})
                if len(batch) >= PAGE_BATCH_ROWS:
                    write(pa.Table.from_pylist(batch, schema=PAGES_SCHEMA))
                    batch.clear()

        missing = []
        for row in rows:
            page = _replay(lookup, row)
            if page is None:
                missing.append(row)
            else:
                keep(page, replayed=True)
        # Handed out host by host (Fetcher.map), so no thread waits on one host's delay.
        fetcher.map(lambda r: keep(fetch_page(fetcher, r)), missing, lambda r: r["url"])
        if batch:
            write(pa.Table.from_pylist(batch, schema=PAGES_SCHEMA))
    failed.sort(key=lambda e: (e.url or "", e.feed_id or ""))
    log.info(
        "fetched %d pages in %.1f s (%d from the archive), %d failed",
        counts["pages"] - len(failed), elapsed(started), counts["replayed"], len(failed),
    )  # fmt: skip
    return FetchResult(
        uri=uri,
        fetched=counts["pages"] - len(failed),
        failed=len(failed),
        replayed=counts["replayed"],
        requested=counts["pages"] - counts["replayed"],
        errors=tuple(failed[:100]),
        seconds=elapsed(started),
    )
