"""Dedupe stage: D's staged articles marked against the seeds, history and earlier articles."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from news_ingest import store
from news_ingest.settings import Settings
from news_ingest.stages.common import JsonRecord, elapsed, work_uri, worker_processes
from news_ingest.stages.extract import EXTRACT_BATCH_ROWS, FINGERPRINT_COLUMNS
from news_ingest.stages.select import ArticleKey, one_row_per_article

if TYPE_CHECKING:
    # Dedupe loads numpy: imported where used, so the other stages start without it.
    from news_ingest.dedupe import Fingerprint

DEDUPE_INPUT_COLUMNS = ["article_id", "published_at", "is_article", *FINGERPRINT_COLUMNS]
SEED_CACHE_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("dedupe_hash", pa.string()),
        ("minhash", pa.binary()),
        ("shingle_count", pa.int32()),
        ("numbers_mask", pa.int64()),
        ("names_mask", pa.int64()),
    ]
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupeResult(JsonRecord):
    """The dedupe stage of a night: the staged articles with verdicts, and their counts."""

    uri: str
    articles: int
    duplicates: int
    duplicates_of_seeds: int
    duplicates_by_kind: dict[str, int]
    originals: int
    history_references: int
    seconds: float


def _by_reference_order(row: dict[str, Any]) -> tuple[bool, datetime, str]:
    published = row["published_at"] or datetime.min.replace(tzinfo=UTC)
    return (row["published_at"] is None, published, row["article_id"])


def stored_fingerprint(row: dict[str, Any], key: str) -> Fingerprint:
    """The fingerprint stored in a row, or computed from its text when absent."""
    from news_ingest.dedupe import Fingerprint

    if row.get("minhash") is None:  # a row written before fingerprints were stored
        return Fingerprint.of(key, row.get("text") or "")
    return Fingerprint.from_stored(
        key,
        row["dedupe_hash"],
        row["minhash"],
        row["shingle_count"],
        row["numbers_mask"],
        row["names_mask"],
    )


_HISTORY_COLUMNS = ["article_id", "published_at", "is_duplicate", "is_article", "text_sha256"]


def _history_of_day(root: str, day: date) -> tuple[list[Fingerprint], list[str]] | None:
    """One day's originals' fingerprints in reference order and its article ids, or None."""
    # Each fingerprint comes from the day's fingerprints partition when it was computed from
    # the text articles holds (publish writes the two one after the other, so a run killed
    # between leaves them apart), else from the articles row itself (partitions written
    # before fingerprints had their own dataset), else from the text.
    articles = store.read_partition(
        root, "articles", day, [*_HISTORY_COLUMNS, *FINGERPRINT_COLUMNS]
    )
    if articles is None:
        return None
    rows = articles.to_pylist()
    originals = sorted(
        (r for r in rows if not r["is_duplicate"] and r["is_article"]), key=_by_reference_order
    )
    stored = store.read_partition(root, "fingerprints", day)
    published = {r["article_id"]: r for r in stored.to_pylist()} if stored is not None else {}
    for row in originals:
        fingerprint = published.get(row["article_id"])
        if fingerprint is not None and fingerprint["text_sha256"] == row.get("text_sha256"):
            row.update(fingerprint)
    unknown = {r["article_id"] for r in originals if r.get("minhash") is None}
    if unknown:
        with_text = store.read_partition(root, "articles", day, ["article_id", "text"])
        assert with_text is not None
        texts = {
            r["article_id"]: r["text"] for r in with_text.to_pylist() if r["article_id"] in unknown
        }
        for row in originals:
            if row["article_id"] in unknown:
                row["text"] = texts[row["article_id"]]
        log.info("%d fingerprints of %s computed again from their text", len(unknown), day)
    fps = [stored_fingerprint(r, r["article_id"]) for r in originals]
    return fps, [r["article_id"] for r in rows]


def history_fingerprints(root: str, day: date, days: int) -> tuple[list[Fingerprint], set[str]]:
    """Stored fingerprints of the originals of the ``days`` days before ``day``, in
    reference order, and every article id those days hold."""
    fps: list[Fingerprint] = []
    ids: set[str] = set()
    for back in range(days, 0, -1):
        found = _history_of_day(root, day - timedelta(days=back))
        if found is not None:
            fps.extend(found[0])
            ids.update(found[1])
    return fps, ids


def seed_fingerprints(seeds_dir: str, root: str) -> list[Fingerprint]:
    """Fingerprints of the seed corpus, from a cache rebuilt only when the seeds change."""
    from news_ingest.dedupe import load_seeds, seeds_digest

    uri = store.join(root, "cache", f"seeds-{seeds_digest(seeds_dir)}.parquet")
    if store.exists(uri):
        return [stored_fingerprint(r, r["key"]) for r in store.read_table(uri).to_pylist()]
    fps = load_seeds(seeds_dir)
    rows = [{"key": fp.key, **fp.stored()} for fp in fps]
    # Concurrent runs may both write it: same content, atomic rename, last one wins.
    store.write_table_atomic(uri, pa.Table.from_pylist(rows, schema=SEED_CACHE_SCHEMA))
    return fps


def _with_columns(part: pa.RecordBatch, rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """``part`` with the columns in ``rows`` added or replaced, laid out as ``schema``;
    the other columns (bodies among them) are carried over without leaving Arrow."""
    names = list(rows[0]) if rows else []
    added = pa.RecordBatch.from_pylist(rows, schema=pa.schema([schema.field(n) for n in names]))
    columns = [
        added.column(f.name) if f.name in names else part.column(f.name).cast(f.type)
        for f in schema
    ]
    return pa.Table.from_batches([pa.RecordBatch.from_arrays(columns, schema=schema)])


def _rows_kept(extracted_uris: Sequence[str], day: date) -> list[list[bool]] | None:
    """Which rows of each staged file are kept (None: all), one per article over all files."""
    # Each shard wrote one row per article, but a page that redirected off its site may
    # share its article with another shard's page: extract's rule picks one, as it would
    # have over the night's pages in one shard.
    ids = [
        i
        for uri in extracted_uris
        for part in store.iter_batches(uri, ["article_id"], rows=65536)
        for i in part.column(0).to_pylist()
    ]
    if len(set(ids)) == len(ids):
        return None
    key_columns = ["article_id", "published_at", "feed_id", "url"]
    keys = [
        [
            ArticleKey(r["article_id"], r["published_at"], r["feed_id"], r["url"])
            for part in store.iter_batches(uri, key_columns, rows=65536)
            for r in part.to_pylist()
        ]
        for uri in extracted_uris
    ]
    every = [k for file_keys in keys for k in file_keys]
    chosen = set(one_row_per_article(every, day).chosen)
    kept, start = [], 0
    for file_keys in keys:
        kept.append([start + i in chosen for i in range(len(file_keys))])
        start += len(file_keys)
    log.info("%d articles of %s were staged by two shards; one row of each kept",
             len(every) - len(chosen), day)  # fmt: skip
    return kept


def _staged_rows(
    extracted_uris: Sequence[str],
    kept: list[list[bool]] | None,
    columns: list[str] | None,
    rows: int,
) -> Iterator[pa.RecordBatch]:
    """The kept rows of the staged files, file by file in the order given, in batches."""
    for n, uri in enumerate(extracted_uris):
        done = 0
        for part in store.iter_batches(uri, columns, rows=rows):
            if kept is not None:
                mask = kept[n][done : done + part.num_rows]
                done += part.num_rows
                part = part.filter(pa.array(mask, pa.bool_()))
            yield part


def dedupe_articles(
    extracted_uris: Sequence[str], day: date, run_id: str, settings: Settings
) -> DedupeResult:
    """Mark duplicates against the seeds, the previous days' originals and earlier articles of
    D, in the staged articles of every shard (files in shard order).

    Verdicts need only the stored fingerprints (computed at extraction), so bodies are
    not read for them; the staged articles are then written batch by batch.
    """
    from news_ingest.dedupe import Candidate, dedupe_day

    started = time.monotonic()
    if not extracted_uris:
        raise ValueError("dedupe needs the staged articles of at least one shard")
    names = set.intersection(*(set(store.read_schema(u).names) for u in extracted_uris))
    columns = [c for c in DEDUPE_INPUT_COLUMNS if c in names]
    if not set(FINGERPRINT_COLUMNS) <= names:  # staged before fingerprints were
        columns.append("text")
    kept = _rows_kept(extracted_uris, day)
    candidates = [
        Candidate(
            r["article_id"],
            r.get("text") or "",
            r["published_at"],
            r["is_article"],
            stored_fingerprint(r, r["article_id"]),
        )
        for part in _staged_rows(extracted_uris, kept, columns, 4096)
        for r in part.to_pylist()
    ]
    history, history_ids = history_fingerprints(settings.data_root, day, settings.history_days)
    verdicts, prints = dedupe_day(
        candidates,
        seed_fingerprints(settings.seeds_dir, settings.data_root),
        history,
        sorted(history_ids),
        workers=worker_processes(),
    )
    del candidates
    copies: dict[str, int] = {}
    for v in verdicts.values():
        if v.is_duplicate and v.duplicate_of:
            copies[v.duplicate_of] = copies.get(v.duplicate_of, 0) + 1
    counts = {"articles": 0, "duplicates": 0, "of_seeds": 0, "originals": 0}
    by_kind = dict.fromkeys(("url", "exact", "near"), 0)
    uri = work_uri(settings.data_root, day, run_id, "articles.parquet")
    with store.batch_writer(uri, store.STAGED_ARTICLES_SCHEMA) as write:
        for part in _staged_rows(extracted_uris, kept, None, EXTRACT_BATCH_ROWS):
            if part.num_rows == 0:
                continue
            ids = part.column("article_id").to_pylist()
            is_article = part.column("is_article").to_pylist()
            rows = []
            for article_id, article in zip(ids, is_article, strict=True):
                v = verdicts[article_id]
                rows.append(
                    {
                        "is_duplicate": v.is_duplicate,
                        "duplicate_of": v.duplicate_of,
                        "duplicate_similarity": v.similarity,
                        "duplicate_kind": v.kind,
                        # Duplicates point at an original (or a seed), which names the cluster.
                        "cluster_id": v.duplicate_of if v.is_duplicate else article_id,
                        "copies_seen": None if v.is_duplicate else copies.get(article_id, 0),
                    }
                )
                counts["articles"] += 1
                if v.is_duplicate:
                    counts["duplicates"] += 1
                    counts["of_seeds"] += str(v.duplicate_of).startswith("seed:")
                    by_kind[str(v.kind)] = by_kind.get(str(v.kind), 0) + 1
                elif article:
                    counts["originals"] += 1
            if not set(FINGERPRINT_COLUMNS) <= set(part.column_names):
                for row, article_id in zip(rows, ids, strict=True):
                    row.update(prints[article_id].stored())
            write(_with_columns(part, rows, store.STAGED_ARTICLES_SCHEMA))
    log.info(
        "deduplicated %d articles of %s in %.1f s: %d originals, %d copies (%d of seeds), "
        "against %d earlier articles",
        counts["articles"], day, elapsed(started), counts["originals"], counts["duplicates"],
        counts["of_seeds"], len(history),
    )  # fmt: skip
    return DedupeResult(
        uri=uri,
        articles=counts["articles"],
        duplicates=counts["duplicates"],
        duplicates_of_seeds=counts["of_seeds"],
        duplicates_by_kind=by_kind,
        originals=counts["originals"],
        history_references=len(history),
        seconds=elapsed(started),
    )
