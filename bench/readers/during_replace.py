"""What readers see while a day's partition is being replaced.

Run: `.venv/bin/python bench/readers/during_replace.py [--seconds 20]`. One process
replaces the articles partition of one day again and again (alternating two versions of
2,000 rows, each row tagged with its version); readers query the dataset meanwhile with
DuckDB, Polars and pyarrow, each in a process of its own. A read is "whole" when every row
it returns is of one version and it returns them all, "error" when it raises; anything
else (rows of both versions, a count of neither) is "mixed", which must never happen.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from news_ingest import store

DAY = date(2026, 12, 1)
ROWS = 2000  # set by --rows


def _filler(kind: pa.DataType) -> object:
    """A value of ``kind`` for the columns that may not be null."""
    if pa.types.is_boolean(kind):
        return False
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return 0
    if pa.types.is_timestamp(kind):
        return datetime(2026, 12, 1, tzinfo=UTC)
    if pa.types.is_date(kind):
        return DAY
    if pa.types.is_list(kind):
        return []
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return b""
    return "x"


def _version(tag: int) -> pa.Table:
    """The day's articles, every title naming the version ``tag``."""
    schema = store.ARTICLES_SCHEMA
    columns: dict[str, list[object]] = {
        f.name: [None] * ROWS if f.nullable else [_filler(f.type)] * ROWS for f in schema
    }
    columns["article_id"] = [f"{i:016x}" for i in range(ROWS)]
    columns["title"] = [f"version {tag}"] * ROWS
    columns["text"] = [f"Body {i} of version {tag}. " * 40 for i in range(ROWS)]
    columns["url"] = [f"https://example.org/{i}" for i in range(ROWS)]
    columns["is_article"] = [True] * ROWS
    columns["is_duplicate"] = [False] * ROWS
    table = pa.table({k: columns[k] for k in schema.names}, schema=schema.remove_metadata())
    return store.conform(table, schema)


def _writer(root: str, stop_at: float, counts: dict[str, int]) -> None:
    versions = [_version(0), _version(1)]
    n = 0
    while time.monotonic() < stop_at:
        store.write_partition(root, "articles", DAY, versions[n % 2])
        n += 1
    counts["writes"] = n


def _titles(reader: str, root: str) -> list[str]:
    folder = f"{root}/articles"
    if reader == "duckdb":
        import duckdb

        rows = duckdb.connect().execute(
            f"select title from read_parquet('{folder}/*/*.parquet', hive_partitioning=true)"
        )
        return [r[0] for r in rows.fetchall()]
    if reader == "polars":
        import polars as pl

        frame = pl.read_parquet(f"{folder}/*/*.parquet", hive_partitioning=True)
        return list(frame.get_column("title"))
    import pyarrow.dataset as ds

    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table(columns=["title"])
    return [str(t) for t in table.column("title").to_pylist()]


def _reader(reader: str, root: str, stop_at: float, out: dict[str, Counter[str]]) -> None:
    seen: Counter[str] = Counter()
    while time.monotonic() < stop_at:
        try:
            titles = _titles(reader, root)
        except Exception as exc:
            seen["error"] += 1
            seen[f"error: {type(exc).__name__}: {str(exc)[:60]}"] += 1
            continue
        whole = len(titles) == ROWS and len(set(titles)) == 1
        seen["whole" if whole else "mixed"] += 1
    out[reader] = seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    global ROWS
    ROWS = args.rows
    with tempfile.TemporaryDirectory() as tmp, multiprocessing.Manager() as manager:
        root = str(Path(tmp) / "data")
        store.write_partition(root, "articles", DAY, _version(0))
        stop_at = time.monotonic() + args.seconds
        counts = manager.dict()
        out = manager.dict()
        procs = [multiprocessing.Process(target=_writer, args=(root, stop_at, counts))]
        procs += [
            multiprocessing.Process(target=_reader, args=(name, root, stop_at, out))
            for name in ("duckdb", "polars", "pyarrow")
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        print(f"{counts.get('writes', 0)} replaces of a {ROWS}-row day in {args.seconds:g} s")
        for name in ("duckdb", "polars", "pyarrow"):
            seen = out.get(name, Counter())
            reads = seen["whole"] + seen["mixed"] + seen["error"]
            print(
                f"  {name:8s} reads {reads:5d}  whole {seen['whole']:5d}  "
                f"errors {seen['error']:3d}  mixed {seen['mixed']}"
            )
            for key, n in sorted(seen.items()):
                if key.startswith("error: "):
                    print(f"           {n:3d} x {key[7:]}")


if __name__ == "__main__":
    main()
