"""Shards of a night: each site's items in one shard, and the same published day for any K."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY
from news_ingest.archive import archiving_fetcher
from news_ingest.settings import Settings
from news_ingest.stages.common import work_uri
from news_ingest.stages.dedupe import dedupe_articles
from news_ingest.stages.fetch_extract import fetch_and_extract_pages
from news_ingest.stages.manifest import RunManifest
from news_ingest.stages.shard import Shard, shard_of, shards_of_night
from tests.support import (
    PROJECT,
    SHARD_HOSTS,
    multi_host_feeds,
    nightly_run,
    published_rows,
    settings_for,
    sites_on_hosts,
)

RUN = "shard-test"


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, SiteServer]]:
    with sites_on_hosts() as servers:
        yield servers


@pytest.fixture(scope="module")
def runs(
    sites: dict[str, SiteServer], tmp_path_factory: pytest.TempPathFactory
) -> dict[int, tuple[Settings, RunManifest]]:
    """The demo day over the three hosts with K = 1, 2 and 3, each into its own data root."""
    feeds = multi_host_feeds(sites)
    out = {}
    for k in (1, 2, 3):
        root = tmp_path_factory.mktemp(f"k{k}") / "data"
        settings = replace(settings_for(root), fetch_shards=k)
        manifest = nightly_run(sites["courier"].base_url, settings, DEMO_DAY, RUN, feeds)
        out[k] = settings, manifest
    return out


def test_the_hosts_are_split_by_two_and_three_shards() -> None:
    # Without this the comparisons below would be of one shard doing all the work.
    for k in (2, 3):
        assert len({shard_of(f"http://{host}/", k) for host in SHARD_HOSTS.values()}) > 1
    courier, meridian = (f"http://{SHARD_HOSTS[o]}/" for o in ("courier", "meridian"))
    assert shard_of(courier, 2) != shard_of(meridian, 2)  # the relay's redirect crosses them


def test_the_published_day_is_the_same_for_one_two_and_three_shards(runs) -> None:
    one = published_rows(runs[1][0].data_root)
    assert len(one["articles"]) > 10 and one["events"]
    # The relay's item is meridian's article, reached through a redirect from courier's host.
    ids = [row[0] for row in one["articles"]]
    assert len(ids) == len(set(ids))
    for k in (2, 3):
        assert published_rows(runs[k][0].data_root) == one, k


def test_each_host_is_fetched_by_exactly_one_shard(runs) -> None:
    selected = pq.read_table(runs[1][1].stages.select.uri).column("url").to_pylist()
    for k in (2, 3):
        settings, _ = runs[k]
        hosts_of: dict[int, set[str]] = {}
        urls: list[str] = []
        for shard in shards_of_night(k):
            uri = work_uri(settings.data_root, DEMO_DAY, RUN, shard.folder, "pages.parquet")
            shard_urls = pq.read_table(uri).column("url").to_pylist()
            urls += shard_urls
            hosts_of[shard.index] = {str(urlsplit(u).hostname) for u in shard_urls}
        assert sorted(urls) == sorted(selected), k  # every item once, in some shard
        hosts = [h for shard_hosts in hosts_of.values() for h in shard_hosts]
        assert sorted(hosts) == sorted(set(SHARD_HOSTS.values())), (k, hosts_of)
        assert sum(1 for shard_hosts in hosts_of.values() if shard_hosts) > 1, (k, hosts_of)


def test_the_manifest_sums_the_shards_and_keeps_each_ones_share(runs) -> None:
    one = runs[1][1].stages
    assert [(s.index, s.count) for s in one.shards] == [(0, 1)]
    for k in (2, 3):
        stages = runs[k][1].stages
        assert [(s.index, s.count) for s in stages.shards] == [(i, k) for i in range(k)]
        assert sum(s.pages for s in stages.shards) == one.fetch.fetched + one.fetch.failed
        assert sum(s.extracted for s in stages.shards) == stages.extract.extracted
        assert (stages.fetch.fetched, stages.fetch.failed, stages.fetch.errors) == (
            one.fetch.fetched,
            one.fetch.failed,
            one.fetch.errors,
        )
        assert (stages.extract.extracted, stages.extract.errors) == (
            one.extract.extracted,
            one.extract.errors,
        )
        assert stages.fetch.seconds == max(s.fetch_seconds for s in stages.shards)
        assert (stages.dedupe.articles, stages.events.events) == (
            one.dedupe.articles,
            one.events.events,
        )
        # Written and read back whole, each shard's share with it.
        assert RunManifest.from_json(runs[k][1].to_json()) == runs[k][1]


def test_a_manifest_from_before_shards_is_read_with_none() -> None:
    data = (PROJECT / "tests" / "unit" / "data" / "manifest-v1-demo-day.json").read_text()
    assert RunManifest.from_json(data).stages.shards == ()


def test_a_site_is_one_shard_whatever_its_host() -> None:
    for k in (2, 3, 7, 64):
        assert (
            len(
                {
                    shard_of(u, k)
                    for u in (
                        "https://www.bbc.co.uk/a",
                        "https://news.bbc.co.uk/b",
                        "http://BBC.co.uk:8080/c",
                    )
                }
            )
            == 1
        )


def test_the_shard_of_a_site_does_not_change_between_processes() -> None:
    # Python's hash() of a str differs per process; a shard must not (retries, workers).
    code = (
        "from news_ingest.stages.shard import shard_of\n"
        "print(shard_of('https://example.com/', 1000))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert seen == {"309"}


def test_a_shard_holds_only_its_sites() -> None:
    urls = [f"https://site{i}.example/page" for i in range(40)]
    for k in (1, 2, 3):
        holders = [[s.index for s in shards_of_night(k) if s.holds(u)] for u in urls]
        assert all(len(h) == 1 for h in holders)
        assert {h[0] for h in holders} == set(range(k))
    with pytest.raises(ValueError):
        Shard(2, 2)


def test_a_shard_retried_alone_leaves_the_others_and_the_day_as_they_were(
    runs, sites: dict[str, SiteServer], tmp_path: Path
) -> None:
    settings, manifest = runs[2]
    root = tmp_path / "data"
    shutil.copytree(settings.data_root, root)
    settings = replace(settings, data_root=str(root))
    first, second = shards_of_night(2)
    others = [
        Path(work_uri(str(root), DEMO_DAY, RUN, first.folder, name))
        for name in ("pages.parquet", "extracted.parquet")
    ]
    before = [(p.stat().st_ino, p.stat().st_mtime_ns) for p in others]
    selected = work_uri(str(root), DEMO_DAY, RUN, "selected.parquet")
    with archiving_fetcher(settings, DEMO_DAY, "fetch") as fetcher:
        again = fetch_and_extract_pages(selected, DEMO_DAY, RUN, settings, fetcher, shard=second)
    assert [(p.stat().st_ino, p.stat().st_mtime_ns) for p in others] == before
    assert again.shard == second and again.fetch.replayed == again.fetch.fetched > 0
    staged = [str(others[1]), again.extract.uri]
    deduped = dedupe_articles(staged, DEMO_DAY, RUN, settings)
    assert deduped.articles == manifest.stages.dedupe.articles

    def rows(uri: str) -> list[dict[str, object]]:
        table = pq.read_table(uri).drop_columns(["fetched_at"]).sort_by("article_id")
        return table.to_pylist()

    assert rows(deduped.uri) == rows(manifest.stages.dedupe.uri)
