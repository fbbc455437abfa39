"""SIGKILL in the middle of writing a partition and in the middle of a harvest: readers
never see a partial partition, the rerun equals a clean run, and the raw archive and its
index stay readable. The writers run in child processes (tests/faults/killable.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY, build_routes, feed_list_yaml
from news_ingest import store
from news_ingest.archive import CaptureLookup, read_index, read_record_body
from news_ingest.settings import Settings
from tests.faults.figures import record
from tests.faults.rows import random_table
from tests.support import nightly_run

PROJECT = Path(__file__).resolve().parents[2]
DAY = DEMO_DAY.isoformat()


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.faults.killable", *args],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _wait_for(check, timeout_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < end, "the child never reached the point to kill it at"
        time.sleep(0.005)


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if p.is_file()] if folder.exists() else []


def _visible_rows(root: Path) -> pa.Table:
    """What readers see: DuckDB's glob and a pyarrow dataset over the partition folder."""
    glob = str(root / "articles" / "*" / "*.parquet")
    con = duckdb.connect()
    duck = con.execute(
        f"select article_id from read_parquet('{glob}', hive_partitioning=true) order by 1"
    ).fetchall()
    arrow = ds.dataset(root / "articles", format="parquet", partitioning="hive").to_table()
    assert sorted(arrow.column("article_id").to_pylist()) == [r[0] for r in duck]
    return arrow.sort_by("article_id")


# Rows of the killed write: mid-stream, enough (some 450 MB of Parquet) that the write is
# still going when the kill lands; before the rename, the child stalls there whatever the
# size, so a partition of 2,000 rows shows the same.
ROWS = {"mid-stream": 20000, "before-rename": 2000}


@pytest.mark.parametrize("when", ["mid-stream", "before-rename"])
def test_sigkill_while_writing_a_partition(when: str, tmp_path: Path) -> None:
    root = tmp_path / "data"
    old = random_table(store.ARTICLES_SCHEMA, 50, seed=1)
    store.write_partition(str(root), "articles", DEMO_DAY, old)
    before = _visible_rows(root)
    folder = root / "articles" / f"date={DAY}"

    extra = ["--stall-before-rename"] if when == "before-rename" else []
    rows = ROWS[when]
    child = _child("partition", str(root), DAY, str(rows), "2", *extra)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    started = time.monotonic()
    if when == "before-rename":
        assert child.stdout.readline().strip() == "stalled"
    else:
        _wait_for(lambda: any(p.stat().st_size > 0 for p in _temps(root / store.INCOMING)))
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert child.returncode == -signal.SIGKILL
    record(f"sigkill-partition-{when}", killed_after_s=round(time.monotonic() - started, 3))

    # The killed write left its temp file outside the dataset, where no reader's glob of
    # it looks (DuckDB's "articles/**" reads dot files too; Polars refuses a folder of
    # mixed extensions); the old partition is intact and whole.
    assert _temps(root / store.INCOMING)
    assert [p.name for p in folder.iterdir()] == ["part-0.parquet"]
    assert _visible_rows(root).equals(before)
    everything = (
        duckdb.connect()
        .execute(f"select count(*) from read_parquet('{root / 'articles'}/**')")
        .fetchone()
    )
    assert everything == (before.num_rows,)
    scanned = pl.scan_parquet(root / "articles", hive_partitioning=True).select(pl.len())
    assert scanned.collect().item() == before.num_rows

    # Rerun: the same write, not killed, equals a clean write elsewhere.
    rerun = _child("partition", str(root), DAY, str(rows), "2")
    rerun.communicate(timeout=300)
    assert rerun.returncode == 0
    clean = tmp_path / "clean"
    store.write_partition(
        str(clean), "articles", DEMO_DAY, random_table(store.ARTICLES_SCHEMA, rows, seed=2)
    )
    assert _visible_rows(root).equals(_visible_rows(clean))


def _articles(root: Path) -> list[tuple]:
    rows = ds.dataset(root / "articles", format="parquet", partitioning="hive").to_table()
    return sorted(
        (r["article_id"], r["url"], r["title"], r["text"], r["is_duplicate"])
        for r in rows.to_pylist()
    )


def test_sigkill_mid_harvest_keeps_the_archive_readable(tmp_path: Path) -> None:
    with SiteServer() as site:
        site.routes.update(build_routes(site.base_url))
        feeds = feed_list_yaml(site.base_url)
        killed, clean = tmp_path / "killed", tmp_path / "clean"

        site.latency_s = 0.2  # a harvest of a few seconds, to be killed in the middle
        child = _child("harvest", str(killed), DAY, feeds)
        assert child.stdout is not None and child.stdout.readline().strip() == "writing"
        raw = killed / "raw" / f"date={DAY}"
        _wait_for(lambda: any(p.stat().st_size > 20_000 for p in _temps(raw)))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        site.latency_s = 0.0
        # Nothing of the killed harvest is published: no WARC without its index.
        assert [p for p in raw.iterdir() if not p.name.startswith(".")] == []

        # The next harvest runs normally beside the killed one's leftover temp file.
        for root in (killed, clean):
            again = _child("harvest", str(root), DAY, feeds)
            again.communicate(timeout=300)
            assert again.returncode == 0
        index = read_index(str(killed), [DEMO_DAY])
        assert index.num_rows > 0
        for row in index.to_pylist():  # every indexed record reads back
            read_record_body(str(killed), row["warc_file"], row["offset"], row["length"])
        assert len(CaptureLookup(str(killed), [DEMO_DAY])) > 0

        # The nightly run after it equals the one after an unkilled harvest.
        for root in (killed, clean):
            settings = replace(
                Settings.from_env(),
                data_root=str(root),
                seeds_dir=str(PROJECT / "seeds"),
                allow_private_networks=True,
                per_host_delay_s=0.0,
            )
            nightly_run(site.base_url, settings)
    assert _articles(killed) == _articles(clean)
