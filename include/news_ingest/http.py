"""HTTP fetching with timeouts, size caps, an honest User-Agent and an SSRF guard."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from news_ingest.settings import Settings

MAX_REDIRECTS = 5


class FetchError(Exception):
    """A fetch failed in a way worth recording (refused, too big, too many redirects...)."""


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


def _blocked_address(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not addr.is_global or addr.is_multicast


def check_url_allowed(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts that resolve to non-public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"refused scheme {parts.scheme!r}: {url}")
    host = parts.hostname
    if not host:
        raise FetchError(f"no host in URL: {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        ip = str(info[4][0])
        if _blocked_address(ip):
            raise FetchError(f"refused non-public address {ip} for host {host}")


@dataclass
class HostLimiter:
    """Bounds concurrent requests per host."""

    per_host: int
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _slots: dict[str, threading.Semaphore] = field(default_factory=dict)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            sem = self._slots.setdefault(host, threading.Semaphore(self.per_host))
        with sem:
            yield


class Fetcher:
    """A thread-safe HTTP client that follows redirects itself so every hop is checked."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=settings.fetch_concurrency * 2),
        )
        self.limiter = HostLimiter(settings.per_host_concurrency)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``, following up to MAX_REDIRECTS checked redirects; raise FetchError."""
        started = time.monotonic()
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            check_url_allowed(current, self.settings.allow_private_networks)
            host = urlsplit(current).hostname or ""
            with self.limiter.slot(host):
                status, resp_headers, body = self._get_once(current, headers or {})
            if status in {301, 302, 303, 307, 308} and "location" in resp_headers:
                current = urljoin(current, resp_headers["location"])
                continue
            return Response(
                url=url,
                final_url=current,
                status=status,
                headers=resp_headers,
                body=body,
                fetched_at=datetime.now(UTC),
                elapsed_s=time.monotonic() - started,
            )
        raise FetchError(f"more than {MAX_REDIRECTS} redirects from {url}")

    def _get_once(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        cap = self.settings.max_response_bytes
        deadline = time.monotonic() + self.settings.read_timeout_s * 2
        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"response too large ({declared} bytes > {cap}): {url}")
                chunks: list[bytes] = []
                size = 0
                # iter_bytes decompresses, so the cap bounds the decoded size too.
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"response exceeds {cap} bytes: {url}")
                    if time.monotonic() > deadline:
                        raise FetchError(f"response took too long: {url}")
                    chunks.append(chunk)
                return (
                    resp.status_code,
                    {k.lower(): v for k, v in resp.headers.items()},
                    b"".join(chunks),
                )
        except httpx.TimeoutException as exc:
            raise FetchError(f"timeout fetching {url}: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"HTTP error fetching {url}: {type(exc).__name__}: {exc}") from exc
