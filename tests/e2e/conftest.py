"""Fixtures shared by the e2e modules: the demo feed list, one migrated metadata DB that
Airflow homes start from, and each demo day run alone with `airflow dags test` (what
`make run DATE=D` does), which the backfill compares with and the demo-day test reads."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import feed_list_yaml
from tests.support import DayRun, e2e_env, prepare_airflow_home, run_days_alone


@pytest.fixture(scope="session")
def stopping_services() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Stops of Airflow's services left to finish while later tests run, awaited at the end."""
    stopping: list[subprocess.Popen[bytes]] = []
    yield stopping
    for process in stopping:
        process.wait(timeout=120)


@pytest.fixture(scope="session")
def feeds_file(tmp_path_factory: pytest.TempPathFactory, demo_site: SiteServer) -> Path:
    path = tmp_path_factory.mktemp("feeds") / "feeds.yaml"
    path.write_text(feed_list_yaml(demo_site.base_url))
    return path


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory, feeds_file: Path) -> Path:
    """A SQLite metadata DB migrated once, with the news_fetch pool (as `make setup` leaves
    .airflow/): each Airflow home of the e2e tests starts from a copy of it."""
    home = tmp_path_factory.mktemp("airflow-migrated")
    prepare_airflow_home(e2e_env(home, feeds_file))
    return home / "airflow.db"


@pytest.fixture(scope="session")
def days_run_alone(
    tmp_path_factory: pytest.TempPathFactory, feeds_file: Path, migrated_db: Path
) -> dict[date, DayRun]:
    """Each demo day run alone (run_days_alone) over the demo feeds."""
    return run_days_alone(tmp_path_factory.mktemp("alone"), feeds_file, migrated_db)
