"""Arrow schemas of the outputs and atomic Parquet writes to a local path or object store."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

TS = pa.timestamp("us", tz="UTC")


def _schema(dataset: str, version: int, fields: list[pa.Field]) -> pa.Schema:
    return pa.schema(
        fields,
        metadata={"news_ingest.dataset": dataset, "news_ingest.schema_version": str(version)},
    )


def schema_version(schema: pa.Schema) -> str:
    """The version a dataset schema carries in its metadata."""
    return str(schema.metadata[b"news_ingest.schema_version"].decode())


def _field(
    name: str, kind: pa.DataType, meaning: str, example: str, nullable: bool = True
) -> pa.Field:
    """A column with its meaning and an example in its field metadata (the data dictionary)."""
    return pa.field(
        name, kind, nullable=nullable, metadata={"description": meaning, "example": example}
    )


_ID = "16 hex digits"
# Version 3 moved dedupe's fingerprints out of articles into their own dataset.
ARTICLES_SCHEMA = _schema(
    "articles",
    3,
    [
        _field("article_id", pa.string(), "the article's id: SHA-256 of its canonical URL, first "
               f"{_ID}", "6e5a1f3359e505b1", False),
        _field("feed_id", pa.string(), "the id of the feed (feed list) that listed it",
               "reuters-world", False),
        _field("url", pa.string(), "the link the feed gave", "https://example.org/a?utm_source=x",
               False),
        _field("canonical_url", pa.string(), "the page's canonical URL (its same-site "
               "rel=canonical, else its own URL normalised)", "https://example.org/a", False),
        _field("domain", pa.string(), "the registered domain of the canonical URL",
               "example.org", False),
        _field("title", pa.string(), "the headline", "Floods hit the delta"),
        _field("text", pa.string(), "the article's body text, boilerplate removed",
               "Heavy rain on Monday ...", False),
        _field("authors", pa.list_(pa.string()), "bylines, in page order", "[Ann Lee]", False),
        _field("published_at", TS, "when it was published (UTC); date_source says from where",
               "2026-11-19 16:05:00+00"),
        _field("fetched_at", TS, "when the page was fetched (UTC)", "2026-11-20 00:12:31+00",
               False),
        _field("language", pa.string(), "ISO 639-1 language of the text", "en"),
        _field("word_count", pa.int32(), "words in text", "412", False),
        _field("is_article", pa.bool_(), "false for index, tag, gallery, error and consent "
               "pages (dedupe and events skip them)", "true", False),
        _field("is_duplicate", pa.bool_(), "a copy of an earlier article (URL, text or "
               "near-duplicate)", "false", False),
        _field("duplicate_of", pa.string(), "the article_id it copies", "1c0ffee0ddba11ad"),
        _field("duplicate_similarity", pa.float32(), "estimated Jaccard similarity to it",
               "0.91"),
        _field("duplicate_kind", pa.string(), "url, exact or near", "near"),
        _field("cluster_id", pa.string(), "the article_id of the first of its copies (its own "
               "when original)", "6e5a1f3359e505b1", False),
        _field("copies_seen", pa.int32(), "copies of this original found so far", "3"),
        _field("source", pa.string(), "the feed's display name", "Reuters World"),
        _field("date_source", pa.string(), "where published_at came from: feed, json-ld, "
               "meta, text, url or capture", "json-ld", False),
        _field("modified_at", TS, "when the page says it was last modified (UTC)",
               "2026-11-19 18:00:00+00"),
        _field("language_confidence", pa.float32(), "the language detector's confidence, 0-1",
               "0.99"),
        _field("is_paywalled", pa.bool_(), "the page marks the article as paid or metered",
               "false", False),
        _field("site_name", pa.string(), "the publication's name (og:site_name)", "Example News"),
        _field("description", pa.string(), "the page's summary (meta description)",
               "Rain floods the delta."),
        _field("categories", pa.list_(pa.string()), "the page's sections", "[World]", False),
        _field("tags", pa.list_(pa.string()), "the page's keywords", "[floods, weather]", False),
        _field("image_url", pa.string(), "the lead image", "https://example.org/a.jpg"),
        _field("final_url", pa.string(), "the URL after redirects", "https://example.org/a",
               False),
        _field("text_sha256", pa.string(), "SHA-256 of text (hex)", "e3b0c442...", False),
    ],
)  # fmt: skip

EVENTS_SCHEMA = _schema(
    "events",
    2,
    [
        _field("event_id", pa.string(), f"the event's id ({_ID})", "40a1c59bd99898ed", False),
        _field("article_id", pa.string(), "the article it was read from", "6e5a1f3359e505b1",
               False),
        _field("event_date", pa.date32(), "the day it happened (date_precision says how known)",
               "2026-11-17"),
        _field("event_type", pa.string(), "PLOVER event type", "ASSAULT", False),
        _field("acled_event_type", pa.string(), "ACLED event type (null when ACLED would not "
               "code it)", "Violence against civilians"),
        _field("sub_event_type", pa.string(), "ACLED sub-event type", "Attack"),
        _field("actor1", pa.string(), "who acted", "Islamic State"),
        _field("actor2", pa.string(), "who it was done to", "Civilians"),
        _field("actor1_country", pa.string(), "actor1's country, ISO 3166-1 alpha-3 (IGO for "
               "international bodies)", "SYR"),
        _field("actor2_country", pa.string(), "actor2's country, as actor1_country", "SYR"),
        _field("location", pa.string(), "the place, as named in the gazetteer", "As Sukhnah"),
        _field("admin1", pa.string(), "the place's first-level region", "Homs"),
        _field("country", pa.string(), "the country, ISO 3166-1 alpha-3", "SYR"),
        _field("latitude", pa.float64(), "the place's latitude (WGS84)", "34.88"),
        _field("longitude", pa.float64(), "the place's longitude (WGS84)", "38.87"),
        _field("fatalities", pa.int32(), "people killed (the lowest number the text gives; null "
               "when it gives none)", "58"),
        _field("sentence", pa.string(), "the sentence the event was read from",
               "Gunmen killed 12 villagers ...", False),
        _field("confidence", pa.float32(), "the extractor's confidence, 0-1", "0.85", False),
        _field("event_mode", pa.string(), "PLOVER mode when the sub-type makes it clear",
               "aerial weapons"),
        _field("actor1_sector", pa.string(), "actor1's sector", "Rebels"),
        _field("actor2_sector", pa.string(), "actor2's sector", "Civilians"),
        _field("date_precision", pa.string(), "stated (the text dates it) or publication",
               "stated"),
        _field("geo_precision", pa.string(), "where the place comes from: sentence, paragraph, "
               "article, or country when only that is known", "sentence"),
        _field("injured", pa.int32(), "people injured (as fatalities)", "4"),
        _field("geonameid", pa.int64(), "the place's GeoNames id", "163345"),
    ],
)  # fmt: skip

# Dedupe's fingerprint of each article, so later days never hash its text again: a dataset
# of its own, which analysts need not read, partitioned and published as articles are.
FINGERPRINTS_SCHEMA = _schema(
    "fingerprints",
    1,
    [
        _field("article_id", pa.string(), "the article's id (as in articles)",
               "6e5a1f3359e505b1", False),
        _field("text_sha256", pa.string(), "SHA-256 of the text it was computed from (hex; "
               "dedupe uses it only while articles' text_sha256 is the same)", "e3b0c442...",
               False),
        _field("dedupe_hash", pa.string(), "SHA-256 of the normalised text (exact copies)",
               "9f2c...", False),
        _field("minhash", pa.binary(), "MinHash signatures of the text's shingles and of its "
               "opening (near copies; 640 bytes)", "<bytes>", False),
        _field("shingle_count", pa.int32(), "shingles in the text", "380", False),
        _field("numbers_mask", pa.int64(), "bit mask of the numbers in the text", "0", False),
        _field("names_mask", pa.int64(), "bit mask of the names in the text", "0", False),
    ],
)  # fmt: skip

# The published datasets, partitioned by day.
DATASETS = {
    "articles": ARTICLES_SCHEMA,
    "events": EVENTS_SCHEMA,
    "fingerprints": FINGERPRINTS_SCHEMA,
}
# What the dedupe stage stages for publication: articles with their fingerprints, which
# publish splits into the two datasets.
STAGED_ARTICLES_SCHEMA = pa.schema(
    [*ARTICLES_SCHEMA, *(f for f in FINGERPRINTS_SCHEMA if f.name not in ARTICLES_SCHEMA.names)],
    metadata={
        "news_ingest.dataset": "staged-articles",
        "news_ingest.schema_version": schema_version(ARTICLES_SCHEMA),
    },
)


# The partition column: the UTC day, in date=YYYY-MM-DD folder names, never in the files
# (pyarrow, and so pandas, refuse a column held both by the files and by the folder names).
PARTITION_SCHEMA = pa.schema([pa.field("date", pa.date32())])

# What each reader makes of the folder names, tested in tests/unit/test_store.py (Spark in
# tests/e2e/test_spark_reads.py).
_DATE_BY_READER = [
    ("DuckDB", "`read_parquet('data/articles/*/*.parquet', hive_partitioning=true)`", "`DATE`"),
    ("Polars", '`pl.read_parquet("data/articles/*/*.parquet", hive_partitioning=True)`, or '
     '`pl.scan_parquet("data/articles", hive_partitioning=True)`', "`Date`"),
    ("Spark", '`spark.read.parquet("data/articles")`', "`DateType`"),
    ("pyarrow", '`ds.dataset("data/articles", partitioning=by_date)`', "`date32[day]`"),
    ("pandas", '`pd.read_parquet("data/articles", partitioning=by_date)`',
     "`datetime.date` values (dtype `object`, as for `event_date`); `date32[day][pyarrow]` "
     'with `dtype_backend="pyarrow"`'),
    ("pandas", '`pd.read_parquet("data/articles")`, without `partitioning`',
     "`category` of strings (pyarrow's default discovery, which infers no dates)"),
    ("pyarrow", '`ds.dataset("data/articles", partitioning="hive")`', "`string`"),
]  # fmt: skip


def partitioning() -> Any:
    """The hive partitioning that gives pyarrow and pandas readers ``date`` as a date32."""
    import pyarrow.dataset as ds

    return ds.partitioning(PARTITION_SCHEMA, flavor="hive")


def data_dictionary() -> str:
    """The published datasets' columns as Markdown: name, type, nullable, meaning, example."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from the Arrow schemas in `news_ingest/store.py` (`make data-dictionary`);",
        "each column's meaning and example are also in the Parquet files' field metadata.",
        "Analysts read `articles` and `events`; `fingerprints` is dedupe's own (its history",
        "reads it), published beside `articles` and, like both, never pruned.",
        "",
        "## The `date` column",
        "",
        "Every dataset is partitioned by `date`, the UTC day, in `date=YYYY-MM-DD` folders. The",
        "files do not hold it (pyarrow, and so pandas, refuse a column held both by the files",
        "and by the folder names); each reader derives it from the folder names:",
        "",
        "| reader | call | `date` arrives as |",
        "| --- | --- | --- |",
        *(f"| {reader} | {call} | {typed} |" for reader, call, typed in _DATE_BY_READER),
        "",
        'where `by_date = pyarrow.dataset.partitioning(pyarrow.schema([("date",',
        'pyarrow.date32())]), flavor="hive")` (also `news_ingest.store.partitioning()`). With',
        'it, pandas\' and pyarrow\'s `filters=[("date", ">=", datetime.date(2026, 11, 1))]` read',
        "only the folders of those days.",
    ]
    for name, schema in DATASETS.items():
        lines += ["", f"## {name} (schema version {schema_version(schema)})", ""]
        lines += ["| column | type | null | meaning | example |", "| --- | --- | --- | --- | --- |"]
        for f in schema:
            meta = f.metadata or {}
            meaning = meta.get(b"description", b"").decode()
            example = meta.get(b"example", b"").decode()
            null = "yes" if f.nullable else "no"
            lines.append(f"| `{f.name}` | `{f.type}` | {null} | {meaning} | `{example}` |")
    return "\n".join(lines) + "\n"


def join(root: str, *parts: str) -> str:
    """Join URI or path parts with '/'."""
    return "/".join([root.rstrip("/"), *(p.strip("/") for p in parts)])


# Object stores that publish an object only when its upload completes (a single PUT, or a
# multipart upload's final request) and have no atomic rename: S3 and its compatibles, GCS,
# Azure Blob, and pyarrow's in-memory test store.
_PUBLISH_ON_CLOSE = {"s3", "gcs", "abfs", "mock"}


@dataclass(frozen=True)
class S3Options:
    """S3 credentials and endpoint given in code; a field left None comes from AWS_*."""

    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None
    region: str | None = None
    endpoint_url: str | None = None

    def __repr__(self) -> str:
        # Never the keys: the object may end up in a log line or a traceback.
        return f"S3Options(region={self.region!r}, endpoint_url={self.endpoint_url!r})"

    @classmethod
    def of_connection(
        cls, login: str | None, password: str | None, extra: dict[str, Any]
    ) -> S3Options:
        """The options an Airflow AWS connection gives: keys, region, endpoint, token."""
        # The AWS provider's other spelling of the endpoint, per service.
        service = extra.get("service_config", {}).get("s3", {})
        return cls(
            access_key=login or None,
            secret_key=password or None,
            session_token=extra.get("aws_session_token"),
            region=extra.get("region_name"),
            endpoint_url=service.get("endpoint_url") or extra.get("endpoint_url"),
        )


_s3_options = S3Options()


def use_s3_options(options: S3Options) -> None:
    """Open s3:// roots with ``options`` from now on, in this process."""
    global _s3_options
    if options != _s3_options:
        _s3_options = options
        _filesystem.cache_clear()


@lru_cache(maxsize=16)
def _filesystem(root: str) -> tuple[pafs.FileSystem, str]:
    # One filesystem per store root, reused: one S3 client per process, not one per file.
    # Endpoint, credentials and region come from the standard AWS variables (AWS_ENDPOINT_URL,
    # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, ...), which pyarrow reads itself,
    # unless use_s3_options gave them. Delayed open lets a file below the multipart threshold
    # go up as one PutObject.
    options = _s3_options
    if root.startswith("s3://") and options != S3Options():
        given: dict[str, Any] = {"allow_delayed_open": True}
        if options.access_key and options.secret_key:
            given.update(access_key=options.access_key, secret_key=options.secret_key)
            if options.session_token:
                given["session_token"] = options.session_token
        if options.region:
            given["region"] = options.region
        if options.endpoint_url:
            scheme, _, address = options.endpoint_url.partition("://")
            given.update(endpoint_override=address.rstrip("/"), scheme=scheme)
        return pafs.S3FileSystem(**given), root.removeprefix("s3://").strip("/")
    uri = f"{root}?allow_delayed_open=true" if root.startswith("s3://") else root
    fs, base = pafs.FileSystem.from_uri(uri)
    return fs, base


def resolve(uri: str) -> tuple[pafs.FileSystem, str]:
    """Filesystem and path for a local path or an object-store URI (s3://, gs://, ...)."""
    if "://" in uri:
        scheme, rest = uri.split("://", 1)
        netloc, _, tail = rest.partition("/")
        fs, base = _filesystem(f"{scheme}://{netloc}/")
        return fs, "/".join(part for part in (base.strip("/"), tail) if part)
    return pafs.LocalFileSystem(), uri


def publishes_on_close(fs: pafs.FileSystem) -> bool:
    """True for object stores, where writing the final key in one upload is the atomic step."""
    return fs.type_name in _PUBLISH_ON_CLOSE


@dataclass(frozen=True)
class Layout:
    """How one dataset's Parquet files are laid out for the queries that read them."""

    sort_by: tuple[tuple[str, str], ...] = ()
    dictionary: bool | tuple[str, ...] = True
    no_statistics: tuple[str, ...] = ()
    row_group_rows: int = 64 * 1024
    page_index: bool = False


# The one place Parquet is tuned, per dataset: both partition writers read it through
# parquet_options, sort_keys and row_group_rows. Measured by bench/query/run.py (docs/
# performance.md). Readers prune by the date=D folder first; within a day:
# - Sort by the usual filter and group-by columns, then a unique id, so a rerun writes the
#   same bytes whatever order the rows came in. Sorted columns run-length encode, and so do
#   the columns that follow them (feed, site and image host follow the domain; place,
#   admin1 and coordinates the country). Events lead with country, the more selective of
#   the two usual filters, which keeps each place's rows together (in the synthetic year
#   coordinates compressed 12 % better than with the type first).
# - Dictionary-encode only columns with few distinct values: for ids, hashes, URLs and
#   free text a dictionary is pure overhead, and pyarrow would try it on every column.
# - Statistics on every column a filter may use, none on free text and fingerprint bytes,
#   whose min/max prune nothing and would make up over a third of the articles footer.
# - Page index (per-page min/max and offsets) for readers that skip pages, such as Spark.
# - A day is one row group at the usual sizes (the folder already selects the day, and a
#   group per file keeps footers small); the cap bounds a group of articles, whose rows are
#   some 20 times wider than events', to about 100 MB in memory.
LAYOUTS: dict[str | None, Layout] = {
    # Staging, capture index, caches: written once and read back whole.
    None: Layout(),
    "articles": Layout(
        sort_by=(
            ("domain", "ascending"),
            ("published_at", "ascending"),
            ("article_id", "ascending"),
        ),
        dictionary=(
            "feed_id", "domain", "language", "date_source", "duplicate_kind", "copies_seen",
            "source", "site_name", "authors.list.element", "categories.list.element",
            "tags.list.element",
        ),
        no_statistics=("title", "text", "description"),
        row_group_rows=16 * 1024,
        page_index=True,
    ),
    "events": Layout(
        sort_by=(
            ("country", "ascending"),
            ("event_type", "ascending"),
            ("event_date", "ascending"),
            ("event_id", "ascending"),
        ),
        dictionary=(
            "event_date", "event_type", "acled_event_type", "sub_event_type", "actor1", "actor2",
            "actor1_country", "actor2_country", "location", "admin1", "country", "fatalities",
            "confidence", "event_mode", "actor1_sector", "actor2_sector", "date_precision",
            "geo_precision", "injured",
        ),
        no_statistics=("sentence",),
        page_index=True,
    ),
    # Read whole by dedupe's history, by article_id; never filtered on the fingerprints.
    "fingerprints": Layout(
        sort_by=(("article_id", "ascending"),),
        dictionary=False,
        no_statistics=("text_sha256", "dedupe_hash", "minhash", "numbers_mask", "names_mask"),
    ),
}  # fmt: skip


def sort_keys(dataset: str | None) -> list[tuple[str, str]]:
    """The (column, order) keys rows of ``dataset`` are sorted by before writing."""
    return list(LAYOUTS[dataset].sort_by)


def row_group_rows(dataset: str | None) -> int:
    """Rows per Parquet row group for ``dataset``."""
    return LAYOUTS[dataset].row_group_rows


def _leaf_paths(schema: pa.Schema) -> list[str]:
    # Parquet column paths as pyarrow names them: a list<string> column is "name.list.element".
    return [f"{f.name}.list.element" if pa.types.is_list(f.type) else f.name for f in schema]


def parquet_options(dataset: str | None) -> dict[str, Any]:
    """Keyword arguments for ``pq.write_table`` and ``pq.ParquetWriter`` for ``dataset``."""
    layout = LAYOUTS[dataset]
    schema = DATASETS.get(dataset or "")
    dictionary = layout.dictionary
    statistics: bool | list[str] = True
    if layout.no_statistics and schema is not None:
        statistics = [p for p in _leaf_paths(schema) if p.split(".")[0] not in layout.no_statistics]
    options: dict[str, Any] = {
        "compression": "zstd",
        "use_dictionary": list(dictionary) if isinstance(dictionary, tuple) else dictionary,
        "write_statistics": statistics,
        "write_page_index": layout.page_index,
    }
    if layout.sort_by and schema is not None:
        # Declared in each row group's metadata, so readers may rely on the order.
        options["sorting_columns"] = pq.SortingColumn.from_ordering(schema, layout.sort_by)
    return options


def _write_parquet(
    table: pa.Table,
    where: str | pa.NativeFile,
    fs: pafs.FileSystem | None,
    dataset: str | None = None,
) -> None:
    keys = sort_keys(dataset)
    rows = row_group_rows(dataset)
    if not keys or table.num_rows <= rows:
        table = table.sort_by(keys) if keys else table
        pq.write_table(table, where, filesystem=fs, row_group_size=rows, **parquet_options(dataset))
        return
    # A big day is sorted by index and taken one row group at a time, so memory holds the
    # table and one group, not a second sorted copy of the whole day.
    order = pc.sort_indices(table, sort_keys=keys)
    with pq.ParquetWriter(where, table.schema, filesystem=fs, **parquet_options(dataset)) as out:
        for start in range(0, table.num_rows, rows):
            out.write_table(table.take(order[start : start + rows]), row_group_size=rows)


# What the streamed publish holds at once: the output row groups gathered in one pass over
# the source (at least one), and the source rows read per call.
STREAM_BYTES = 256 * 2**20
STREAM_READ_ROWS = 16 * 1024


def _write_parquet_from(
    source: str, where: str | pa.NativeFile, fs: pafs.FileSystem | None, dataset: str
) -> None:
    """``_write_parquet`` of the Parquet file at ``source`` without holding it: the order
    comes from the sort-key columns alone; each pass over the source gathers as many output
    row groups as fit in STREAM_BYTES, reading the source a few row groups at a time."""
    schema = DATASETS[dataset]
    keys = sort_keys(dataset)
    rows = row_group_rows(dataset)
    source_fs, source_path = resolve(source)
    with source_fs.open_input_file(source_path) as handle:
        parquet = pq.ParquetFile(handle)
        meta = parquet.metadata
        key_schema = pa.schema([schema.field(name) for name, _order in keys])
        order = pc.sort_indices(
            parquet.read(columns=key_schema.names).cast(key_schema), sort_keys=keys
        ).to_numpy()
        # Source row groups bundled into reads of about STREAM_READ_ROWS rows: (groups,
        # first row, end row).
        reads: list[tuple[list[int], int, int]] = []
        first_row = 0
        for group in range(meta.num_row_groups):
            end = first_row + meta.row_group(group).num_rows
            if reads and end - reads[-1][1] <= STREAM_READ_ROWS:
                reads[-1] = (reads[-1][0] + [group], reads[-1][1], end)
            else:
                reads.append(([group], first_row, end))
            first_row = end
        row_bytes = sum(meta.row_group(g).total_byte_size for g in range(meta.num_row_groups))
        row_bytes = max(1, row_bytes // max(1, meta.num_rows))
        per_pass = max(1, STREAM_BYTES // (row_bytes * rows))
        starts = list(range(0, len(order), rows))
        with pq.ParquetWriter(where, schema, filesystem=fs, **parquet_options(dataset)) as out:
            for bundle in range(0, len(starts), per_pass):
                wanted = [order[s : s + rows] for s in starts[bundle : bundle + per_pass]]
                by_source = [np.argsort(w, kind="stable") for w in wanted]
                needed = [w[b] for w, b in zip(wanted, by_source, strict=True)]
                pieces: list[list[pa.Table]] = [[] for _ in wanted]
                for groups, lo, hi in reads:
                    window = None
                    for target, rows_needed in enumerate(needed):
                        first, last = np.searchsorted(rows_needed, [lo, hi])
                        if first < last:
                            if window is None:
                                window = conform(
                                    parquet.read_row_groups(groups, columns=schema.names), schema
                                )
                            pieces[target].append(window.take(rows_needed[first:last] - lo))
                for target, order_of in enumerate(by_source):
                    gathered = pa.concat_tables(pieces[target])  # in source order
                    pieces[target] = []
                    back = np.empty_like(order_of)
                    back[order_of] = np.arange(len(order_of))
                    out.write_table(gathered.take(back), row_group_size=rows)


def _put_object(fs: pafs.FileSystem, path: str, data: pa.Buffer) -> None:
    # `data` is the whole, finished file before the store is touched. The store makes the key
    # visible only when the upload completes, with all of it; a failed upload never completes
    # (its parts, if any, stay invisible until the bucket's abort-incomplete-upload rule).
    if fs.type_name == "mock":
        # pyarrow's in-memory test store models folders; S3, GCS and Azure need none (and
        # creating them would only add empty marker objects).
        fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
    with fs.open_output_stream(path) as out:
        out.write(data)


def _renamed_into_place(
    fs: pafs.FileSystem, path: str, tmp_folder: str | None = None
) -> Iterator[str]:
    """A temp path to write, beside ``path`` or in ``tmp_folder`` (on the same filesystem);
    renamed over ``path`` on success, deleted on error."""
    parent, name = path.rsplit("/", 1)
    fs.create_dir(parent, recursive=True)
    if tmp_folder is not None:
        fs.create_dir(tmp_folder, recursive=True)
    # A dot-prefixed temp name, which pyarrow's and Spark's dataset discovery skip.
    tmp = f"{tmp_folder or parent}/.{name}.{uuid.uuid4().hex}.tmp"
    try:
        yield tmp
        fs.move(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            fs.delete_file(tmp)
        raise


# Wrapped here rather than decorated: mutmut (`make mutation`) mutates no decorated function.
renamed_into_place = contextlib.contextmanager(_renamed_into_place)


def write_bytes_atomic(uri: str, data: bytes | pa.Buffer) -> str:
    """Write ``data`` to ``uri`` so readers see the old file or the whole new one, never a part.

    On a local (or any renaming) filesystem: a dot-prefixed temp file in the same folder,
    renamed over the target. On an object store, where a rename is a copy and a delete: the
    final key written directly in one upload, so no temp object is ever created.
    """
    fs, path = resolve(uri)
    buffer = data if isinstance(data, pa.Buffer) else pa.py_buffer(data)
    if publishes_on_close(fs):
        _put_object(fs, path, buffer)
        return uri
    with renamed_into_place(fs, path) as tmp, fs.open_output_stream(tmp) as out:
        out.write(buffer)
    return uri


def write_table_atomic(uri: str, table: pa.Table, dataset: str | None = None) -> str:
    """Write ``table`` to ``uri`` so readers see the old file or the whole new one, never a part.

    Locally the Parquet file is streamed to a temp name and renamed into place. On an object
    store it is first serialized in memory (zstd-compressed, so at most about the size of the
    table already in memory) and then uploaded to the final key in one go: a writer that
    fails while encoding leaves the store untouched, and a failed upload publishes nothing.
    ``dataset`` (a key of LAYOUTS) picks the sort order and encodings.
    """
    return _written_atomically(uri, lambda where, fs: _write_parquet(table, where, fs, dataset))


def _written_atomically(
    uri: str,
    write: Callable[[str | pa.NativeFile, pafs.FileSystem | None], None],
    tmp_folder: str | None = None,
) -> str:
    """``write(where, filesystem)`` a Parquet file so that ``uri`` shows it whole or not at all
    (see ``write_table_atomic``), its temp file in ``tmp_folder`` (a path) if given."""
    fs, path = resolve(uri)
    if publishes_on_close(fs):
        sink = pa.BufferOutputStream()
        write(sink, None)
        _put_object(fs, path, sink.getvalue())
        return uri
    with renamed_into_place(fs, path, tmp_folder) as tmp:
        write(tmp, fs)
    return uri


def _batch_writer(uri: str, schema: pa.Schema) -> Iterator[Callable[[pa.Table], None]]:
    """A function that appends tables to one Parquet file at ``uri``, published whole on exit.

    Memory stays at one batch however many are written. Locally the file is streamed to a
    temp name and renamed into place; on an object store it is built in memory (compressed)
    and uploaded in one go on exit. An error inside the block publishes nothing.
    """
    fs, path = resolve(uri)
    options = parquet_options(None)
    if publishes_on_close(fs):
        sink = pa.BufferOutputStream()
        with pq.ParquetWriter(sink, schema, **options) as writer:
            yield writer.write_table
        _put_object(fs, path, sink.getvalue())
        return
    with (
        renamed_into_place(fs, path) as tmp,
        pq.ParquetWriter(tmp, schema, filesystem=fs, **options) as writer,
    ):
        yield writer.write_table


batch_writer = contextlib.contextmanager(_batch_writer)  # not decorated: see renamed_into_place


def read_bytes(uri: str) -> bytes | None:
    """The bytes of the file at ``uri``, or None when there is none."""
    fs, path = resolve(uri)
    try:
        with fs.open_input_stream(path) as src:
            return bytes(src.read())
    except (FileNotFoundError, OSError):
        return None


def list_files(folder_uri: str, suffix: str = "") -> list[str]:
    """URIs of the files directly in ``folder_uri`` ending in ``suffix`` (temp names skipped)."""
    fs, path = resolve(folder_uri)
    try:
        infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    except (FileNotFoundError, OSError):
        return []
    names = sorted(
        i.base_name
        for i in infos
        if i.type == pafs.FileType.File
        and i.base_name.endswith(suffix)
        and not i.base_name.startswith(".")
    )
    return [join(folder_uri, n) for n in names]


def iter_batches(
    uri: str, columns: list[str] | None = None, rows: int = 256
) -> Iterator[pa.RecordBatch]:
    """Stream a Parquet file in record batches, so memory does not grow with its size."""
    fs, path = resolve(uri)
    with fs.open_input_file(path) as handle:
        yield from pq.ParquetFile(handle).iter_batches(batch_size=rows, columns=columns)


def read_schema(uri: str) -> pa.Schema:
    """The schema of the Parquet file at ``uri``, from its footer."""
    fs, path = resolve(uri)
    with fs.open_input_file(path) as handle:
        return pq.read_schema(handle)


def schema_problem(uri: str, schema: pa.Schema) -> str | None:
    """Why the Parquet file at ``uri`` does not carry ``schema`` (None when it does)."""
    fs, path = resolve(uri)
    with fs.open_input_file(path) as handle:
        found = pq.read_schema(handle)
    expected = schema_version(schema)
    if found.remove_metadata() != schema.remove_metadata():
        return f"schema of {uri} differs from schema version {expected}"
    version = (found.metadata or {}).get(b"news_ingest.schema_version")
    if version != expected.encode():
        return f"{uri} has schema version {version!r}, expected {expected}"
    return None


def read_table(uri: str, columns: list[str] | None = None) -> pa.Table:
    """Read one Parquet file (only ``columns`` when given)."""
    # As one file, not as a dataset: pq.read_table would import pyarrow.dataset and pandas
    # on first use (0.4 s) and take twice as long a small file.
    fs, path = resolve(uri)
    with fs.open_input_file(path) as handle:
        return pq.ParquetFile(handle).read(columns=columns)


def exists(uri: str) -> bool:
    """True when a file exists at ``uri``."""
    fs, path = resolve(uri)
    return bool(fs.get_file_info(path).type == pafs.FileType.File)


def delete(uri: str) -> None:
    """Remove the file at ``uri`` if there is one."""
    fs, path = resolve(uri)
    with contextlib.suppress(FileNotFoundError):
        fs.delete_file(path)


def partition_uri(root: str, dataset: str, day: date) -> str:
    """Folder of a dataset's partition for ``day``."""
    return join(root, dataset, f"date={day.isoformat()}")


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Cast to the dataset schema, failing loudly on a missing or mistyped column."""
    missing = [n for n in schema.names if n not in table.column_names]
    if missing:
        raise ValueError(
            f"table lacks columns {missing} of {schema.metadata[b'news_ingest.dataset']!r}"
        )
    return table.select(schema.names).cast(schema)


def write_partition(root: str, dataset: str, day: date, table: pa.Table) -> str:
    """Replace the ``dataset`` partition of ``day`` whole with ``table``; return the file URI."""
    table = conform(table, DATASETS[dataset])
    return _replace_partition(
        root, dataset, day, lambda where, fs: _write_parquet(table, where, fs, dataset)
    )


def write_partition_from(root: str, dataset: str, day: date, source: str) -> str:
    """``write_partition`` of the staged Parquet file at ``source``. A day of more rows than
    one row group is streamed from the file instead of read whole: the articles of a
    100,000-article night take some 500 MB as one Arrow table, and twice that to read."""
    source_fs, source_path = resolve(source)
    with source_fs.open_input_file(source_path) as handle:
        num_rows = pq.ParquetFile(handle).metadata.num_rows
    if num_rows <= row_group_rows(dataset):
        return write_partition(root, dataset, day, read_table(source, DATASETS[dataset].names))
    return _replace_partition(
        root, dataset, day, lambda where, fs: _write_parquet_from(source, where, fs, dataset)
    )


def _replace_partition(
    root: str,
    dataset: str,
    day: date,
    write: Callable[[str | pa.NativeFile, pafs.FileSystem | None], None],
) -> str:
    """The day's partition made of the one file ``write`` writes, published atomically,
    and any other file of the folder deleted; return the file URI."""
    folder = partition_uri(root, dataset, day)
    target = join(folder, "part-0.parquet")
    incoming_fs, incoming = resolve(join(root, INCOMING))
    _written_atomically(target, write, incoming)
    fs, path = resolve(folder)
    for info in fs.get_file_info(pafs.FileSelector(path, allow_not_found=True)):
        # Files from an older run or layout, and the temp file of a writer killed before
        # this one wrote outside the folder, would otherwise be read alongside the new one
        # (DuckDB's "articles/**" reads dot files; Polars refuses a mixed folder).
        if info.type == pafs.FileType.File and info.path != resolve(target)[1]:
            fs.delete_file(info.path)
    _sweep_dead_temps(incoming_fs, incoming)
    return target


# Where a partition's next file is written before its rename into the partition folder:
# under the data root but outside every dataset, so that a writer killed before its rename
# leaves nothing that a reader's glob of the dataset finds.
INCOMING = ".incoming"
# A temp file this old belongs to a writer that died: no partition takes this long to write.
_DEAD_TEMP_AGE = timedelta(hours=6)


def _sweep_dead_temps(fs: pafs.FileSystem, folder: str) -> None:
    """Delete the temp files of writers killed long ago (a live writer's are younger)."""
    cutoff = datetime.now(UTC) - _DEAD_TEMP_AGE
    for info in fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)):
        if info.type == pafs.FileType.File and info.mtime is not None and info.mtime < cutoff:
            with contextlib.suppress(OSError):
                fs.delete_file(info.path)


def read_partition(
    root: str, dataset: str, day: date, columns: list[str] | None = None
) -> pa.Table | None:
    """The partition of ``day`` as one table (of the ``columns`` its files hold), or None."""
    folder = partition_uri(root, dataset, day)
    fs, path = resolve(folder)
    files = sorted(
        info.path
        for info in fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
        if info.type == pafs.FileType.File
        and info.base_name.endswith(".parquet")
        and not info.base_name.startswith(".")
    )
    if not files:
        return None
    if columns is not None:
        held = set.intersection(*(set(pq.read_schema(f, filesystem=fs).names) for f in files))
        columns = [c for c in columns if c in held]
    return pa.concat_tables(pq.read_table(f, columns=columns, filesystem=fs) for f in files)
