"""Failure alerts: a JSON message about a failed task, posted to a webhook."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Alert:
    """One failed task of one run, as the on-call person needs to see it."""

    dag_id: str
    run_id: str
    task_id: str
    day: str | None
    try_number: int | None
    error: str
    log_url: str | None

    def text(self) -> str:
        """One line for chat tools that show a `text` field (Slack, Mattermost, Teams)."""
        where = f" for {self.day}" if self.day else ""
        return f"news_ingest: {self.dag_id}.{self.task_id} failed{where}: {self.error}"


def alert_from_context(context: dict[str, Any]) -> Alert:
    """Build an alert from the context Airflow passes to a failure callback."""
    ti = context.get("ti") or context.get("task_instance")
    start = context.get("data_interval_start")
    error = context.get("exception")
    return Alert(
        dag_id=str(getattr(ti, "dag_id", None) or context.get("dag_id") or "?"),
        run_id=str(getattr(ti, "run_id", None) or context.get("run_id") or "?"),
        task_id=str(getattr(ti, "task_id", None) or "?"),
        day=start.date().isoformat() if start is not None else None,
        try_number=getattr(ti, "try_number", None),
        error=(f"{type(error).__name__}: {error}" if error else "unknown error")[:1000],
        log_url=getattr(ti, "log_url", None),
    )


def post_alert(alert: Alert, url: str, client: httpx.Client) -> int:
    """POST the alert as JSON (with a `text` line) to ``url``; return the HTTP status."""
    body = {"text": alert.text(), **asdict(alert)}
    resp = client.post(
        url,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        timeout=10.0,
    )
    return resp.status_code


def send_failure_alert(context: dict[str, Any], url: str | None) -> int | None:
    """Post the failure in ``context`` to ``url`` if one is set; never raise (it is a callback)."""
    if not url:
        return None
    alert = alert_from_context(context)
    try:
        with httpx.Client() as client:
            return post_alert(alert, url, client)
    except httpx.HTTPError as exc:
        # The task has failed already; a dead webhook must not hide why.
        print(f"news_ingest: could not post the failure alert: {exc}")
        return None
