"""The raw archive: every HTTP response in WARC files, with a Parquet capture index.

Layout under the data root, partitioned by the day D that the writing task works for (the
nightly or backfill run of D, or the harvest run whose interval starts on D)::

    raw/date=D/<task>-<uuid>.warc.gz          WARC/1.1 response records, one gzip member each
    raw/index/date=D/<task>-<uuid>.parquet    one row per record: where it is and what it holds

Each writer has its own files, written under a dot-prefixed temp name and renamed into
place when the task ends, so files are immutable once visible and any number of
harvests and nightly runs can write at once. Bodies are stored as received on the wire
(still content-encoded; a chunked transfer is stored de-chunked with its Content-Length
set), so a reader decodes them the way warcio does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import threading
import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urljoin

import pyarrow as pa
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from news_ingest import __version__, store
from news_ingest.http import REDIRECTS, Exchange, Fetcher
from news_ingest.settings import Settings
from news_ingest.urls import canonicalize_url

TASKS = frozenset({"poll", "fetch", "harvest", "backfill", "bench", "test"})
INDEX_SCHEMA = pa.schema(
    [
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("status", pa.int32()),
        ("fetched_at", store.TS),
        ("content_type", pa.string()),
        ("sha256", pa.string()),
        ("warc_file", pa.string()),
        ("offset", pa.int64()),
        ("length", pa.int64()),
        ("kind", pa.string()),
        ("location", pa.string()),
    ]
)
_DROP_HEADERS = {"transfer-encoding", "content-length"}
GZIP_LEVEL = 6
_PRINTABLE = "".join(map(chr, range(0x20, 0x7F)))


def raw_folder(root: str, day: date) -> str:
    return store.join(root, "raw", f"date={day.isoformat()}")


def index_folder(root: str, day: date) -> str:
    return store.join(root, "raw", "index", f"date={day.isoformat()}")


class WarcArchive:
    """Appends exchanges to one WARC file of its own; ``close`` publishes file and index."""

    def __init__(self, root: str, day: date, task: str) -> None:
        if task not in TASKS:
            raise ValueError(f"unknown archive task {task!r}")
        self.root = root
        self.day = day
        self.name = f"{task}-{uuid.uuid4().hex}"
        self.warc_uri = store.join(raw_folder(root, day), f"{self.name}.warc.gz")
        self._fs, self._path = store.resolve(self.warc_uri)
        parent = self._path.rsplit("/", 1)[0]
        self._tmp = f"{parent}/.{self.name}.warc.gz.tmp"
        self._out: Any = None
        self._offset = 0
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.closed = False

    def record(self, exchange: Exchange) -> None:
        """Append one response (thread-safe)."""
        data = self._encode(exchange)
        headers = {k.lower(): v for k, v in exchange.headers}
        location = headers.get("location") if exchange.status in REDIRECTS else None
        canonical = canonicalize_url(exchange.url)  # hashing and parsing outside the lock
        digest = hashlib.sha256(exchange.body).hexdigest()
        with self._lock:
            if self.closed:
                return
            if self._out is None:
                self._fs.create_dir(self._path.rsplit("/", 1)[0], recursive=True)
                self._out = self._fs.open_output_stream(self._tmp)
            self._out.write(data)
            self._rows.append(
                {
                    "url": exchange.url,
                    "canonical_url": canonical,
                    "status": exchange.status,
                    "fetched_at": exchange.fetched_at,
                    "content_type": headers.get("content-type"),
                    "sha256": digest,
                    "warc_file": f"date={self.day.isoformat()}/{self.name}.warc.gz",
                    "offset": self._offset,
                    "length": len(data),
                    "kind": exchange.kind,
                    "location": location,
                }
            )
            self._offset += len(data)

    def close(self) -> str | None:
        """Move the WARC into place, then write its index; return the WARC URI (None if empty)."""
        with self._lock:
            if self.closed:
                return None
            self.closed = True
            if self._out is None:
                return None
            self._out.close()
        try:
            self._fs.move(self._tmp, self._path)
        except BaseException:
            with contextlib.suppress(OSError):
                self._fs.delete_file(self._tmp)
            raise
        index = store.join(index_folder(self.root, self.day), f"{self.name}.parquet")
        store.write_table_atomic(index, pa.Table.from_pylist(self._rows, schema=INDEX_SCHEMA))
        return self.warc_uri

    @staticmethod
    def _encode(exchange: Exchange) -> bytes:
        data = response_record(exchange)
        # One gzip member per record, as warcio writes them, but at zlib's default level
        # (warcio's 9 costs a third more CPU for 0.5 % smaller pages), and stored without
        # compression when the body came compressed: deflating gzip again cost 0.2 ms a
        # bench page and saved 64 bytes of its 10 KB record (the headers'; not the body's).
        encoded = any(
            k.lower() == "content-encoding" and v.strip().lower() not in {"", "identity"}
            for k, v in exchange.headers
        )
        level = 0 if encoded else GZIP_LEVEL
        member = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return member.compress(data) + member.flush()


def _http_headers(exchange: Exchange) -> tuple[str, str, list[tuple[str, str]]]:
    """The protocol, status line and headers a record keeps of a response."""
    headers = [(k, v) for k, v in exchange.headers if k.lower() not in _DROP_HEADERS]
    headers.append(("Content-Length", str(len(exchange.raw_body))))
    protocol = {"HTTP/1.0": "HTTP/1.0", "HTTP/2": "HTTP/2"}.get(exchange.http_version, "HTTP/1.1")
    return protocol, f"{exchange.status} {exchange.reason}".strip(), headers


def _warc_date(exchange: Exchange) -> str:
    stamp = exchange.fetched_at.astimezone(UTC).isoformat(timespec="microseconds")
    return stamp.replace("+00:00", "Z")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _sha1(*parts: bytes) -> str:
    digest = hashlib.sha1()  # the WARC digests warcio writes and readers check
    for part in parts:
        digest.update(part)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def response_record(exchange: Exchange) -> bytes:
    """The exchange's WARC/1.1 response record, uncompressed: the bytes warcio's WARCWriter
    writes for it. Built here when its URL and headers are ASCII (0.06 ms a bench page
    against warcio's 0.19: its temporary files and header objects), else by warcio, which
    percent-encodes other characters in its own way."""
    protocol, status, headers = _http_headers(exchange)
    http = "".join([f"{protocol} {status}\r\n", *(f"{k}: {v}\r\n" for k, v in headers), "\r\n"])
    # Without a URL warcio writes no WARC-Target-URI.
    if not (exchange.url and exchange.url.isascii() and http.isascii()):
        return _record_with_other_characters(exchange)
    block = http.encode("ascii")
    payload = exchange.raw_body
    warc = (
        "WARC/1.1\r\n"
        f"WARC-Date: {_warc_date(exchange)}\r\n"
        f"WARC-Source: news-ingest/{__version__} {exchange.kind}\r\n"
        "WARC-Type: response\r\n"
        f"WARC-Record-ID: {_record_id()}\r\n"
        f"WARC-Target-URI: {exchange.url}\r\n"
        f"WARC-Payload-Digest: {_sha1(payload)}\r\n"
        f"WARC-Block-Digest: {_sha1(block, payload)}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(block) + len(payload)}\r\n"
        "\r\n"
    )
    return b"".join((warc.encode("utf-8"), block, payload, b"\r\n\r\n"))


def _record_with_other_characters(exchange: Exchange) -> bytes:
    """The record of an exchange with no URL or with other characters than ASCII: warcio's,
    or, for a header value warcio cannot percent-encode (it raises on ``;\\x80=0``, which a
    hostile server may send), with every such value percent-encoded whole, so the page is
    kept."""
    try:
        return _record_by_warcio(exchange)
    except UnicodeEncodeError:
        return _record_by_warcio(exchange, encode_all=True)


def _record_by_warcio(exchange: Exchange, encode_all: bool = False) -> bytes:
    """The exchange's WARC/1.1 response record as warcio's WARCWriter writes it; with
    ``encode_all``, every header value that is not ASCII percent-encoded first."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False, warc_version="WARC/1.1")
    protocol, status, headers = _http_headers(exchange)
    if encode_all:
        headers = [(k, v if v.isascii() else quote(v, safe=_PRINTABLE)) for k, v in headers]
    record = writer.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.raw_body),
        http_headers=StatusAndHeaders(status, headers, protocol=protocol),
        warc_headers_dict={
            "WARC-Date": _warc_date(exchange),
            "WARC-Source": f"news-ingest/{__version__} {exchange.kind}",
        },
    )
    writer.write_record(record)
    return buf.getvalue()


@contextmanager
def archiving_fetcher(settings: Settings, day: date, task: str) -> Iterator[Fetcher]:
    """A Fetcher whose every response goes to a new WARC file of ``day``'s raw partition."""
    archive = WarcArchive(settings.data_root, day, task)
    try:
        with Fetcher(settings, recorder=archive.record) as fetcher:
            yield fetcher
    finally:
        archive.close()


@dataclass(frozen=True)
class Capture:
    """One archived response, found through the index."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    fetched_at: datetime
    warc_file: str
    offset: int
    length: int


def read_index(root: str, days: Iterable[date], columns: list[str] | None = None) -> pa.Table:
    """Every capture-index row of ``days`` (only ``columns`` when given)."""
    schema = pa.schema([INDEX_SCHEMA.field(c) for c in columns]) if columns else INDEX_SCHEMA
    tables = [
        store.read_table(uri, columns)
        for day in days
        for uri in store.list_files(index_folder(root, day), ".parquet")
    ]
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([t.cast(schema) for t in tables])


def _is_page_capture(row: dict[str, Any]) -> bool:
    """A capture that replays a page: a 200 or a redirect with its target, not robots.txt,
    a feed or a sitemap."""
    if row["kind"] in {"robots", "feed", "sitemap"}:
        return False
    return bool(row["status"] == 200 or (row["status"] in REDIRECTS and row["location"]))


def has_page_captures(root: str, days: Iterable[date]) -> bool:
    """Whether the archive of ``days`` holds a page that a ``CaptureLookup`` would find."""
    rows = read_index(root, days, ["kind", "status", "location"]).to_pylist()
    return any(map(_is_page_capture, rows))


class CaptureLookup:
    """Finds the latest archived page for a URL, following archived redirects."""

    def __init__(self, root: str, days: Iterable[date]) -> None:
        self.root = root
        self._by_url: dict[str, dict[str, Any]] = {}
        rows = read_index(root, days).to_pylist()
        rows.sort(key=lambda r: r["fetched_at"])
        for row in rows:
            if _is_page_capture(row):
                self._by_url[row["canonical_url"]] = row  # the latest wins

    def __len__(self) -> int:
        return len(self._by_url)

    def find(self, url: str, max_hops: int = 5) -> Capture | None:
        """The archived 200 response for ``url`` (after archived redirects), if any."""
        current = url
        for _ in range(max_hops + 1):
            row = self._by_url.get(canonicalize_url(current))
            if row is None:
                return None
            if row["status"] == 200:
                return Capture(
                    url=url,
                    final_url=current,
                    status=200,
                    content_type=row["content_type"],
                    fetched_at=row["fetched_at"],
                    warc_file=row["warc_file"],
                    offset=row["offset"],
                    length=row["length"],
                )
            current = urljoin(current, row["location"])
        return None

    def body(self, capture: Capture) -> bytes:
        """The decoded body of a capture, read from its WARC record."""
        return read_record_body(self.root, capture.warc_file, capture.offset, capture.length)


def read_record_body(root: str, warc_file: str, offset: int, length: int) -> bytes:
    """Decode the HTTP body of the WARC record at ``offset`` (content-encoding undone)."""
    fs, path = store.resolve(store.join(root, "raw", warc_file))
    with fs.open_input_file(path) as src:
        data = src.read_at(length, offset)
    for record in ArchiveIterator(io.BytesIO(data)):
        return bytes(record.content_stream().read())
    raise ValueError(f"no WARC record at {warc_file}:{offset}")


def replay_days(day: date) -> list[date]:
    """Raw partitions that may hold pages of day D: D's own (harvests during D, the run
    for D) and D+1's (harvests just after midnight)."""
    return [day, day + timedelta(days=1)]
