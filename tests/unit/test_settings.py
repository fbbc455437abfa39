import pytest

from news_ingest.settings import Settings


def test_settings_read_news_variables(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("NEWS_DATA_ROOT", str(tmp_path / "out"))
    monkeypatch.setenv("NEWS_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("NEWS_HISTORY_DAYS", "7")
    s = Settings.from_env()
    assert s.data_root == str(tmp_path / "out")
    assert s.allow_private_networks is True
    assert s.history_days == 7


def test_object_store_roots_are_kept_as_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_DATA_ROOT", "s3://bucket/news")
    assert Settings.from_env().data_root == "s3://bucket/news"


def test_private_networks_are_refused_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWS_ALLOW_PRIVATE_NETWORKS", raising=False)
    assert Settings.from_env().allow_private_networks is False
    assert Settings.from_env().user_agent.startswith("news-ingest/")


def test_gazetteer_files_and_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("NEWS_GAZETTEER", f"{tmp_path / 'SY.txt'}:{tmp_path / 'IQ.txt'}:")
    monkeypatch.setenv("NEWS_CACHE_DIR", str(tmp_path / "cache"))
    s = Settings.from_env()
    assert s.gazetteer_files == (str(tmp_path / "SY.txt"), str(tmp_path / "IQ.txt"))
    assert s.cache_dir == str(tmp_path / "cache")
    monkeypatch.delenv("NEWS_GAZETTEER")
    monkeypatch.delenv("NEWS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    s = Settings.from_env()
    assert s.gazetteer_files == () and s.cache_dir == str(tmp_path / "xdg" / "news_ingest")


@pytest.mark.parametrize(
    "root", ["s3://key:secret@bucket/news", "s3://AKIAKEY@bucket/news", "gs://u:p@b/news"]
)
def test_credentials_in_the_data_root_are_refused_without_echoing_them(
    monkeypatch: pytest.MonkeyPatch, root: str
) -> None:
    monkeypatch.setenv("NEWS_DATA_ROOT", root)
    with pytest.raises(ValueError, match="NEWS_DATA_ROOT must not carry credentials") as error:
        Settings.from_env()
    assert "key:secret" not in str(error.value) and "AKIAKEY" not in str(error.value)
    monkeypatch.setenv("NEWS_DATA_ROOT", "s3://bucket/news@2026")  # an @ in the path is fine
    assert Settings.from_env().data_root == "s3://bucket/news@2026"
