"""The demo day through real Airflow (`airflow dags test`), read with DuckDB, Polars, pandas.

The first run is the demo day's run alone that the backfill e2e compares with
(tests/e2e/conftest.py); the second runs the day again over a copy of its Airflow home and
data root.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest

from demo.site import DEMO_DAY, SEED_COPY_SLUG, WIRE_COPY, WIRE_ORIGINAL, stories_of
from news_ingest import store
from tests.support import DayRun, airflow, e2e_env, home_from

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
    feeds_file: Path,
    days_run_alone: dict[date, DayRun],
):
    """The nightly DAG run for the demo day twice; the data root and both snapshots."""
    first = days_run_alone[DEMO_DAY]
    tmp = tmp_path_factory.mktemp("e2e")
    # The first run's metadata DB (its run recorded) and data root, run again.
    home = home_from(first.home / "airflow.db", tmp / "airflow")
    shutil.copytree(first.root, tmp / "data")
    env = e2e_env(home, feeds_file, NEWS_DATA_ROOT=str(tmp / "data"))
    logical = (DEMO_DAY + timedelta(days=1)).isoformat()
    snapshots = [_snapshot(first.root)]
    airflow(["dags", "test", "news_nightly", logical], env, tmp / "run2.log")
    snapshots.append(_snapshot(tmp / "data"))
    return tmp / "data", snapshots, first.log.read_text()


def _snapshot(root: Path) -> dict[str, list[tuple]]:
    # fetched_at is run metadata: a rerun refetches, so only it may differ.
    out = {}
    for dataset, key, exclude in (
        ("articles", "article_id", " exclude (fetched_at)"),
        ("events", "event_id", ""),
        ("fingerprints", "article_id", ""),
    ):
        out[dataset] = duckdb.sql(
            f"select *{exclude} from read_parquet('{root}/{dataset}/*/*.parquet', "
            f"hive_partitioning=true) order by {key}"
        ).fetchall()
    return out


def _slug(url: str) -> str:
    return url.split("?")[0].rstrip("/").split("/")[-1].removesuffix(".html")


def test_articles_of_the_demo_day_with_documented_types(runs) -> None:
    root, _, _ = runs
    rel = duckdb.sql(
        f"select * from read_parquet('{root}/articles/*/*.parquet', hive_partitioning=true)"
    )
    types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert types["date"] == "DATE"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]"
    assert types["word_count"] == "INTEGER" and types["is_duplicate"] == "BOOLEAN"
    assert types["duplicate_similarity"] == "FLOAT"
    # Dedupe's fingerprints are in their own dataset, one row per article, not in select *.
    assert not {"dedupe_hash", "minhash", "shingle_count", "numbers_mask", "names_mask"} & set(
        rel.columns
    )
    rows = rel.fetchall()
    assert {r[rel.columns.index("date")] for r in rows} == {DEMO_DAY}
    assert len(rows) == len(stories_of(DEMO_DAY)) + 2  # 12 stories, a gallery, a section page


def test_duplicates_and_originals(runs) -> None:
    root, _, _ = runs
    df = pl.read_parquet(f"{root}/articles/*/*.parquet", hive_partitioning=True)
    by_slug = {_slug(r["url"]): r for r in df.iter_rows(named=True)}
    assert by_slug[SEED_COPY_SLUG]["is_duplicate"] is True
    assert by_slug[SEED_COPY_SLUG]["duplicate_of"] == "seed:000_6e5a1f3359e505b1"
    assert by_slug[WIRE_ORIGINAL]["is_duplicate"] is False
    assert by_slug[WIRE_COPY]["is_duplicate"] is True
    assert by_slug[WIRE_COPY]["duplicate_of"] == by_slug[WIRE_ORIGINAL]["article_id"]
    for slug in ("el-fasher-market-shelling", "port-sudan-drone-strike"):
        assert by_slug[slug]["is_duplicate"] is False
    assert df.filter(pl.col("is_duplicate")).height == 2


def test_items_of_other_days_are_absent(runs) -> None:
    root, _, _ = runs
    df = pd.read_parquet(f"{root}/articles", partitioning=store.partitioning())
    assert set(df["date"]) == {DEMO_DAY}  # datetime.date values, not strings
    other_day = {p.story.slug for p in stories_of(date(2026, 11, 18))}
    assert other_day and not other_day & {_slug(u) for u in df["url"]}


def test_events_with_actors_place_and_fatalities(runs) -> None:
    root, _, _ = runs
    events = pd.read_parquet(f"{root}/events")
    full = events.dropna(subset=["actor1", "actor2", "location", "fatalities"])
    assert not full.empty
    raid = full[full["location"] == "Gusau"].iloc[0]
    assert raid["fatalities"] == 12 and raid["country"] == "NGA"
    articles = pd.read_parquet(f"{root}/articles")
    dup_ids = set(articles.loc[articles["is_duplicate"], "article_id"])
    assert not dup_ids & set(events["article_id"])


def test_second_run_leaves_identical_rows(runs) -> None:
    _, (first, second), _ = runs
    assert first["articles"] and first["events"]
    assert len(first["fingerprints"]) == len(first["articles"])
    assert first == second


def test_summary_is_printed_in_the_task_log(runs) -> None:
    _, _, log = runs
    assert f"news_nightly summary for {DEMO_DAY}" in log
    assert "feed demo-gone failed" in log
    # The last task prunes (nothing in the demo's fresh root is past a window).
    assert f"retention for {DEMO_DAY}: deleted 0 partitions" in log
