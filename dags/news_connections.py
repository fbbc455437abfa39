"""Secrets from Airflow Connections, handed to the Airflow-free library (not a DAG file).

- ``news_alert_webhook`` (an HTTP connection): where failure alerts are posted.
- ``aws_default``: keys (login, password), and extras ``region_name``, ``endpoint_url`` and
  ``aws_session_token``, for an ``s3://`` NEWS_DATA_ROOT.

A Connection, when defined, wins over the environment (NEWS_ALERT_WEBHOOK, the AWS_*
variables), field by field for S3, as the Airflow AWS provider prefers a connection's keys
to the environment's: a secret rotated in Airflow's secrets backend takes effect without
redeploying. What it leaves out still comes from the environment.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

ALERT_WEBHOOK_CONN = "news_alert_webhook"
AWS_CONN = "aws_default"


def connection(conn_id: str) -> Any:
    """The Connection ``conn_id`` from Airflow's secrets backends and DB, None if undefined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def webhook_url(conn: Any) -> str | None:
    """The URL an HTTP connection names (HttpHook's whole-URL host, or the URI form)."""
    # The URI form AIRFLOW_CONN_<ID>=https://host/path?query is parsed into scheme (type),
    # host, port, path (schema) and query (extras): put back together here.
    host = (conn.host or "").strip()
    if not host:
        return None
    if "://" in host:
        return str(host)
    scheme = conn.conn_type if conn.conn_type in {"http", "https"} else "https"
    path = conn.schema or ""
    if path in {"http", "https"}:  # HttpHook keeps the scheme in `schema`
        scheme, path = path, ""
    port = f":{conn.port}" if conn.port else ""
    extra = conn.extra_dejson if conn.extra else {}
    query = urlencode(extra) if extra and all(isinstance(v, str) for v in extra.values()) else ""
    return f"{scheme}://{host}{port}/{path.lstrip('/')}" + (f"?{query}" if query else "")


def alert_webhook() -> str | None:
    """The alert webhook: the news_alert_webhook Connection's URL, else NEWS_ALERT_WEBHOOK."""
    from news_ingest.settings import URL, SettingsError, setting

    conn = connection(ALERT_WEBHOOK_CONN)
    url = webhook_url(conn) if conn is not None else None
    if url is None:
        return setting("NEWS_ALERT_WEBHOOK")
    try:
        return str(URL.parse(url))
    except ValueError:
        # Named, never shown: the URL may carry a token.
        raise SettingsError(
            f"the Connection {ALERT_WEBHOOK_CONN!r} does not give {URL.accepts}"
        ) from None


def use_aws_connection() -> bool:
    """Give the store aws_default's keys, region and endpoint; True when it had any."""
    from news_ingest.store import S3Options, use_s3_options

    conn = connection(AWS_CONN)
    if conn is None:
        return False
    options = S3Options.of_connection(
        conn.login, conn.password, conn.extra_dejson if conn.extra else {}
    )
    use_s3_options(options)
    return options != S3Options()


def checked_settings() -> Any:
    """The settings, S3 from aws_default; a bad value fails the task at once, unretried."""
    from airflow.sdk.exceptions import AirflowFailException

    from news_ingest.settings import Settings, SettingsError

    use_aws_connection()
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise AirflowFailException(str(exc)) from None


def alert_on_failure(context: Any) -> None:
    """Post a task's final failure to the news_alert_webhook Connection or NEWS_ALERT_WEBHOOK."""
    from news_ingest.alerts import send_failure_alert

    # The webhook alone: another setting's bad value must not silence the alert about it.
    send_failure_alert(dict(context), alert_webhook())
