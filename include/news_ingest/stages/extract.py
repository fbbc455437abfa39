"""Extract stage: D's fetched pages to article rows, one per article, site boilerplate dropped."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from news_ingest import store
from news_ingest.stages.common import (
    JsonRecord,
    Progress,
    StageError,
    elapsed,
    work_uri,
    worker_processes,
)
from news_ingest.stages.select import ArticleKey, one_row_per_article
from news_ingest.stages.shard import Shard

if TYPE_CHECKING:
    # Extraction loads trafilatura and its models: imported where used, so the other
    # stages of a run start without them.
    from news_ingest.extract import Extracted, ExtractOptions, PageInput

# The dedupe stage's verdicts, which extraction leaves out.
DEDUPE_COLUMNS = (
    "is_duplicate",
    "duplicate_of",
    "duplicate_similarity",
    "duplicate_kind",
    "cluster_id",
    "copies_seen",
)
FINGERPRINT_COLUMNS = ["dedupe_hash", "minhash", "shingle_count", "numbers_mask", "names_mask"]
# Fingerprints are computed beside extraction, in the worker pool; verdicts come later.
EXTRACTED_SCHEMA = pa.schema(
    [f for f in store.STAGED_ARTICLES_SCHEMA if f.name not in DEDUPE_COLUMNS]
)
EXTRACT_BATCH_ROWS = 256
_SHORT_LINES = "short_lines"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractResult(JsonRecord):
    """The extract stage of a night: the staged articles of D and what was left out."""

    uri: str
    extracted: int
    failed: int
    errors: tuple[StageError, ...]
    other_days: int
    same_url: int
    not_article: int
    paywalled: int
    boilerplate_stripped: int
    date_sources: dict[str, int]
    seconds: float


def _article_row(page: dict[str, Any], ext: Extracted) -> dict[str, Any]:
    if page["published_at"] is not None:
        published, source = page["published_at"], "feed"
    elif ext.page_published_at is not None:
        published, source = ext.page_published_at, ext.page_date_source or "text"
    else:
        published, source = None, "capture"
    return {
        "article_id": ext.article_id,
        "feed_id": page["feed_id"],
        "source": page["source"],
        "url": page["url"],
        "final_url": page["final_url"],
        "canonical_url": ext.canonical_url,
        "domain": ext.domain,
        "title": ext.title or page["title"],
        "text": ext.text,
        "authors": ext.authors,
        "published_at": published,
        "date_source": source,
        "modified_at": ext.modified_at,
        "fetched_at": page["fetched_at"],
        "language": ext.language,
        "language_confidence": ext.language_confidence,
        "word_count": ext.word_count,
        "is_article": ext.is_article,
        "is_paywalled": ext.is_paywalled,
        "site_name": ext.site_name,
        "description": ext.description,
        "categories": ext.categories,
        "tags": ext.tags,
        "image_url": ext.image_url,
        "text_sha256": ext.text_sha256,
    }


def _fingerprint_and_short_lines(ext: Extracted) -> dict[str, Any]:
    """Dedupe's fingerprint of an extracted text, as stored, and the text's short lines
    for the boilerplate learner (runs in the extraction pool, off the fetching process)."""
    from news_ingest.dedupe import Fingerprint
    from news_ingest.text import short_lines

    return {
        **Fingerprint.of(ext.article_id, ext.text).stored(),
        _SHORT_LINES: short_lines(ext.text),
    }


def _strip_learned(row: dict[str, Any], learned: set[str]) -> bool:
    """Remove the site's learned boilerplate lines from ``row``'s body; True if it changed.

    The shorter body is judged again by extraction's rule. The row keeps no page type, so
    a page that was an article is judged as one that declares none: it passed its type
    check already, and a flash's story evidence then comes from its URL alone.
    """
    from news_ingest.dedupe import Fingerprint
    from news_ingest.extract import looks_like_article
    from news_ingest.text import strip_boilerplate

    text = strip_boilerplate(row["text"], learned)
    if text == row["text"]:
        return False
    words = len(text.split())
    published = row["published_at"] if row["date_source"] != "capture" else None
    row.update(
        text=text,
        word_count=words,
        is_article=row["is_article"]
        and looks_like_article(words, row["title"], published, None, row["canonical_url"], text),
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        **Fingerprint.of(row["article_id"], text).stored(),
    )
    return True


def _stripped(
    part: pa.RecordBatch, learned: dict[str, set[str]], stats: dict[str, int]
) -> pa.Table:
    """``part`` with its sites' learned boilerplate lines removed; only the rows of sites
    that learned some leave Arrow (stripping nothing leaves a body as it is)."""
    pieces, start = [], 0
    for i, domain in enumerate(part.column("domain").to_pylist()):
        lines = learned.get(domain)
        if not lines:
            continue
        row = part.slice(i, 1).to_pylist()[0]
        if _strip_learned(row, lines):
            stats["stripped"] += 1
            pieces += [part.slice(start, i - start), pa.RecordBatch.from_pylist([row], part.schema)]
            start = i + 1
    pieces.append(part.slice(start))
    return pa.Table.from_batches(pieces, part.schema).cast(EXTRACTED_SCHEMA)


def _fetched_pages(pages_uri: str, rows: dict[str, dict[str, Any]]) -> Iterator[PageInput]:
    from news_ingest.extract import PageInput

    # Stream bodies batch by batch; only the small per-page metadata stays in memory.
    # Keys count every page read: ``rows`` shrinks as results are collected, so its
    # length would hand out a key still in flight.
    read = 0
    for batch in store.iter_batches(pages_uri):
        for page in batch.to_pylist():
            read += 1
            if page["body"] is None:
                continue
            key = str(read)
            body = page.pop("body")
            rows[key] = page
            yield PageInput(key, body, page["final_url"], page["content_type"])


def extract_articles(
    pages_uri: str, day: date, run_id: str, root: str, options: ExtractOptions | None = None
) -> ExtractResult:
    """Extract every fetched page; keep those whose day is ``day``, one per article.

    Two streaming passes, so memory holds one batch of bodies, not the night's: the
    first extracts (on all cores) into a staged file while learning each site's
    repeated lines; the second drops those lines and the rows not kept.
    """
    pages: dict[str, dict[str, Any]] = {}
    return extract_pages(_fetched_pages(pages_uri, pages), pages, day, run_id, root, options)


def extract_pages(
    inputs: Iterator[PageInput],
    pages: dict[str, dict[str, Any]],
    day: date,
    run_id: str,
    root: str,
    options: ExtractOptions | None,
    shard: Shard | None = None,
) -> ExtractResult:
    """``extract_articles`` over pages as ``inputs`` yields them (rows in ``pages``), by shard."""
    from news_ingest.extract import DEFAULT_OPTIONS, extract_batch
    from news_ingest.text import BoilerplateLearner

    started = time.monotonic()
    errors: list[StageError] = []
    learners: dict[str, BoilerplateLearner] = {}
    keys: list[ArticleKey] = []
    folder = () if shard is None else (shard.folder,)
    all_uri = work_uri(root, day, run_id, *folder, "extracted-all.parquet")
    batch = extract_batch(
        inputs,
        options or DEFAULT_OPTIONS,
        workers=worker_processes(),
        then=_fingerprint_and_short_lines,
    )
    buffer: list[dict[str, Any]] = []
    log.info("extracting pages of %s", day)
    progress = Progress(log, "pages extracted")  # as many as the fetch hands over
    with store.batch_writer(all_uri, EXTRACTED_SCHEMA) as write:
        for result in batch:
            page = pages.pop(result.key)
            progress.advance()
            if result.extracted is None:
                message = result.error or "extraction failed"
                errors.append(StageError(page["url"], page["feed_id"], "extract", message))
                log.warning("page %s failed: extract: %s", page["url"], message)
                continue
            row = {**_article_row(page, result.extracted), **result.extra}
            learners.setdefault(row["domain"], BoilerplateLearner()).add_lines(
                row.pop(_SHORT_LINES)
            )
            keys.append(
                ArticleKey(row["article_id"], row["published_at"], row["feed_id"], row["url"])
            )
            buffer.append(row)
            if len(buffer) >= EXTRACT_BATCH_ROWS:
                write(pa.Table.from_pylist(buffer, schema=EXTRACTED_SCHEMA))
                buffer.clear()
        if buffer:
            write(pa.Table.from_pylist(buffer, schema=EXTRACTED_SCHEMA))
    learned = {domain: learner.learned() for domain, learner in learners.items()}
    of_day = one_row_per_article(keys, day)
    chosen = set(of_day.chosen)
    uri = work_uri(root, day, run_id, *folder, "extracted.parquet")
    stats = {"stripped": 0, "not_article": 0, "paywalled": 0}
    date_sources: dict[str, int] = {}
    index = 0
    with store.batch_writer(uri, EXTRACTED_SCHEMA) as write:
        for part in store.iter_batches(all_uri, rows=EXTRACT_BATCH_ROWS):
            mask = [index + i in chosen for i in range(part.num_rows)]
            index += part.num_rows
            table = _stripped(part.filter(pa.array(mask, pa.bool_())), learned, stats)
            if table.num_rows:
                stats["not_article"] += sum(not v for v in table["is_article"].to_pylist())
                stats["paywalled"] += sum(bool(v) for v in table["is_paywalled"].to_pylist())
                for source in table["date_source"].to_pylist():
                    date_sources[source] = date_sources.get(source, 0) + 1
                write(table)
    store.delete(all_uri)
    errors.sort(key=lambda e: (e.url or "", e.feed_id or ""))
    log.info(
        "extracted %d pages in %.1f s, %d of them articles of %s; %d failed",
        len(keys), elapsed(started), len(chosen), day, len(errors),
    )  # fmt: skip
    return ExtractResult(
        uri=uri,
        extracted=len(keys),
        failed=len(errors),
        errors=tuple(errors[:100]),
        other_days=len(keys) - of_day.in_day,
        same_url=of_day.in_day - len(chosen),
        not_article=stats["not_article"],
        paywalled=stats["paywalled"],
        boilerplate_stripped=stats["stripped"],
        date_sources=dict(sorted(date_sources.items())),
        seconds=elapsed(started),
    )
