"""Polite, bounded HTTP fetching: robots.txt, per-host limits, retries, caps, an SSRF guard.

Every request goes through one ``Fetcher``:

- each redirect hop is checked (scheme, address unless private networks are allowed,
  robots.txt) and followed by hand, up to ``max_redirects``;
- robots.txt is fetched once per host per fetcher (one run of a task) and obeyed: a
  disallowed URL gets no request and a ``RobotsDisallowed`` error; its Crawl-delay raises
  the host's minimum delay (capped);
- a host (the URL's host name, whatever the port) gets at most ``per_host_concurrency``
  requests at once, their starts at least ``per_host_delay_s`` apart, and all hosts
  together at most ``fetch_concurrency``;
- timeouts, 429 and 5xx are retried with exponential backoff and full jitter, or after
  the server's Retry-After (up to ``max_retry_after_s``; a longer one is not retried);
- the body is capped on the wire and after decompression, and the whole fetch (waits,
  retries and redirects included) by ``total_timeout_s``;
- every HTTP response, redirects and robots.txt included, is handed to ``recorder`` (the
  raw archive) as an ``Exchange``.
"""

from __future__ import annotations

import heapq
import ipaddress
import random
import socket
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from news_ingest.settings import Settings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
T = TypeVar("T")
R = TypeVar("R")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ROBOTS_MAX_BYTES = 512 * 1024


class FetchError(Exception):
    """A fetch failed in a way worth recording (refused, too big, too many redirects...)."""


class RobotsDisallowed(FetchError):
    """robots.txt forbids this URL to our User-Agent; no request was sent."""


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and its response as received (the raw archive stores these)."""

    url: str
    status: int
    reason: str
    http_version: str
    headers: list[tuple[str, str]]
    raw_body: bytes  # as on the wire, still content-encoded
    body: bytes  # decoded
    request_headers: list[tuple[str, str]]
    fetched_at: datetime
    kind: str  # what asked: "page", "feed", "sitemap", "robots"


@dataclass(frozen=True)
class Response:
    """What one fetch returned, after redirects."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    elapsed_s: float
    attempts: int = 1
    wire_bytes: int = 0


# Never reachable, even with NEWS_ALLOW_PRIVATE_NETWORKS=1: cloud metadata services live at
# link-local (169.254.169.254, fe80::/10) or in the shared range (100.100.100.200), AWS's
# IPv6 one at fd00:ec2::254; unspecified, multicast and reserved addresses are never a site.
_ALWAYS_REFUSED = (ipaddress.ip_network("fd00:ec2::/32"),)
# What the allowance opens: loopback (the demo site, test servers) and private ranges
# (RFC 1918, IPv6 unique-local), nothing else.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress._BaseAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), else itself."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        if addr.sixtofour is not None:
            return addr.sixtofour
        if addr.teredo is not None:
            return addr.teredo[1]
        if addr in _NAT64:
            return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return addr


def address_refusal(ip: str, allow_private: bool) -> str | None:
    """Why the fetcher must not connect to ``ip``, or None when it may.

    Public unicast addresses are allowed. ``allow_private`` (NEWS_ALLOW_PRIVATE_NETWORKS=1)
    adds loopback and private ranges only; link-local (metadata endpoints), the shared
    range, unspecified, multicast and reserved addresses stay refused whatever it says.
    """
    try:
        addr = _embedded_ipv4(ipaddress.ip_address(ip.split("%", 1)[0]))
    except ValueError:
        return f"refused unparsable address {ip!r}"
    assert isinstance(addr, ipaddress.IPv4Address | ipaddress.IPv6Address)
    if addr.is_loopback:  # checked first: ::1 sits inside IPv6's reserved ::/8
        return None if allow_private else f"refused non-public address {ip}"
    if (
        addr.is_link_local
        or addr.is_unspecified
        or addr.is_multicast
        or addr.is_reserved
        or any(addr in net for net in _ALWAYS_REFUSED if addr.version == net.version)
    ):
        return f"refused link-local/reserved address {ip} (never allowed)"
    if addr.is_global:
        return None
    if allow_private and (addr.is_loopback or addr.is_private):
        return None
    return f"refused non-public address {ip}"


def resolve_vetted(host: str, port: int, allow_private: bool) -> list[str]:
    """Resolve ``host`` once and return its addresses, refusing all if any is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    addresses: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        refusal = address_refusal(ip, allow_private)
        if refusal is not None:
            raise FetchError(f"{refusal} for host {host}")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise FetchError(f"cannot resolve {host}: no address")
    return addresses


def check_url_allowed(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and hosts that resolve to addresses the policy refuses.

    An early check per hop; the connection itself is made by ``GuardedBackend``, which
    resolves once more, vets those addresses and connects to one of them (no second lookup
    after the vetting, so DNS rebinding cannot slip an address past it).
    """
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"refused scheme {parts.scheme!r}: {url}")
    try:
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"bad host or port in URL: {url}") from exc
    if not host:
        raise FetchError(f"no host in URL: {url}")
    resolve_vetted(host, port, allow_private)


# The wall-clock deadline of the request the current thread is making (httpx's sync client
# does its reads on the caller's thread): read timeouts bound each read, not a response
# whose headers arrive a byte at a time or that sends 1xx responses without end.
_REQUEST_DEADLINE = threading.local()


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the current request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    @staticmethod
    def _bounded(timeout: float | None) -> float | None:
        deadline: float | None = getattr(_REQUEST_DEADLINE, "at", None)
        if deadline is None:
            return timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpcore.ReadTimeout("the fetch's time limit was reached")
        return remaining if timeout is None else min(timeout, remaining)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._bounded(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to vetted addresses.

    httpcore hands it the URL's host name; it resolves the name once, refuses the lot if
    any address is not allowed, and opens the TCP connection to a vetted IP itself. The
    Host header and TLS SNI/certificate checks still use the name (httpcore sets them from
    the URL, not from the socket).
    """

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self.connected: list[tuple[str, str]] = []  # (host, ip) of every connection opened

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = resolve_vetted(host, port, self.allow_private)
        except FetchError as exc:
            raise _Refused(str(exc)) from exc
        last: Exception | None = None
        for ip in addresses:
            try:
                stream = super().connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            self.connected.append((host, ip))
            return _DeadlineStream(stream)
        assert last is not None
        raise last


class _Refused(httpcore.ConnectError):
    """The backend refused to connect (policy), as opposed to a network failure."""


class _SetCookieJar(httpx.Cookies):
    """httpx's cookie jar, skipping responses that set no cookie.

    httpx runs every response through ``http.cookiejar`` (a urllib request built per
    response): 6 to 11 % of a fetch's CPU on bench pages, which set no cookie.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _OriginPool:
    """One origin's connection pool and how many of its responses are still open."""

    def __init__(self, transport: httpx.HTTPTransport) -> None:
        self.transport = transport
        self.open = 0
        self.last_used = time.monotonic()


class _ReleasingStream(httpx.SyncByteStream):
    """A response body that tells its pool when it is closed."""

    def __init__(self, stream: httpx.SyncByteStream, release: Callable[[], None]) -> None:
        self._stream, self._release = stream, release

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            release, self._release = self._release, _nothing
            release()


def _nothing() -> None:
    return None


class PerOriginTransport(httpx.BaseTransport):
    """A connection pool per origin (scheme, host, port), each on the guarded backend.

    httpcore's pool looks at every pooled connection on each request and each response
    (a ``poll()`` apiece, and a count of the idle ones for each): with one pool of 16
    connections over 26 hosts that was a fifth of a fetch's CPU, and most connections were
    dropped before their host came round again. A pool unused for the keep-alive expiry is
    closed (its connections would be stale anyway), and at most ``max_origins`` are kept.
    """

    def __init__(
        self,
        backend: httpcore.NetworkBackend,
        per_origin: int,
        max_origins: int = 256,
        keepalive_expiry_s: float = 5.0,
    ) -> None:
        self.backend = backend
        self._limits = httpx.Limits(
            max_connections=per_origin,
            max_keepalive_connections=per_origin,
            keepalive_expiry=keepalive_expiry_s,
        )
        self._max_origins = max_origins
        self._expiry_s = keepalive_expiry_s
        self._pools: dict[tuple[bytes, bytes, int | None], _OriginPool] = {}
        self._tls: ssl.SSLContext | None = None
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    @property
    def origins(self) -> int:
        """How many origins have a pool now."""
        with self._lock:
            return len(self._pools)

    def _new_pool(self) -> _OriginPool:
        # Every origin shares the TLS context of the first: making one reads the CA bundle
        # (and SSL_CERT_FILE), 45 ms, which a night's polls paid for each host they reached.
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        transport = httpx.HTTPTransport(verify=self._tls, limits=self._limits)
        assert isinstance(transport._pool, httpcore.ConnectionPool)
        transport._pool._network_backend = self.backend
        return _OriginPool(transport)

    def _acquire(self, origin: tuple[bytes, bytes, int | None]) -> _OriginPool:
        now = time.monotonic()
        with self._lock:
            pool = self._pools.get(origin)
            if pool is None:
                pool = self._pools[origin] = self._new_pool()
            pool.open += 1
            pool.last_used = now
            stale = self._stale(now)
        for old in stale:
            old.transport.close()
        return pool

    def _stale(self, now: float) -> list[_OriginPool]:
        # Called under the lock: pools with no open response, unused past the expiry
        # (looked for once a second), then the least recently used over the cap.
        over = len(self._pools) - self._max_origins
        if over <= 0 and now - self._swept < 1.0:
            return []
        self._swept = now
        idle = sorted((p.last_used, key) for key, p in self._pools.items() if p.open == 0)
        drop = [key for used, key in idle if now - used > self._expiry_s]
        drop += [key for _, key in idle[len(drop) : len(drop) + max(0, over - len(drop))]]
        return [self._pools.pop(key) for key in drop]

    def _release(self, pool: _OriginPool) -> None:
        with self._lock:
            pool.open -= 1
            pool.last_used = time.monotonic()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        pool = self._acquire((url.raw_scheme, url.raw_host, url.port))
        try:
            response = pool.transport.handle_request(request)
        except BaseException:
            self._release(pool)
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, lambda: self._release(pool)),
            extensions=response.extensions,
        )

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.transport.close()


def guarded_client(settings: Settings) -> httpx.Client:
    """The fetcher's httpx client: no redirects followed, no proxies, guarded connections."""
    transport = PerOriginTransport(
        GuardedBackend(settings.allow_private_networks),
        # One over the host limit: a robots.txt or redirect fetch may overlap two pages.
        per_origin=max(1, settings.per_host_concurrency) + 1,
    )
    client = httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        follow_redirects=False,
        trust_env=False,
        transport=transport,
    )
    client._cookies = _SetCookieJar()  # the ``cookies`` setter would copy it into a plain jar
    return client


def politeness_key(url: str) -> str:
    """The "host" that per-host limits apply to: the host name, any scheme and port ("" for
    a URL too broken to name one: its fetch fails on its own)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # "http://[::1/": an unclosed IPv6 bracket
        return ""


def check_url_parses(url: str) -> None:
    """Raise FetchError for a URL httpx would refuse (too long, control bytes, a host that
    is not valid IDNA), which a feed may hand us: its own error, not an escaping one."""
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"invalid URL {url[:200]!r}: {exc}") from exc


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class _Host:
    sem: threading.Semaphore
    delay_s: float
    next_start: float = 0.0


@dataclass
class Politeness:
    """Per-host concurrency and spacing of request starts, and a global concurrency bound."""

    per_host: int
    delay_s: float
    global_limit: int
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _hosts: dict[str, _Host] = field(default_factory=dict)
    _global: threading.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._global = threading.Semaphore(max(1, self.global_limit))

    def _host(self, key: str) -> _Host:
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                host = _Host(threading.Semaphore(max(1, self.per_host)), self.delay_s)
                self._hosts[key] = host
            return host

    def set_delay(self, key: str, delay_s: float) -> None:
        """Raise a host's minimum delay between request starts (robots.txt Crawl-delay)."""
        host = self._host(key)
        with self._lock:
            host.delay_s = max(host.delay_s, delay_s)

    def ready_at(self, key: str) -> tuple[float, float]:
        """When the host may start its next request (monotonic clock), and its delay."""
        host = self._host(key)
        with self._lock:
            return host.next_start, host.delay_s

    def defer(self, key: str, seconds: float) -> None:
        """No new request to this host for ``seconds`` (backoff, Retry-After)."""
        host = self._host(key)
        with self._lock:
            host.next_start = max(host.next_start, time.monotonic() + seconds)

    @contextmanager
    def slot(self, key: str, deadline: float) -> Iterator[None]:
        """Hold one of the host's slots and a global one, its start spaced from the last."""
        host = self._host(key)
        if not host.sem.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise FetchError(f"no free slot for host {key} before the time limit")
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, host.next_start)
                if start > deadline:
                    raise FetchError(f"host {key} asks to wait past the time limit")
                host.next_start = start + host.delay_s
            if start > now:
                time.sleep(start - now)
            if not self._global.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise FetchError("no free global fetch slot before the time limit")
            try:
                yield
            finally:
                self._global.release()
        finally:
            host.sem.release()


class _Robots:
    """robots.txt of one origin: rules, or allow-all / disallow-all after failures."""

    def __init__(self, parser: Protego | None, allow_all: bool, note: str = "") -> None:
        self.parser = parser
        self.allow_all = allow_all
        self.note = note

    def allowed(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return float(delay) if delay is not None else None


def _decoder(encoding: str | None, url: str) -> Any:
    enc = (encoding or "identity").strip().lower()
    if enc in {"", "identity"}:
        return None
    if enc in {"gzip", "x-gzip", "deflate"}:
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
    raise FetchError(f"unsupported content-encoding {enc!r}: {url}")


class Fetcher:
    """A thread-safe, polite HTTP client that follows redirects itself so every hop is checked."""

    def __init__(
        self,
        settings: Settings,
        client: httpx.Client | None = None,
        recorder: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.settings = settings
        self.agent = settings.user_agent
        self.client = client or guarded_client(settings)
        self.recorder = recorder
        self.politeness = Politeness(
            settings.per_host_concurrency, settings.per_host_delay_s, settings.fetch_concurrency
        )
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._robots_guard = threading.Lock()
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public -------------------------------------------------------------------------

    def get(self, url: str, headers: dict[str, str] | None = None, kind: str = "page") -> Response:
        """GET ``url`` politely, following checked redirects; raise FetchError on failure."""
        started = time.monotonic()
        deadline = started + self.settings.total_timeout_s
        current = url
        attempts = 0
        wire = 0
        for _ in range(self.settings.max_redirects + 1):
            check_url_parses(current)
            check_url_allowed(current, self.settings.allow_private_networks)
            self._check_robots(current, deadline)
            exchange, tries = self._get_with_retries(current, headers or {}, deadline, kind)
            attempts += tries
            wire += len(exchange.raw_body)
            resp_headers = {k.lower(): v for k, v in exchange.headers}
            if exchange.status in REDIRECTS and "location" in resp_headers:
                current = urljoin(current, resp_headers["location"])
                continue
            return Response(
                url=url,
                final_url=current,
                status=exchange.status,
                headers=resp_headers,
                body=exchange.body,
                fetched_at=exchange.fetched_at,
                elapsed_s=time.monotonic() - started,
                attempts=attempts,
                wire_bytes=wire,
            )
        raise FetchError(f"more than {self.settings.max_redirects} redirects from {url}")

    def robots_for(self, url: str, deadline: float | None = None) -> _Robots:
        """The robots.txt rules of ``url``'s origin, fetched once per fetcher."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        with self._robots_guard:
            if origin in self._robots:
                return self._robots[origin]
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                rules = self._fetch_robots(origin, deadline or time.monotonic() + 30)
                delay = rules.crawl_delay(self.agent)
                if delay:
                    self.politeness.set_delay(
                        politeness_key(url), min(delay, self.settings.max_crawl_delay_s)
                    )
                with self._robots_guard:
                    self._robots[origin] = rules
        return self._robots[origin]

    def sitemaps_of(self, url: str) -> list[str]:
        """Sitemap URLs that the robots.txt of ``url``'s origin lists."""
        rules = self.robots_for(url)
        return list(rules.parser.sitemaps) if rules.parser is not None else []

    def map(self, fn: Callable[[T], R], items: Sequence[T], url_of: Callable[[T], str]) -> list[R]:
        """``fn`` over ``items`` on ``fetch_concurrency`` threads, results in input order.

        Work is handed out by host, not in list order: a free thread takes an item of the
        host that may start a request soonest (ties: the host with most items left) and
        has a free per-host slot, so threads never queue behind one host's delay or
        concurrency bound while other hosts are idle (pages grouped by feed would
        otherwise fetch at one host's pace).
        """
        queues: dict[str, deque[int]] = {}
        for i, item in enumerate(items):
            queues.setdefault(politeness_key(url_of(item)), deque()).append(i)
        results: list[Any] = [None] * len(items)
        busy: dict[str, int] = dict.fromkeys(queues, 0)
        # Our own reservation of each host's next start, ahead of Politeness (which
        # learns of a request only when its thread gets there).
        reserved: dict[str, float] = dict.fromkeys(queues, 0.0)
        per_host = max(1, self.settings.per_host_concurrency)
        cond = threading.Condition()
        errors: list[BaseException] = []
        # The hosts with items left and a free slot, in a heap by (start, -items left,
        # host). A host's true key only grows (starts move later, queues shrink), so an
        # entry is a lower bound: the top is re-keyed until its entry is current, and is
        # then the host a scan of all would pick (a scan: 0.4 ms of CPU an item at 400 hosts).
        heap = [(0.0, -len(queue), key) for key, queue in queues.items()]
        heapq.heapify(heap)
        in_heap = set(queues)

        def key_of(key: str) -> tuple[tuple[float, int, str], float]:
            ready, delay = self.politeness.ready_at(key)
            return (max(ready, reserved[key]), -len(queues[key]), key), delay

        def push(key: str) -> None:
            if key not in in_heap and queues[key] and busy[key] < per_host:
                in_heap.add(key)
                heapq.heappush(heap, key_of(key)[0])

        def take() -> tuple[str, int] | None:
            with cond:
                while True:
                    if not heap:
                        if not any(queues.values()):
                            return None
                        cond.wait()
                        continue
                    key = heap[0][2]
                    if not queues[key]:  # cleared after an error
                        heapq.heappop(heap)
                        in_heap.discard(key)
                        continue
                    current, delay = key_of(key)
                    if current != heap[0]:
                        heapq.heapreplace(heap, current)
                        continue
                    now = time.monotonic()
                    if current[0] > now:
                        cond.wait(current[0] - now)
                        continue
                    heapq.heappop(heap)
                    in_heap.discard(key)
                    busy[key] += 1
                    reserved[key] = now + delay
                    index = queues[key].popleft()
                    push(key)
                    return key, index

        def work() -> None:
            while (job := take()) is not None:
                key, i = job
                try:
                    results[i] = fn(items[i])
                except BaseException as exc:
                    with cond:
                        errors.append(exc)
                        for queue in queues.values():
                            queue.clear()  # stop handing out work; the caller gets the error
                finally:
                    with cond:
                        busy[key] -= 1
                        push(key)
                        cond.notify_all()

        workers = max(1, min(self.settings.fetch_concurrency, len(items)))
        threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return results

    # -- internals ------------------------------------------------------------------------

    def _check_robots(self, url: str, deadline: float) -> None:
        rules = self.robots_for(url, deadline)
        if rules.allowed(url, self.agent):
            return
        if rules.parser is None:
            raise FetchError(f"robots.txt unavailable{rules.note}, not fetching {url}")
        raise RobotsDisallowed(f"robots.txt disallows {url}")

    def _fetch_robots(self, origin: str, deadline: float) -> _Robots:
        """RFC 9309: 4xx means no rules; 5xx or unreachable means disallow everything."""
        url = origin + "/robots.txt"
        current = url
        try:
            for _ in range(self.settings.max_redirects + 1):
                check_url_allowed(current, self.settings.allow_private_networks)
                exchange, _tries = self._get_with_retries(current, {}, deadline, "robots")
                location = dict((k.lower(), v) for k, v in exchange.headers).get("location")
                if exchange.status in REDIRECTS and location:
                    current = urljoin(current, location)
                    continue
                break
            else:
                return _Robots(None, allow_all=True, note=" (robots.txt redirects too often)")
        except FetchError as exc:
            return _Robots(None, allow_all=False, note=f" ({exc})")
        if 400 <= exchange.status < 500:
            return _Robots(None, allow_all=True)
        if exchange.status != 200:
            return _Robots(None, allow_all=False, note=f" (HTTP {exchange.status})")
        text = exchange.body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        try:
            return _Robots(Protego.parse(text), allow_all=True)
        except Exception:  # a garbled robots.txt imposes nothing (RFC 9309 parsers are lenient)
            return _Robots(None, allow_all=True)

    def _get_with_retries(
        self, url: str, headers: dict[str, str], deadline: float, kind: str
    ) -> tuple[Exchange, int]:
        key = politeness_key(url)
        s = self.settings
        attempt = 0
        while True:
            attempt += 1
            error: FetchError | None = None
            exchange: Exchange | None = None
            try:
                with self.politeness.slot(key, deadline):
                    exchange = self._get_once(url, headers, deadline, kind)
            except _Retryable as exc:
                error = FetchError(str(exc))
            if exchange is not None and exchange.status not in RETRY_STATUSES:
                return exchange, attempt
            if attempt > s.max_retries:
                if exchange is not None:
                    return exchange, attempt
                assert error is not None
                raise FetchError(f"{error} (after {attempt} attempts)")
            wait = random.uniform(0, s.backoff_base_s * 2 ** (attempt - 1))
            if exchange is not None:
                hdrs = {k.lower(): v for k, v in exchange.headers}
                asked = parse_retry_after(hdrs.get("retry-after"))
                if asked is not None:
                    if asked > s.max_retry_after_s:
                        return exchange, attempt  # not worth waiting for: the caller records it
                    wait = asked
            if time.monotonic() + wait > deadline:
                if exchange is not None:
                    return exchange, attempt
                assert error is not None
                raise FetchError(f"{error} (no time left to retry)")
            self.politeness.defer(key, wait)

    def _get_once(self, url: str, headers: dict[str, str], deadline: float, kind: str) -> Exchange:
        s = self.settings
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"time limit reached before fetching {url}")
        timeout = httpx.Timeout(
            min(s.read_timeout_s, remaining), connect=min(s.connect_timeout_s, remaining)
        )
        with self._count_lock:
            self.requests_sent += 1
        _REQUEST_DEADLINE.at = deadline
        try:
            with self.client.stream("GET", url, headers=headers, timeout=timeout) as resp:
                declared = resp.headers.get("content-length")
                cap = s.max_response_bytes
                if declared and declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"response too large ({declared} bytes > {cap}): {url}")
                decoder = _decoder(resp.headers.get("content-encoding"), url)
                raw: list[bytes] = []
                decoded: list[bytes] = []
                raw_size = decoded_size = 0
                dcap = s.max_decompressed_bytes
                for chunk in resp.iter_raw():
                    raw_size += len(chunk)
                    if raw_size > cap:
                        raise FetchError(f"response exceeds {cap} bytes: {url}")
                    if time.monotonic() > deadline:
                        raise FetchError(f"response took too long (time limit): {url}")
                    raw.append(chunk)
                    if decoder is not None:
                        out = decoder.decompress(chunk, dcap - decoded_size + 1)
                        decoded_size += len(out)
                        if decoded_size > dcap or decoder.unconsumed_tail:
                            raise FetchError(f"decompressed response exceeds {dcap} bytes: {url}")
                        decoded.append(out)
                raw_body = b"".join(raw)
                body = raw_body if decoder is None else b"".join(decoded) + decoder.flush()
                if decoder is not None and not decoder.eof:
                    raise FetchError(f"truncated compressed body from {url}")
                exchange = Exchange(
                    url=url,
                    status=resp.status_code,
                    reason=resp.reason_phrase,
                    http_version=resp.http_version,
                    headers=[
                        (k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw
                    ],
                    raw_body=raw_body,
                    body=body,
                    request_headers=[
                        (k.decode("latin-1"), v.decode("latin-1"))
                        for k, v in resp.request.headers.raw
                    ],
                    fetched_at=datetime.now(UTC),
                    kind=kind,
                )
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body from {url}: {exc}") from exc
        except httpx.InvalidURL as exc:  # not an HTTPError: it would escape every caller
            raise FetchError(f"invalid URL {url[:200]!r}: {exc}") from exc
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:  # our deadline, not the server's slowness alone
                raise FetchError(
                    f"timeout fetching {url}: the fetch's time limit was reached"
                ) from exc
            raise _Retryable(f"timeout fetching {url}: {type(exc).__name__}") from exc
        except httpx.ConnectError as exc:
            if isinstance(exc.__cause__, _Refused):  # the SSRF guard: not worth a retry
                raise FetchError(f"{exc.__cause__}: {url}") from exc
            raise _Retryable(f"HTTP error fetching {url}: {type(exc).__name__}: {exc}") from exc
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retryable(f"HTTP error fetching {url}: {type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error fetching {url}: {type(exc).__name__}: {exc}") from exc
        finally:
            _REQUEST_DEADLINE.at = None
        if self.recorder is not None:
            self.recorder(exchange)
        return exchange


class _Retryable(FetchError):
    """A failure worth another attempt (timeouts, dropped connections)."""
