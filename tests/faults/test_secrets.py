"""Secrets live in Airflow Connections or the environment, never in the repository or the
feed list: grep every tracked file for credential-looking strings."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from news_ingest.config import load_feed_list

PROJECT = Path(__file__).resolve().parents[2]

PATTERNS = {
    "AWS access key id": r"\b(AKIA|ASIA)[0-9A-Z]{16}\b",
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "GitHub token": r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}",
    "Slack token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    "Slack/Teams webhook": (
        r"hooks\.slack\.com/services/T[A-Z0-9]+/|webhook\.office\.com/webhookb2/"
    ),
    "Google API key": r"\bAIza[0-9A-Za-z_-]{35}\b",
    "password in a URL": r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"$]{3,}@[a-z0-9.-]+",
    "assigned secret": (
        r"(?i)\b(aws_secret_access_key|api[_-]?key|secret[_-]?key|auth[_-]?token|password)"
        r"[ \t]*[:=][ \t]*['\"]?[A-Za-z0-9/+_-]{16,}"
    ),
}
# Placeholders that are documented as such: moto accepts any credentials; the compose and
# report tests feed fake ones in to check they are passed through or redacted.
ALLOWED = {"test-key-id", "test-secret", "test-postgres_password-0123456789", "key:secret@bucket"}
# This file spells the patterns out.
SKIP = {"tests/faults/test_secrets.py"}


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True
    ).stdout
    names = [n for n in out.decode().split("\0") if n and n not in SKIP]
    return [PROJECT / n for n in names if (PROJECT / n).is_file()]


def test_no_credentials_in_tracked_files() -> None:
    hits = []
    compiled = {name: re.compile(p) for name, p in PATTERNS.items()}
    for path in tracked_files():
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        for name, pattern in compiled.items():
            for match in pattern.finditer(text):
                if not any(ok in match.group(0) for ok in ALLOWED):
                    line = text.count("\n", 0, match.start()) + 1
                    hits.append(f"{path.relative_to(PROJECT)}:{line}: {name}")
    assert hits == [], hits


def test_the_pattern_catches_what_it_should() -> None:
    fake = "AKIA" + "ABCDEFGHIJKLMNOP"
    assert re.search(PATTERNS["AWS access key id"], f"key = {fake}")
    assert re.search(PATTERNS["password in a URL"], "postgresql://news:" + "hunter22@db.internal/x")
    assert not re.search(PATTERNS["password in a URL"], "postgresql://news:${PG_PASSWORD}@db/x")


def test_feed_list_carries_no_credentials() -> None:
    for feed in load_feed_list(str(PROJECT / "include" / "config" / "feeds.yaml")):
        parts = urlsplit(feed.url)
        assert parts.username is None and parts.password is None, feed.id
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        assert not keys & {"key", "api_key", "apikey", "token", "access_token", "secret"}, feed.id
