"""Secrets from Airflow Connections (AIRFLOW_CONN_<ID>), the environment as the fallback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from news_ingest import store
from news_ingest.settings import SettingsError
from tests.support import LocalS3, local_s3, webhook_receiver

DAGS = Path(__file__).resolve().parents[2] / "dags"
HOOK = "https://hooks.example.com/services/T1/B2/secret-token"


@pytest.fixture
def conns(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The helper module, importable as the DAG files import it, with no connection set."""
    monkeypatch.syspath_prepend(str(DAGS))
    for name in ("AIRFLOW_CONN_NEWS_ALERT_WEBHOOK", "AIRFLOW_CONN_AWS_DEFAULT"):
        monkeypatch.delenv(name, raising=False)
    import news_connections

    return news_connections


def test_the_webhook_connection_wins_over_the_environment(conns, monkeypatch) -> None:
    monkeypatch.setenv("NEWS_ALERT_WEBHOOK", "https://env.example.com/hook")
    assert conns.alert_webhook() == "https://env.example.com/hook"
    # HttpHook's form: the whole URL in host.
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWS_ALERT_WEBHOOK", json.dumps({"conn_type": "http", "host": HOOK})
    )
    assert conns.alert_webhook() == HOOK
    # The URI form: path and query come back as they were written.
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWS_ALERT_WEBHOOK", "https://chat.example.com:8443/v1/s?key=k1"
    )
    assert conns.alert_webhook() == "https://chat.example.com:8443/v1/s?key=k1"
    monkeypatch.delenv("NEWS_ALERT_WEBHOOK")
    assert conns.alert_webhook() == "https://chat.example.com:8443/v1/s?key=k1"


def test_a_connection_that_is_no_url_is_named_not_shown(conns, monkeypatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWS_ALERT_WEBHOOK",
        json.dumps({"conn_type": "http", "host": "ftp://files.example.com/secret-token"}),
    )
    with pytest.raises(SettingsError, match="news_alert_webhook") as caught:
        conns.alert_webhook()
    assert "secret-token" not in str(caught.value)


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with webhook_receiver() as hook:
        yield hook


def test_the_dags_alert_to_the_connections_webhook(conns, monkeypatch, webhook) -> None:
    url, received = webhook
    monkeypatch.setenv("NEWS_ALERT_WEBHOOK", "http://127.0.0.1:9/never")
    monkeypatch.setenv(
        "AIRFLOW_CONN_NEWS_ALERT_WEBHOOK", json.dumps({"conn_type": "http", "host": url})
    )
    import news_harvest
    import news_nightly

    for module in (news_nightly, news_harvest):
        module.alert_on_failure(
            {
                "ti": SimpleNamespace(dag_id=module.__name__, run_id="r", task_id="t"),
                "data_interval_start": datetime(2026, 11, 19, tzinfo=UTC),
                "exception": OSError("disk full"),
            }
        )
    assert [(r["dag_id"], r["error"]) for r in received] == [
        ("news_nightly", "OSError: disk full"),
        ("news_harvest", "OSError: disk full"),
    ]


BUCKET = "news-conn"


@pytest.fixture
def s3() -> Iterator[LocalS3]:
    with local_s3(BUCKET) as server:
        yield server
    store.use_s3_options(store.S3Options())


def test_aws_default_gives_the_store_its_keys_and_endpoint(conns, monkeypatch, s3) -> None:
    # The environment points at nothing: only the connection's endpoint reaches the store.
    # (Set directly: local_s3 restores the variable it set, after monkeypatch would.)
    os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    monkeypatch.setenv("NEWS_DATA_ROOT", f"s3://{BUCKET}/prod")
    extra = {"region_name": "us-east-1", "endpoint_url": s3.endpoint}
    monkeypatch.setenv(
        "AIRFLOW_CONN_AWS_DEFAULT",
        json.dumps({"conn_type": "aws", "login": "conn-key", "password": "conn-secret",
                    "extra": extra}),
    )  # fmt: skip
    settings = conns.checked_settings()
    options = store._s3_options
    assert (options.access_key, options.secret_key) == ("conn-key", "conn-secret")
    assert options.endpoint_url == s3.endpoint and "conn-secret" not in repr(options)
    uri = store.join(settings.data_root, "runs", "probe.json")
    store.write_bytes_atomic(uri, b"{}")
    assert store.read_bytes(uri) == b"{}"
    assert "prod/runs/probe.json" in s3.keys(BUCKET)


def test_without_aws_default_the_environment_is_used(conns, s3) -> None:
    assert conns.use_aws_connection() is False
    assert store._s3_options == store.S3Options()
    uri = f"s3://{BUCKET}/prod/probe.json"
    store.write_bytes_atomic(uri, b"x")
    assert store.read_bytes(uri) == b"x"
