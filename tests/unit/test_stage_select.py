"""The one-row-per-article-of-D rule that selection and extraction share."""

from __future__ import annotations

from datetime import UTC, datetime

from demo.site import DEMO_DAY
from news_ingest.stages.select import ArticleKey, one_row_per_article


def _at(hour: int, day: int = 19) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_the_earliest_row_of_an_article_in_the_day_wins() -> None:
    keys = [
        ArticleKey("a", _at(9), "feed-b", "http://x/a"),
        ArticleKey("a", _at(8), "feed-z", "http://x/a?utm=1"),
        ArticleKey("b", None, "feed-a", "http://x/b"),
        ArticleKey("b", _at(23, day=18), "feed-a", "http://x/b"),  # the day before
        ArticleKey("c", _at(7), "feed-b", "http://x/c"),
        ArticleKey("c", _at(7), "feed-a", "http://x/c"),  # same time: the feed id decides
        ArticleKey("d", None, "feed-a", "http://x/d"),
        ArticleKey("d", None, "feed-a", "http://x/d"),  # a tie throughout: the first row
    ]
    rows = one_row_per_article(keys, DEMO_DAY)
    assert rows.chosen == [5, 1, 2, 6]  # dated earliest first, then the undated
    assert rows.in_day == 7
