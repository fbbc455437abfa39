"""Airflow's services for the e2e tests: started by scripts/airflow-services.sh on 127.0.0.1,
driven through the REST API as the UI does (a token, the backfill dialog's request), their
task logs read through the logs API as the UI's log view does."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.parse
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


def sign_in(base: str, username: str, password: str) -> str:
    """A token for a user of the simple auth manager, as the UI's sign-in form gets it."""
    body = {"username": username, "password": password}
    token: str = api_request(base, "POST", "/auth/token", body=body)["access_token"]
    return token


def signed_in_env(home: Path, username: str, password: str) -> dict[str, str]:
    """The variables for services whose UI asks to sign in: one admin ``username`` of the
    simple auth manager (instead of everyone an admin), with ``password`` written to the
    passwords file it reads in ``home`` (it generates passwords only for users not there)."""
    home.mkdir(parents=True, exist_ok=True)
    passwords = home / "simple_auth_manager_passwords.json"
    passwords.write_text(json.dumps({username: password}))
    return {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{username}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
    }


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

    def task_instances(self, run_id: str) -> list[dict[str, Any]]:
        """The task instances of a news_nightly run (each mapped index its own)."""
        run = urllib.parse.quote(run_id, safe="")
        path = f"/api/v2/dags/news_nightly/dagRuns/{run}/taskInstances?limit=100"
        listed: list[dict[str, Any]] = self.request("GET", path)["task_instances"]
        # One entry per task and map index, its latest try: on SQLite the list once held a
        # task instance twice (CI read poll_feeds' whole log twice over, the same lines).
        latest: dict[tuple[str, int], dict[str, Any]] = {}
        for ti in listed:
            key = (ti["task_id"], ti["map_index"])
            if key not in latest or ti["try_number"] > latest[key]["try_number"]:
                latest[key] = ti
        return list(latest.values())

    def task_log(self, ti: dict[str, Any]) -> list[dict[str, Any]]:
        """The log of a finished task instance's latest run, as the UI's log view reads its
        latest try (`GET .../taskInstances/{task}/logs/{try}`): structured entries, in order."""
        run = urllib.parse.quote(ti["dag_run_id"], safe="")
        path = (
            f"/api/v2/dags/news_nightly/dagRuns/{run}/taskInstances/{ti['task_id']}"
            f"/logs/{ti['try_number']}?map_index={ti['map_index']}&full_content=true"
        )
        # In one request: following the continuation token of a finished task's log served
        # its lines a second time once on SQLite (a stage's end line read twice). An entry
        # equal to an earlier one to the microsecond of its timestamp is that again, not a
        # line logged twice.
        entries: list[dict[str, Any]] = self.request("GET", path)["content"]
        seen: set[str] = set()
        unique = []
        for entry in entries:
            key = json.dumps(entry, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                unique.append(entry)
        # A backfill reprocessing a run at times runs its tasks again under the same try
        # number (seen once on SQLite: every task of one day at try 1 twice), so that try's
        # log holds both runs: the latest starts at the task runner's last "Pre Execute".
        starts = [i for i, e in enumerate(unique) if e.get("event") == "::group::Pre Execute"]
        return unique[starts[-1] :] if starts else unique

    def wait_completed(self, backfill_id: int, timeout_s: float = 120) -> None:
        """Until the scheduler marks the backfill completed (one backfill per DAG at a time)."""
        deadline = time.monotonic() + timeout_s
        while not self.request("GET", f"/api/v2/backfills/{backfill_id}").get("completed_at"):
            assert time.monotonic() < deadline, f"backfill {backfill_id} never completed"
            time.sleep(1)


def connect(
    db: str,
    base: str,
    root: Path | str,
    home: Path,
    credentials: tuple[str, str] | None = None,
    unpause: bool = True,
) -> Services:
    """The services at ``base`` with a token (every user an admin, or signed in with
    ``credentials``), once news_nightly is parsed, the DAG unpaused unless ``unpause`` is
    False (the backfill dialog's "unpause" box, ticked by default, does it then)."""
    deadline = time.monotonic() + 120
    if credentials is None:
        token = api_request(base, "GET", "/auth/token")["access_token"]
    else:
        token = sign_in(base, *credentials)
    while True:  # the dag-processor parses the folder after it starts
        try:
            api_request(base, "GET", "/api/v2/dags/news_nightly", token)
            break
        except Exception:
            assert time.monotonic() < deadline, "news_nightly never appeared"
            time.sleep(1)
    services = Services(db, base, token, root, home)
    if unpause:
        services.request("PATCH", "/api/v2/dags/news_nightly", {"is_paused": False})
    return services
