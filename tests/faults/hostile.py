"""A misbehaving HTTP server on 127.0.0.1 for the fault-injection suite.

Unlike demo.server.SiteServer (well-formed answers with optional delays), each route here
is a function writing whatever it likes to the raw socket: error streaks, resets, silence,
trickles, truncated or explosive gzip, endless bodies, redirect loops and hostile XML.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]

ONE_GB = 1024**3


def send(
    req: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> None:
    """A plain answer; ``length`` overrides Content-Length (None: the body's length)."""
    req.send_response(status)
    req.send_header("Content-Type", content_type)
    for key, value in (headers or {}).items():
        req.send_header(key, value)
    req.send_header("Content-Length", str(len(body) if length is None else length))
    req.end_headers()
    if body:
        req.wfile.write(body)


def status(code: int, retry_after: str | None = None) -> Handler:
    """Always ``code`` (a 500/503 streak, a 429 with an optional Retry-After)."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    return lambda req: send(req, code, b"nope", "text/plain", headers)


def reset(req: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST before any answer."""
    req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    req.connection.close()
    req.close_connection = True


def silent(stop: threading.Event) -> Handler:
    """Read the request and never answer (a read timeout), until the server stops."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        stop.wait(120)
        req.close_connection = True

    return handle


def trickle(stop: threading.Event, every_s: float = 0.2) -> Handler:
    """Slowloris: headers, then one byte of a never-ending body every ``every_s``."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "application/rss+xml")
        req.send_header("Content-Length", str(10_000_000))
        req.end_headers()
        while not stop.wait(every_s):
            req.wfile.write(b" ")
            req.wfile.flush()

    return handle


def dripped_headers(stop: threading.Event, every_s: float = 0.1) -> Handler:
    """A status line, then one byte of a header every ``every_s``: the headers never end."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        req.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.wait(every_s):
            req.wfile.write(b"a")
            req.wfile.flush()
        req.close_connection = True

    return handle


def endless_informational(stop: threading.Event, every_s: float = 0.1) -> Handler:
    """ "102 Processing" informational responses without end, never the final response."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        while not stop.wait(every_s):
            req.wfile.write(b"HTTP/1.1 102 Processing\r\n\r\n")
            req.wfile.flush()
        req.close_connection = True

    return handle


def endless(stop: threading.Event, declare: bool) -> Handler:
    """A 1 GB body (Content-Length declared or not) streamed as fast as the client reads."""

    chunk = b"<p>" + b"x" * 65530 + b"</p>"

    def handle(req: BaseHTTPRequestHandler) -> None:
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        if declare:
            req.send_header("Content-Length", str(ONE_GB))
        else:
            req.send_header("Connection", "close")
        req.end_headers()
        sent = 0
        while sent < ONE_GB and not stop.is_set():
            req.wfile.write(chunk)
            sent += len(chunk)
        req.close_connection = True

    return handle


def truncated_gzip(body: bytes) -> Handler:
    """A gzip body cut in the middle, with a Content-Length that matches the cut."""
    packed = gzip.compress(body, mtime=0)
    cut = packed[: len(packed) // 2]
    return lambda req: send(req, 200, cut, "application/rss+xml", {"Content-Encoding": "gzip"})


@cache
def gzip_bomb_bytes(size: int = ONE_GB) -> bytes:
    """``size`` zero bytes gzipped (about 1 MB on the wire for 1 GB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [comp.compress(block) for _ in range(size // len(block))]
    parts.append(comp.flush())
    return b"".join(parts)


def gzip_bomb(content_type: str) -> Handler:
    bomb = gzip_bomb_bytes()  # built now, not while the client waits
    return lambda req: send(req, 200, bomb, content_type, {"Content-Encoding": "gzip"})


def redirect(location: str | Callable[[BaseHTTPRequestHandler], str]) -> Handler:
    def handle(req: BaseHTTPRequestHandler) -> None:
        where = location(req) if callable(location) else location
        send(req, 302, b"", "text/plain", {"Location": where})

    return handle


def endless_redirects(req: BaseHTTPRequestHandler) -> None:
    """/endless/N redirects to /endless/N+1, forever."""
    n = int(req.path.rstrip("/").rsplit("/", 1)[-1] or 0)
    send(req, 302, b"", "text/plain", {"Location": f"/endless/{n + 1}"})


def body(data: bytes, content_type: str = "text/html; charset=utf-8") -> Handler:
    return lambda req: send(req, 200, data, content_type)


class HostileServer:
    """Routes (path -> handler, with a prefix match for paths ending in '/') on 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {
            "/robots.txt": body(b"User-agent: *\nAllow: /\n", "text/plain")
        }
        self.hits: dict[str, int] = {}
        self.hosts: list[str] = []  # Host headers received
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                server._serve(self)

        self.httpd = ThreadingHTTPServer((host, 0), _Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?", 1)[0]
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            self.hosts.append(req.headers.get("Host", ""))
        handler = self.routes.get(path)
        if handler is None:
            prefixes = [p for p in self.routes if p.endswith("/") and path.startswith(p)]
            handler = self.routes[max(prefixes, key=len)] if prefixes else None
        try:
            if handler is None:
                send(req, 404, b"not found", "text/plain")
            else:
                handler(req)
        except (BrokenPipeError, ConnectionResetError, OSError):
            req.close_connection = True

    def hit(self, path: str) -> int:
        with self._lock:
            return self.hits.get(path, 0)


def wait_until(check: Callable[[], bool], timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()
