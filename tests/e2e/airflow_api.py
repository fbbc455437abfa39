"""Airflow's services for the e2e tests: started by scripts/airflow-services.sh on 127.0.0.1,
driven through the REST API as the UI does (a token, the backfill dialog's request)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demo.site import DEMO_DAYS

PROJECT = Path(__file__).resolve().parents[2]
SERVICES = PROJECT / "scripts" / "airflow-services.sh"


def api_request(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: dict[str, Any] | None = None,
) -> Any:
    """One REST call to the api-server at ``base``; the decoded JSON answer."""
    data = json.dumps(body).encode() if body is not None else None
    for attempt in range(10):
        req = urllib.request.Request(base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            # SQLite allows one writer: while the scheduler writes, the API rolls back and
            # answers 503 (or 500 when the lock hits its audit-log insert), so the request is
            # safe to send again, as a user would. PostgreSQL never needs this.
            if exc.code not in (500, 503) or attempt == 9:
                raise
            time.sleep(2)
    raise AssertionError("unreachable")


def start_services(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    """`airflow-services.sh start` (api-server on ``port``, scheduler, dag-processor,
    triggerer) with ``env``; it exits once the api-server answers."""
    return subprocess.Popen(
        [str(SERVICES), "start", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_services(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """`airflow-services.sh stop` for the services of ``env``'s AIRFLOW_HOME (not awaited)."""
    return subprocess.Popen([str(SERVICES), "stop"], env=env, stdout=subprocess.DEVNULL)


def backfill_request(max_active_runs: int = 2, reprocess: str = "none") -> dict[str, Any]:
    """The backfill dialog's request for the demo days."""
    return {
        "dag_id": "news_nightly",
        "from_date": f"{DEMO_DAYS[0]}T00:00:00Z",
        "to_date": f"{DEMO_DAYS[-1]}T00:00:00Z",
        "max_active_runs": max_active_runs,
        "run_backwards": False,
        "dag_run_conf": {},
        "reprocess_behavior": reprocess,
    }


@dataclass
class Services:
    """Airflow's services running over one metadata DB, with the backfill's data root."""

    db: str
    base: str
    token: str
    root: Path | str
    home: Path
    # Logs of further processes (Celery workers) that a diagnosis shows the tails of.
    more_logs: list[Path] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return api_request(self.base, method, path, self.token, body)

    def create_backfill(self, body: dict[str, Any]) -> dict[str, Any]:
        """`POST /api/v2/backfills`, as the dialog sends it."""
        try:
            created: dict[str, Any] = self.request("POST", "/api/v2/backfills", body)
            return created
        except urllib.error.HTTPError as exc:
            # On SQLite an attempt can create the backfill and still answer 503 (the lock
            # hits a later write of the same request); its resend then gets 409, as there
            # is one backfill per DAG at a time. The backfill is the one that attempt made.
            if exc.code != 409:
                raise
        listed = self.request("GET", "/api/v2/backfills?dag_id=news_nightly")["backfills"]
        [created] = [
            b
            for b in listed
            if b["completed_at"] is None and b["reprocess_behavior"] == body["reprocess_behavior"]
        ]
        return created

    def backfill_runs(
        self, timeout_s: float = 900, request: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The backfill runs once each has finished (the scheduler marks the backfill
        itself completed only on a 30 s timer; nothing here needs to wait for that).

        With ``request``: if runs are missing and no backfill is active, the backfill is
        created again, as a user would. On SQLite a reprocessing attempt that answered 503
        once left no backfill and two of the three days' runs deleted (Airflow's creation
        is not atomic there); the resend had been refused with 409 meanwhile.
        """
        deadline = time.monotonic() + timeout_s
        posted = time.monotonic()
        while True:
            runs = self.request(
                "GET", "/api/v2/dags/news_nightly/dagRuns?run_type=backfill&limit=50"
            )["dag_runs"]
            if len(runs) == len(DEMO_DAYS) and all(
                r["state"] in ("success", "failed") for r in runs
            ):
                return list(runs)
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"backfill runs not done in {timeout_s:.0f}s\n{self.diagnosis(runs)}"
                )
            if (
                request is not None
                and len(runs) < len(DEMO_DAYS)
                and time.monotonic() > posted + 60
            ):
                listed = self.request("GET", "/api/v2/backfills?dag_id=news_nightly")
                if all(b["completed_at"] is not None for b in listed["backfills"]):
                    self.create_backfill(request)
                posted = time.monotonic()
            time.sleep(1)

    def diagnosis(self, runs: list[dict[str, Any]]) -> str:
        """What a stuck backfill looks like: its runs, their task instances, which services
        are still alive, and the tails of the scheduler's, dag-processor's and more_logs."""
        lines = [f"runs: {[(r['dag_run_id'], r['state']) for r in runs]}"]
        try:  # the api-server may be what stopped answering
            listed = self.request("GET", "/api/v2/backfills?dag_id=news_nightly")
            lines.append(f"backfills: {listed['backfills']}")
            for run in runs:
                if run["state"] in ("success", "failed"):
                    continue
                tis = self.request(
                    "GET", f"/api/v2/dags/news_nightly/dagRuns/{run['dag_run_id']}/taskInstances"
                )["task_instances"]
                states = [(t["task_id"], t["map_index"], t["state"]) for t in tis]
                lines.append(f"{run['dag_run_id']}: {states}")
        except Exception as exc:
            lines.append(f"the API failed: {exc!r}")
        run_dir = self.home / "run"
        for pid_file in sorted(run_dir.glob("*.pid")):
            alive = Path(f"/proc/{pid_file.read_text().strip()}").exists()
            lines.append(f"{pid_file.stem}: {'alive' if alive else 'EXITED'}")
        logs = [run_dir / f"{log}.log" for log in ("scheduler", "dag-processor")]
        for path in [*logs, *self.more_logs]:
            tail = path.read_text(errors="replace").splitlines()[-60:] if path.exists() else []
            lines += [f"--- {path.name} (last {len(tail)} lines)", *tail]
        return "\n".join(lines)

    def wait_completed(self, backfill_id: int, timeout_s: float = 120) -> None:
        """Until the scheduler marks the backfill completed (one backfill per DAG at a time)."""
        deadline = time.monotonic() + timeout_s
        while not self.request("GET", f"/api/v2/backfills/{backfill_id}").get("completed_at"):
            assert time.monotonic() < deadline, f"backfill {backfill_id} never completed"
            time.sleep(1)


def connect(db: str, base: str, root: Path | str, home: Path) -> Services:
    """The services at ``base`` with a token, once news_nightly is parsed, the DAG unpaused
    (the backfill dialog's "unpause" box)."""
    deadline = time.monotonic() + 120
    token = api_request(base, "GET", "/auth/token")["access_token"]
    while True:  # the dag-processor parses the folder after it starts
        try:
            api_request(base, "GET", "/api/v2/dags/news_nightly", token)
            break
        except Exception:
            assert time.monotonic() < deadline, "news_nightly never appeared"
            time.sleep(1)
    services = Services(db, base, token, root, home)
    services.request("PATCH", "/api/v2/dags/news_nightly", {"is_paused": False})
    return services
