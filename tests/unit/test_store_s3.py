"""The data root on S3: partitions, atomic replacement and every stage, on a local moto server."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY
from news_ingest import store
from news_ingest.settings import Settings
from news_ingest.stages.manifest import manifest_uri
from tests.support import LocalS3, article_row, local_s3, nightly_run

BUCKET = "news-unit"
ROOT = f"s3://{BUCKET}/prod/v1"
PART = "prod/v1/articles/date=2026-11-19/part-0.parquet"


@pytest.fixture(scope="module")
def s3() -> LocalS3:
    with local_s3(BUCKET) as server:
        yield server


@pytest.fixture
def clean_bucket(s3: LocalS3) -> LocalS3:
    for key in s3.keys(BUCKET):
        s3.client.delete_object(Bucket=BUCKET, Key=key)
    return s3


def _articles(n: int, text_bytes: int = 64, tag: str = "x") -> pa.Table:
    published = datetime(2026, 11, 19, 1, 2, 3, 456789, tzinfo=UTC)
    rows = [
        article_row(
            i,
            authors=["A", "B"],
            published_at=published,
            tags=[tag],
            # Random bytes do not compress: as hex, they set the file size.
            text=os.urandom(text_bytes).hex(),
        )
        for i in range(n)
    ]
    return pa.Table.from_pylist(rows, schema=store.ARTICLES_SCHEMA)


def _stray_keys(keys: list[str]) -> list[str]:
    # Anything but the final objects (and pyarrow's empty folder markers, "…/").
    return [k for k in keys if k.rsplit("/", 1)[-1].startswith(".") or k.endswith(".tmp")]


def test_the_standard_aws_variables_reach_the_local_server(s3: LocalS3) -> None:
    fs, path = store.resolve(ROOT)
    assert fs.type_name == "s3" and path == f"{BUCKET}/prod/v1"
    assert store.publishes_on_close(fs)
    assert s3.endpoint.startswith("http://127.0.0.1:")


def test_partitions_round_trip_with_hive_layout_and_schema(clean_bucket: LocalS3) -> None:
    uri = store.write_partition(ROOT, "articles", DEMO_DAY, _articles(3))
    store.write_partition(ROOT, "articles", date(2026, 11, 20), _articles(2))
    store.write_partition(ROOT, "events", DEMO_DAY, store.EVENTS_SCHEMA.empty_table())
    assert uri == f"{ROOT}/articles/date=2026-11-19/part-0.parquet"
    files = [k for k in clean_bucket.keys(BUCKET) if not k.endswith("/")]
    assert files == [
        PART,
        "prod/v1/articles/date=2026-11-20/part-0.parquet",
        "prod/v1/events/date=2026-11-19/part-0.parquet",
    ]
    table = store.read_partition(ROOT, "articles", DEMO_DAY)
    assert table is not None and table.schema == store.ARTICLES_SCHEMA
    assert table.column("published_at")[0].as_py() == datetime(
        2026, 11, 19, 1, 2, 3, 456789, tzinfo=UTC
    )
    assert store.schema_problem(uri, store.ARTICLES_SCHEMA) is None
    # A reader of the whole dataset straight from S3, with the date partition column.
    fs, path = store.resolve(f"{ROOT}/articles")
    by_date = ds.partitioning(pa.schema([("date", pa.date32())]), flavor="hive")
    dataset = ds.dataset(path, filesystem=fs, format="parquet", partitioning=by_date)
    counts = dataset.to_table(columns=["date"]).group_by("date").aggregate([("date", "count")])
    assert sorted(counts.to_pylist(), key=str) == [
        {"date": date(2026, 11, 19), "date_count": 3},
        {"date": date(2026, 11, 20), "date_count": 2},
    ]
    events = store.read_partition(ROOT, "events", DEMO_DAY)
    assert events is not None and events.num_rows == 0


def test_only_the_final_key_is_ever_written(clean_bucket: LocalS3, monkeypatch) -> None:
    calls: list[tuple[str, str]] = []

    class Recording:
        def __init__(self, fs):
            self._fs = fs

        def __getattr__(self, name):
            attr = getattr(self._fs, name)
            if not callable(attr):
                return attr

            def call(*args, **kwargs):
                calls.append((name, str(args[0]) if args else ""))
                return attr(*args, **kwargs)

            return call

    real = store.resolve
    monkeypatch.setattr(store, "resolve", lambda uri: (Recording(real(uri)[0]), real(uri)[1]))
    store.write_table_atomic(f"{ROOT}/articles/date=2026-11-19/part-0.parquet", _articles(2))
    store.write_bytes_atomic(f"{ROOT}/runs/date=2026-11-19/manifest-x.json", b"{}")
    assert calls == [
        ("open_output_stream", f"{BUCKET}/{PART}"),
        ("open_output_stream", f"{BUCKET}/prod/v1/runs/date=2026-11-19/manifest-x.json"),
    ]
    assert clean_bucket.keys(BUCKET) == [PART, "prod/v1/runs/date=2026-11-19/manifest-x.json"]


def test_readers_see_the_old_or_the_new_partition_never_a_part(clean_bucket: LocalS3) -> None:
    # A large version (over pyarrow's multipart threshold) and a small one (a single PUT),
    # overwritten in turn while a reader fetches the object again and again.
    big, small = _articles(12, text_bytes=1 << 20, tag="big"), _articles(3, tag="small")
    store.write_partition(ROOT, "articles", DEMO_DAY, small)
    seen: list[tuple[int, str]] = []
    problems: list[BaseException] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            try:
                body = clean_bucket.client.get_object(Bucket=BUCKET, Key=PART)["Body"].read()
                table = pq.read_table(pa.BufferReader(body))
                seen.append((table.num_rows, table.column("tags")[0].as_py()[0]))
            except BaseException as exc:  # a torn object would fail to parse
                problems.append(exc)

    reader = threading.Thread(target=read_until_done)
    reader.start()
    etags = set()
    try:
        for version in (big, small, big, small, big):
            store.write_partition(ROOT, "articles", DEMO_DAY, version)
            etags.add(clean_bucket.client.head_object(Bucket=BUCKET, Key=PART)["ETag"])
    finally:
        done.set()
        reader.join()
    assert not problems, problems[:3]
    assert seen and set(seen) <= {(12, "big"), (3, "small")}
    # Both upload paths ran: a multipart ETag ends in "-<parts>", a single PUT's does not.
    assert any("-" in e for e in etags) and any("-" not in e for e in etags)
    assert clean_bucket.keys(BUCKET) == [PART]
    assert clean_bucket.pending_uploads(BUCKET) == []
    final = store.read_partition(ROOT, "articles", DEMO_DAY)
    assert final is not None and final.num_rows == 12


def test_a_writer_failing_mid_write_leaves_the_old_partition(
    clean_bucket: LocalS3, monkeypatch
) -> None:
    store.write_partition(ROOT, "articles", DEMO_DAY, _articles(4))
    before = clean_bucket.client.head_object(Bucket=BUCKET, Key=PART)["ETag"]
    real_write = pq.write_table

    def half_then_fail(table, where, **kwargs):
        # A valid Parquet file with only the first row, then the failure: written straight
        # to the key, this would publish a partial day.
        real_write(table.slice(0, 1), where, **kwargs)
        raise OSError("connection reset while writing")

    monkeypatch.setattr(store.pq, "write_table", half_then_fail)
    with pytest.raises(OSError, match="connection reset"):
        store.write_partition(ROOT, "articles", DEMO_DAY, _articles(2))
    monkeypatch.undo()
    assert clean_bucket.client.head_object(Bucket=BUCKET, Key=PART)["ETag"] == before
    table = store.read_partition(ROOT, "articles", DEMO_DAY)
    assert table is not None and table.num_rows == 4
    assert clean_bucket.keys(BUCKET) == [PART]
    assert clean_bucket.pending_uploads(BUCKET) == []


def test_rewriting_a_day_removes_stale_files(clean_bucket: LocalS3) -> None:
    stale = "prod/v1/articles/date=2026-11-19/part-old.parquet"
    store.write_partition(ROOT, "articles", DEMO_DAY, _articles(5))
    body = clean_bucket.client.get_object(Bucket=BUCKET, Key=PART)["Body"].read()
    clean_bucket.client.put_object(Bucket=BUCKET, Key=stale, Body=body)
    store.write_partition(ROOT, "articles", DEMO_DAY, _articles(2))
    table = store.read_partition(ROOT, "articles", DEMO_DAY)
    assert table is not None and table.num_rows == 2
    assert stale not in clean_bucket.keys(BUCKET)


def test_every_stage_on_s3_gives_the_rows_of_a_local_root(
    clean_bucket: LocalS3, demo_site: SiteServer, settings: Settings
) -> None:
    # An empty bucket: rows an earlier run left under stages/ (moto keeps its objects in
    # the process, and a forked process inherits them) would join this run's.
    s3 = clean_bucket
    remote = replace(settings, data_root=f"s3://{BUCKET}/stages")
    on_s3 = nightly_run(demo_site.base_url, remote)
    local = nightly_run(demo_site.base_url, settings)
    assert on_s3.published is not None and on_s3.published.articles == (
        f"s3://{BUCKET}/stages/articles/date=2026-11-19/part-0.parquet"
    )
    for dataset, key, run_metadata in (
        ("articles", "article_id", ["fetched_at"]),
        ("events", "event_id", []),
    ):
        rows = []
        for root in (remote.data_root, settings.data_root):
            table = store.read_partition(root, dataset, DEMO_DAY)
            assert table is not None and table.num_rows > 0
            rows.append(table.drop_columns(run_metadata).sort_by(key).to_pylist())
        assert rows[0] == rows[1], dataset
    assert on_s3.stages.dedupe.articles == local.stages.dedupe.articles
    assert store.exists(manifest_uri(remote.data_root, DEMO_DAY, on_s3.run_id))
    keys = s3.keys(BUCKET, "stages/")
    assert "stages/runs/date=2026-11-19/manifest-" in " ".join(keys)
    assert any(k.startswith("stages/staging/date=2026-11-19/") for k in keys)
    assert _stray_keys(keys) == []
    assert s3.pending_uploads(BUCKET) == []
