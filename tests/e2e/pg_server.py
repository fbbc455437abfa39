"""A throwaway PostgreSQL server for the metadata DB: initdb and pg_ctl in a temp folder."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support import free_port


def postgres_bin(name: str) -> str | None:
    """A PostgreSQL server program from PATH or Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start PostgreSQL on 127.0.0.1 with a fresh cluster; yield the SQLAlchemy URL."""
    initdb, pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server programs not found: run `make postgres`")
    base = Path(tempfile.mkdtemp(prefix="news-ingest-pg-"))
    data, sockets = base / "data", base / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root; the cluster belongs to an unprivileged account.
        user = "postgres" if _has_user("postgres") else "nobody"
        for path in (base, sockets):
            shutil.chown(path, user)
        as_user = ["runuser", "-u", user, "--"]
    port = free_port()
    options = (
        f"-h 127.0.0.1 -p {port} -k {sockets} "
        # Durability buys nothing for a test cluster that is deleted afterwards.
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        run(initdb, "-D", str(data), "-A", "trust", "-U", "airflow", "-E", "UTF8", "--no-sync")
        run(pg_ctl, "-D", str(data), "-l", str(base / "server.log"), "-o", options, "-w", "start")
        _create_database(port, "airflow")
        yield f"postgresql+psycopg2://airflow@127.0.0.1:{port}/airflow"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(base, ignore_errors=True)


def _create_database(port: int, name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="airflow", dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
