"""Helpers shared by tests: a nightly run of the demo feeds through every stage without
Airflow, and a local S3-compatible server (moto) with the standard AWS variables."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from demo.site import DEMO_DAY, feed_list_yaml
from news_ingest import pipeline, store
from news_ingest.config import Feed, parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings


def closed_port_url() -> str:
    """A loopback URL where nothing listens: every request to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def nightly_run(
    base_url: str,
    settings: Settings,
    day: date = DEMO_DAY,
    run_id: str = "test-run",
    extra_feeds: Sequence[Feed] = (),
) -> dict[str, Any]:
    """Every stage of news_nightly for ``day`` over the demo feeds at ``base_url`` (and
    ``extra_feeds``), without Airflow: the stage results, with the run manifest's URI under
    ``manifest``."""
    feeds = [*parse_feed_list(feed_list_yaml(base_url)), *extra_feeds]
    with Fetcher(settings) as fetcher:
        polls = [pipeline.poll_feed(f, day, settings, fetcher) for f in feeds]
        selected = pipeline.select_items_of_day(polls, day, settings.data_root)
        pages = pipeline.fetch_pages(selected["uri"], day, settings, fetcher)
    extracted = pipeline.extract_articles(pages["uri"], day, settings.data_root)
    articles = pipeline.dedupe_articles(extracted["uri"], day, settings)
    events = pipeline.extract_events_of_day(articles["uri"], day, settings.data_root)
    stages: dict[str, Any] = {
        "poll": polls,
        "select": selected,
        "fetch": pages,
        "extract": extracted,
        "dedupe": articles,
        "events": events,
        "staged": {"articles": articles["uri"], "events": events["uri"]},
    }
    gate = asdict(pipeline.quality_gate(stages))
    if not gate["failures"]:
        # As in the DAG: publish after a passed gate, then summarize_run writes the manifest;
        # on a failed gate check_quality writes it without `published`.
        stages["published"] = pipeline.publish_partitions(
            articles["uri"], events["uri"], day, settings.data_root
        )
        stages["versions"] = {"airflow": "not run"}
    stages["gate"] = gate
    stages["manifest"] = pipeline.write_manifest(settings.data_root, day, run_id, stages)
    return stages


@dataclass
class LocalS3:
    """A running moto S3 server: its endpoint, the AWS variables that reach it, a client."""

    endpoint: str
    env: dict[str, str]
    client: Any  # boto3 S3 client

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object key in ``bucket`` under ``prefix``, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def pending_uploads(self, bucket: str) -> list[str]:
        """Keys of multipart uploads started and neither completed nor aborted."""
        uploads = self.client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return [u["Key"] for u in uploads]


@contextmanager
def local_s3(*buckets: str) -> Iterator[LocalS3]:
    """moto's S3 server on a free 127.0.0.1 port, with ``buckets`` created.

    Sets the standard AWS variables (AWS_ENDPOINT_URL, keys, region) in this process for
    the duration, as a deployment would; pyarrow's S3 filesystem reads them itself.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "test-key-id",
        "AWS_SECRET_ACCESS_KEY": "test-secret",  # moto accepts any credentials
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    store._filesystem.cache_clear()  # no filesystem built for an earlier endpoint
    try:
        client = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
        for bucket in buckets:
            client.create_bucket(Bucket=bucket)
        yield LocalS3(env["AWS_ENDPOINT_URL"], env, client)
    finally:
        store._filesystem.cache_clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        server.stop()
