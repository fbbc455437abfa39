"""Politeness and robustness of the fetcher, against real loopback servers that count
requests and measure how many they answer at once."""

from __future__ import annotations

import gzip
import itertools
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import urlsplit

import httpx
import pytest

from demo.server import Route, SiteServer
from news_ingest import http
from news_ingest.charset import decode_document
from news_ingest.http import Exchange, Fetcher, FetchError, RobotsDisallowed, parse_retry_after
from news_ingest.settings import Settings
from tests.support import RawServer, raw_response


def _starts(site: SiteServer, prefix: str) -> list[float]:
    return sorted(r["at"] for r in site.requests if r["path"].startswith(prefix))


def _sent_at(fetcher: Fetcher) -> list[tuple[str, str, float]]:
    """(host, path, monotonic time) of each request as the client hands it to the wire.

    Spacing is what our code controls; the server's arrival times add its own scheduling
    jitter on a loaded 2-core machine (one late accept made a 0.2 s gap read 0.003 s).
    """
    sent: list[tuple[str, str, float]] = []

    def hook(request: httpx.Request) -> None:
        sent.append((request.url.host, request.url.path, time.monotonic()))

    fetcher.client.event_hooks["request"] = [hook]
    return sent


def _gaps(sent: list[tuple[str, str, float]], host: str, prefix: str = "/") -> list[float]:
    starts = sorted(at for h, path, at in sent if h == host and path.startswith(prefix))
    return [b - a for a, b in itertools.pairwise(starts)]


def _serve(routes: dict[str, Route], host: str = "127.0.0.1") -> SiteServer:
    return SiteServer(routes, host=host).start()


def test_per_host_bound_is_never_exceeded_and_hosts_run_side_by_side(settings: Settings) -> None:
    routes = {f"/p/{i}": Route(b"page", delay_s=0.15) for i in range(12)}
    a, b = _serve(dict(routes)), _serve(dict(routes), host="127.0.0.2")
    try:
        wide = replace(settings, fetch_concurrency=16, per_host_concurrency=2)
        urls = [f"{s.base_url}/p/{i}" for i in range(12) for s in (a, b)]
        started = time.monotonic()
        with Fetcher(wide) as f, ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(lambda u: f.get(u).status, urls))
        elapsed = time.monotonic() - started
    finally:
        a.stop()
        b.stop()
    assert statuses == [200] * 24
    assert a.max_concurrent() == 2 and b.max_concurrent() == 2
    # 12 pages per host, 2 at a time, 0.15 s each: about 0.9 s, hosts in parallel.
    assert 0.85 < elapsed < 3.0


def test_global_bound_is_never_exceeded(settings: Settings) -> None:
    site = _serve({f"/p/{i}": Route(b"page", delay_s=0.1) for i in range(12)})
    try:
        narrow = replace(settings, fetch_concurrency=3, per_host_concurrency=8)
        with Fetcher(narrow) as f, ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda i: f.get(f"{site.base_url}/p/{i}"), range(12)))
    finally:
        site.stop()
    assert site.max_concurrent() == 3


def test_minimum_delay_between_requests_to_a_host(settings: Settings) -> None:
    site = _serve({f"/p/{i}": Route(b"page") for i in range(5)})
    try:
        spaced = replace(settings, per_host_delay_s=0.2, per_host_concurrency=2)
        with Fetcher(spaced) as f, ThreadPoolExecutor(5) as pool:
            sent = _sent_at(f)
            list(pool.map(lambda i: f.get(f"{site.base_url}/p/{i}"), range(5)))
    finally:
        site.stop()
    assert len(_starts(site, "/")) == 6  # robots.txt counts as a request to the host too
    gaps = _gaps(sent, "127.0.0.1")
    assert len(gaps) == 5 and min(gaps) >= 0.15


def test_429_with_retry_after_is_waited_out(settings: Settings) -> None:
    busy = Route(b"too many", status=429, headers={"Retry-After": "1"})
    site = _serve({"/p": Route(b"finally", before=[busy])})
    try:
        started = time.monotonic()
        with Fetcher(settings) as f:
            resp = f.get(site.base_url + "/p")
        elapsed = time.monotonic() - started
    finally:
        site.stop()
    assert resp.status == 200 and resp.body == b"finally" and resp.attempts == 2
    assert site.hits("/p") == 2
    first, second = _starts(site, "/p")
    assert second - first >= 0.95 and elapsed < 3


def test_retry_after_as_http_date_and_beyond_the_cap(settings: Settings) -> None:
    assert parse_retry_after("120") == 120.0
    soon = formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after(soon) or 0) <= 31
    assert parse_retry_after("soon-ish") is None
    never = Route(b"later", status=429, headers={"Retry-After": "3600"})
    site = _serve({"/p": never})
    try:
        started = time.monotonic()
        with Fetcher(settings) as f:
            resp = f.get(site.base_url + "/p")
    finally:
        site.stop()
    # Asked to wait an hour, more than max_retry_after_s: no retry, the 429 is returned.
    assert resp.status == 429 and site.hits("/p") == 1
    assert time.monotonic() - started < 1


def test_retry_after_dates_are_read_against_the_clock_given_and_never_negative() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    at = 1445412480.0  # that date as a Unix time
    assert parse_retry_after(date, now=at - 90) == 90.0
    assert parse_retry_after(date, now=at + 90) == 0.0  # a date gone by: retry now
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("") is None and parse_retry_after(None) is None
    # "-0000" (a date of unknown zone, RFC 5322) is UTC, whatever the machine's zone.
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        assert parse_retry_after(date.replace("GMT", "-0000"), now=at - 5) == 5.0
    finally:
        if zone is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = zone
        time.tzset()


def test_5xx_is_retried_with_backoff(settings: Settings) -> None:
    site = _serve({"/p": Route(b"ok", before=[Route(b"x", status=502), Route(b"x", status=503)])})
    try:
        with Fetcher(replace(settings, backoff_base_s=0.1)) as f:
            resp = f.get(site.base_url + "/p")
    finally:
        site.stop()
    assert resp.status == 200 and resp.attempts == 3 and site.hits("/p") == 3


def test_backoff_doubles_from_its_base_with_full_jitter(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attempt n waits uniform(0, base * 2**(n-1)): here the jitter is pinned to its top."""
    drawn: list[tuple[float, float]] = []

    def top(low: float, high: float) -> float:
        drawn.append((low, high))
        return high

    monkeypatch.setattr(http.random, "uniform", top)
    site = _serve({"/p": Route(b"down", status=503)})
    try:
        with Fetcher(replace(settings, backoff_base_s=0.1, max_retries=3)) as f:
            sent = _sent_at(f)
            resp = f.get(site.base_url + "/p")
    finally:
        site.stop()
    assert resp.status == 503 and resp.attempts == 4 and site.hits("/p") == 4
    assert drawn == [(0, 0.1), (0, 0.2), (0, 0.4)]
    gaps = _gaps(sent, "127.0.0.1", "/p")
    assert [round(g, 1) for g in gaps] == [0.1, 0.2, 0.4], gaps


def test_retry_after_up_to_the_cap_is_waited_and_beyond_it_is_not(settings: Settings) -> None:
    capped = replace(settings, max_retry_after_s=1.0)
    busy = Route(b"busy", status=429, headers={"Retry-After": "1"})
    site = _serve(
        {
            "/at-cap": Route(b"ok", before=[busy]),
            "/over": Route(b"busy", status=429, headers={"Retry-After": "2"}),
        }
    )
    try:
        with Fetcher(capped) as f:
            assert f.get(site.base_url + "/at-cap").attempts == 2
            started = time.monotonic()
            over = f.get(site.base_url + "/over")
            assert time.monotonic() - started < 0.5
    finally:
        site.stop()
    assert over.status == 429 and over.attempts == 1 and site.hits("/over") == 1


def test_no_retry_waits_past_the_time_limit(settings: Settings) -> None:
    """A wait that would end after the fetch's deadline is not begun: the last answer is
    returned, or the last error raised, at once."""
    limited = replace(settings, total_timeout_s=1.5, max_retries=5)
    site = _serve({"/p": Route(b"busy", status=503, headers={"Retry-After": "1"})})
    try:
        started = time.monotonic()
        with Fetcher(limited) as f:
            resp = f.get(site.base_url + "/p")
        elapsed = time.monotonic() - started
    finally:
        site.stop()
    # At 0 s, and after 1 s; a second wait would end at 2 s, past the 1.5 s limit.
    assert resp.status == 503 and resp.attempts == 2 and site.hits("/p") == 2
    assert 0.95 < elapsed < 1.4


def test_connection_failures_are_retried_then_reported(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = b""  # the connection closed without an answer
    fine = raw_response(b"at last", "Content-Length: 7")
    with RawServer([dropped, dropped, fine]) as server, Fetcher(settings) as f:
        resp = f.get(server.base_url + "/p")
    assert resp.body == b"at last" and resp.attempts == 3 and server.requests == 3

    # Never answering: every attempt is made, and the error says how many.
    with (
        RawServer([dropped]) as server,
        Fetcher(replace(settings, max_retries=2)) as f,
        pytest.raises(FetchError, match=r"RemoteProtocolError.*\(after 3 attempts\)"),
    ):
        f.get(server.base_url + "/p")
    assert server.requests == 3

    # A backoff that would pass the deadline is not waited for.
    monkeypatch.setattr(http.random, "uniform", lambda low, high: high)
    slow_backoff = replace(settings, backoff_base_s=30.0, total_timeout_s=5.0)
    with RawServer([dropped]) as server, Fetcher(slow_backoff) as f:
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"\(no time left to retry\)"):
            f.get(server.base_url + "/p")
        assert time.monotonic() - started < 2
    assert server.requests == 1


def test_robots_disallowed_path_gets_zero_requests(settings: Settings) -> None:
    robots = b"User-agent: *\nDisallow: /private/\n"
    site = _serve(
        {
            "/robots.txt": Route(robots, "text/plain"),
            "/private/a": Route(b"secret"),
            "/public": Route(b"hello"),
            "/to-private": Route(status=302, headers={"Location": "/private/a"}),
        }
    )
    try:
        with Fetcher(settings) as f:
            with pytest.raises(RobotsDisallowed, match=r"robots\.txt disallows"):
                f.get(site.base_url + "/private/a")
            with pytest.raises(RobotsDisallowed):
                f.get(site.base_url + "/to-private")  # checked again after the redirect
            assert f.get(site.base_url + "/public").status == 200
    finally:
        site.stop()
    assert site.hits("/private/a") == 0
    assert site.hits("/robots.txt") == 1  # cached per host for the fetcher's life


def test_robots_rules_for_our_agent_and_crawl_delay_capped(settings: Settings) -> None:
    robots = (
        b"User-agent: news-ingest\nDisallow: /no-bots\nCrawl-delay: 0.3\n\n"
        b"User-agent: *\nDisallow: /\n"
    )
    site = _serve({"/robots.txt": Route(robots, "text/plain")})
    site.routes.update({f"/p/{i}": Route(b"p") for i in range(3)})
    try:
        with Fetcher(settings) as f, ThreadPoolExecutor(3) as pool:
            sent = _sent_at(f)
            list(pool.map(lambda i: f.get(f"{site.base_url}/p/{i}"), range(3)))
            with pytest.raises(RobotsDisallowed):
                f.get(site.base_url + "/no-bots")
        capped = replace(settings, max_crawl_delay_s=0.05)
        site.routes["/robots.txt"] = Route(robots.replace(b"0.3", b"60"), "text/plain")
        started = time.monotonic()
        with Fetcher(capped) as f:
            for i in range(3):
                f.get(f"{site.base_url}/p/{i}")
        assert time.monotonic() - started < 1.0
    finally:
        site.stop()
    assert min(_gaps(sent, "127.0.0.1", "/p/")[:2]) >= 0.25


def test_unreachable_robots_txt_means_no_fetch(settings: Settings) -> None:
    site = _serve({"/robots.txt": Route(b"down", status=500), "/p": Route(b"p")})
    try:
        with (
            Fetcher(replace(settings, max_retries=1)) as f,
            pytest.raises(FetchError, match=r"robots\.txt unavailable"),
        ):
            f.get(site.base_url + "/p")
    finally:
        site.stop()
    assert site.hits("/p") == 0


def test_missing_robots_txt_allows_everything(settings: Settings) -> None:
    site = _serve({"/p": Route(b"p")})
    try:
        with Fetcher(settings) as f:
            assert f.get(site.base_url + "/p").status == 200
    finally:
        site.stop()


def test_redirect_loop_slow_and_huge_responses_end_in_time(settings: Settings) -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))
    site = _serve(
        {
            "/loop-a": Route(status=302, headers={"Location": "/loop-b"}),
            "/loop-b": Route(status=302, headers={"Location": "/loop-a"}),
            "/stalls": Route(b"late", delay_s=5.0),
            "/trickles": Route(os.urandom(50_000), drip_s=0.1),
            "/huge": Route(os.urandom(300_000)),
            "/bomb": Route(bomb, headers={"Content-Encoding": "gzip"}),
        }
    )
    bounded = replace(
        settings,
        read_timeout_s=0.5,
        total_timeout_s=2.0,
        max_response_bytes=200_000,
        max_decompressed_bytes=5_000_000,
    )
    cases = {
        "/loop-a": "redirects",
        "/stalls": "timeout",
        "/trickles": "time limit",
        "/huge": "too large|exceeds",
        "/bomb": "decompressed response exceeds",
    }
    try:
        with Fetcher(bounded) as f:
            for path, error in cases.items():
                started = time.monotonic()
                with pytest.raises(FetchError, match=error):
                    f.get(site.base_url + path)
                assert time.monotonic() - started < 3.0, path
    finally:
        site.stop()


def test_user_agent_names_the_project_and_the_contact_url(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setenv("NEWS_CONTACT_URL", "https://ops.example.org/crawler")
    agent = Settings.from_env().user_agent
    assert agent.startswith("news-ingest/") and "+https://ops.example.org/crawler" in agent
    site = _serve({"/p": Route(b"p")})
    try:
        with Fetcher(replace(settings, user_agent=agent)) as f:
            f.get(site.base_url + "/p")
    finally:
        site.stop()
    assert {r["headers"]["User-Agent"] for r in site.requests} == {agent}


def test_every_response_is_handed_to_the_recorder(settings: Settings) -> None:
    site = _serve(
        {"/moved": Route(status=301, headers={"Location": "/p"}), "/p": Route(b"p" * 500)}
    )
    seen: list[Exchange] = []
    try:
        with Fetcher(settings, recorder=seen.append) as f:
            f.get(site.base_url + "/moved")
    finally:
        site.stop()
    assert [(e.url.rsplit("/", 1)[-1], e.status, e.kind) for e in seen] == [
        ("robots.txt", 404, "robots"),
        ("moved", 301, "page"),
        ("p", 200, "page"),
    ]
    page = seen[-1]
    assert page.body == b"p" * 500 and page.raw_body != page.body  # gzip on the wire
    assert gzip.decompress(page.raw_body) == page.body
    assert ("Content-Encoding", "gzip") in page.headers
    assert page.url == site.base_url + "/p" and (page.status, page.reason) == (200, "OK")
    assert page.http_version == "HTTP/1.1"
    assert ("User-Agent", settings.user_agent) in page.request_headers
    assert page.fetched_at.tzinfo is not None
    assert abs((datetime.now(UTC) - page.fetched_at).total_seconds()) < 10


@pytest.mark.parametrize(
    ("body", "content_type", "text"),
    [
        ("café".encode("cp1252"), "text/html; charset=windows-1252", "café"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", None, "café"),
        ('<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1"), "text/html", "café"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?><r>é</r>'.encode("latin-1"), None, "é"),
        ("naïve café ünïcödé".encode(), "text/html", "naïve café ünïcödé"),
    ],
)
def test_charset_from_bom_header_meta_then_detection(
    body: bytes, content_type: str | None, text: str
) -> None:
    assert text in decode_document(body, content_type)


def test_charset_detection_when_nothing_is_declared() -> None:
    sample = ("Привет, мир! Это проверка определения кодировки текста. " * 20).encode("cp1251")
    assert "Привет, мир!" in decode_document(sample, "text/html")


def test_map_hands_out_work_by_host_not_in_list_order(settings: Settings) -> None:
    """Pages grouped by host (as a feed lists them): while one host waits out its delay,
    the other host's pages are fetched; results come back in input order."""
    routes = {f"/p/{i}": Route(f"page {i}".encode()) for i in range(4)}
    a, b = _serve(dict(routes), host="127.0.0.3"), _serve(dict(routes), host="127.0.0.4")
    try:
        spaced = replace(
            settings, fetch_concurrency=2, per_host_concurrency=1, per_host_delay_s=0.2
        )
        urls = [f"{s.base_url}/p/{i}" for s in (a, b) for i in range(4)]
        with Fetcher(spaced) as f:
            sent = _sent_at(f)
            bodies = f.map(lambda u: f.get(u).body, urls, lambda u: u)
    finally:
        a.stop()
        b.stop()
    assert bodies == [f"page {i}".encode() for _ in range(2) for i in range(4)]
    # b's first page started before a's last one: the hosts were worked side by side.
    assert _starts(b, "/p/")[0] < _starts(a, "/p/")[-1]
    for site in (a, b):
        assert len(_starts(site, "/")) == 5
        gaps = _gaps(sent, urlsplit(site.base_url).hostname or "")
        assert len(gaps) == 4 and min(gaps) >= 0.15


def test_map_raises_the_first_error_and_stops_handing_out_work(settings: Settings) -> None:
    done: list[int] = []

    def work(i: int) -> int:
        if i == 0:
            raise ValueError("boom")
        done.append(i)
        return i

    with Fetcher(replace(settings, fetch_concurrency=1)) as f, pytest.raises(ValueError):
        f.map(work, list(range(5)), lambda i: "http://127.0.0.1/")
    assert done == []


def test_map_takes_the_host_that_may_start_soonest_then_the_one_with_most_left(
    settings: Settings,
) -> None:
    """One thread, no delay: hosts not yet asked come first (most items left first),
    then the one asked longest ago, so hosts take turns, whatever the list order."""
    counts = (("a", 1), ("b", 2), ("c", 3))
    urls = [f"http://{host}.example/{i}" for host, n in counts for i in range(n)]
    taken: list[str] = []
    with Fetcher(replace(settings, fetch_concurrency=1, per_host_delay_s=0.0)) as f:
        f.map(taken.append, urls, lambda u: u)
    assert [urlsplit(u).hostname for u in taken] == [
        f"{host}.example" for host in ("c", "b", "a", "c", "b", "c")
    ]
    # Each host's own items in list order.
    c_urls = [u for u in urls if urlsplit(u).hostname == "c.example"]
    assert [u for u in taken if urlsplit(u).hostname == "c.example"] == c_urls


def test_map_waits_for_a_host_deferred_after_it_was_queued(settings: Settings) -> None:
    """A host deferred while its items wait (a Retry-After from another request) is passed
    over for the others until its time comes."""
    slow = [f"http://slow.example/{i}" for i in range(3)]
    fast = [f"http://fast.example/{i}" for i in range(2)]
    taken: list[tuple[str, float]] = []
    with Fetcher(replace(settings, fetch_concurrency=1, per_host_delay_s=0.0)) as f:

        def work(url: str) -> None:
            taken.append((url, time.monotonic()))
            if url == slow[0]:
                f.politeness.defer("slow.example", 0.3)

        start = time.monotonic()
        f.map(work, slow + fast, lambda u: u)
    # slow (most items left) first; then fast's two while slow's deferral runs out.
    assert [u for u, _ in taken] == [slow[0], *fast, *slow[1:]]
    assert taken[3][1] - start >= 0.3 > taken[2][1] - start
