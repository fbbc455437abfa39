"""The SSRF guard with private networks NOT allowed (production), and DNS rebinding.

With NEWS_ALLOW_PRIVATE_NETWORKS=0 nothing on loopback is reachable, so these tests make
127.0.0.1 alone stand in for "the public internet" (a test-only wrapper of the policy) and
let the real policy judge every other address. Host names are resolved by a patched
``socket.getaddrinfo``; the ``loopback_only`` safety net records every TCP connection.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from demo.server import SiteServer
from news_ingest import http
from news_ingest.config import Feed
from news_ingest.http import Fetcher, FetchError
from news_ingest.stages.manifest import RunManifest
from tests.faults import hostile as h
from tests.faults.test_hostile_inputs import _fault_settings, rss
from tests.support import manifest_path, nightly_run

REAL_REFUSAL = http.address_refusal
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Settings with private networks refused; 127.0.0.1 plays a public address."""

    def refusal(ip: str, allow_private: bool) -> str | None:
        return None if ip == "127.0.0.1" else REAL_REFUSAL(ip, allow_private)

    monkeypatch.setattr(http, "address_refusal", refusal)
    return replace(_fault_settings(tmp_path), allow_private_networks=False)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[str]]]:
    """Names -> answers, one answer popped per lookup (the last one repeats)."""
    table: dict[str, list[str]] = {}
    calls: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in table:
            calls.append(host)
            answers = table[host]
            ip = answers.pop(0) if len(answers) > 1 else answers[0]
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            addr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
            return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr)]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield table


def test_hostname_resolving_to_private_addresses_is_refused(
    strict: Any, dns: dict[str, list[str]], loopback_only: list[tuple[str, int]]
) -> None:
    for name, ip in {
        "intranet.test": "10.1.2.3",
        "router.test": "192.168.0.1",
        "metadata.test": "169.254.169.254",
        "loop.test": "127.0.0.2",
        "v6loop.test": "::1",
    }.items():
        dns[name] = [ip]
        with Fetcher(strict) as f, pytest.raises(FetchError, match="refused"):
            f.get(f"http://{name}/feed.xml")
    assert loopback_only == []  # refused before any connection


def test_redirects_to_private_addresses_are_refused_through_the_pipeline(
    strict: Any,
    dns: dict[str, list[str]],
    demo_site: SiteServer,
    loopback_only: list[tuple[str, int]],
) -> None:
    dns["intranet.test"] = ["10.0.0.7"]
    targets = {
        "/r/private": "http://10.0.0.1/admin",
        "/r/name": "http://intranet.test/feed",
        "/r/loopback2": "http://127.0.0.2/",
        "/r/metadata": "http://169.254.169.254/latest/meta-data/",
    }
    with h.HostileServer() as srv:
        for path, where in targets.items():
            srv.routes[path] = h.redirect(where)
        feeds = [Feed(id=f"bad-{p.rsplit('/', 1)[1]}", url=srv.base_url + p) for p in targets]
        # The demo site (127.0.0.1, "public" here) runs as usual beside the bad feeds.
        run = nightly_run(demo_site.base_url, strict, extra_feeds=feeds)
    manifest = RunManifest.from_json(manifest_path(strict, run).read_text())
    polls = {p.feed_id: p for p in manifest.stages.poll}
    for feed in feeds:
        assert "refused" in str(polls[feed.id].error), polls[feed.id]
    assert {host for host, _ in loopback_only} <= {"127.0.0.1"}


def test_rebinding_connects_to_the_vetted_address(
    settings: Any, dns: dict[str, list[str]], loopback_only: list[tuple[str, int]]
) -> None:
    """The name is resolved once per connection and the socket opened to that vetted IP:
    the guard's answer is what the connection uses, never a second lookup."""
    with h.HostileServer() as srv:
        srv.routes["/feed"] = h.body(rss(["http://example.invalid/a"]), "application/rss+xml")
        dns["rebind.test"] = ["127.0.0.1"]
        with Fetcher(settings) as f:
            resp = f.get(f"http://rebind.test:{srv.port}/feed")
        assert resp.status == 200
        # create_connection got the IP literal, not the name (no resolution after vetting),
        # and the server saw the name in the Host header.
        assert loopback_only and all(host == "127.0.0.1" for host, _ in loopback_only)
        assert set(srv.hosts) == {f"rebind.test:{srv.port}"}

        # A name that answers loopback to the early check, then the metadata address:
        # the connection-time lookup is vetted too, so nothing connects.
        loopback_only.clear()
        dns["flip.test"] = ["127.0.0.1", "169.254.169.254"]
        with Fetcher(settings) as f, pytest.raises(FetchError, match="link-local"):
            f.get(f"http://flip.test:{srv.port}/feed")
        assert loopback_only == []


def test_guarded_backend_vets_every_connection(
    dns: dict[str, list[str]], loopback_only: list[tuple[str, int]]
) -> None:
    backend = http.GuardedBackend(allow_private=True)
    dns["meta.test"] = ["169.254.169.254"]
    with pytest.raises(http.httpcore.ConnectError, match="link-local"):
        backend.connect_tcp("meta.test", 80, timeout=1)
    assert loopback_only == []


def test_a_refusal_at_connect_time_is_reported_and_not_retried(
    settings: Any, dns: dict[str, list[str]], loopback_only: list[tuple[str, int]]
) -> None:
    """The early checks see loopback; the lookup the connection makes sees the metadata
    address: the guard refuses it, once, and says so."""
    with h.HostileServer() as srv:
        dns["late.test"] = ["127.0.0.1", "127.0.0.1", "169.254.169.254"]
        url = f"http://late.test:{srv.port}"
        with Fetcher(replace(settings, max_retries=3)) as f, pytest.raises(FetchError) as err:
            f.get(url + "/feed")
    assert str(err.value) == (
        "robots.txt unavailable (refused link-local/reserved address 169.254.169.254 (never "
        f"allowed) for host late.test: {url}/robots.txt), not fetching {url}/feed"
    )
    assert loopback_only == []
