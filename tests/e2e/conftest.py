"""Fixtures shared by the e2e modules: the demo feed list, one migrated metadata DB that
Airflow homes start from, and each demo day run alone with `airflow dags test` (what
`make run DATE=D` does), which the backfill compares with and the demo-day test reads."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAYS, feed_list_yaml
from tests.support import AIRFLOW, DayRun, e2e_env, home_from, prepare_airflow_home


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
    """Each demo day run alone, as `make run DATE=D` does it, each into its own data root,
    the three side by side."""
    tmp = tmp_path_factory.mktemp("alone")
    # Their own metadata DBs: their manual runs would otherwise occupy the backfill's dates.
    runs: dict[date, DayRun] = {}
    running: dict[date, subprocess.Popen[bytes]] = {}
    for day in DEMO_DAYS:
        home = home_from(migrated_db, tmp / f"airflow-{day}")
        runs[day] = DayRun(home, tmp / f"data-{day}", home / "run.log")
        with runs[day].log.open("wb") as log:
            running[day] = subprocess.Popen(
                [AIRFLOW, "dags", "test", "news_nightly", (day + timedelta(days=1)).isoformat()],
                env={**e2e_env(home, feeds_file), "NEWS_DATA_ROOT": str(runs[day].root)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    for day, process in running.items():
        code = process.wait(timeout=900)
        assert code == 0, (day, runs[day].log.read_text()[-3000:])
    return runs
