from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from news_ingest.stages.events import extract_events_of_day

DAY = date(2026, 11, 19)
PUBLISHED = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
REPORTS = {
    "original": (
        "Gunmen killed five villagers in an attack on Kauru in Kaduna state, Nigeria, on "
        "Tuesday, police said."
    ),
    "copy": (
        "Gunmen killed five villagers in an attack on Kauru in Kaduna state, Nigeria, on "
        "Tuesday, police said."
    ),
    "index-page": "Protesters marched in Nairobi against new taxes on Monday.",
    "second": "Security forces arrested 12 protesters in Khartoum, Sudan, on Wednesday.",
}


def _staged_articles(tmp_path: Path) -> str:
    """A staged articles file: two originals, a duplicate and a page that is no article."""
    ids = list(REPORTS)
    table = pa.table(
        {
            "article_id": ids,
            "text": [REPORTS[i] for i in ids],
            "title": ["Gunmen kill five", "Gunmen kill five", "Latest news", "Arrests"],
            "published_at": pa.array([PUBLISHED] * len(ids), pa.timestamp("us", "UTC")),
            "is_duplicate": [False, True, False, False],
            "is_article": [True, True, False, True],
        }
    )
    path = tmp_path / "articles.parquet"
    pq.write_table(table, path)
    return str(path)


@pytest.mark.parametrize("workers", [1, 2])
def test_events_come_from_original_articles_only(tmp_path: Path, workers: int) -> None:
    result = extract_events_of_day(
        _staged_articles(tmp_path), DAY, "run-1", str(tmp_path / "root"), workers=workers
    )
    rows = duckdb.sql(
        f"select article_id, acled_event_type, fatalities, country from '{result.uri}' "
        "order by article_id"
    ).fetchall()
    assert {r[0] for r in rows} == {"original", "second"}  # not the copy, not the index page
    killing = next(r for r in rows if r[0] == "original")
    assert killing[1:] == ("Violence against civilians", 5, "NGA")
    assert result.events == len(rows)
    assert result.with_fatalities == sum(r[2] is not None for r in rows)
    assert "/staging/date=2026-11-19/run=" in result.uri


def test_one_worker_and_two_stage_the_same_events(tmp_path: Path) -> None:
    staged = _staged_articles(tmp_path)
    one = extract_events_of_day(staged, DAY, "run-1", str(tmp_path / "a"), workers=1)
    two = extract_events_of_day(staged, DAY, "run-1", str(tmp_path / "b"), workers=2)
    assert pq.read_table(one.uri).equals(pq.read_table(two.uri))


def test_an_unknown_extractor_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown event extractor 'model'"):
        extract_events_of_day(
            _staged_articles(tmp_path), DAY, "run-1", str(tmp_path), extractor="model"
        )
    assert not (tmp_path / "staging").exists()
