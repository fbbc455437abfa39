"""Serve a generated corpus on its loopback addresses: a small asyncio HTTP/1.1 server.

Run as ``python bench/pipeline/serve.py <corpus sites folder> <port>``; prints "ready"
once every address listens. Pages are stored gzipped and sent with
``Content-Encoding: gzip`` to clients that accept it, with an ETag (a 304 to a matching
If-None-Match); robots.txt allows all. Keep-alive, one event loop: the server should cost
the machine far less CPU than the pipeline it feeds (``http.server`` cost ~5 ms a page).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import sys
from pathlib import Path

ROBOTS = b"User-agent: *\nAllow: /\n"


def _response(status: str, body: bytes, headers: dict[str, str]) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def answer(root: Path, path: str, headers: dict[str, str]) -> bytes:
    """The whole HTTP response to a GET of ``path`` on the host served from ``root``."""
    path = path.split("?", 1)[0]
    if path == "/robots.txt":
        return _response("200 OK", ROBOTS, {"Content-Type": "text/plain"})
    target = (root / path.lstrip("/")).with_name(Path(path).name + ".gz")
    if ".." in path or not target.is_file():
        return _response("404 Not Found", b"not found", {"Content-Type": "text/plain"})
    body = target.read_bytes()
    etag = '"' + hashlib.md5(body).hexdigest() + '"'
    if headers.get("if-none-match") == etag:
        return _response("304 Not Modified", b"", {"ETag": etag})
    ctype = "application/rss+xml" if path.endswith(".xml") else "text/html; charset=utf-8"
    out = {"Content-Type": ctype, "ETag": etag}
    if "gzip" in headers.get("accept-encoding", ""):
        out["Content-Encoding"] = "gzip"
    else:
        body = gzip.decompress(body)
    return _response("200 OK", body, out)


def handler_for(root: Path):  # type: ignore[no-untyped-def]
    """A connection handler answering GETs from ``root`` until the client closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                _method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                writer.write(answer(root, target, headers))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    return handle


async def serve(folder: Path, port: int) -> None:
    """Listen on every host folder's address; run until killed."""
    servers = [
        await asyncio.start_server(handler_for(host), host.name, port, backlog=512)
        for host in sorted(p for p in folder.iterdir() if p.is_dir())
    ]
    print("ready", len(servers), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(Path(sys.argv[1]), int(sys.argv[2])))
