"""The built wheel in a fresh venv of the next Python, without Airflow: the CLI works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.site import all_pages, build_routes
from scripts.find_python import find_python

PROJECT = Path(__file__).resolve().parents[2]
VERSIONS = ("3.12", "3.13")

pytestmark = pytest.mark.packaging


def _uv() -> str | None:
    """The uv of `make setup` (.tools/bin), else UV or one on PATH."""
    local = PROJECT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else os.environ.get("UV") or shutil.which("uv")


def _clean_env() -> dict[str, str]:
    """This environment less what would point the install at the checkout or its venv."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NEWS_") and k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }
    return {**env, "UV_PYTHON_DOWNLOADS": "never"}


def _run(
    args: list[str], cwd: Path, stdin: bytes = b"", ok: bool = True
) -> subprocess.CompletedProcess[bytes]:
    out = subprocess.run(
        args, cwd=cwd, env=_clean_env(), input=stdin, capture_output=True, timeout=300
    )
    if ok:
        assert out.returncode == 0, (args, out.stdout[-2000:], out.stderr[-4000:])
    return out


@dataclass(frozen=True)
class Installed:
    """The wheel and the venv it is installed in; ``work`` is an empty current directory."""

    wheel: Path
    venv: Path
    work: Path

    def cli(self, *args: str, stdin: bytes = b"", ok: bool = True) -> subprocess.CompletedProcess:
        """``news-ingest ARGS`` of the venv, run in ``work``."""
        return _run([str(self.venv / "bin" / "news-ingest"), *args], self.work, stdin, ok)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """uv build's wheel installed (no extras) into a new venv, pinned by the lock's export."""
    python = os.environ.get("PYTHON_NEXT") or find_python(*VERSIONS)
    if not python:
        pytest.skip(f"no python{' or python'.join(VERSIONS)} on PATH or under pyenv: "
                    "set PYTHON_NEXT to one")  # fmt: skip
    uv = _uv()
    if not uv:
        pytest.skip("no uv: make setup installs it in .tools/bin")
    tmp = tmp_path_factory.mktemp("packaging")
    _run([uv, "build", "--wheel", "--python", python, "--out-dir", str(tmp / "dist")], PROJECT)
    (wheel,) = (tmp / "dist").glob("news_ingest-*.whl")
    # Core dependencies only, at the locked versions for that Python (markers kept).
    constraints = tmp / "constraints.txt"
    _run(
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q",
         "--format", "requirements-txt", "-o", str(constraints)],
        PROJECT,
    )  # fmt: skip
    venv = tmp / "venv"
    _run([uv, "venv", "-q", "--python", python, str(venv)], tmp)
    _run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
          "-c", str(constraints), str(wheel)], tmp)  # fmt: skip
    work = tmp / "work"
    work.mkdir()
    return Installed(wheel, venv, work)


def test_the_wheel_holds_the_library_and_its_data_and_needs_no_airflow(
    installed: Installed,
) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"news_ingest", "news_ingest-0.1.0.dist-info"}
    assert "news_ingest/data/events_lexicon.yaml" in names
    assert "news_ingest/templates/report.html.j2" in names
    metadata = zipfile.ZipFile(installed.wheel).read("news_ingest-0.1.0.dist-info/METADATA")
    requires = [line for line in metadata.decode().splitlines() if line.startswith("Requires-")]
    airflow = [line for line in requires if "airflow" in line]
    assert airflow and all("extra == 'airflow'" in line for line in airflow), airflow
    assert not [line for line in requires if "duckdb" in line]
    # Named directly: lxml 6.2 no longer brings it, and trafilatura fails to import without.
    assert "Requires-Dist: lxml-html-clean>=0.4" in requires
    probe = (
        "import importlib.util as u, json, sys, news_ingest; print(json.dumps(["
        "list(sys.version_info[:2]), news_ingest.__file__, "
        "[m for m in ('airflow', 'duckdb') if u.find_spec(m)]]))"
    )
    out = _run([str(installed.venv / "bin" / "python"), "-c", probe], installed.work)
    version, where, present = json.loads(out.stdout)
    assert version[0] == 3 and version[1] >= 12, version
    assert "site-packages" in where and str(PROJECT) not in where, where
    assert present == [], f"installed beside the library: {present}"
    assert installed.cli("--version").stdout.decode().strip() == "news-ingest 0.1.0"


def test_extract_reads_a_local_html_file(installed: Installed) -> None:
    page = next(p for p in all_pages() if p.story.slug == "port-sudan-drone-strike")
    html = installed.work / "page.html"
    html.write_bytes(build_routes("http://127.0.0.1:8000")[page.path].body)
    article = json.loads(installed.cli("extract", "page.html").stdout)
    assert article["title"] == page.story.title
    assert article["text"].startswith(page.story.paragraphs[0])
    assert article["published_at"].startswith("2026-11-19T16:05")
    assert article["url"] == html.resolve().as_uri() and article["language"] == "en"


def test_events_and_places_read_json_lines(installed: Installed) -> None:
    doc = {
        "id": "a",
        "text": "Gunmen killed at least 12 villagers near Gusau on Tuesday, police said.",
        "published_at": "2026-11-19T09:00:00Z",
    }
    events = [
        json.loads(line) for line in installed.cli("events", stdin=_line(doc)).stdout.splitlines()
    ]
    assert len(events) == 1, events
    assert events[0]["id"] == "a" and events[0]["fatalities"] == 12
    assert events[0]["event_date"] == "2026-11-17" and events[0]["location"] == "Gusau"
    assert events[0]["country"] == "NGA"
    text = "Police said two people were killed in Nairobi, Kenya on Monday."
    out = installed.cli("places", stdin=_line({"id": "b", "text": text}))
    mentions = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(m["name"], m["country"]) for m in mentions] == [("Nairobi", "KEN"), ("Kenya", "KEN")]
    assert text[mentions[0]["start"] : mentions[0]["end"]] == "Nairobi"
    assert abs(mentions[0]["latitude"] + 1.28) < 0.1 and abs(mentions[0]["longitude"] - 36.8) < 0.1


def test_defaults_are_in_the_current_directory_not_site_packages(installed: Installed) -> None:
    shown = dict(
        line.split(None, 1) for line in installed.cli("config").stdout.decode().splitlines()
    )
    work = installed.work.resolve()
    assert shown["NEWS_FEEDS"].startswith(f"{work / 'feeds.yaml'} ")
    assert shown["NEWS_DATA_ROOT"].startswith(f"{work / 'data'} ")
    assert shown["NEWS_SEEDS_DIR"].startswith(f"{work / 'seeds'} ")
    missing = installed.cli("feeds", "check", ok=False)
    assert missing.returncode == 1
    assert b"feeds.yaml: no feed list there (NEWS_FEEDS names the feed list)" in missing.stderr
    (installed.work / "feeds.yaml").write_text(
        "feeds:\n  - {id: example-world, url: 'https://example.com/world/rss.xml'}\n"
    )
    assert installed.cli("feeds", "check").stdout.startswith(b"ok: 1 feeds in ")


def _line(doc: dict[str, str]) -> bytes:
    return (json.dumps(doc) + "\n").encode()
