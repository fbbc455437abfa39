from pathlib import Path

import pytest

from news_ingest.config import FeedListError, load_feed_list, parse_feed_list
from news_ingest.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]


def test_production_feed_list_is_valid_and_covers_world_and_conflict_news() -> None:
    feeds = load_feed_list(str(PROJECT / "include" / "config" / "feeds.yaml"))
    assert len(feeds) >= 20
    assert len({f.id for f in feeds}) == len(feeds)
    assert all(f.url.startswith("https://") for f in feeds)
    assert any(f.kind == "sitemap" for f in feeds)
    assert {"un-news-peace-security", "reliefweb-updates"} <= {f.id for f in feeds}


def test_default_settings_point_at_the_project_feed_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_FEEDS", raising=False)
    assert Settings.from_env().feeds_path == str(PROJECT / "include" / "config" / "feeds.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds:\n  - {id: '../etc', url: 'https://a.org/rss'}\n", "feeds.0.id"),
        ("feeds:\n  - {id: a, url: 'file:///etc/passwd'}\n", "http(s)"),
        (
            "feeds:\n  - {id: a, url: 'https://a.org'}\n  - {id: a, url: 'https://b.org'}\n",
            "duplicate feed id 'a'",
        ),
        ("feeds:\n  - {id: a, url: 'https://a.org', colour: red}\n", "colour"),
        ("feeds: []\n", "empty"),
        ("feeds: [\n", "not valid YAML"),
    ],
)
def test_invalid_feed_lists_get_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(FeedListError, match=None) as info:
        parse_feed_list(text, origin="test.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("test.yaml")


def test_missing_file_is_reported_with_its_path_and_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FeedListError, match=r"no feed list there \(NEWS_FEEDS") as info:
        load_feed_list(str(tmp_path / "nope.yaml"))
    assert str(info.value).startswith(str(tmp_path / "nope.yaml"))
    with pytest.raises(FeedListError, match="cannot read feed list"):
        load_feed_list(str(tmp_path))
