"""What the stages share: staging paths per run, errors, progress lines."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from news_ingest.stages.common import Progress, StageError, error_of, work_uri


def test_each_run_of_a_day_stages_in_its_own_folder() -> None:
    day = date(2026, 11, 19)
    first = work_uri("/data", day, "scheduled__2026-11-19T00:00:00+00:00", "pages.parquet")
    second = work_uri("/data", day, "manual__2026-11-20T08:00:00+00:00", "pages.parquet")
    assert first != second
    assert first.startswith("/data/staging/date=2026-11-19/run=") and first.endswith(
        "/pages.parquet"
    )
    assert ":" not in first.split("run=")[1] and "+" not in first.split("run=")[1]


def test_progress_logs_every_n_items_and_names_the_total(caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    progress = Progress(logging.getLogger("test"), "pages fetched", 1200, every=500, seconds=3600)
    for _ in range(1200):
        progress.advance()
    assert [r.getMessage() for r in caplog.records] == [
        "pages fetched: 500 of 1200",
        "pages fetched: 1000 of 1200",
    ]


def test_an_unexpected_exception_is_an_error_of_its_own_kind() -> None:
    from news_ingest.http import FetchError

    assert error_of(FetchError("HTTP 503"), "f", "u") == StageError("u", "f", "fetch", "HTTP 503")
    assert error_of(KeyError("x"), "f").kind == "unexpected"
