"""scripts/airflow-services.sh: services that exit on their own are started again, stop
ends them for good, and a service that cannot run is given up on.

The script runs for real; `airflow` is a stand-in (AIRFLOW_BIN) whose services behave as
each case needs: the api-server answers the health check the script waits for, the
scheduler exits once with an error (as Airflow 3.3's does on SQLite when a failed backfill
request deletes its runs), the triggerer never manages to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import free_port

PROJECT = Path(__file__).resolve().parents[2]
SERVICES = PROJECT / "scripts" / "airflow-services.sh"

STAND_IN = """\
import http.server, os, signal, sys, time
from pathlib import Path

starts = Path(os.environ["STAND_IN_STARTS"])
service = sys.argv[1]
if service == "pools":
    sys.exit(0)
with starts.open("a") as out:
    out.write(f"{service} {os.getpid()}\\n")
count = starts.read_text().split().count(service)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
if service == "triggerer":
    sys.exit(3)
if service == "scheduler" and count == 1:
    sys.exit(1)
if service == "api-server":
    port = int(sys.argv[sys.argv.index("--port") + 1])

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", port), Health).serve_forever()
while True:
    time.sleep(1)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of no one here stays a zombie only until init reaps it.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _until(check: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    airflow = tmp_path / "airflow"
    airflow.write_text(f"#!{sys.executable}\n{STAND_IN}")
    airflow.chmod(0o755)
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW_BIN": str(airflow),
        "STAND_IN_STARTS": str(tmp_path / "starts"),
        "RESTART_DELAY": "0.2",
    }
    yield env
    subprocess.run([str(SERVICES), "stop"], env=env, capture_output=True, timeout=60)


def _starts(env: dict[str, str]) -> list[tuple[str, int]]:
    path = Path(env["STAND_IN_STARTS"])
    lines = path.read_text().splitlines() if path.exists() else []
    return [(line.split()[0], int(line.split()[1])) for line in lines]


def _pids(env: dict[str, str], service: str) -> list[int]:
    return [pid for svc, pid in _starts(env) if svc == service]


def test_exited_services_start_again_and_stop_ends_them(env: dict[str, str]) -> None:
    started = subprocess.run(
        [str(SERVICES), "start", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stdout + started.stderr
    run = Path(env["AIRFLOW_HOME"]) / "run"

    # The scheduler's first start failed; the loop started it again, and said so.
    _until(lambda: len(_pids(env, "scheduler")) == 2)
    log = (run / "scheduler.log").read_text()
    assert "[supervise] scheduler exited with code 1; starting it again" in log
    second = _pids(env, "scheduler")[1]
    assert _alive(second)

    # Killed from outside (OOM killer, an operator), it comes back too.
    os.kill(second, signal.SIGKILL)
    _until(lambda: len(_pids(env, "scheduler")) == 3)
    assert "exited with code 137" in (run / "scheduler.log").read_text()

    # A service that cannot start is given up on, not restarted forever.
    _until(lambda: "giving up" in (run / "triggerer.log").read_text())
    assert len(_pids(env, "triggerer")) == 5
    loop = int((run / "triggerer.pid").read_text())
    _until(lambda: not _alive(loop))

    running = [pid for svc, pid in _starts(env) if svc != "triggerer" and _alive(pid)]
    assert sorted(svc for svc, pid in _starts(env) if pid in running) == [
        "api-server",
        "dag-processor",
        "scheduler",
    ]
    loops = [int((run / f"{svc}.pid").read_text()) for svc in ("api-server", "scheduler")]
    stopped = subprocess.run([str(SERVICES), "stop"], env=env, capture_output=True, timeout=60)
    assert stopped.returncode == 0
    # Every service and every loop is gone, and nothing was started after the stop.
    before = len(_starts(env))
    assert [pid for pid in running + loops if _alive(pid)] == []
    time.sleep(1)
    assert len(_starts(env)) == before
    assert list(run.glob("*.pid")) == []
