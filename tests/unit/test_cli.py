import json
import subprocess
import sys
from pathlib import Path

from demo.site import all_pages, build_routes

PROJECT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "news_ingest.cli"]


def _run(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, timeout=120, check=False)


def test_extract_prints_article_columns_as_json() -> None:
    page = next(p for p in all_pages() if p.story.slug == "port-sudan-drone-strike")
    base = "http://127.0.0.1:8000"
    out = _run(["extract", "--url", base + page.path], build_routes(base)[page.path].body)
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
