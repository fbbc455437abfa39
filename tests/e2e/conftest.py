"""What the e2e tests share: the environment Airflow commands run in."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def _airflow_env(home: Path, feeds: Path, **news: str) -> dict[str, str]:
    """Environment for Airflow commands on this project's DAGs, reaching the loopback demo
    site; ``news`` adds NEWS_* settings (data_root="..." sets NEWS_DATA_ROOT)."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "NEWS_FEEDS": str(feeds),
        "NEWS_ALLOW_PRIVATE_NETWORKS": "1",
        **{f"NEWS_{key.upper()}": value for key, value in news.items()},
    }


@pytest.fixture(scope="session")
def airflow_env() -> Callable[..., dict[str, str]]:
    """The function that builds an e2e test's Airflow environment."""
    return _airflow_env
