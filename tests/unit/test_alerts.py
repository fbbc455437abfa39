"""Failure alerts reach a real webhook on loopback, and a dead webhook never raises."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import ClassVar

import pytest

from news_ingest.alerts import alert_from_context, send_failure_alert
from tests.support import closed_port_url


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(body)}
        )
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/news", _Hook.received
    finally:
        server.shutdown()
        server.server_close()


def _context() -> dict:
    ti = SimpleNamespace(
        dag_id="news_nightly",
        run_id="scheduled__2026-11-20T00:00:00+00:00",
        task_id="finish_run",
        try_number=3,
        log_url="http://127.0.0.1:8080/dags/news_nightly/runs/x/tasks/finish_run",
    )
    return {
        "ti": ti,
        "data_interval_start": datetime(2026, 11, 19, tzinfo=UTC),
        "exception": RuntimeError("quality gate failed: no feed listed any item"),
    }


def test_failure_is_posted_as_json_with_a_text_line(webhook) -> None:
    url, received = webhook
    assert send_failure_alert(_context(), url) == 204
    [hit] = received
    assert hit["path"] == "/hooks/news" and hit["type"] == "application/json"
    body = hit["body"]
    assert body["task_id"] == "finish_run" and body["day"] == "2026-11-19"
    assert body["try_number"] == 3
    assert body["error"] == "RuntimeError: quality gate failed: no feed listed any item"
    assert body["text"] == (
        "news_ingest: news_nightly.finish_run failed for 2026-11-19: "
        "RuntimeError: quality gate failed: no feed listed any item"
    )


def test_no_webhook_means_no_request(webhook) -> None:
    _, received = webhook
    assert send_failure_alert(_context(), None) is None
    assert received == []


def test_a_dead_webhook_is_reported_not_raised(capsys) -> None:
    assert send_failure_alert(_context(), f"{closed_port_url()}/") is None
    assert "could not post the failure alert" in capsys.readouterr().out


def test_context_without_task_instance_still_gives_an_alert() -> None:
    alert = alert_from_context({"dag_id": "news_nightly", "run_id": "r"})
    assert alert.task_id == "?" and alert.day is None and alert.error == "unknown error"
