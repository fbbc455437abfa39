"""docker-compose.yaml: the shape a production user relies on (no Docker engine runs it here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2]
COMPOSE = PROJECT / "docker-compose.yaml"
REQUIRED = {
    "POSTGRES_PASSWORD",
    "AIRFLOW_ADMIN_USERNAME",
    "AIRFLOW_ADMIN_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
}
AIRFLOW = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
CELERY = {"redis", "airflow-worker"}
AWS = {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|_KEY\b|_KEY_")
VAR = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class Unset(Exception):
    """A required variable is missing: compose would refuse to start."""


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${V}, ${V:-default}, ${V:?error}, and $$ for $."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        if op in (":-", "-"):
            empty = current is None or (op == ":-" and current == "")
            return arg if empty else str(current)
        if op in (":?", "?"):
            if current is None or (op == ":?" and current == ""):
                raise Unset(f"{name}: {arg}")
            return current
        return current or ""

    return VAR.sub(one, value.replace("$$", "\0")).replace("\0", "$")


@pytest.fixture(scope="module")
def text() -> str:
    return COMPOSE.read_text()


@pytest.fixture(scope="module")
def compose(text: str) -> dict[str, Any]:
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _env(service: dict[str, Any]) -> dict[str, Any]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment as a mapping, so keys merge from the anchor"
    return env


def _filled() -> dict[str, str]:
    return {name: f"test-{name.lower()}-0123456789" for name in REQUIRED}


def test_services_and_profiles(services) -> None:
    assert set(services) == AIRFLOW | {"postgres", "redis"}
    in_profile = {name for name, svc in services.items() if svc.get("profiles")}
    assert in_profile == CELERY
    for name in CELERY:
        assert services[name]["profiles"] == ["celery"]
    # No service that starts by default waits for one that only the profile starts.
    for name, svc in services.items():
        if name not in CELERY:
            assert not set(svc.get("depends_on", {})) & CELERY, name


def test_every_airflow_service_runs_the_image_built_from_the_dockerfile(services) -> None:
    images = set()
    for name in AIRFLOW:
        svc = services[name]
        assert svc["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
        images.add(svc["image"])
    assert len(images) == 1
    assert (PROJECT / "Dockerfile").is_file()
    assert interpolate(images.pop(), {}) == "news-ingest:latest"
    assert re.fullmatch(r"postgres:1[56](-\w+)?", services["postgres"]["image"])
    commands = {n: services[n]["command"] for n in AIRFLOW - {"airflow-init", "airflow-worker"}}
    assert commands == {
        "airflow-apiserver": "api-server",
        "airflow-scheduler": "scheduler",
        "airflow-dag-processor": "dag-processor",
        "airflow-triggerer": "triggerer",
    }
    assert "exec airflow celery worker" in services["airflow-worker"]["command"][-1]


def test_local_executor_by_default_celery_by_one_variable(services) -> None:
    for name in AIRFLOW:
        executor = _env(services[name])["AIRFLOW__CORE__EXECUTOR"]
        assert interpolate(executor, _filled()) == "LocalExecutor", name
        celery = {**_filled(), "AIRFLOW_EXECUTOR": "CeleryExecutor"}
        assert interpolate(executor, celery) == "CeleryExecutor", name
    worker = services["airflow-worker"]
    assert "CeleryExecutor" in worker["command"][-1]  # refuses to idle under LocalExecutor
    assert worker["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert _env(worker)["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    assert "ports" not in services["redis"]


def test_postgres_is_the_metadata_db(compose, services) -> None:
    for name in AIRFLOW:
        conn = interpolate(_env(services[name])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], _filled())
        assert conn == (
            "postgresql+psycopg2://airflow:test-postgres_password-0123456789@postgres:5432/airflow"
        )
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    volumes = services["postgres"]["volumes"]
    assert volumes == ["postgres-data:/var/lib/postgresql/data"]
    assert "postgres-data" in compose["volumes"]


def test_required_secrets_have_no_default_and_stop_compose_when_missing(text: str) -> None:
    # "$${X}" is a literal "${X}" for the container's shell, not compose's interpolation.
    uses = [m for m in VAR.finditer(text.replace("$$", "")) if m["name"] in REQUIRED]
    assert {m["name"] for m in uses} == REQUIRED
    for m in uses:
        assert m["op"] == ":?", m.group(0)  # never ${X:-default} nor ${X}
    with pytest.raises(Unset, match="AIRFLOW_ADMIN_PASSWORD"):
        interpolate(text, {**_filled(), "AIRFLOW_ADMIN_PASSWORD": ""})
    interpolate(text, _filled())  # everything else resolves


def test_no_hard_coded_credentials(text: str, services) -> None:
    lowered = text.lower()
    for weak in ("admin:admin", "airflow:airflow", "_airflow_www_user_password"):
        assert weak not in lowered
    for name, svc in services.items():
        for key, value in _env(svc).items():
            if value is None or not SECRET_NAME.search(key) or key == "AIRFLOW__CORE__AUTH_MANAGER":
                continue
            # A secret value is nothing but required variables (no literal to leak).
            assert VAR.sub("", str(value)) == "", (name, key, value)
        for key, value in _env(svc).items():
            for user_pass in re.findall(r"://([^@/\s]*)@", str(value or "")):
                password = user_pass.partition(":")[2]
                assert not password or VAR.fullmatch(password), (name, key)


def test_admin_comes_from_the_environment(services) -> None:
    init = services["airflow-init"]
    env = _env(init)
    assert (
        env["AIRFLOW_ADMIN_USERNAME"]
        == "${AIRFLOW_ADMIN_USERNAME:?set AIRFLOW_ADMIN_USERNAME in .env}"
    )
    assert (
        env["AIRFLOW_ADMIN_PASSWORD"]
        == "${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD in .env}"
    )
    script = init["command"][-1]
    assert "airflow db migrate" in script
    assert '--password "$${AIRFLOW_ADMIN_PASSWORD}"' in script
    assert "-lt 12" in script  # short passwords and admin/admin are refused
    assert init["restart"] == "no"
    auth = {_env(services[n])["AIRFLOW__CORE__AUTH_MANAGER"] for n in AIRFLOW}
    assert auth == {"airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"}
    for name in AIRFLOW - {"airflow-init"}:
        assert services[name]["depends_on"]["airflow-init"] == {
            "condition": "service_completed_successfully"
        }
        assert "AIRFLOW_ADMIN_PASSWORD" not in _env(services[name])


def test_ports_only_on_loopback(services) -> None:
    published = {name: svc["ports"] for name, svc in services.items() if "ports" in svc}
    assert set(published) == {"airflow-apiserver"}
    for port in published["airflow-apiserver"]:
        assert port.startswith("127.0.0.1:"), port
    assert interpolate(published["airflow-apiserver"][0], {}) == "127.0.0.1:8080:8080"


def test_healthchecks(services) -> None:
    for name, svc in services.items():
        if name == "airflow-init":
            continue  # one-shot; the others wait for it to complete
        check = svc.get("healthcheck", {})
        assert check.get("test"), name
        assert {"interval", "timeout", "retries"} <= set(check), name
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "/api/v2/monitor/health" in str(services["airflow-apiserver"]["healthcheck"]["test"])
    assert _env(services["airflow-scheduler"])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "True"


def test_data_root_and_object_store_settings_reach_every_task(services) -> None:
    for name in AIRFLOW:
        env = _env(services[name])
        assert interpolate(env["NEWS_DATA_ROOT"], {}) == "/opt/airflow/data"
        assert interpolate(env["NEWS_DATA_ROOT"], {"NEWS_DATA_ROOT": "s3://b/p"}) == "s3://b/p"
        # Bare keys: passed through when set, left unset (not "") otherwise.
        for key in AWS | {"NEWS_ALERT_WEBHOOK"}:
            assert key in env and env[key] is None, (name, key)
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == (
            "http://airflow-apiserver:8080/execution/"
        )
        # Named volumes, and the host's feed list read-only where NEWS_FEEDS points.
        for volume in services[name]["volumes"]:
            if volume.startswith(("/", ".", "~", "$")):
                source, target, mode = interpolate(volume, {}).split(":")
                assert (source, target, mode) == (
                    "./include/config/feeds.yaml",
                    env["NEWS_FEEDS"],
                    "ro",
                ), volume


def test_env_example_lists_every_required_variable_without_a_value() -> None:
    lines = (PROJECT / ".env.example").read_text().splitlines()
    assigned = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert set(assigned) == REQUIRED
    assert all(value == "" for value in assigned.values())
    assert ".env" in (PROJECT / ".gitignore").read_text().splitlines()
    dockerignore = (PROJECT / ".dockerignore").read_text().splitlines()
    assert dockerignore[dockerignore.index("*") :].count("!.env") == 0


def _compose() -> list[str] | None:
    """A Docker Compose v2 command line, if this machine has one (no engine is needed)."""
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


@pytest.mark.skipif(_compose() is None, reason="no Docker Compose on this machine")
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    compose = _compose()
    assert compose is not None
    env = tmp_path / "test.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in _filled().items()))
    for profile in ([], ["--profile", "celery"]):
        subprocess.run(
            [*compose, "--env-file", str(env), *profile, "config", "--quiet"],
            cwd=PROJECT,
            check=True,
            timeout=60,
        )
    missing = subprocess.run(
        [*compose, "config", "--quiet"], cwd=PROJECT, capture_output=True, text=True, timeout=60
    )
    assert missing.returncode != 0 and "set POSTGRES_PASSWORD in .env" in missing.stderr


def _settings_variables() -> set[str]:
    """Every NEWS_* variable the library's settings or the DAG files read."""
    sources = [PROJECT / "include" / "news_ingest" / "settings.py", *PROJECT.glob("dags/*.py")]
    return {name for path in sources for name in re.findall(r'"(NEWS_[A-Z_]+)"', path.read_text())}


def test_every_setting_reaches_every_airflow_service_and_is_in_env_example(services) -> None:
    names = _settings_variables()
    assert {"NEWS_CONTACT_URL", "NEWS_PER_HOST_DELAY", "NEWS_HARVEST_CRON"} <= names
    for service in AIRFLOW:
        missing = names - set(_env(services[service]))
        assert not missing, (service, sorted(missing))
    example = (PROJECT / ".env.example").read_text()
    listed = set(re.findall(r"^# (NEWS_[A-Z_]+)=", example, re.MULTILINE))
    assert names <= listed, sorted(names - listed)


def test_init_imports_every_pool_the_dags_use(services) -> None:
    import json

    # make test-py312 runs the unit tests without the airflow extra.
    DagBag = pytest.importorskip("airflow.dag_processing.dagbag").DagBag

    init = " ".join(services["airflow-init"]["command"])
    imported = re.search(r"airflow pools import (\S+)", init)
    assert imported is not None, init
    # The image holds include/ under /opt/airflow/news_ingest (Dockerfile), and make
    # setup imports the same file.
    assert imported.group(1) == "/opt/airflow/news_ingest/include/config/pools.json"
    assert "airflow pools import include/config/pools.json" in (PROJECT / "Makefile").read_text()
    defined = json.loads((PROJECT / "include" / "config" / "pools.json").read_text())
    bag = DagBag(dag_folder=str(PROJECT / "dags"))
    used = {t.pool for dag in bag.dags.values() for t in dag.tasks} - {"default_pool"}
    assert used and used <= set(defined), (used, set(defined))
