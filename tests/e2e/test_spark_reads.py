"""Spark reads every dataset as partitioned Parquet with the documented types and values."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY
from news_ingest import store
from tests.support import nightly_run, settings_for

pytestmark = [
    pytest.mark.e2e,
    # pyspark 4.x warns about pandas 3 on start-up; nothing here goes through pandas.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
]
PROJECT = Path(__file__).resolve().parents[2]
DAYS = (DEMO_DAY - timedelta(days=1), DEMO_DAY)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, demo_site: SiteServer) -> Path:
    """Two demo days written by every stage, in order, to a local data root."""
    data = tmp_path_factory.mktemp("spark") / "data"
    settings = settings_for(data)
    for day in DAYS:
        nightly_run(demo_site.base_url, settings, day)
    return data


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    """A small local SparkSession bound to 127.0.0.1, without its web UI."""
    import pyspark.sql as pyspark_sql

    # py4j logs at INFO from __del__ at interpreter exit, after pytest closed its streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    saved = {k: os.environ.get(k) for k in ("SPARK_LOCAL_IP", "PYSPARK_PYTHON")}
    os.environ.update(SPARK_LOCAL_IP="127.0.0.1", PYSPARK_PYTHON=sys.executable)
    session = (
        pyspark_sql.SparkSession.builder.master("local[1]")
        .appName("news-ingest-types")
        .config("spark.driver.memory", "512m")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        # A short-lived JVM on a shared CPU: C1 only, serial GC, no code generation for a
        # few hundred rows. About halves start-up and first-query time here.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.sql.codegen.wholeStage", "false")
        # Shown instants in UTC; the assertions compare epoch microseconds anyway.
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    try:
        yield session
    finally:
        from pyspark import SparkContext

        gateway = SparkContext._gateway
        session.stop()
        # The JVM outlives stop(): it would stay a child of this process for the rest of
        # the session (some 450 MB, and in every memory sample the fault tests take). It
        # exits when its stdin closes.
        if gateway is not None and getattr(gateway, "proc", None) is not None:
            gateway.shutdown()
            gateway.proc.stdin.close()
            gateway.proc.wait(timeout=60)
            SparkContext._gateway = SparkContext._jvm = None
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _spark_type(arrow: pa.DataType):  # -> pyspark.sql.types.DataType
    """The Spark type each Arrow type of the contract must arrive as."""
    from pyspark.sql import types as T

    if pa.types.is_timestamp(arrow):
        assert arrow.tz == "UTC" and arrow.unit == "us"
        return T.TimestampType()
    if pa.types.is_list(arrow):
        return T.ArrayType(_spark_type(arrow.value_type), containsNull=True)
    simple = {
        pa.string(): T.StringType(),
        pa.int32(): T.IntegerType(),
        pa.int64(): T.LongType(),
        pa.float32(): T.FloatType(),
        pa.float64(): T.DoubleType(),
        pa.bool_(): T.BooleanType(),
        pa.binary(): T.BinaryType(),
        pa.date32(): T.DateType(),
    }
    return simple[arrow]


@pytest.mark.parametrize("dataset", ["articles", "events", "fingerprints"])
def test_spark_schema_is_the_contract_plus_a_date_partition(spark, root: Path, dataset) -> None:
    from pyspark.sql import types as T

    df = spark.read.parquet(str(root / dataset))
    got = {f.name: f.dataType for f in df.schema.fields}
    expected = {f.name: _spark_type(f.type) for f in store.DATASETS[dataset]}
    assert got == {**expected, "date": T.DateType()}
    assert df.schema.fieldNames()[-1] == "date"  # discovered from date=YYYY-MM-DD folders


def test_articles_specifics(spark, root: Path) -> None:
    from pyspark.sql import types as T

    fields = {f.name: f.dataType for f in spark.read.parquet(str(root / "articles")).schema}
    for name in ("published_at", "fetched_at", "modified_at"):
        assert fields[name] == T.TimestampType(), name
    for name in ("authors", "categories", "tags"):
        assert fields[name] == T.ArrayType(T.StringType(), True), name
    assert "minhash" not in fields  # in fingerprints, below
    assert fields["date"] == T.DateType()
    prints = spark.read.parquet(str(root / "fingerprints")).schema
    assert {f.name: f.dataType for f in prints}["minhash"] == T.BinaryType()


@pytest.mark.parametrize(
    ("dataset", "key"),
    [("articles", "article_id"), ("events", "event_id"), ("fingerprints", "article_id")],
)
def test_spark_sees_the_rows_and_values_pyarrow_wrote(spark, root: Path, dataset, key) -> None:
    from pyspark.sql import functions as F

    schema = store.DATASETS[dataset]
    df = spark.read.parquet(str(root / dataset))
    # Timestamps as epoch microseconds: the instant itself, whatever the session time zone.
    columns = [
        F.unix_micros(F.col(f.name)).alias(f.name) if pa.types.is_timestamp(f.type) else f.name
        for f in schema
    ]
    rows = df.select(*columns, "date").orderBy("date", key).collect()

    expected = []
    for day in DAYS:
        table = store.read_partition(str(root), dataset, day)
        assert table is not None and table.num_rows > 0, (dataset, day)
        for f in schema:
            if pa.types.is_timestamp(f.type):
                i = table.schema.get_field_index(f.name)
                table = table.set_column(i, f.name, table.column(f.name).cast(pa.int64()))
        for row in table.sort_by(key).to_pylist():
            expected.append({**row, "date": day})

    assert len(rows) == len(expected)
    counts = df.groupBy("date").count().orderBy("date").collect()
    assert [(r["date"], r["count"]) for r in counts] == [
        (day, sum(1 for e in expected if e["date"] == day)) for day in DAYS
    ]
    for got, want in zip(rows, expected, strict=True):
        got = got.asDict()
        if "minhash" in got:
            got["minhash"] = bytes(got["minhash"])
        assert got == want, want[key]


def test_timestamps_keep_their_utc_instant(spark, root: Path) -> None:
    from pyspark.sql import functions as F

    table = store.read_partition(str(root), "articles", DEMO_DAY)
    assert table is not None
    row = next(r for r in table.to_pylist() if r["published_at"] is not None)
    got = (
        spark.read.parquet(str(root / "articles"))
        .where(F.col("article_id") == row["article_id"])
        .select(F.date_format("published_at", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS").alias("utc"))
        .first()
    )
    # The session time zone is UTC: Spark renders the same wall-clock time pyarrow does.
    assert got["utc"] == row["published_at"].strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert row["published_at"].utcoffset() == timedelta(0)
