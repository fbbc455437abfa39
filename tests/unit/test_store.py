import dataclasses
import os
import random
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from news_ingest import store
from tests.support import article_row

DAY = date(2026, 11, 19)


def _articles(n: int, text: str = "body") -> pa.Table:
    extra = {"language_confidence": 0.99, "site_name": "A", "copies_seen": 0}
    rows = [article_row(i, text=text, **extra) for i in range(n)]
    return pa.Table.from_pylist(rows, schema=store.ARTICLES_SCHEMA)


def test_partition_is_hive_style_zstd_with_schema_version(tmp_path) -> None:
    uri = store.write_partition(str(tmp_path), "articles", DAY, _articles(3))
    assert uri.endswith("articles/date=2026-11-19/part-0.parquet")
    meta = pq.ParquetFile(uri)
    assert meta.metadata.row_group(0).column(0).compression == "ZSTD"
    assert meta.schema_arrow.metadata[b"news_ingest.schema_version"] == b"3"
    assert "minhash" not in meta.schema_arrow.names  # fingerprints have their own dataset
    assert meta.schema_arrow.field("published_at").type == pa.timestamp("us", tz="UTC")


def test_duckdb_reads_partitions_with_the_date_column(tmp_path) -> None:
    store.write_partition(str(tmp_path), "articles", DAY, _articles(3))
    store.write_partition(str(tmp_path), "articles", date(2026, 11, 20), _articles(2))
    rows = duckdb.sql(
        f"select date, count(*) from read_parquet('{tmp_path}/articles/*/*.parquet', "
        "hive_partitioning=true) group by date order by date"
    ).fetchall()
    assert rows == [(date(2026, 11, 19), 3), (date(2026, 11, 20), 2)]


def test_each_reader_gets_date_as_the_data_dictionary_says(tmp_path) -> None:
    import pandas as pd
    import polars as pl
    import pyarrow.dataset as ds

    for day, n in ((DAY, 3), (date(2026, 11, 20), 2)):
        store.write_partition(str(tmp_path), "articles", day, _articles(n))
    folder, glob = tmp_path / "articles", f"{tmp_path}/articles/*/*.parquet"
    days = [DAY] * 3 + [date(2026, 11, 20)] * 2
    rel = duckdb.sql(f"select date from read_parquet('{glob}', hive_partitioning=true) order by 1")
    assert [str(t) for t in rel.types] == ["DATE"] and [r[0] for r in rel.fetchall()] == days
    for frame in (
        pl.read_parquet(glob, hive_partitioning=True),
        pl.scan_parquet(folder, hive_partitioning=True).collect(),
    ):
        assert frame.schema["date"] == pl.Date and sorted(frame["date"].to_list()) == days
    by_date = store.partitioning()
    assert ds.dataset(folder, partitioning=by_date).schema.field("date").type == pa.date32()
    df = pd.read_parquet(folder, partitioning=by_date)
    assert not isinstance(df["date"].dtype, pd.CategoricalDtype)
    assert sorted(df["date"]) == days  # datetime.date values
    typed = pd.read_parquet(folder, partitioning=by_date, dtype_backend="pyarrow")
    assert str(typed["date"].dtype) == "date32[day][pyarrow]"
    later = pd.read_parquet(folder, partitioning=by_date, filters=[("date", ">", DAY)])
    assert list(later["date"]) == days[3:]
    # Without it, pyarrow's discovery infers no dates: pandas gets strings, as documented.
    assert isinstance(pd.read_parquet(folder)["date"].dtype, pd.CategoricalDtype)
    doc = store.data_dictionary()
    for reader in ("DuckDB", "Polars", "Spark", "pyarrow", "pandas"):
        assert f"| {reader} |" in doc


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


def _varied_articles(n: int) -> pa.Table:
    """Articles over a few domains, in no particular order, some without a date."""
    table = _articles(n)
    rng = random.Random(n)
    domains = [rng.choice(["b.org", "a.org", "c.net"]) for _ in range(n)]
    published = [
        None if rng.random() < 0.2 else datetime(2026, 11, 19, rng.randrange(24), tzinfo=UTC)
        for _ in range(n)
    ]
    table = table.set_column(4, "domain", pa.array(domains))
    table = table.set_column(8, "published_at", pa.array(published, store.TS))
    return table.cast(store.ARTICLES_SCHEMA)


def _events(n: int) -> pa.Table:
    """Events over a few countries and types, in no particular order, some without a country."""
    rng = random.Random(n)
    rows = [
        {
            "event_id": f"{rng.getrandbits(64):016x}",
            "article_id": f"{i // 2:016x}",
            "event_date": rng.choice([None, DAY, date(2026, 11, 18)]),
            "event_type": rng.choice(["PROTEST", "ASSAULT", "CONSULT"]),
            "country": rng.choice([None, "KEN", "NGA", "FRA"]),
            "fatalities": rng.choice([None, None, 3]),
            "sentence": f"sentence {i}",
            "confidence": 0.5,
        }
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=store.EVENTS_SCHEMA)


def _fingerprints(n: int) -> pa.Table:
    """Fingerprint rows of n articles, in no particular order."""
    rng = random.Random(n)
    rows = [
        {
            "article_id": f"{rng.getrandbits(64):016x}",
            "text_sha256": f"{rng.getrandbits(256):064x}",
            "dedupe_hash": f"{rng.getrandbits(256):064x}",
            "minhash": rng.randbytes(640),
            "shingle_count": rng.randrange(1, 500),
            "numbers_mask": rng.getrandbits(63),
            "names_mask": -rng.getrandbits(63),
        }
        for _ in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=store.FINGERPRINTS_SCHEMA)


def _tables() -> dict[str, pa.Table]:
    return {
        "articles": _varied_articles(60),
        "events": _events(80),
        "fingerprints": _fingerprints(50),
    }


def _python_sorted(rows: list[dict], keys: list[tuple[str, str]]) -> list[dict]:
    # Independent of Arrow's sort: ascending, nulls last, as the layout declares.
    return sorted(rows, key=lambda r: tuple((r[k] is None, r[k]) for k, _order in keys))


@pytest.mark.parametrize("dataset", ["articles", "events", "fingerprints"])
def test_partition_is_sorted_by_the_declared_keys(tmp_path, dataset) -> None:
    keys = store.sort_keys(dataset)
    assert keys and keys[-1][0] in ("article_id", "event_id")  # a unique id breaks every tie
    table = _tables()[dataset]
    uri = store.write_partition(str(tmp_path), dataset, DAY, table)
    back = pq.read_table(uri)
    assert back.to_pylist() == _python_sorted(table.to_pylist(), keys)
    meta = pq.ParquetFile(uri).metadata
    declared = pq.SortingColumn.to_ordering(
        meta.schema.to_arrow_schema(), meta.row_group(0).sorting_columns
    )
    assert declared == (tuple(keys), "at_end")


@pytest.mark.parametrize("dataset", ["articles", "events", "fingerprints"])
def test_a_rerun_writes_the_same_bytes_whatever_the_row_order(tmp_path, dataset) -> None:
    table = _tables()[dataset]
    shuffled = table.take(random.Random(1).sample(range(table.num_rows), table.num_rows))
    first = store.write_partition(str(tmp_path / "a"), dataset, DAY, table)
    again = store.write_partition(str(tmp_path / "b"), dataset, DAY, table)
    reordered = store.write_partition(str(tmp_path / "c"), dataset, DAY, shuffled)
    data = Path(first).read_bytes()
    assert Path(again).read_bytes() == data
    assert Path(reordered).read_bytes() == data


@pytest.mark.parametrize("dataset", ["articles", "events"])
def test_dictionary_encoding_only_where_values_repeat(tmp_path, dataset) -> None:
    layout = store.LAYOUTS[dataset]
    assert isinstance(layout.dictionary, tuple)
    uri = store.write_partition(str(tmp_path), dataset, DAY, _tables()[dataset])
    group = pq.ParquetFile(uri).metadata.row_group(0)
    chunks = {group.column(i).path_in_schema: group.column(i) for i in range(group.num_columns)}
    for path in layout.dictionary:
        assert chunks[path].has_dictionary_page, path
        assert "RLE_DICTIONARY" in chunks[path].encodings, path
    for path in ("article_id", "text", "url", "minhash", "event_id", "sentence"):
        if path in chunks:
            assert not chunks[path].has_dictionary_page, path


@pytest.mark.parametrize("dataset", ["articles", "events", "fingerprints"])
def test_statistics_and_page_index_on_filterable_columns(tmp_path, dataset) -> None:
    layout = store.LAYOUTS[dataset]
    uri = store.write_partition(str(tmp_path), dataset, DAY, _tables()[dataset])
    group = pq.ParquetFile(uri).metadata.row_group(0)
    filterable = {
        "articles": ["article_id", "domain", "feed_id", "published_at", "fetched_at"],
        "events": ["event_id", "article_id", "event_date", "event_type", "country", "fatalities"],
        "fingerprints": ["article_id"],
    }[dataset]
    for i in range(group.num_columns):
        chunk = group.column(i)
        name = chunk.path_in_schema.split(".")[0]
        if name in layout.no_statistics:
            assert not chunk.is_stats_set, name
            continue
        assert chunk.is_stats_set, name
        if name in filterable:
            assert chunk.statistics.has_min_max, name
        assert chunk.has_offset_index == layout.page_index, name
    assert set(layout.no_statistics).isdisjoint(filterable)


def test_one_row_group_per_day_up_to_the_cap(tmp_path, monkeypatch) -> None:
    uri = store.write_partition(str(tmp_path), "events", DAY, _events(80))
    assert pq.ParquetFile(uri).metadata.num_row_groups == 1
    small = dataclasses.replace(store.LAYOUTS["events"], row_group_rows=30)
    monkeypatch.setitem(store.LAYOUTS, "events", small)
    uri = store.write_partition(str(tmp_path), "events", DAY, _events(80))
    meta = pq.ParquetFile(uri).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [30, 30, 20]
    # Written group by group from a sort by index: the whole file is in order, not each group.
    shuffled = _events(80).take(list(range(79, -1, -1)))
    uri = store.write_partition(str(tmp_path), "events", DAY, shuffled)
    assert pq.read_table(uri).equals(
        store.conform(shuffled, store.EVENTS_SCHEMA).sort_by(store.sort_keys("events"))
    )


@pytest.mark.parametrize("dataset", ["articles", "events"])
def test_a_staged_day_over_one_row_group_is_published_without_reading_it_whole(
    tmp_path, monkeypatch, dataset
) -> None:
    table = _tables()[dataset]
    shuffled = table.take(random.Random(2).sample(range(table.num_rows), table.num_rows))
    staged = str(tmp_path / "staged.parquet")
    pq.write_table(shuffled, staged, row_group_size=7)  # as the stages write: small groups
    # A day within one row group takes the usual path, the same file as from the table.
    small_day = store.write_partition_from(str(tmp_path / "one"), dataset, DAY, staged)
    assert pq.read_table(small_day).equals(
        pq.read_table(store.write_partition(str(tmp_path / "ref"), dataset, DAY, shuffled))
    )
    smaller = dataclasses.replace(store.LAYOUTS[dataset], row_group_rows=25)
    monkeypatch.setitem(store.LAYOUTS, dataset, smaller)
    whole = store.write_partition(str(tmp_path / "whole"), dataset, DAY, shuffled)

    def read_whole(uri: str) -> pa.Table:
        raise AssertionError(f"{uri} read whole")

    monkeypatch.setattr(store, "read_table", read_whole)
    streamed = store.write_partition_from(str(tmp_path / "streamed"), dataset, DAY, staged)
    # One output row group per pass and one source row group per read, as a big day does.
    monkeypatch.setattr(store, "STREAM_BYTES", 1)
    monkeypatch.setattr(store, "STREAM_READ_ROWS", 10)
    in_passes = store.write_partition_from(str(tmp_path / "passes"), dataset, DAY, staged)
    for uri in (streamed, in_passes):
        back = pq.read_table(uri)
        assert back.to_pylist() == _python_sorted(table.to_pylist(), store.sort_keys(dataset))
        assert back.equals(pq.read_table(whole))
        meta = pq.ParquetFile(uri).metadata
        sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        full, rest = divmod(table.num_rows, 25)
        assert sizes == [25] * full + ([rest] if rest else [])
        assert [p.name for p in Path(uri).parent.iterdir()] == ["part-0.parquet"]


@pytest.mark.parametrize("dataset", ["articles", "events"])
def test_a_parquet_writer_takes_the_same_options_and_keeps_the_schema(tmp_path, dataset) -> None:
    schema = store.DATASETS[dataset]
    table = _tables()[dataset].sort_by(store.sort_keys(dataset))
    path = tmp_path / "streamed.parquet"
    with pq.ParquetWriter(path, schema, **store.parquet_options(dataset)) as writer:
        for batch in table.to_batches(max_chunksize=25):
            writer.write_batch(batch, row_group_size=store.row_group_rows(dataset))
    assert pq.read_table(path).equals(table)
    written = store.write_partition(str(tmp_path), dataset, DAY, table)
    assert store.schema_problem(written, schema) is None
    assert pq.read_schema(path).equals(pq.read_schema(written), check_metadata=True)


def test_a_dead_writers_temp_file_in_a_partition_is_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    root = str(tmp_path / "data")
    store.write_partition(root, "articles", date(2026, 12, 1), _articles(2))
    folder = tmp_path / "data" / "articles" / "date=2026-12-01"
    # What an older writer, killed after its temp file was whole, left beside the file.
    (folder / ".part-0.parquet.0123abcd.tmp").write_bytes((folder / "part-0.parquet").read_bytes())
    dead = tmp_path / "data" / store.INCOMING / ".part-0.parquet.feed.tmp"
    dead.parent.mkdir(parents=True, exist_ok=True)
    dead.write_bytes(b"a writer killed a day ago")
    day_ago = time.time() - 86_400
    os.utime(dead, (day_ago, day_ago))
    live = dead.with_name(".part-0.parquet.live.tmp")
    live.write_bytes(b"a writer at work now")

    store.write_partition(root, "articles", date(2026, 12, 1), _articles(3))

    assert [p.name for p in folder.iterdir()] == ["part-0.parquet"]
    assert not dead.exists() and live.exists()


def test_fingerprints_are_published_from_the_staged_articles_without_their_bodies(
    tmp_path, monkeypatch
) -> None:
    articles = _varied_articles(60)
    prints = _fingerprints(60).drop_columns(["article_id", "text_sha256"])
    staged_table = articles
    for name in prints.column_names:
        staged_table = staged_table.append_column(name, prints.column(name))
    staged_table = staged_table.cast(store.STAGED_ARTICLES_SCHEMA)
    staged = str(tmp_path / "staged.parquet")
    pq.write_table(staged_table, staged, row_group_size=7)
    expected = store.conform(staged_table, store.FINGERPRINTS_SCHEMA).sort_by("article_id")
    read_columns: list[list[str] | None] = []
    plain_read, group_read = store.read_table, pq.ParquetFile.read_row_groups

    def read_table(uri: str, columns: list[str] | None = None) -> pa.Table:
        read_columns.append(columns)
        return plain_read(uri, columns)

    def read_row_groups(self, groups, columns=None, **kwargs):
        read_columns.append(columns)
        return group_read(self, groups, columns=columns, **kwargs)

    monkeypatch.setattr(store, "read_table", read_table)
    monkeypatch.setattr(pq.ParquetFile, "read_row_groups", read_row_groups)
    one = store.write_partition_from(str(tmp_path / "one"), "fingerprints", DAY, staged)
    smaller = dataclasses.replace(store.LAYOUTS["fingerprints"], row_group_rows=25)
    monkeypatch.setitem(store.LAYOUTS, "fingerprints", smaller)
    streamed = store.write_partition_from(str(tmp_path / "streamed"), "fingerprints", DAY, staged)
    for uri in (one, streamed):
        assert pq.read_table(uri).equals(expected)
        assert uri.endswith("fingerprints/date=2026-11-19/part-0.parquet")
    assert read_columns and all(c == store.FINGERPRINTS_SCHEMA.names for c in read_columns)


def test_a_partition_read_gives_only_the_columns_its_files_hold(tmp_path) -> None:
    store.write_partition(str(tmp_path), "articles", DAY, _articles(3))
    table = store.read_partition(str(tmp_path), "articles", DAY, ["article_id", "minhash"])
    assert table is not None and table.column_names == ["article_id"]
    assert table.num_rows == 3
    assert store.read_partition(str(tmp_path), "articles", date(2026, 11, 20), ["text"]) is None


def test_the_data_dictionary_is_current_and_the_written_files_carry_it(tmp_path) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"
    assert doc.read_text() == store.data_dictionary(), "run make data-dictionary"
    uri = store.write_partition(str(tmp_path), "articles", DAY, _articles(2))
    written = pq.read_schema(uri)
    for name, schema in store.DATASETS.items():
        for field in schema:
            assert field.metadata and field.metadata[b"description"], (name, field.name)
            assert f"| `{field.name}` | `{field.type}` |" in doc.read_text()
    assert (
        written.field("published_at").metadata
        == store.ARTICLES_SCHEMA.field("published_at").metadata
    )


def test_a_partition_is_written_outside_the_dataset_until_its_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a day is written, its temp file is in .incoming/ and the partition folder holds
    only the previous file: a writer killed then leaves nothing a dataset reader finds."""
    root = tmp_path / "data"
    store.write_partition(str(root), "articles", DAY, _articles(2))
    folder = root / "articles" / "date=2026-11-19"
    seen: list[tuple[list[str], list[str]]] = []
    real = store._write_parquet

    def watched(table: pa.Table, where: object, fs: object, dataset: str | None = None) -> None:
        real(table, where, fs, dataset)  # type: ignore[arg-type]
        incoming = sorted(p.name for p in (root / store.INCOMING).iterdir())
        seen.append((sorted(p.name for p in folder.iterdir()), incoming))

    monkeypatch.setattr(store, "_write_parquet", watched)
    store.write_partition(str(root), "articles", DAY, _articles(3))
    [(in_folder, incoming)] = seen
    assert in_folder == ["part-0.parquet"]
    assert len(incoming) == 1 and incoming[0].startswith(".part-0.parquet.")
    assert incoming[0].endswith(".tmp")
    assert store.read_partition(str(root), "articles", DAY).num_rows == 3
    assert list((root / store.INCOMING).iterdir()) == []


def test_a_dead_temp_another_writer_swept_first_is_no_error(tmp_path: Path) -> None:
    """Two writers of the same night sweep .incoming/ at once: the one that finds the dead
    file gone when it deletes it goes on."""
    local, incoming = store.resolve(str(tmp_path / store.INCOMING))
    dead = tmp_path / store.INCOMING / ".part-0.parquet.dead.tmp"
    dead.parent.mkdir()
    dead.write_bytes(b"a writer killed a day ago")
    day_ago = time.time() - 86_400
    os.utime(dead, (day_ago, day_ago))

    class OtherWriterFirst:
        """The filesystem as one writer sees it: the other deletes what it just listed."""

        def get_file_info(self, selector: object) -> object:
            infos = local.get_file_info(selector)
            dead.unlink()
            return infos

        def delete_file(self, path: str) -> None:
            local.delete_file(path)

    store._sweep_dead_temps(OtherWriterFirst(), incoming)  # type: ignore[arg-type]
    assert not dead.exists()


def test_object_store_writes_create_the_folders_a_store_needs(tmp_path: Path) -> None:
    """pyarrow's in-memory store (the test stand-in for S3) models folders: every writer
    creates a key's folders before its one upload."""
    root = f"mock:///{tmp_path.name}/deep/er"
    uri = store.write_bytes_atomic(f"{root}/a/b/c.json", b'{"ok": 1}')
    assert store.read_bytes(uri) == b'{"ok": 1}'
    table_uri = store.write_table_atomic(f"{root}/x/y/t.parquet", _articles(2))
    assert store.read_table(table_uri).num_rows == 2
    with store.batch_writer(f"{root}/p/q/b.parquet", store.ARTICLES_SCHEMA) as write:
        write(_articles(2))
        write(_articles(1))
    assert store.read_table(f"{root}/p/q/b.parquet").num_rows == 3
    written = store.write_partition(root, "articles", DAY, _articles(4))
    assert written == f"{root}/articles/date=2026-11-19/part-0.parquet"
    assert store.read_partition(root, "articles", DAY).num_rows == 4


def test_an_aws_connections_fields_become_s3_options() -> None:
    extra = {
        "region_name": "eu-west-3",
        "aws_session_token": "token",
        "endpoint_url": "http://127.0.0.1:9000",
        "service_config": {"s3": {"endpoint_url": "http://127.0.0.1:9100"}},
    }
    options = store.S3Options.of_connection("key", "secret", extra)
    assert options == store.S3Options(
        "key", "secret", "token", "eu-west-3", "http://127.0.0.1:9100"
    )
    assert store.S3Options.of_connection("", "", {}) == store.S3Options()
