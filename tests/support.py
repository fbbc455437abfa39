"""Helpers shared by tests: a nightly run of the demo feeds through every stage and the DAG's
finish without Airflow, and a local S3-compatible server (moto) with the standard AWS variables."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import date, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from demo.server import Route, SiteServer
from demo.site import (
    DEMO_DAY,
    DEMO_DAYS,
    REDIRECTED_SLUG,
    build_routes,
    feed_list_yaml,
    stories_of,
)
from news_ingest import store
from news_ingest.archive import archiving_fetcher
from news_ingest.config import Feed, parse_feed_list
from news_ingest.settings import Settings
from news_ingest.stages.dedupe import dedupe_articles
from news_ingest.stages.events import extract_events_of_day
from news_ingest.stages.fetch_extract import fetch_and_extract_pages, staged_articles
from news_ingest.stages.manifest import RunManifest, RunResults, manifest_uri, run_results
from news_ingest.stages.poll import poll_feeds
from news_ingest.stages.run import finish
from news_ingest.stages.select import select_items_of_day
from news_ingest.stages.shard import shards_of_night

PROJECT = Path(__file__).resolve().parents[1]
AIRFLOW = str(Path(sys.executable).parent / "airflow")


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow command with its own home and this project's DAGs."""
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "NEWS_ALLOW_PRIVATE_NETWORKS": "1",
        **extra,
    }


def airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    """Run one Airflow command into ``log``; fail the test with the log's tail if it fails."""
    with log.open("w") as out:
        code = subprocess.call(
            [AIRFLOW, *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT,
            timeout=900,
        )
    assert code == 0, log.read_text()[-5000:]


def prepare_airflow_home(env: dict[str, str]) -> None:
    """Migrate the metadata DB of ``env`` and create the pool the fetching tasks use."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    airflow(["db", "migrate"], env, home / "migrate.log")
    airflow(["pools", "set", "news_fetch", "4", "fetching tasks"], env, home / "pool.log")


def e2e_env(home: Path, feeds: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow command of the e2e tests, over the feed list ``feeds``."""
    # The demo site is a single host, so the politeness spacing (tested on its own in
    # tests/unit/test_politeness.py) would only serialize every request of these runs.
    # Unpausing (as the UI's backfill dialog does) would also start today's scheduled run,
    # which only competes with a backfill for the CPU; backfill runs are created by the API.
    return airflow_env(
        home,
        NEWS_FEEDS=str(feeds),
        NEWS_PER_HOST_DELAY="0",
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",
        **extra,
    )


def home_from(migrated_db: Path, home: Path) -> Path:
    """A new Airflow home whose metadata DB is a copy of ``migrated_db`` (a DB that
    prepare_airflow_home migrated), instead of migrating another."""
    home.mkdir(parents=True)
    shutil.copy(migrated_db, home / "airflow.db")
    return home


@dataclass(frozen=True)
class DayRun:
    """One day run alone with `airflow dags test`: its Airflow home, data root, output."""

    home: Path
    root: Path
    log: Path


def run_days_alone(tmp: Path, feeds_file: Path, migrated_db: Path) -> dict[date, DayRun]:
    """Each demo day over ``feeds_file`` run alone, as `make run DATE=D` does it, each into
    its own data root under ``tmp``, the three side by side."""
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


def free_port() -> int:
    """A loopback port nothing listens on (free when this returns)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_url() -> str:
    """A loopback URL where nothing listens: every request to it is refused."""
    return f"http://127.0.0.1:{free_port()}"


def settings_for(data_root: Path) -> Settings:
    """Settings with ``data_root``, the project's seeds, loopback allowed, short timeouts."""
    return replace(
        Settings.from_env(),
        data_root=str(data_root),
        seeds_dir=str(PROJECT / "seeds"),
        allow_private_networks=True,
        read_timeout_s=2.0,
        connect_timeout_s=2.0,
        total_timeout_s=10.0,
        # Politeness and backoff that tests of them set themselves; elsewhere they only slow.
        per_host_delay_s=0.0,
        backoff_base_s=0.05,
    )


def nightly_results(
    base_url: str,
    settings: Settings,
    day: date = DEMO_DAY,
    run_id: str = "test-run",
    feeds: Sequence[Feed] | None = None,
    extra_feeds: Sequence[Feed] = (),
) -> RunResults:
    """The stage results of news_nightly's tasks for ``day`` without Airflow, archiving as
    the DAG does, over ``feeds`` (or the demo feeds at ``base_url``) and ``extra_feeds``,
    in ``settings.fetch_shards`` shards run one after another."""
    if feeds is None:
        feeds = parse_feed_list(feed_list_yaml(base_url))
    feeds = [*feeds, *extra_feeds]
    with archiving_fetcher(settings, day, "poll") as fetcher:
        polls = poll_feeds(list(feeds), day, run_id, settings, fetcher)
    selected = select_items_of_day(polls, day, run_id, settings.data_root)
    fetched = []
    for shard in shards_of_night(settings.fetch_shards):
        with archiving_fetcher(settings, day, "fetch") as fetcher:
            fetched.append(
                fetch_and_extract_pages(selected.uri, day, run_id, settings, fetcher, shard=shard)
            )
    deduped = dedupe_articles(staged_articles(fetched), day, run_id, settings)
    events = extract_events_of_day(deduped.uri, day, run_id, settings.data_root)
    return run_results(polls, selected, fetched, deduped, events)


def nightly_run(
    base_url: str,
    settings: Settings,
    day: date = DEMO_DAY,
    run_id: str = "test-run",
    feeds: Sequence[Feed] | None = None,
    extra_feeds: Sequence[Feed] = (),
) -> RunManifest:
    """A whole news_nightly run for ``day`` without Airflow: its stages, then the DAG's own
    finish (gate, publish, manifest); the run manifest, also written under ``runs/``."""
    results = nightly_results(base_url, settings, day, run_id, feeds, extra_feeds)
    return finish(day, run_id, results, settings.data_root, {"airflow": "not run"})


# One outlet per loopback address, chosen so that two shards and three both split them
# (tests/unit/test_stage_shard.py checks): at two, courier's host and meridian's differ.
SHARD_HOSTS = {"courier": "127.0.0.1", "meridian": "127.0.0.2", "frontline": "127.0.0.5"}


@contextmanager
def sites_on_hosts() -> Iterator[dict[str, SiteServer]]:
    """The demo site served on each of SHARD_HOSTS, by outlet (see multi_host_feeds)."""
    servers = {outlet: SiteServer(host=host) for outlet, host in SHARD_HOSTS.items()}
    for server in servers.values():
        server.routes.update(build_routes(server.base_url))
        server.start()
    try:
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def multi_host_feeds(sites: dict[str, SiteServer]) -> list[Feed]:
    """The demo feeds, each outlet's from its own host, and a relay feed on courier's host
    whose one item redirects to a meridian page that meridian's own feed also lists."""
    courier, meridian = sites["courier"], sites["meridian"]
    target = next(
        p
        for p in stories_of(DEMO_DAY)
        if p.story.outlet == "meridian" and p.story.slug != REDIRECTED_SLUG
    )
    courier.routes["/relay/moved"] = Route(
        status=301, headers={"Location": f"{meridian.base_url}{target.path}"}
    )
    # Listed after meridian's own item, so the row the day keeps is meridian's.
    listed = format_datetime(target.published + timedelta(minutes=1), usegmt=True)
    courier.routes["/relay/rss.xml"] = Route(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Relay</title>'
            f"<link>{courier.base_url}/relay/</link><description>relayed</description>"
            f"<item><title>{target.story.title}</title>"
            f"<link>{courier.base_url}/relay/moved</link><pubDate>{listed}</pubDate></item>"
            "</channel></rss>"
        ).encode(),
        "application/rss+xml",
    )
    feeds = []
    for feed in parse_feed_list(feed_list_yaml(courier.base_url)):
        outlet = feed.id.removeprefix("demo-")
        if outlet in sites:
            url = feed.url.replace(courier.base_url, sites[outlet].base_url)
            feed = feed.model_copy(update={"url": url})
        feeds.append(feed)
    return [*feeds, Feed(id="relay", url=f"{courier.base_url}/relay/rss.xml", kind="feed")]


# Each published dataset's key, and the columns that may differ between runs of the same
# day: fetched_at, when each run fetched.
_PUBLISHED = {
    "articles": ("article_id", " exclude (fetched_at)"),
    "events": ("event_id", ""),
    "fingerprints": ("article_id", ""),
}


def _published(files: str, dataset: str) -> list[tuple[Any, ...]]:
    import duckdb

    key, exclude = _PUBLISHED[dataset]
    rows: list[tuple[Any, ...]] = duckdb.sql(
        f"select *{exclude} from read_parquet('{files}', hive_partitioning=true) order by {key}"
    ).fetchall()
    return rows


def published_rows(root: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every published articles, events and fingerprints row under a local data root, in key
    order."""
    return {dataset: _published(f"{root}/{dataset}/*/*.parquet", dataset) for dataset in _PUBLISHED}


def day_rows(root: str | Path, dataset: str, day: date) -> list[tuple[Any, ...]]:
    """The published rows of ``dataset`` for ``day`` under a local data root, in key order:
    what a day's run gave, to compare with the same day run alone."""
    return _published(f"{root}/{dataset}/date={day}/*.parquet", dataset)


def manifest_path(settings: Settings, manifest: RunManifest) -> Path:
    """The file a run's manifest was written to, under a local data root."""
    return Path(manifest_uri(settings.data_root, manifest.day, manifest.run_id))


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


class RawServer:
    """A loopback HTTP server that sends bytes as given: robots.txt gets a 404, and the
    n-th other request the n-th of ``responses`` (the last one repeats), the connection
    closed after it (b"" drops the connection without an answer). A response given as a
    tuple of pieces is sent a piece every 50 ms."""

    def __init__(self, responses: Sequence[bytes | tuple[bytes, ...]]) -> None:
        import threading

        self.responses = list(responses)
        self.requests = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                if request.startswith(b"GET /robots.txt"):
                    answer = (
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                else:
                    with self._lock:
                        answer = self.responses[min(self.requests, len(self.responses) - 1)]
                        self.requests += 1
                with suppress(OSError):
                    for i, piece in enumerate((answer,) if isinstance(answer, bytes) else answer):
                        if i:
                            time.sleep(0.05)
                        conn.sendall(piece)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def raw_response(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    """An HTTP/1.1 response closed after its body (no Content-Length unless given)."""
    head = "".join(f"{h}\r\n" for h in (f"HTTP/1.1 {status}", *headers, "Connection: close"))
    return head.encode("latin-1") + b"\r\n" + body


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback webhook: its URL, and the JSON bodies POSTed to it, as they arrive."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts", received
    finally:
        server.shutdown()
        server.server_close()


def article_row(i: int, **fields: Any) -> dict[str, Any]:
    """Article ``i`` of a.org as a row of ``store.ARTICLES_SCHEMA`` (every required column
    filled), with ``fields`` in place of the defaults."""
    from datetime import UTC, datetime

    url = f"https://a.org/{i}"
    row: dict[str, Any] = {
        "article_id": f"{i:016x}",
        "feed_id": "f",
        "url": url,
        "canonical_url": url,
        "final_url": url,
        "domain": "a.org",
        "title": f"t{i}",
        "text": "body",
        "authors": ["A"],
        "published_at": datetime(2026, 11, 19, 1, tzinfo=UTC),
        "fetched_at": datetime(2026, 11, 19, 2, tzinfo=UTC),
        "language": "en",
        "word_count": 1,
        "is_article": True,
        "is_duplicate": False,
        "cluster_id": f"{i:016x}",
        "date_source": "feed",
        "is_paywalled": False,
        "categories": [],
        "tags": ["x"],
        "text_sha256": "0" * 64,
    }
    return {**row, **fields}
