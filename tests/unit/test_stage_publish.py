from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from news_ingest import store
from news_ingest.stages.publish import publish_partitions

DAY = date(2026, 11, 19)


def _staged(tmp_path: Path, name: str, schema: pa.Schema, rows: list[dict]) -> str:
    path = tmp_path / name
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return str(path)


def _event(event_id: str, article_id: str, country: str) -> dict:
    return {
        "event_id": event_id,
        "article_id": article_id,
        "event_type": "PROTEST",
        "sentence": "Protesters marched.",
        "confidence": 0.5,
        "country": country,
    }


def _article(article_id: str, domain: str) -> dict:
    url = f"https://{domain}/{article_id}"
    filled = {f.name: [] for f in store.ARTICLES_SCHEMA if str(f.type).startswith("list")}
    text = {"string": "x", "int32": 1, "int64": 0, "bool": False, "binary": b""}
    for f in store.ARTICLES_SCHEMA:
        if not f.nullable and f.name not in filled:
            filled[f.name] = text.get(str(f.type))
    return {
        **filled,
        "article_id": article_id,
        "url": url,
        "canonical_url": url,
        "final_url": url,
        "domain": domain,
        "fetched_at": datetime(2026, 11, 19, 8, tzinfo=UTC),
    }


def test_publishing_replaces_the_days_partitions_sorted_by_their_keys(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    first_events = _staged(
        tmp_path, "e1.parquet", store.EVENTS_SCHEMA, [_event("old", "a0", "KEN")]
    )
    first_articles = _staged(
        tmp_path, "a1.parquet", store.ARTICLES_SCHEMA, [_article("a0", "a.example")]
    )
    publish_partitions(first_articles, first_events, DAY, root)
    # A rerun of the day: its staged rows, out of order, replace the first run's.
    events = _staged(
        tmp_path,
        "e2.parquet",
        store.EVENTS_SCHEMA,
        [_event("e2", "b", "SDN"), _event("e1", "a", "KEN")],
    )
    articles = _staged(
        tmp_path,
        "a2.parquet",
        store.ARTICLES_SCHEMA,
        [_article("b", "b.example"), _article("a", "a.example")],
    )
    result = publish_partitions(articles, events, DAY, root)
    assert "date=2026-11-19" in result.articles and "date=2026-11-19" in result.events
    published = duckdb.sql(
        f"select event_id from read_parquet('{root}/events/**/*.parquet')"
    ).fetchall()
    assert published == [("e1",), ("e2",)]  # by country first: KEN before SDN
    ids = duckdb.sql(
        f"select article_id from read_parquet('{root}/articles/**/*.parquet')"
    ).fetchall()
    assert ids == [("a",), ("b",)]  # by domain, as the store sorts articles
    assert len(list(Path(root, "events", "date=2026-11-19").glob("*.parquet"))) == 1
