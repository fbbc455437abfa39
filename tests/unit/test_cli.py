import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.site import all_pages, build_routes

PROJECT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "news_ingest.cli"]


def _run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120, check=False)


def test_extract_prints_article_columns_as_json() -> None:
    page = next(p for p in all_pages() if p.story.slug == "port-sudan-drone-strike")
    base = "http://127.0.0.1:8000"
    out = _run(["extract", "-", "--url", base + page.path], build_routes(base)[page.path].body)
    assert out.returncode == 0, out.stderr
    article = json.loads(out.stdout)
    assert article["title"] == page.story.title
    assert article["text"].startswith(page.story.paragraphs[0])
    assert article["published_at"].startswith("2026-11-19T16:05")
    assert article["url"] == base + page.path and article["language"] == "en"


def test_events_reads_json_lines_and_reports_bad_lines() -> None:
    docs = [
        {
            "id": "a",
            "text": "Gunmen killed at least 12 villagers near Gusau on Tuesday.",
            "published_at": "2026-11-19T09:00:00Z",
        },
        {"id": "b", "text": "Markets were calm."},
    ]
    stdin = ("\n".join(json.dumps(d) for d in docs) + "\n{not json}\n").encode()
    out = _run(["events"], stdin)
    assert out.returncode == 1 and b"line 3" in out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(events) == 1
    assert events[0]["id"] == "a" and events[0]["fatalities"] == 12
    assert events[0]["event_date"] == "2026-11-17" and events[0]["location"] == "Gusau"


def test_feeds_check_accepts_the_real_list_and_rejects_a_bad_one(tmp_path: Path) -> None:
    ok = _run(["feeds", "check"], b"")
    assert ok.returncode == 0 and ok.stdout.startswith(b"ok: ")
    bad = tmp_path / "bad.yaml"
    bad.write_text("feeds:\n  - {id: 'Bad Id', url: 'https://a.org'}\n")
    out = _run(["feeds", "check", "--file", str(bad)], b"")
    assert out.returncode == 1 and b"feeds.0.id" in out.stderr


def test_places_prints_each_mention_with_offsets_and_reports_bad_lines() -> None:
    text = "Shelling hit Saraqib in Idlib province on Monday."
    docs = [
        json.dumps({"id": "a", "text": text, "title": "Syria: shelling in Idlib"}),
        json.dumps({"id": "b", "text": None}),
    ]
    out = _run(["places"], ("\n".join(docs) + "\n").encode())
    assert out.returncode == 1 and b"line 2" in out.stderr and b"must be a string" in out.stderr
    mentions = [json.loads(line) for line in out.stdout.splitlines()]
    assert [m["name"] for m in mentions] == ["Saraqib", "Idlib"]
    for m in mentions:
        assert m["id"] == "a" and text[m["start"] : m["end"]] == m["text"]
        assert m["country"] == "SYR" and m["admin1"] == "Idlib"
    assert mentions[0]["feature"].startswith("P.") and mentions[1]["feature"] == "A.ADM1"


def test_extract_reads_a_file_and_names_columns_as_the_parquet(tmp_path: Path) -> None:
    from news_ingest import store

    page = next(p for p in all_pages() if p.story.slug == "port-sudan-drone-strike")
    html = tmp_path / "page.html"
    html.write_bytes(build_routes("http://127.0.0.1:8000")[page.path].body)
    out = _run(["extract", str(html)], b"")
    assert out.returncode == 0, out.stderr
    article = json.loads(out.stdout)
    assert article["title"] == page.story.title and article["url"] == html.as_uri()
    assert set(article) <= set(store.ARTICLES_SCHEMA.names) | {"text_sha256"}
    assert "date_source" in article and "page_date_source" not in article


def test_extract_fetches_a_page_from_its_url() -> None:
    from demo.server import SiteServer

    page = next(p for p in all_pages() if p.story.slug == "port-sudan-drone-strike")
    with SiteServer() as site:
        site.routes.update(build_routes(site.base_url))
        env = {**os.environ, "NEWS_ALLOW_PRIVATE_NETWORKS": "1"}
        out = subprocess.run(
            [*CLI, "extract", "--url", site.base_url + page.path],
            capture_output=True,
            timeout=120,
            check=False,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["title"] == page.story.title


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["extract", "-"], b"", 1, b"warning: no article text"),
        (["extract", "-"], bytes(range(256)) * 8, 1, b"warning: no article text"),
        (["extract", "/nonexistent/page.html"], b"", 2, b"error: cannot read"),
        (["extract"], b"", 2, b"error: give an HTML file"),
        (["events"], b'{"id": 1, "text": "caf\xe9"}\n', 1, b"line 1: skipped: not UTF-8"),
        (["events"], b'{"id": 1, "text": "x", "published_at": 5}\n', 1, b"line 1: skipped"),
        (["places"], b'{"id": 1, "text": null}\n', 1, b"line 1: skipped"),
    ],
)
def test_bad_input_gives_one_line_and_its_exit_code(
    args: list[str], stdin: bytes, code: int, message: bytes
) -> None:
    out = _run(args, stdin)
    assert out.returncode == code, out.stderr
    assert message in out.stderr and b"Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_version_and_feed_lists_that_are_empty_or_not_utf8(tmp_path: Path) -> None:
    version = _run(["--version"], b"")
    assert version.returncode == 0 and version.stdout.startswith(b"news-ingest ")
    empty, latin = tmp_path / "empty.yaml", tmp_path / "latin.yaml"
    empty.write_bytes(b"")
    latin.write_bytes(b"feeds:\n  - {id: caf\xe9, url: 'https://a.org'}\n")
    for path, message in ((empty, b"found an empty file"), (latin, b"not UTF-8")):
        out = _run(["feeds", "check", "--file", str(path)], b"")
        assert out.returncode == 1 and message in out.stderr and b"Traceback" not in out.stderr


@pytest.mark.parametrize("args", [["extract", "-"], ["events"], ["places"]])
def test_commands_refuse_to_wait_on_a_terminal(args: list[str]) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        out = subprocess.run(
            [*CLI, *args], stdin=follower, capture_output=True, timeout=120, check=False
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert out.returncode == 2 and b"refusing to read" in out.stderr


def test_config_prints_the_effective_settings_with_secrets_masked() -> None:
    env = {**os.environ, "NEWS_ALERT_WEBHOOK": "https://hooks.example.org/T0KEN"}
    env["NEWS_FETCH_CONCURRENCY"] = "5"
    out = subprocess.run([*CLI, "config"], capture_output=True, timeout=120, check=False, env=env)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line.split()[1] for line in out.stdout.decode().splitlines()}
    assert lines["NEWS_FETCH_CONCURRENCY"] == "5" and lines["NEWS_ALERT_WEBHOOK"] == "<set>"
    assert b"T0KEN" not in out.stdout
    env["NEWS_FETCH_CONCURRENCY"] = "eight"
    bad = subprocess.run([*CLI, "config"], capture_output=True, timeout=120, check=False, env=env)
    assert bad.returncode == 2 and b"NEWS_FETCH_CONCURRENCY='eight'" in bad.stderr


def test_a_reader_that_stops_early_ends_the_output_quietly(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "text": "Gunmen killed five villagers in Kauru, Nigeria."})
    source = tmp_path / "in.jsonl"
    source.write_text((line + "\n") * 3000, encoding="utf-8")
    with source.open("rb") as stdin:
        proc = subprocess.Popen(
            [*CLI, "events"], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        err = proc.stderr.read()
        code = proc.wait(timeout=120)
    assert json.loads(first)["id"] == "a"
    assert code == 141, err
    assert b"Traceback" not in err and b"BrokenPipe" not in err
