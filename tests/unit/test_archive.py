"""The raw archive (WARC + capture index) and replay: a day re-run requests no page again."""

from __future__ import annotations

import gzip
import hashlib
import threading
from datetime import date
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from demo.server import Route, SiteServer
from demo.site import DEMO_DAY, build_routes
from news_ingest import archive, store
from news_ingest.archive import CaptureLookup, WarcArchive, archiving_fetcher, read_index
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.manifest import RunManifest
from tests.support import nightly_run


def demo_server() -> SiteServer:
    site = SiteServer().start()
    site.routes.update(build_routes(site.base_url))
    return site


def run_day_archived(site: SiteServer, settings: Settings, day: date = DEMO_DAY) -> RunManifest:
    return nightly_run(site.base_url, settings, day)


def _page_hits(site: SiteServer) -> int:
    return sum(1 for r in site.requests if r["path"].endswith((".html", "/")))


def test_every_response_is_archived_and_indexed(settings: Settings) -> None:
    site = demo_server()
    try:
        run_day_archived(site, settings)
        routes = dict(site.routes)
    finally:
        site.stop()
    index = read_index(settings.data_root, [DEMO_DAY]).to_pylist()
    kinds = {r["kind"] for r in index}
    assert kinds == {"robots", "feed", "sitemap", "page"}
    assert len(index) == len(site.requests)  # one record per response received
    raw = Path(settings.data_root, "raw")
    assert not list(raw.rglob(".*"))  # no temp file left behind
    for row in index:
        path = row["url"].split("://", 1)[1].split("/", 1)[1].split("?")[0]
        body = archive.read_record_body(
            settings.data_root, row["warc_file"], row["offset"], row["length"]
        )
        assert hashlib.sha256(body).hexdigest() == row["sha256"]
        route = routes.get("/" + path)
        if route is not None and row["status"] == 200:
            assert body == route.body
    # Whole files are valid WARC, readable from the start by any WARC tool.
    for warc in raw.glob("date=*/*.warc.gz"):
        with warc.open("rb") as fh:
            records = [r.rec_headers.get_header("WARC-Type") for r in ArchiveIterator(fh)]
        assert records and set(records) == {"response"}


def test_rerunning_a_day_requests_no_page_again(settings: Settings) -> None:
    site = demo_server()
    try:
        first = run_day_archived(site, settings)
        pages_before, feed_paths = _page_hits(site), len(site.requests)
        rows1 = store.read_partition(settings.data_root, "articles", DEMO_DAY).to_pylist()
        second = run_day_archived(site, settings)
        new_requests = site.requests[feed_paths:]
    finally:
        site.stop()
    assert first.stages.fetch.requested > 10 and first.stages.fetch.replayed == 0
    assert second.stages.fetch.replayed == first.stages.fetch.fetched
    assert second.stages.fetch.requested == 0
    assert _page_hits(site) == pages_before
    # The rerun's feed polls were conditional and answered 304.
    assert {r["path"] for r in new_requests} <= {
        "/robots.txt",
        "/courier/rss.xml",
        "/meridian/atom.xml",
        "/frontline/sitemap.xml",
        "/frontline/sitemap-news.xml",
        "/gone/rss.xml",
    }
    ok = [p for p in second.stages.poll if not p.error]
    assert ok and all(p.health.not_modified and p.health.status == 304 for p in ok)
    rows2 = store.read_partition(settings.data_root, "articles", DEMO_DAY).to_pylist()
    assert rows1 == rows2  # replayed pages keep their capture time: identical rows


def test_redirected_items_replay_through_the_archived_redirect(settings: Settings) -> None:
    site = demo_server()
    try:
        run_day_archived(site, settings)
        lookup = CaptureLookup(settings.data_root, [DEMO_DAY])
        capture = lookup.find(f"{site.base_url}/meridian/r/kharkiv-drone-attack")
    finally:
        site.stop()
    assert capture is not None and capture.final_url.endswith("kharkiv-drone-attack.html")
    assert b"<html" in lookup.body(capture)


def test_archives_written_at_once_stay_whole_and_separate(settings: Settings) -> None:
    site = demo_server()
    urls = [site.base_url + p for p in list(site.routes)[:10]]
    try:

        def harvest(task: str) -> None:
            with archiving_fetcher(settings, DEMO_DAY, task) as fetcher:
                for url in urls:
                    fetcher.get(url)

        threads = [threading.Thread(target=harvest, args=(t,)) for t in ("harvest", "fetch")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        site.stop()
    index = read_index(settings.data_root, [DEMO_DAY])
    assert len({r for r in index.column("warc_file").to_pylist()}) == 2
    assert index.num_rows == 2 * (len(urls) + 1)  # each run reads robots.txt once


def test_an_empty_archive_writes_nothing(settings: Settings) -> None:
    assert WarcArchive(settings.data_root, DEMO_DAY, "poll").close() is None
    assert not Path(settings.data_root, "raw").exists()


def test_plain_fetcher_still_works_without_archive(settings: Settings, demo_site) -> None:
    with Fetcher(settings) as f:
        assert f.get(demo_site.base_url + "/courier/rss.xml").status == 200


def test_plain_bodies_are_compressed_and_gzipped_ones_stored_as_they_came(
    settings: Settings,
) -> None:
    page = b"<html><body>" + b"<p>The same sentence, again and again.</p>" * 200 + b"</body></html>"
    with SiteServer() as site:
        site.routes["/plain"] = Route(page, headers={"Content-Encoding": "identity"})
        site.routes["/gzipped"] = Route(page)
        with archiving_fetcher(settings, DEMO_DAY, "fetch") as fetcher:
            for path in ("/plain", "/gzipped"):
                assert fetcher.get(site.base_url + path).body == page
    index = read_index(settings.data_root, [DEMO_DAY]).to_pylist()
    rows = {r["url"].rsplit("/", 1)[1]: r for r in index if r["kind"] == "page"}
    assert set(rows) == {"plain", "gzipped"}
    for row in rows.values():
        body = archive.read_record_body(
            settings.data_root, row["warc_file"], row["offset"], row["length"]
        )
        assert body == page
    # Repeated HTML deflates to a sliver; gzip bytes are stored, not deflated again.
    assert rows["plain"]["length"] < len(page) / 10
    gzipped = rows["gzipped"]
    warc = Path(settings.data_root, "raw", gzipped["warc_file"]).read_bytes()
    record = warc[gzipped["offset"] : gzipped["offset"] + gzipped["length"]]
    assert gzip.compress(page, mtime=0) in record
