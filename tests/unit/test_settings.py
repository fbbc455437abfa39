from pathlib import Path

import pytest

from news_ingest import settings
from news_ingest.settings import VARIABLES, Settings, SettingsError, effective_settings


def test_settings_read_news_variables(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("NEWS_DATA_ROOT", str(tmp_path / "out"))
    monkeypatch.setenv("NEWS_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("NEWS_HISTORY_DAYS", "7")
    s = Settings.from_env()
    assert s.data_root == str(tmp_path / "out")
    assert s.allow_private_networks is True
    assert s.history_days == 7


def test_defaults_are_in_the_checkout_or_else_in_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    for name in ("NEWS_FEEDS", "NEWS_DATA_ROOT", "NEWS_SEEDS_DIR"):
        monkeypatch.delenv(name, raising=False)
    checkout = Path(settings.__file__).resolve().parents[2]
    assert checkout == settings.PROJECT_ROOT
    s = Settings.from_env()
    assert s.feeds_path == str(checkout / "include" / "config" / "feeds.yaml")
    assert (s.data_root, s.seeds_dir) == (str(checkout / "data"), str(checkout / "seeds"))
    # Installed from a wheel: site-packages' parent is no project, the current directory is.
    monkeypatch.setattr(settings, "PROJECT_ROOT", None)
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env()
    assert s.feeds_path == str(tmp_path.resolve() / "feeds.yaml")
    assert s.data_root == str(tmp_path.resolve() / "data")
    assert s.seeds_dir == str(tmp_path.resolve() / "seeds")


def test_a_package_outside_an_include_folder_has_no_checkout(tmp_path) -> None:
    (tmp_path / "pyproject.toml").touch()
    for folder in ("include", "site-packages"):
        (tmp_path / folder / "news_ingest").mkdir(parents=True)
    inside = settings._checkout_root(str(tmp_path / "include" / "news_ingest" / "settings.py"))
    assert inside == tmp_path.resolve()
    assert settings._checkout_root(str(tmp_path / "site-packages" / "news_ingest" / "s.py")) is None
    (tmp_path / "pyproject.toml").unlink()
    assert settings._checkout_root(str(tmp_path / "include" / "news_ingest" / "s.py")) is None


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


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("NEWS_FETCH_CONCURRENCY", "eight", "expected an integer from 1 to 256"),
        ("NEWS_FETCH_CONCURRENCY", "0", "expected an integer from 1 to 256"),
        ("NEWS_FETCH_CONCURRENCY", "-3", "expected an integer from 1 to 256"),
        ("NEWS_PER_HOST_DELAY", "nan", "expected a number from 0 to 60"),
        ("NEWS_HISTORY_DAYS", "1e9", "expected an integer"),
        ("NEWS_ALLOW_PRIVATE_NETWORKS", "enabled", "expected 1, true, yes, on or 0"),
        ("NEWS_EVENT_EXTRACTOR", "bert", "is not an event extractor: known are rules"),
        ("NEWS_CONTACT_URL", "me at example dot org", "expected an http:// or https:// URL"),
    ],
)
def test_a_bad_value_is_refused_by_name_with_what_is_accepted(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    message = str(error.value)
    assert message.startswith(f"{variable}=") and value in message and expected in message
    assert "\n" not in message


def test_a_secret_is_neither_echoed_in_an_error_nor_printed_by_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWS_ALERT_WEBHOOK", "not-a-url-T0KEN")
    with pytest.raises(SettingsError) as error:
        Settings.from_env()
    assert "T0KEN" not in str(error.value) and "NEWS_ALERT_WEBHOOK=<secret>" in str(error.value)
    monkeypatch.setenv("NEWS_ALERT_WEBHOOK", "https://hooks.example.org/T0KEN")
    shown = dict((name, value) for name, value, _ in effective_settings())
    assert shown["NEWS_ALERT_WEBHOOK"] == "<set>" and "T0KEN" not in repr(shown)
    assert Settings.from_env().alert_webhook == "https://hooks.example.org/T0KEN"


def test_every_variable_fills_a_field_and_unset_ones_give_the_fields_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import fields

    names = {f.name for f in fields(Settings)}
    assert all(v.field in names for v in VARIABLES)
    assert len({v.name for v in VARIABLES}) == len(VARIABLES)
    for variable in VARIABLES:
        monkeypatch.delenv(variable.name, raising=False)
    defaults = Settings.from_env()
    assert (defaults.fetch_concurrency, defaults.per_host_delay_s, defaults.history_days) == (
        8,
        0.5,
        30,
    )
    assert defaults.alert_webhook is None and defaults.allow_private_networks is False
