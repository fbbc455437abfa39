"""A night in two shards through real Airflow (`airflow dags test`, NEWS_FETCH_SHARDS=2):
two mapped fetch-and-extract task instances, and the day published as one shard has it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from demo.site import DEMO_DAY
from news_ingest.stages.manifest import RunManifest
from tests.support import (
    airflow,
    e2e_env,
    home_from,
    multi_host_feeds,
    nightly_run,
    published_rows,
    settings_for,
    sites_on_hosts,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory, migrated_db: Path) -> dict[str, Any]:
    """The demo day over three hosts: with two shards by Airflow, and in one without it."""
    tmp = tmp_path_factory.mktemp("sharded")
    with sites_on_hosts() as sites:
        feeds = multi_host_feeds(sites)
        feeds_file = tmp / "feeds.yaml"
        listed = [feed.model_dump(exclude_none=True) for feed in feeds]
        feeds_file.write_text(yaml.safe_dump({"feeds": listed}))
        home = home_from(migrated_db, tmp / "airflow")
        env = e2e_env(home, feeds_file, NEWS_DATA_ROOT=str(tmp / "two"), NEWS_FETCH_SHARDS="2")
        logical = (DEMO_DAY + timedelta(days=1)).isoformat()
        airflow(["dags", "test", "news_nightly", logical], env, tmp / "run.log")
        one = replace(settings_for(tmp / "one"), fetch_shards=1)
        nightly_run(sites["courier"].base_url, one, DEMO_DAY, "one-shard", feeds)
    with sqlite3.connect(home / "airflow.db") as db:
        mapped = db.execute(
            "select map_index, state from task_instance where dag_id = 'news_nightly' "
            "and task_id = 'fetch_and_extract_pages' order by map_index"
        ).fetchall()
    (manifest,) = (tmp / "two" / "runs").glob("date=*/manifest-*.json")
    return {
        "two": published_rows(tmp / "two"),
        "one": published_rows(one.data_root),
        "mapped": mapped,
        "manifest": RunManifest.from_json(manifest.read_text()),
    }


def test_two_shards_are_two_mapped_task_instances(nights) -> None:
    assert nights["mapped"] == [(0, "success"), (1, "success")]
    shards = nights["manifest"].stages.shards
    assert [(s.index, s.count) for s in shards] == [(0, 2), (1, 2)]
    assert all(s.pages and s.articles for s in shards), shards


def test_two_shards_publish_what_one_does(nights) -> None:
    assert len(nights["one"]["articles"]) > 10 and nights["one"]["events"]
    assert nights["two"] == nights["one"]
