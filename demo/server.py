"""A small HTTP server on 127.0.0.1 for the demo site and tests: ETags, gzip, redirects, faults."""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
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


class SiteServer:
    """Serves a dict of routes on a free loopback port, in a background thread."""

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

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

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        with self._lock:
            self.requests.append({"path": path, "headers": dict(req.headers.items())})
        route = self.routes.get(path)
        if route is None:
            self._send(req, 404, {"Content-Type": "text/plain"}, b"not found")
            return
        if route.delay_s:
            time.sleep(route.delay_s)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.status in {301, 302, 303, 307, 308}:
            self._send(req, route.status, headers, b"")
            return
        etag = '"' + hashlib.sha256(route.body).hexdigest()[:20] + '"'
        headers["ETag"] = etag
        headers["Last-Modified"] = formatdate(route.last_modified, usegmt=True)
        if route.status == 200 and req.headers.get("If-None-Match") == etag:
            self._send(req, 304, {"ETag": etag}, b"")
            return
        body = route.body
        if "gzip" in (req.headers.get("Accept-Encoding") or "") and len(body) > 256:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(req, route.status, headers, body)

    @staticmethod
    def _send(
        req: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        try:
            req.send_response(status)
            for key, value in headers.items():
                req.send_header(key, value)
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            if body:
                req.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
