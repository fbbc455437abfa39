"""Fetch throughput against the ceiling the politeness settings allow.

2,000 article pages (the demo site's templates) spread over 20 local hosts, 127.0.0.2 to
127.0.0.21 (one threaded server each, every response delayed by 50 ms), fetched by the
real fetch stage: ``stages.fetch.fetch_pages`` with an archiving ``Fetcher`` (robots.txt,
politeness, WARC archive and capture index). Per round and configuration:

- ``default``: the project's politeness defaults (8 requests at once, 2 per host, 0.5 s
  between request starts to one host), pages in publication order across hosts;
- ``default-grouped``: the same, pages grouped by host (as one feed lists them);
- ``no-delay``: per-host delay 0, so the concurrency bounds alone limit the rate;
- ``baseline``: the same URLs through a plain ``httpx.Client`` on the same number of
  threads, no politeness, no robots.txt, no archive.

Ceiling = min(global / latency, hosts * min(per_host / latency, 1 / min_delay)).

Run: ``make bench-fetch`` (or ``.venv/bin/python bench/fetch/run.py --rounds 3``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import pyarrow as pa

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
os.environ["NEWS_ALLOW_PRIVATE_NETWORKS"] = "1"

from demo.server import Route, SiteServer  # noqa: E402
from demo.site import RENDERERS, Page, all_pages  # noqa: E402
from news_ingest import store  # noqa: E402
from news_ingest.archive import archiving_fetcher  # noqa: E402
from news_ingest.settings import Settings  # noqa: E402
from news_ingest.stages.common import ITEMS_SCHEMA, work_uri  # noqa: E402
from news_ingest.stages.fetch import FetchResult, fetch_pages  # noqa: E402
from news_ingest.urls import article_id_for, canonicalize_url  # noqa: E402

DAY = date(2026, 11, 19)


def build_sites(hosts: int, pages: int, latency_s: float) -> tuple[list[SiteServer], list[dict]]:
    """One server per loopback address, each serving its share of generated article pages."""
    templates = all_pages()
    servers: list[SiteServer] = []
    items: list[dict] = []
    rng = random.Random(7)
    day_start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
    for h in range(hosts):
        server = SiteServer(host=f"127.0.0.{h + 2}")
        server.latency_s = latency_s
        base = server.base_url
        routes: dict[str, Route] = {}
        site_pages: list[Page] = []
        for i in range(h, pages, hosts):
            t = templates[i % len(templates)]
            story = replace(t.story, slug=f"{t.story.slug}-{i}")
            site_pages.append(Page(story, day_start + timedelta(seconds=rng.randrange(86_400))))
        for page in site_pages:
            body = RENDERERS[page.story.outlet](page, base, site_pages)
            routes[page.path] = Route(body.encode("utf-8"))
            url = base + page.path
            canonical = canonicalize_url(url)
            items.append(
                {
                    "feed_id": f"bench-{h + 2}",
                    "source": f"Bench {h + 2}",
                    "url": url,
                    "canonical_url": canonical,
                    "article_id": article_id_for(canonical),
                    "title": page.story.title,
                    "published_at": page.published,
                }
            )
        server.routes = routes
        servers.append(server.start())
    return servers, items


def _serve(hosts: int, pages: int, latency_s: float, conn: Connection) -> None:
    servers, items = build_sites(hosts, pages, latency_s)
    conn.send(items)
    conn.recv()  # until the parent says stop
    for server in servers:
        server.stop()


@contextmanager
def sites_process(hosts: int, pages: int, latency_s: float) -> Iterator[list[dict]]:
    """The sites served from a child process (their own interpreter, as remote sites
    would be), so the servers do not compete with the fetcher for this one's GIL."""
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.get_context("fork").Process(
        target=_serve, args=(hosts, pages, latency_s, child), daemon=True
    )
    proc.start()
    try:
        yield parent.recv()
    finally:
        parent.send("stop")
        proc.join(10)


def ceiling(settings: Settings, hosts: int, latency_s: float) -> float:
    per_host = settings.per_host_concurrency / latency_s
    if settings.per_host_delay_s > 0:
        per_host = min(per_host, 1 / settings.per_host_delay_s)
    return min(settings.fetch_concurrency / latency_s, hosts * per_host)


def run_stage(settings: Settings, rows: list[dict]) -> tuple[float, FetchResult]:
    """Seconds for the fetch stage over ``rows`` on a fresh data root, and its result."""
    with tempfile.TemporaryDirectory(prefix="bench-fetch-") as root:
        s = replace(settings, data_root=root)
        selected = work_uri(root, DAY, "bench", "selected.parquet")
        store.write_table_atomic(selected, pa.Table.from_pylist(rows, schema=ITEMS_SCHEMA))
        started = time.perf_counter()
        with archiving_fetcher(s, DAY, "bench") as fetcher:
            result = fetch_pages(selected, DAY, "bench", s, fetcher)
        elapsed = time.perf_counter() - started
    if result.failed:
        raise SystemExit(f"{result.failed} pages failed: {result.errors[:3]}")
    return elapsed, result


def run_baseline(settings: Settings, rows: list[dict]) -> float:
    """Seconds for the same URLs through a plain httpx client, same thread count."""
    limits = httpx.Limits(
        max_connections=settings.fetch_concurrency * 2,
        max_keepalive_connections=settings.fetch_concurrency * 2,
    )
    with httpx.Client(limits=limits, trust_env=False) as client:

        def get(url: str) -> int:
            resp = client.get(url)
            resp.raise_for_status()
            return len(resp.content)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=settings.fetch_concurrency) as pool:
            list(pool.map(get, [r["url"] for r in rows]))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added per response")
    parser.add_argument("--only", help="comma-separated configurations to run")
    args = parser.parse_args()

    with sites_process(args.hosts, args.pages, args.latency) as items:
        run_all(args, items)


def run_all(args: argparse.Namespace, items: list[dict]) -> None:
    by_time = sorted(items, key=lambda r: (r["published_at"], r["feed_id"], r["url"]))
    grouped = sorted(items, key=lambda r: (r["feed_id"], r["url"]))
    default = Settings.from_env()
    no_delay = replace(default, per_host_delay_s=0.0)
    configs: dict[str, tuple[Settings, list[dict], Callable[[Settings, list[dict]], float]]] = {
        "default": (default, by_time, lambda s, r: run_stage(s, r)[0]),
        "default-grouped": (default, grouped, lambda s, r: run_stage(s, r)[0]),
        "no-delay": (no_delay, by_time, lambda s, r: run_stage(s, r)[0]),
        "baseline": (default, by_time, run_baseline),
    }
    if args.only:
        configs = {k: v for k, v in configs.items() if k in args.only.split(",")}
    rates: dict[str, list[float]] = {name: [] for name in configs}
    print(
        f"{args.pages} pages over {args.hosts} hosts, {args.latency * 1000:.0f} ms added latency,"
        f" {os.cpu_count()} CPUs, {args.rounds} rounds"
    )
    for rnd in range(args.rounds):
        for name, (settings, rows, fn) in configs.items():
            seconds = fn(settings, rows)
            rates[name].append(len(rows) / seconds)
            print(f"  round {rnd + 1} {name:16s} {len(rows) / seconds:7.1f} pages/s", flush=True)
    base = statistics.median(rates["baseline"]) if rates.get("baseline") else None
    print()
    print("| configuration | ceiling pages/s | median pages/s | of ceiling | vs baseline |")
    print("| --- | --- | --- | --- | --- |")
    for name, (settings, _rows, _fn) in configs.items():
        median = statistics.median(rates[name])
        if name == "baseline":
            cap = settings.fetch_concurrency / args.latency
        else:
            cap = ceiling(settings, args.hosts, args.latency)
        vs = f"{median / base:.2f}" if base else "-"
        print(f"| {name} | {cap:.0f} | {median:.1f} | {median / cap:.0%} | {vs} |")


if __name__ == "__main__":
    main()
