from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from news_ingest import store

DAY = date(2026, 11, 19)


def _articles(n: int, text: str = "body") -> pa.Table:
    rows = [
        {
            "article_id": f"{i:016x}",
            "feed_id": "f",
            "url": f"https://a.org/{i}",
            "canonical_url": f"https://a.org/{i}",
            "domain": "a.org",
            "title": f"t{i}",
            "text": text,
            "authors": ["A"],
            "published_at": datetime(2026, 11, 19, 1, tzinfo=UTC),
            "fetched_at": datetime(2026, 11, 19, 2, tzinfo=UTC),
            "language": "en",
            "word_count": 1,
            "is_article": True,
            "is_duplicate": False,
            "duplicate_of": None,
            "duplicate_similarity": None,
            "source": None,
            "date_source": "feed",
            "final_url": f"https://a.org/{i}",
            "text_sha256": "0" * 64,
            "modified_at": None,
            "language_confidence": 0.99,
            "is_paywalled": False,
            "site_name": "A",
            "description": None,
            "categories": [],
            "tags": ["x"],
            "image_url": None,
            "duplicate_kind": None,
            "cluster_id": f"{i:016x}",
            "copies_seen": 0,
            "dedupe_hash": "0" * 64,
            "minhash": b"\x00" * 640,
            "shingle_count": 1,
            "numbers_mask": 0,
            "names_mask": 0,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=store.ARTICLES_SCHEMA)


def test_partition_is_hive_style_zstd_with_schema_version(tmp_path) -> None:
    uri = store.write_partition(str(tmp_path), "articles", DAY, _articles(3))
    assert uri.endswith("articles/date=2026-11-19/part-0.parquet")
    meta = pq.ParquetFile(uri)
    assert meta.metadata.row_group(0).column(0).compression == "ZSTD"
    assert meta.schema_arrow.metadata[b"news_ingest.schema_version"] == b"1"
    assert meta.schema_arrow.field("published_at").type == pa.timestamp("us", tz="UTC")


def test_duckdb_reads_partitions_with_the_date_column(tmp_path) -> None:
    store.write_partition(str(tmp_path), "articles", DAY, _articles(3))
    store.write_partition(str(tmp_path), "articles", date(2026, 11, 20), _articles(2))
    rows = duckdb.sql(
        f"select date, count(*) from read_parquet('{tmp_path}/articles/*/*.parquet', "
        "hive_partitioning=true) group by date order by date"
    ).fetchall()
    assert rows == [(date(2026, 11, 19), 3), (date(2026, 11, 20), 2)]


def test_rewriting_a_day_replaces_it_whole(tmp_path) -> None:
    store.write_partition(str(tmp_path), "articles", DAY, _articles(5))
    (tmp_path / "articles" / "date=2026-11-19" / "part-old.parquet").write_bytes(
        (tmp_path / "articles" / "date=2026-11-19" / "part-0.parquet").read_bytes()
    )
    store.write_partition(str(tmp_path), "articles", DAY, _articles(2))
    assert store.read_partition(str(tmp_path), "articles", DAY).num_rows == 2


def test_a_failed_write_leaves_the_previous_partition_intact(tmp_path, monkeypatch) -> None:
    store.write_partition(str(tmp_path), "articles", DAY, _articles(4))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.pq, "write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        store.write_partition(str(tmp_path), "articles", DAY, _articles(1))
    monkeypatch.undo()
    assert store.read_partition(str(tmp_path), "articles", DAY).num_rows == 4
    assert [p.name for p in (tmp_path / "articles" / "date=2026-11-19").iterdir()] == [
        "part-0.parquet"
    ]


def test_schema_mismatch_fails_loudly(tmp_path) -> None:
    bad = _articles(1).drop_columns(["title"])
    with pytest.raises(ValueError, match="title"):
        store.write_partition(str(tmp_path), "articles", DAY, bad)


def test_empty_day_still_writes_a_readable_partition(tmp_path) -> None:
    store.write_partition(str(tmp_path), "events", DAY, store.EVENTS_SCHEMA.empty_table())
    table = store.read_partition(str(tmp_path), "events", DAY)
    assert table is not None and table.num_rows == 0
    assert table.schema.field("fatalities").type == pa.int32()
