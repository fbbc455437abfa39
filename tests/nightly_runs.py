"""Run manifests as news_nightly writes them, made by running the real stages (no Airflow)."""

from __future__ import annotations

import socket
from dataclasses import asdict
from datetime import date
from typing import Any

from demo.site import feed_list_yaml
from news_ingest import pipeline
from news_ingest.config import parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings


def closed_port_url() -> str:
    """A loopback URL where nothing listens: every request to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def nightly_run(base_url: str, settings: Settings, day: date, run_id: str) -> dict[str, Any]:
    """Run the demo feeds at ``base_url`` for ``day`` as news_nightly does; return the manifest."""
    feeds = parse_feed_list(feed_list_yaml(base_url))
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
    uri = pipeline.write_manifest(settings.data_root, day, run_id, stages)
    return {"uri": uri, "stages": stages}
