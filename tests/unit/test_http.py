"""The fetcher against real loopback servers: redirects, gzip, validators, caps and refusals."""

from __future__ import annotations

import gzip
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx
import pytest

from demo.server import Route, SiteServer
from news_ingest.http import (
    Fetcher,
    FetchError,
    GuardedBackend,
    PerOriginTransport,
    address_refusal,
    check_url_allowed,
    resolve_vetted,
)
from news_ingest.settings import Settings
from tests.support import RawServer, closed_port_url, free_port, raw_response


@pytest.fixture
def site():
    with SiteServer() as server:
        server.routes.update(
            {
                "/page": Route(b"<html><body>" + b"hello " * 200 + b"</body></html>"),
                "/moved": Route(status=301, headers={"Location": "/page"}),
                "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
                "/loop-b": Route(status=302, headers={"Location": "/loop-a"}),
                "/to-file": Route(status=302, headers={"Location": "file:///etc/passwd"}),
                "/slow": Route(b"late", delay_s=3.0),
                "/big": Route(b"x" * 5000),
                "/error": Route(b"oops", status=503),
                # A consent wall: sets its cookie and sends the reader back to the story.
                "/consent": Route(
                    status=302,
                    headers={"Location": "/page", "Set-Cookie": "consent=yes; Path=/"},
                ),
            }
        )
        yield server


def test_follows_redirects_and_decodes_gzip(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f:
        resp = f.get(site.base_url + "/moved")
    assert resp.status == 200
    assert resp.final_url == site.base_url + "/page"
    assert resp.body.count(b"hello") == 200
    assert site.requests[-1]["headers"]["Accept-Encoding"].startswith("gzip")


def test_cookies_a_site_sets_are_sent_back_to_it(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f:
        f.get(site.base_url + "/page")
        assert "Cookie" not in site.requests[-1]["headers"]
        f.get(site.base_url + "/consent")
        assert site.requests[-1]["path"] == "/page"
        assert site.requests[-1]["headers"]["Cookie"] == "consent=yes"
        f.get(site.base_url + "/big")
    assert site.requests[-1]["headers"]["Cookie"] == "consent=yes"


def test_sends_an_honest_user_agent(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f:
        f.get(site.base_url + "/page")
    assert site.requests[-1]["headers"]["User-Agent"].startswith("news-ingest/")


def test_conditional_get_returns_304_with_matching_etag(
    site: SiteServer, settings: Settings
) -> None:
    with Fetcher(settings) as f:
        first = f.get(site.base_url + "/page")
        again = f.get(site.base_url + "/page", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304 and again.body == b""


def test_redirect_loops_end_with_an_error(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f, pytest.raises(FetchError, match="redirects"):
        f.get(site.base_url + "/loop-a")


def test_redirect_to_a_file_url_is_refused(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f, pytest.raises(FetchError, match="refused scheme 'file'"):
        f.get(site.base_url + "/to-file")


def test_slow_server_times_out(site: SiteServer, settings: Settings) -> None:
    fast = replace(settings, read_timeout_s=0.5)
    with Fetcher(fast) as f, pytest.raises(FetchError, match="timeout") as slow:
        f.get(site.base_url + "/slow")
    # Each try waited its read timeout and was retried (the server's slowness, not our
    # deadline).
    tries = settings.max_retries + 1
    assert str(slow.value) == (
        f"timeout fetching {site.base_url}/slow: ReadTimeout (after {tries} attempts)"
    )
    assert site.hits("/slow") == tries


def test_oversized_body_is_refused(site: SiteServer, settings: Settings) -> None:
    small = replace(settings, max_response_bytes=1000, max_decompressed_bytes=1000)
    with Fetcher(small) as f, pytest.raises(FetchError, match=r"too large|exceeds"):
        f.get(site.base_url + "/big")


def test_server_errors_are_returned_not_raised(site: SiteServer, settings: Settings) -> None:
    with Fetcher(settings) as f:
        resp = f.get(site.base_url + "/error")
    assert resp.status == 503 and resp.attempts == settings.max_retries + 1
    assert site.hits("/error") == settings.max_retries + 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://192.168.1.1/",
    ],
)
def test_private_addresses_are_refused_unless_allowed(url: str) -> None:
    with pytest.raises(FetchError, match="non-public"):
        check_url_allowed(url, allow_private=False)
    check_url_allowed(url, allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_metadata_and_link_local_are_refused_even_when_private_is_allowed(url: str) -> None:
    for allow in (False, True):
        with pytest.raises(FetchError, match="refused"):
            check_url_allowed(url, allow_private=allow)


NON_PUBLIC = "refused non-public address {}"
NEVER = "refused link-local/reserved address {} (never allowed)"


@pytest.mark.parametrize(
    ("ip", "strict", "allowing"),
    [
        # Public addresses, also inside IPv6 forms that carry an IPv4 one.
        ("8.8.8.8", None, None),
        ("2606:4700::1111", None, None),
        ("::ffff:8.8.8.8", None, None),
        ("64:ff9b::808:808", None, None),  # NAT64
        ("2002:808:808::1", None, None),  # 6to4
        # What NEWS_ALLOW_PRIVATE_NETWORKS opens: loopback and private ranges.
        ("127.0.0.1", NON_PUBLIC, None),
        ("::1", NON_PUBLIC, None),
        ("::ffff:127.0.0.1", NON_PUBLIC, None),
        ("10.0.0.1", NON_PUBLIC, None),
        ("::ffff:10.0.0.1", NON_PUBLIC, None),
        ("64:ff9b::a00:1", NON_PUBLIC, None),
        ("fd12::1", NON_PUBLIC, None),  # IPv6 unique-local
        # ... and what it does not.
        ("100.100.100.200", NON_PUBLIC, NON_PUBLIC),  # the shared range (a metadata service)
        ("169.254.169.254", NEVER, NEVER),
        ("fe80::1%eth0", NEVER, NEVER),
        ("::ffff:169.254.169.254", NEVER, NEVER),
        ("64:ff9b::a9fe:a9fe", NEVER, NEVER),
        ("2002:a9fe:a9fe::1", NEVER, NEVER),  # 6to4 of 169.254.169.254
        # Teredo: server 8.8.8.8, client 169.254.169.254 (stored inverted).
        ("2001:0:808:808::5601:5601", NEVER, NEVER),
        ("fd00:ec2::254", NEVER, NEVER),  # AWS's IPv6 metadata service
        ("0.0.0.0", NEVER, NEVER),
        ("::", NEVER, NEVER),
        ("224.0.0.1", NEVER, NEVER),
        ("ff02::1", NEVER, NEVER),
        ("240.0.0.1", NEVER, NEVER),  # reserved
    ],
)
def test_address_policy(ip: str, strict: str | None, allowing: str | None) -> None:
    assert address_refusal(ip, allow_private=False) == (strict and strict.format(ip))
    assert address_refusal(ip, allow_private=True) == (allowing and allowing.format(ip))


def test_an_unparsable_address_is_refused() -> None:
    for allow in (False, True):
        assert address_refusal("not-an-ip", allow) == "refused unparsable address 'not-an-ip'"


def test_loopback_site_is_refused_by_default_settings(site: SiteServer, settings: Settings) -> None:
    strict = replace(settings, allow_private_networks=False)
    with Fetcher(strict) as f, pytest.raises(FetchError, match="non-public"):
        f.get(site.base_url + "/page")
    assert site.hits("/page") == 0


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x/"])
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refused scheme"):
        check_url_allowed(url, allow_private=True)


def test_each_site_keeps_its_connection_however_many_sites_a_run_visits(
    settings: Settings,
) -> None:
    # More sites than the 16 connections one shared pool held: visited in turn, each
    # page used to find its site's connection dropped and open a new one.
    servers = [SiteServer({"/page": Route(b"<p>story</p>")}).start() for _ in range(20)]
    try:
        with Fetcher(replace(settings, per_host_delay_s=0.0)) as f:
            for _ in range(3):
                for server in servers:
                    assert f.get(server.base_url + "/page").status == 200
        for server in servers:
            assert len({r["client"] for r in server.requests}) == 1
    finally:
        for server in servers:
            server.stop()


def test_idle_sites_lose_their_pools_but_an_open_response_keeps_its_own() -> None:
    servers = [SiteServer({"/page": Route(b"x" * 50_000)}).start() for _ in range(3)]
    transport = PerOriginTransport(GuardedBackend(True), per_origin=2, max_origins=1)
    try:
        with httpx.Client(transport=transport) as client:
            with client.stream("GET", servers[0].base_url + "/page") as first:
                # Two more sites while the first's body is still unread: over the cap of
                # one, only pools with no open response are closed.
                for server in servers[1:]:
                    assert client.get(server.base_url + "/page").status_code == 200
                assert transport.origins == 2
                assert len(first.read()) == 50_000
            client.get(servers[1].base_url + "/page")
            assert transport.origins == 1
        # Pools unused for longer than the keep-alive expiry go too, cap or no cap.
        transport = PerOriginTransport(GuardedBackend(True), per_origin=2, keepalive_expiry_s=0.2)
        with httpx.Client(transport=transport) as client:
            for server in servers:
                client.get(server.base_url + "/page")
            assert transport.origins == 3
            time.sleep(1.1)  # the sweep looks at most once a second
            client.get(servers[0].base_url + "/page")
            assert transport.origins == 1
    finally:
        for server in servers:
            server.stop()


class _StallingServer:
    """A loopback server that answers robots.txt with 404 and any other request by
    sending ``opening`` and then ``drip`` every 0.1 s, never finishing its headers."""

    def __init__(self, opening: bytes, drip: bytes, tls: ssl.SSLContext | None = None) -> None:
        import socket
        import threading

        self.opening, self.drip, self.tls = opening, drip, tls
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        import threading

        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: object) -> None:
        import socket

        assert isinstance(conn, socket.socket)
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                return
        with conn:
            request = conn.recv(65536)
            try:
                if request.startswith(b"GET /robots.txt"):
                    conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    conn.recv(65536)
                    return
                conn.sendall(self.opening)
                while not self.stop.wait(0.1):
                    conn.sendall(self.drip)
            except OSError:
                return  # the client hung up, as it should

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.mark.parametrize(
    ("opening", "drip"),
    [
        # Headers one byte at a time: every read returns in time, the response never ends.
        (b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"),
        # "102 Processing" informational responses without end.
        (b"", b"HTTP/1.1 102 Processing\r\n\r\n"),
    ],
    ids=["dripped-headers", "endless-102"],
)
def test_a_response_that_never_finishes_its_headers_is_stopped_at_the_time_limit(
    settings: Settings, opening: bytes, drip: bytes
) -> None:
    import threading

    server = _StallingServer(opening, drip)
    limited = replace(settings, total_timeout_s=1.0, read_timeout_s=0.5, max_retries=1)
    outcome: list[BaseException | None] = []

    def fetch() -> None:
        try:
            with Fetcher(limited) as f:
                f.get(server.base_url + "/story")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    try:
        worker = threading.Thread(target=fetch, daemon=True)
        worker.start()
        # Far beyond the 1 s limit: without a deadline on the headers it never returns.
        worker.join(60)
        assert outcome, "the fetch was still running after 60 s with a 1 s time limit"
        assert isinstance(outcome[0], FetchError), outcome
        assert "time limit" in str(outcome[0])  # stopped by the deadline, not retried
    finally:
        server.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/" + "a" * 70_000,  # longer than httpx accepts
        "http://example.com/a\x7fb",  # a DEL byte
        "http://example.com/a\x00b",  # a NUL byte
        "http://\u2603.example/story",  # a host that is not valid IDNA
        "http://[::1/story",  # an unclosed IPv6 bracket
    ],
    ids=["too-long", "del", "nul", "snowman-host", "bad-ipv6"],
)
def test_a_url_httpx_cannot_parse_is_a_fetch_error(settings: Settings, url: str) -> None:
    with Fetcher(settings) as f, pytest.raises(FetchError, match="invalid URL"):
        f.get(url)


def test_an_unparsable_url_fails_its_item_not_the_batch(
    site: SiteServer, settings: Settings
) -> None:
    urls = [site.base_url + "/page", "http://\u2603.example/story", site.base_url + "/moved"]

    def fetch(url: str) -> str:
        try:
            return str(f.get(url).status)
        except FetchError as exc:
            return f"error: {exc}"

    with Fetcher(settings) as f:
        results = f.map(fetch, urls, lambda u: u)
    assert results[0] == "200" and results[2] == "200"
    assert results[1].startswith("error: invalid URL")


@pytest.fixture
def tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context for a certificate of 127.0.0.1 that the fetcher trusts (its pools
    read SSL_CERT_FILE), made here: no key or certificate is kept in the repository."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "news-ingest test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_https_pages_are_fetched_with_the_certificate_checked(
    site: SiteServer, settings: Settings, tls: ssl.SSLContext
) -> None:
    site.httpd.socket = tls.wrap_socket(site.httpd.socket, server_side=True)
    url = site.base_url.replace("http://", "https://") + "/moved"
    with Fetcher(settings) as f:
        resp = f.get(url)
    assert resp.status == 200 and resp.body.count(b"hello") == 200
    assert resp.final_url.startswith("https://127.0.0.1:")


def test_the_origins_of_one_fetcher_share_one_tls_context(
    site: SiteServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making a TLS context reads the CA bundle: once a fetcher, not once an origin."""
    made: list[ssl.SSLContext] = []
    real = httpx.create_ssl_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    with SiteServer() as other, Fetcher(settings) as f:
        other.routes["/page"] = Route(b"<html><body>other</body></html>")
        for base in (site.base_url, other.base_url, site.base_url):
            assert f.get(base + "/page").status == 200
    assert len(made) == 1


def test_an_https_response_that_never_finishes_its_headers_is_stopped_at_the_time_limit(
    settings: Settings, tls: ssl.SSLContext
) -> None:
    """The deadline bounds reads inside TLS too (most feeds are https)."""
    import threading

    server = _StallingServer(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", tls=tls)
    limited = replace(settings, total_timeout_s=1.0, read_timeout_s=0.5, max_retries=1)
    outcome: list[BaseException | None] = []

    def fetch() -> None:
        try:
            with Fetcher(limited) as f:
                f.get(server.base_url.replace("http://", "https://") + "/story")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    try:
        started = time.monotonic()
        worker = threading.Thread(target=fetch, daemon=True)
        worker.start()
        worker.join(30)
        assert outcome, "the fetch was still running after 30 s with a 1 s time limit"
        assert isinstance(outcome[0], FetchError), outcome
        assert "time limit" in str(outcome[0])
        assert time.monotonic() - started < 5
    finally:
        server.close()


def _fetch(settings: Settings, url: str) -> bytes:
    with Fetcher(settings) as f:
        return f.get(url).body


def test_a_body_up_to_the_cap_is_read_and_one_byte_more_is_refused(settings: Settings) -> None:
    capped = replace(settings, max_response_bytes=1000, max_decompressed_bytes=10_000)
    declared = [raw_response(b"x" * n, f"Content-Length: {n}") for n in (1000, 1001)]
    # Without Content-Length (read to the close) the count on the wire decides.
    undeclared = [raw_response(b"y" * n) for n in (1000, 1001)]
    with RawServer(declared) as server:
        assert _fetch(capped, server.base_url + "/a") == b"x" * 1000
        with pytest.raises(FetchError, match=r"response too large \(1001 bytes > 1000\)"):
            _fetch(capped, server.base_url + "/b")
    with RawServer(undeclared) as server:
        assert _fetch(capped, server.base_url + "/a") == b"y" * 1000
        with pytest.raises(FetchError, match="response exceeds 1000 bytes"):
            _fetch(capped, server.base_url + "/b")
    # The count is of the whole body, not of each piece the network hands over.
    pieces = (raw_response(b"p" * 600), b"p" * 600)
    with RawServer([pieces]) as server, pytest.raises(FetchError, match="exceeds 1000 bytes"):
        _fetch(capped, server.base_url + "/a")


def test_a_body_that_inflates_to_the_cap_is_read_and_one_byte_more_is_refused(
    settings: Settings,
) -> None:
    capped = replace(settings, max_response_bytes=100_000, max_decompressed_bytes=50_000)
    bodies = [gzip.compress(b"z" * n) for n in (50_000, 50_001)]
    encoded = [raw_response(b, "Content-Encoding: gzip") for b in bodies]
    with RawServer(encoded) as server:
        assert _fetch(capped, server.base_url + "/a") == b"z" * 50_000
        with pytest.raises(FetchError, match="decompressed response exceeds 50000 bytes"):
            _fetch(capped, server.base_url + "/b")


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("gzip", gzip.compress),
        (" X-GZip ", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as RFC 9110 says
        ("identity", lambda body: body),
        ("", lambda body: body),
    ],
)
def test_content_encodings_are_decoded(
    settings: Settings, encoding: str, wire: Callable[[bytes], bytes]
) -> None:
    body = b"<p>story</p>" * 500
    with RawServer([raw_response(wire(body), f"Content-Encoding: {encoding}")]) as server:
        assert _fetch(settings, server.base_url + "/a") == body


@pytest.mark.parametrize(
    ("wire", "encoding", "error"),
    [
        (gzip.compress(b"story " * 2000)[:-40], "gzip", "truncated compressed body"),
        (b"\x1f\x8b\x08\x00not gzip at all", "gzip", "corrupt compressed body"),
        (b"BROTLI", "br", "unsupported content-encoding 'br'"),
    ],
    ids=["truncated", "corrupt", "unsupported"],
)
def test_bodies_that_cannot_be_decoded_are_fetch_errors(
    settings: Settings, wire: bytes, encoding: str, error: str
) -> None:
    with RawServer([raw_response(wire, f"Content-Encoding: {encoding}")]) as server:
        with pytest.raises(FetchError, match=error) as failed:
            _fetch(settings, server.base_url + "/a")
        assert server.requests == 1  # not retried
    assert server.base_url + "/a" in str(failed.value)  # which fetch failed


def _answers(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> None:
    """Host names answered from ``table`` (all addresses at once), others as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in table:
            return [
                (
                    socket.AF_INET6 if ":" in ip else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (ip, port),
                )
                for ip in table[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_name_is_resolved_once_its_addresses_vetted_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _answers(
        monkeypatch,
        {
            "twice.test": ["127.0.0.1", "127.0.0.1", "::1"],
            "mixed.test": ["127.0.0.1", "169.254.169.254"],
            "empty.test": [],
        },
    )
    assert resolve_vetted("twice.test", 80, allow_private=True) == ["127.0.0.1", "::1"]
    with pytest.raises(FetchError) as refused:
        resolve_vetted("mixed.test", 80, allow_private=True)
    assert str(refused.value) == (
        "refused link-local/reserved address 169.254.169.254 (never allowed) for host mixed.test"
    )
    with pytest.raises(FetchError, match=r"^cannot resolve empty\.test: no address$"):
        resolve_vetted("empty.test", 80, allow_private=True)
    # A label over 63 characters fails IDNA encoding (UnicodeError, not gaierror).
    with pytest.raises(FetchError, match=r"^cannot resolve a{64}\.example: "):
        resolve_vetted("a" * 64 + ".example", 80, allow_private=True)


def test_a_name_that_does_not_resolve_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def nxdomain(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", nxdomain)
    with pytest.raises(FetchError, match=r"^cannot resolve gone\.test: .*not known"):
        check_url_allowed("http://gone.test/feed", allow_private=True)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://example.com:99999/", "bad host or port in URL: http://example.com:99999/"),
        ("http:///feed.xml", "no host in URL: http:///feed.xml"),
    ],
)
def test_urls_without_a_usable_host_are_refused(url: str, error: str) -> None:
    with pytest.raises(FetchError) as refused:
        check_url_allowed(url, allow_private=True)
    assert str(refused.value) == error


def test_the_connection_goes_to_the_first_vetted_address_that_answers(
    site: SiteServer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The site listens on 127.0.0.1 only: 127.0.0.2 refuses the connection.
    _answers(monkeypatch, {"multi.test": ["127.0.0.2", "127.0.0.1"]})
    port = urlsplit(site.base_url).port
    backend = GuardedBackend(allow_private=True)
    backend.connect_tcp("multi.test", port, timeout=2).close()
    assert backend.connected == [("multi.test", "127.0.0.1")]
    with Fetcher(settings) as f:
        assert f.get(f"http://multi.test:{port}/page").status == 200
    # When none answers, the last failure is raised.
    with pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("multi.test", free_port(), timeout=2)
    assert backend.connected == [("multi.test", "127.0.0.1")]


def test_the_time_limit_bounds_the_connect_too(settings: Settings) -> None:
    """A host whose SYNs go unanswered (a full accept queue here) is given up at the connect
    timeout or at the fetch's deadline, whichever comes first."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.create_connection(listener.getsockname())  # fills the queue
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/p"
    try:
        for connect_s, total_s in ((0.3, 3.0), (3.0, 0.5)):
            limited = replace(
                settings, connect_timeout_s=connect_s, total_timeout_s=total_s, max_retries=0
            )
            started = time.monotonic()
            with Fetcher(limited) as f, pytest.raises(FetchError, match="timeout"):
                f.get(url)
            assert time.monotonic() - started < min(connect_s, total_s) + 0.7
    finally:
        filler.close()
        listener.close()


def test_a_silent_server_is_given_up_at_the_deadline_not_the_read_timeout(
    settings: Settings,
) -> None:
    server = _StallingServer(b"HTTP/1.1 200 OK\r\n", b"")
    limited = replace(settings, read_timeout_s=5.0, total_timeout_s=1.0)
    try:
        started = time.monotonic()
        with Fetcher(limited) as f, pytest.raises(FetchError, match="time limit"):
            f.get(server.base_url + "/story")
        assert time.monotonic() - started < 2.5
    finally:
        server.close()


def test_a_fetchs_deadline_does_not_outlive_it(settings: Settings) -> None:
    """The deadline is the request's own: the same thread's later requests through the
    guarded transport, outside any fetch, are not cut short by it."""
    with SiteServer({"/p": Route(b"page", delay_s=0.3)}) as server:
        with Fetcher(replace(settings, total_timeout_s=1.0)) as f:
            f.get(server.base_url + "/p")
        time.sleep(1.0)  # past that fetch's deadline
        transport = PerOriginTransport(GuardedBackend(True), per_origin=1)
        with httpx.Client(transport=transport) as client:
            assert client.get(server.base_url + "/p").content == b"page"
            # ... nor in a thread that never fetched (no deadline was ever set there).
            bodies: list[bytes] = []
            other = threading.Thread(
                target=lambda: bodies.append(client.get(server.base_url + "/p").content)
            )
            other.start()
            other.join(10)
            assert bodies == [b"page"]


def test_a_tls_handshake_that_never_ends_is_given_up_in_time(
    settings: Settings, tls: ssl.SSLContext
) -> None:
    """A server that accepts the connection and never answers the ClientHello: the handshake
    ends at the connect timeout, or at the fetch's deadline if that comes first."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])  # kept open, never answered
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/feed"
    try:
        for connect_s, total_s in ((0.3, 3.0), (3.0, 0.5)):
            limited = replace(
                settings, connect_timeout_s=connect_s, total_timeout_s=total_s, max_retries=0
            )
            outcome: list[BaseException | None] = []

            def fetch(settings: Settings = limited, outcome: list = outcome) -> None:
                try:
                    with Fetcher(settings) as f:
                        f.get(url)
                    outcome.append(None)
                except BaseException as exc:
                    outcome.append(exc)

            started = time.monotonic()
            worker = threading.Thread(target=fetch, daemon=True)
            worker.start()
            worker.join(15)
            assert outcome, "the handshake was still running after 15 s"
            assert isinstance(outcome[0], FetchError), outcome
            assert time.monotonic() - started < min(connect_s, total_s) + 0.7
    finally:
        listener.close()
        for conn in held:
            conn.close()


def test_a_connection_the_server_closed_is_not_reused(settings: Settings) -> None:
    """An HTTP/1.1 server that closes each connection after its answer (no "Connection:
    close" said): the next fetch opens a new one instead of failing on the dead one."""
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    with RawServer([answer]) as server, Fetcher(settings) as f:
        first = f.get(server.base_url + "/a")
        time.sleep(0.2)  # the server has closed it by now
        second = f.get(server.base_url + "/b")
    assert (first.attempts, second.attempts) == (1, 1) and server.requests == 2
    assert f.requests_sent == 3  # robots.txt, /a, /b


def test_a_fetch_whose_deadline_has_passed_sends_nothing(
    site: SiteServer, settings: Settings
) -> None:
    with Fetcher(settings) as f:
        url = site.base_url + "/page"
        with pytest.raises(FetchError) as late:
            f._get_once(url, {}, time.monotonic() - 0.1, "page")
        assert str(late.value) == f"time limit reached before fetching {url}"
        assert f.requests_sent == 0
    assert site.hits("/page") == 0


def test_fetch_errors_say_what_failed_where(settings: Settings) -> None:
    """The messages that reach the run manifest name the URL, the failure and the tries."""
    dead = closed_port_url()
    with Fetcher(replace(settings, max_retries=1)) as f:
        with pytest.raises(FetchError) as refused:
            f.get(dead + "/feed")
        robots = re.escape(dead + "/robots.txt")
        assert re.search(
            rf"\(HTTP error fetching {robots}: ConnectError: .+ \(after 2 attempts\)\)",
            str(refused.value),
        ), refused.value
    with SiteServer({"/p": Route(b"x")}) as site, Fetcher(settings) as f:
        with pytest.raises(FetchError) as bad_header:
            f.get(site.base_url + "/p", headers={"If-None-Match": "a\nb"})
        assert str(bad_header.value).startswith(
            f"HTTP error fetching {site.base_url}/p: LocalProtocolError: "
        )
        # A URL too long for httpx never reaches the wire (get() refuses it earlier too).
        long_url = site.base_url + "/" + "a" * 70_000
        for fetch in (f.get, lambda u: f._get_once(u, {}, time.monotonic() + 5, "page")):
            with pytest.raises(FetchError) as too_long:
                fetch(long_url)
            assert str(too_long.value).startswith(f"invalid URL {long_url[:200]!r}: ")


def test_a_body_read_in_pieces_is_whole_and_its_inflation_counted_over_all(
    settings: Settings,
) -> None:
    capped = replace(settings, max_response_bytes=200_000, max_decompressed_bytes=40_000)
    plain = os.urandom(30_000)
    wire = gzip.compress(plain)
    head = raw_response(b"", "Content-Encoding: gzip")
    split = (head + wire[:15_000], wire[15_000:])
    whole = (raw_response(plain[:10_000]), plain[10_000:])
    big = gzip.compress(os.urandom(45_000))
    over = (head + big[:15_000], big[15_000:30_000], big[30_000:])  # each under the cap
    with RawServer([split, whole, over]) as server:
        assert _fetch(capped, server.base_url + "/a") == plain
        assert _fetch(capped, server.base_url + "/b") == plain
        with pytest.raises(FetchError, match="decompressed response exceeds 40000 bytes"):
            _fetch(capped, server.base_url + "/c")


def _peak_of_refused_fetch(
    settings: Settings, response: bytes | tuple[bytes, ...], refusal: str
) -> int:
    """The traced memory peak of a fetch that ``refusal`` refuses, in bytes."""
    import tracemalloc

    with RawServer([response]) as server:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match=refusal):
                _fetch(settings, server.base_url + "/bomb")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_inflation_is_bounded_within_one_read(settings: Settings) -> None:
    """A bomb that arrives in one read is inflated only up to the cap, not whole."""
    bomb = gzip.compress(b"\0" * 20_000_000)  # about 20 KB on the wire
    capped = replace(settings, max_decompressed_bytes=1_000_000)
    response = raw_response(bomb, "Content-Encoding: gzip")
    peak = _peak_of_refused_fetch(capped, response, "decompressed response exceeds")
    assert peak < 8_000_000, peak


def test_inflation_after_the_first_read_is_bounded_by_what_is_left_of_the_cap(
    settings: Settings,
) -> None:
    """A second read inflates at most the cap less what the first read inflated."""
    import zlib

    packer = zlib.compressobj(wbits=31)  # gzip
    first = packer.compress(b"\0" * 3_900_000) + packer.flush(zlib.Z_SYNC_FLUSH)
    bomb = packer.compress(b"\0" * 40_000_000) + packer.flush()
    head = raw_response(b"", "Content-Encoding: gzip")
    capped = replace(settings, max_decompressed_bytes=4_000_000)
    # Two pieces 50 ms apart: two reads. Were they ever read as one, the read would be
    # capped as the test above checks, and the peak below would hold too.
    peak = _peak_of_refused_fetch(
        capped, (head + first, bomb), "decompressed response exceeds 4000000"
    )
    # zlib joins its output blocks, so a read inflating n bytes briefly holds 2n: about
    # 7.8 MB for the first read, 3.9 + 0.2 MB at the second. A second read inflating up
    # to the whole cap again would hold 3.9 + 2 x 7.9 MB.
    assert peak < 12_000_000, peak
