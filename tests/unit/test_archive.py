"""The raw archive (WARC + capture index) and replay: a day re-run requests no page again."""

from __future__ import annotations

import gzip
import hashlib
import io
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord

from demo.server import Route, SiteServer
from demo.site import DEMO_DAY, build_routes
from news_ingest import archive, store
from news_ingest.archive import CaptureLookup, WarcArchive, archiving_fetcher, read_index
from news_ingest.http import Exchange, Fetcher
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


_HEADER_NAME = st.text(alphabet=st.sampled_from("abcdefghxyzABCXYZ-0123"), min_size=1, max_size=12)
# Header values as httpx hands them over (bytes read as latin-1), non-ASCII ones included.
_HEADER_VALUE = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=30,
)
_URL = st.builds(
    lambda host, path: f"http://{host}/{path}",
    st.sampled_from(["127.0.0.2:18080", "example.com", "xn--caf-dma.example"]),
    # As httpx gives them: percent-encoded ASCII (a URL of other characters is tested below).
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20),
)


@st.composite
def _exchanges(draw: st.DrawFn) -> Exchange:
    names = ["Content-Type", "Content-Encoding", "Transfer-Encoding", "Content-Length", "ETag"]
    headers = draw(
        st.lists(st.tuples(st.one_of(st.sampled_from(names), _HEADER_NAME), _HEADER_VALUE))
    )
    return Exchange(
        url=draw(_URL),
        status=draw(st.sampled_from([200, 301, 404, 503])),
        reason=draw(st.sampled_from(["OK", "", "Moved Permanently", " Not Found "])),
        http_version=draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/0.9"])),
        headers=headers,
        raw_body=draw(st.binary(max_size=300)),
        body=b"",
        request_headers=[],
        fetched_at=draw(st.datetimes(timezones=st.just(UTC))),
        kind=draw(st.sampled_from(["page", "feed"])),
    )


@settings(max_examples=300, deadline=None)
@given(exchange=_exchanges())
def test_response_records_are_the_bytes_warcio_writes(exchange: Exchange) -> None:
    # Built without warcio when URL and headers are ASCII: the same bytes as warcio's own
    # record (its record ID aside, fixed here), so every WARC reader reads them the same.
    record_id = "<urn:uuid:0f1e2d3c-4b5a-4968-8778-695a4b3c2d1e>"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(archive, "_record_id", lambda: record_id)
        patch.setattr(RecordBuilder, "_make_warc_id", classmethod(lambda cls: record_id))
        try:
            by_warcio = archive._record_by_warcio(exchange)
        except UnicodeEncodeError:  # a value warcio cannot encode: each is encoded whole
            by_warcio = archive._record_by_warcio(exchange, encode_all=True)
        if _all_ascii(exchange):  # built here: warcio is not asked
            patch.setattr(archive, "WARCWriter", None)
        assert archive.response_record(exchange) == by_warcio
    # And it reads back, its digests as warcio checks them.
    record, raw = _read_back(archive.response_record(exchange))
    assert record.rec_headers.get_header("WARC-Target-URI") == exchange.url
    assert record.http_headers.get_statuscode() == str(exchange.status)
    assert raw == exchange.raw_body


def _all_ascii(exchange: Exchange) -> bool:
    return exchange.url.isascii() and all(k.isascii() and v.isascii() for k, v in exchange.headers)


def _exchange(url: str, headers: list[tuple[str, str]]) -> Exchange:
    """A 200 response to ``url`` with ``headers`` and a small page."""
    return Exchange(
        url=url,
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        headers=headers,
        raw_body=b"<p>kept</p>",
        body=b"",
        request_headers=[],
        fetched_at=datetime(2026, 11, 19, 6, 0, tzinfo=UTC),
        kind="page",
    )


def _read_back(data: bytes) -> tuple[ArcWarcRecord, bytes]:
    """The one record in ``data`` and its body as stored, its digests checked."""
    records = []
    for record in ArchiveIterator(io.BytesIO(data), check_digests="raise"):
        records.append((record, record.raw_stream.read()))
    [(record, raw)] = records
    return record, raw


def test_a_header_value_warcio_cannot_encode_is_percent_encoded_and_the_page_kept() -> None:
    exchange = _exchange(
        "http://example.com/a", [("Content-Type", ";\x80=0"), ("X-Note", "caf\u00e9 ok")]
    )
    with pytest.raises(UnicodeEncodeError):  # what warcio alone does with it
        archive._record_by_warcio(exchange)
    record, raw = _read_back(archive.response_record(exchange))
    assert record.http_headers.get_header("Content-Type") == ";%C2%80=0"
    assert record.http_headers.get_header("X-Note") == "caf%C3%A9 ok"
    assert raw == exchange.raw_body


def test_a_record_with_non_ascii_headers_is_written_by_warcio_and_reads_back() -> None:
    exchange = _exchange(
        "http://example.com/caf\u00e9",
        [("Content-Disposition", 'inline; filename="r\u00e9sum\u00e9.html"')],
    )
    data = archive.response_record(exchange)
    assert b"*=UTF-8''" in data  # warcio's RFC 8187 encoding of the value
    record, raw = _read_back(data)
    assert record.rec_headers.get_header("WARC-Target-URI") == exchange.url
    assert raw == exchange.raw_body


def test_a_page_served_with_a_header_warcio_cannot_encode_is_fetched_and_archived(
    settings: Settings,
) -> None:
    # A hostile server's header (bytes 0x80 and up are legal HTTP field octets): the page is
    # fetched and its record written, not the fetch failed by the archive.
    page = b"<html><body><p>The story.</p></body></html>"
    with SiteServer() as site:
        site.routes["/odd"] = Route(page, headers={"X-Odd": ";\x80=0"})
        with archiving_fetcher(settings, DEMO_DAY, "fetch") as fetcher:
            assert fetcher.get(site.base_url + "/odd").body == page
    [row] = [
        r for r in read_index(settings.data_root, [DEMO_DAY]).to_pylist() if r["kind"] == "page"
    ]
    body = archive.read_record_body(
        settings.data_root, row["warc_file"], row["offset"], row["length"]
    )
    assert body == page
