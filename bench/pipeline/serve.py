"""Serve a generated corpus: one threaded HTTP server per outlet address, files as stored.

Run as ``python bench/pipeline/serve.py <corpus folder> <port>``; prints "ready" once every
address listens. Pages are stored gzipped and sent with ``Content-Encoding: gzip`` (to
clients that accept it, as every fetcher does), with an ETag; robots.txt allows all.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def handler_for(root: Path) -> type[BaseHTTPRequestHandler]:
    """A request handler serving ``root``'s files, ``<path>.gz`` for ``<path>``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/robots.txt":
                return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain", gz=False)
            target = (root / path.lstrip("/")).with_name(Path(path).name + ".gz")
            if ".." in path or not target.is_file():
                return self._send(404, b"not found", "text/plain", gz=False)
            ctype = "application/rss+xml" if path.endswith(".xml") else "text/html; charset=utf-8"
            self._send(200, target.read_bytes(), ctype, gz=True)

        def _send(self, status: int, body: bytes, ctype: str, gz: bool) -> None:
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if gz and "gzip" not in (self.headers.get("Accept-Encoding") or ""):
                body, gz = gzip.decompress(body), False
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            if gz:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main() -> None:
    """Start one server per host folder of the corpus and wait."""
    folder, port = Path(sys.argv[1]), int(sys.argv[2])
    servers = []
    for host_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        server = ThreadingHTTPServer((host_dir.name, port), handler_for(host_dir))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print("ready", len(servers), flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
