"""One real nightly run (`airflow dags test`) with NEWS_DATA_ROOT on S3 (a local moto server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from demo.site import DEMO_DAY, stories_of
from news_ingest import store
from news_ingest.stages.manifest import RunManifest
from tests.support import airflow, e2e_env, home_from, local_s3

PROJECT = Path(__file__).resolve().parents[2]
BUCKET = "news-e2e"
ROOT = f"s3://{BUCKET}/nightly"
pytestmark = pytest.mark.e2e


def test_nightly_run_writes_its_day_to_s3(
    tmp_path: Path, feeds_file: Path, migrated_db: Path
) -> None:
    with local_s3(BUCKET) as s3:
        home = home_from(migrated_db, tmp_path / "airflow")
        env = e2e_env(home, feeds_file, **s3.env, NEWS_DATA_ROOT=ROOT)
        log = tmp_path / "airflow.log"
        # Day D runs with logical date D+1: its data interval is [D, D+1).
        airflow(
            ["dags", "test", "news_nightly", (DEMO_DAY + timedelta(days=1)).isoformat()], env, log
        )
        text = log.read_text()
        assert f"news_nightly summary for {DEMO_DAY}" in text

        keys = s3.keys(BUCKET)
        day = f"date={DEMO_DAY.isoformat()}"
        assert f"nightly/articles/{day}/part-0.parquet" in keys
        assert f"nightly/events/{day}/part-0.parquet" in keys
        assert f"nightly/fingerprints/{day}/part-0.parquet" in keys
        manifests = [k for k in keys if k.startswith(f"nightly/runs/{day}/manifest-")]
        assert len(manifests) == 1
        assert not [k for k in keys if k.rsplit("/", 1)[-1].startswith(".") or ".tmp" in k]
        assert s3.pending_uploads(BUCKET) == []

        body = s3.client.get_object(Bucket=BUCKET, Key=manifests[0])["Body"].read()
        manifest = RunManifest.from_json(body)
        assert manifest.day == DEMO_DAY and manifest.published is not None
        assert manifest.published.articles == f"{ROOT}/articles/{day}/part-0.parquet"
        assert manifest.published.fingerprints == f"{ROOT}/fingerprints/{day}/part-0.parquet"
        articles = store.read_partition(ROOT, "articles", DEMO_DAY)
        events = store.read_partition(ROOT, "events", DEMO_DAY)
        assert articles is not None and events is not None
        assert articles.num_rows == len(stories_of(DEMO_DAY)) + 2  # a gallery, a section page
        assert articles.schema == store.ARTICLES_SCHEMA and events.schema == store.EVENTS_SCHEMA
        prints = store.read_partition(ROOT, "fingerprints", DEMO_DAY)
        assert prints is not None and prints.schema == store.FINGERPRINTS_SCHEMA
        assert sorted(prints.column("article_id").to_pylist()) == sorted(
            articles.column("article_id").to_pylist()
        )

        # Row for row the same as the stages on a local root: tests/unit/test_store_s3.py.
        duplicates = articles.filter(articles.column("is_duplicate")).num_rows
        assert duplicates == 2 and events.num_rows > 0

        # The page, in a process of its own as in the api-server, finds the bucket through
        # the aws_default Connection alone: without it, no endpoint would lead to moto.
        without_aws = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        extra = {"endpoint_url": s3.endpoint, "region_name": s3.env["AWS_REGION"]}
        conn = {
            "conn_type": "aws",
            "login": s3.env["AWS_ACCESS_KEY_ID"],
            "password": s3.env["AWS_SECRET_ACCESS_KEY"],
            "extra": extra,
        }
        page_env = {
            **without_aws,
            "AIRFLOW_HOME": str(home),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NEWS_DATA_ROOT": ROOT,
            "PYTHONPATH": os.pathsep.join(str(PROJECT / p) for p in ("plugins", "include")),
        }
        read = [sys.executable, "-c", _PAGE_DAYS]
        shown = subprocess.run(
            read, env={**page_env, "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(conn)},
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        assert json.loads(shown.stdout) == [DEMO_DAY.isoformat()]


_PAGE_DAYS = """
import json
from news_ingest_ui import _report
print(json.dumps([d.day.isoformat() for d in _report(30).days]))
"""
