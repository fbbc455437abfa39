from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from news_ingest import store
from news_ingest.stages.publish import PublishResult, publish_partitions

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
    """A staged row: the articles columns and the article's fingerprint."""
    url = f"https://{domain}/{article_id}"
    staged = store.STAGED_ARTICLES_SCHEMA
    filled = {f.name: [] for f in staged if str(f.type).startswith("list")}
    text = {"string": "x", "int32": 1, "int64": 0, "bool": False, "binary": b""}
    for f in staged:
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
        "minhash": f"signature of {article_id}".encode(),
        "shingle_count": len(article_id),
    }


def test_publishing_replaces_the_days_partitions_sorted_by_their_keys(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    first_events = _staged(
        tmp_path, "e1.parquet", store.EVENTS_SCHEMA, [_event("old", "a0", "KEN")]
    )
    first_articles = _staged(
        tmp_path, "a1.parquet", store.STAGED_ARTICLES_SCHEMA, [_article("a0", "a.example")]
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
        store.STAGED_ARTICLES_SCHEMA,
        [_article("b", "b.example"), _article("abc", "a.example")],
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
    assert ids == [("abc",), ("b",)]  # by domain, as the store sorts articles
    assert len(list(Path(root, "events", "date=2026-11-19").glob("*.parquet"))) == 1


def test_fingerprints_are_published_apart_from_the_articles(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    events = _staged(tmp_path, "e.parquet", store.EVENTS_SCHEMA, [_event("e1", "b", "KEN")])
    rows = [_article("b", "a.example"), _article("abc", "b.example")]
    articles = _staged(tmp_path, "a.parquet", store.STAGED_ARTICLES_SCHEMA, rows)
    result = publish_partitions(articles, events, DAY, root)

    assert result.fingerprints == f"{root}/fingerprints/date=2026-11-19/part-0.parquet"
    published = pq.read_table(result.articles)
    assert published.schema.names == store.ARTICLES_SCHEMA.names
    assert not {"minhash", "dedupe_hash", "names_mask"} & set(published.schema.names)
    fingerprints = pq.read_table(result.fingerprints)
    assert fingerprints.schema == store.FINGERPRINTS_SCHEMA
    by_id = [{k: row[k] for k in store.FINGERPRINTS_SCHEMA.names} for row in rows[::-1]]
    assert fingerprints.to_pylist() == by_id  # sorted by article_id: abc, then b
    assert fingerprints.column("minhash").to_pylist() == [b"signature of abc", b"signature of b"]
    # Publishing the day again replaces the fingerprints whole, as it does the articles.
    again = _staged(tmp_path, "a2.parquet", store.STAGED_ARTICLES_SCHEMA, rows[:1])
    publish_partitions(again, events, DAY, root)
    assert store.read_partition(root, "fingerprints", DAY).column("article_id").to_pylist() == ["b"]
    assert store.read_partition(root, "articles", DAY).column("article_id").to_pylist() == ["b"]


def test_a_publish_record_of_a_manifest_written_before_fingerprints_is_read() -> None:
    older = PublishResult.from_json('{"articles": "a", "events": "e", "seconds": 1.5}')
    assert older == PublishResult("a", "e", 1.5) and older.fingerprints is None
    now = PublishResult("a", "e", 1.5, "f")
    assert PublishResult.from_json(now.to_json()) == now
