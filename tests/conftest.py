"""Shared fixtures: the demo site on a loopback port and settings pointing at temp folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from demo.server import SiteServer
from demo.site import build_routes, feed_list_yaml
from news_ingest.settings import Settings

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
    return replace(
        Settings.from_env(),
        data_root=str(tmp_path / "data"),
        seeds_dir=str(PROJECT / "seeds"),
        allow_private_networks=True,
        read_timeout_s=2.0,
        connect_timeout_s=2.0,
        total_timeout_s=10.0,
        # Politeness and backoff that tests of them set themselves; elsewhere they only slow.
        per_host_delay_s=0.0,
        backoff_base_s=0.05,
    )
