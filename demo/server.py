"""A small HTTP server on 127.0.0.1 for the demo site and tests: ETags, gzip, redirects, faults."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    """What the server answers for one path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    last_modified: float = 1_763_510_400.0  # 2025-11-19, fixed so validators are stable
    # Answers given first, one per request, before this route's own (e.g. a 429, then 200).
    before: list[Route] = field(default_factory=list)
    # False: no ETag / Last-Modified sent and conditional requests ignored.
    validators: bool = True
    # Seconds to sleep between body chunks of 1 KiB (a server that trickles).
    drip_s: float = 0.0


def _not_modified(req: BaseHTTPRequestHandler, etag: str, last_modified: float) -> bool:
    """RFC 9110: If-None-Match decides when sent; else If-Modified-Since."""
    if_none_match = req.headers.get("If-None-Match")
    if if_none_match is not None:
        return etag in [t.strip() for t in if_none_match.split(",")]
    since = req.headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return parsedate_to_datetime(since).timestamp() >= last_modified
    except (TypeError, ValueError):
        return False


class SiteServer:
    """Serves a dict of routes on a free loopback port, in a background thread."""

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        # Requests being answered now, and the most ever answered at once.
        self.active = 0
        self.max_active = 0
        # Latency added to every request (benchmarks), on top of a route's own delay.
        self.latency_s = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm
            # holds the body back until the client's delayed ACK (~40 ms on keep-alive).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        # shutdown() waits for the loop's next poll: 0.5 s by default, on every stop.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SiteServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def hits(self, path: str) -> int:
        """How many GETs reached ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r["path"] == path)

    def max_concurrent(self) -> int:
        """The most requests this server was answering at one time."""
        with self._lock:
            return self.max_active

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        with self._lock:
            self.requests.append(
                {
                    "path": path,
                    "headers": dict(req.headers.items()),
                    "at": time.monotonic(),
                    # The client's (address, port): one per connection it opened.
                    "client": req.client_address,
                }
            )
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            self._answer(req, path)
        finally:
            with self._lock:
                self.active -= 1

    def _answer(self, req: BaseHTTPRequestHandler, path: str) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)
        route = self.routes.get(path)
        if route is None:
            self._send(req, 404, {"Content-Type": "text/plain"}, b"not found")
            return
        with self._lock:
            if route.before:
                route = route.before.pop(0)
        if route.delay_s:
            time.sleep(route.delay_s)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.status in {301, 302, 303, 307, 308}:
            self._send(req, route.status, headers, b"")
            return
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:20] + '"'
        if route.validators:
            headers["ETag"] = etag
            headers["Last-Modified"] = formatdate(route.last_modified, usegmt=True)
        if (
            route.status == 200
            and route.validators
            and _not_modified(req, etag, route.last_modified)
        ):
            self._send(req, 304, {"ETag": etag}, b"")
            return
        body = route.body
        encoded = any(k.lower() == "content-encoding" for k in headers)
        if not encoded and "gzip" in (req.headers.get("Accept-Encoding") or "") and len(body) > 256:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(req, route.status, headers, body, route.drip_s)

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        drip_s: float = 0.0,
    ) -> None:
        try:
            req.send_response(status)
            for key, value in headers.items():
                req.send_header(key, value)
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            if drip_s:
                for i in range(0, len(body), 1024):
                    req.wfile.write(body[i : i + 1024])
                    req.wfile.flush()
                    time.sleep(drip_s)
            elif body:
                req.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
