"""Shared fixtures: the demo site on a loopback port and settings pointing at temp folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import build_routes, feed_list_yaml
from news_ingest.settings import Settings
from tests.support import settings_for

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"

os.environ.setdefault("AIRFLOW_HOME", str(PROJECT / ".airflow"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(PROJECT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")


@pytest.fixture(scope="session")
def demo_site() -> Iterator[SiteServer]:
    """The bundled demo news site, served on 127.0.0.1."""
    with SiteServer() as site:
        site.routes.update(build_routes(site.base_url))
        yield site


@pytest.fixture
def demo_feeds_file(demo_site: SiteServer, tmp_path: Path) -> Path:
    """A feed list pointing at the demo site."""
    path = tmp_path / "feeds.yaml"
    path.write_text(feed_list_yaml(demo_site.base_url), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a temporary data root, allowed to reach loopback test servers."""
    return settings_for(tmp_path / "data")
