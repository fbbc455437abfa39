"""Fuzz the feed, sitemap, charset and page parsers with hypothesis for a time budget.

    python bench/fuzz/run.py [SECONDS_PER_TARGET]      (make bench-fuzz: 60 s each)

Each target takes hostile bytes (random, or random sequences of structural fragments:
XML/feed/HTML tags, charset declarations, BOMs, entities) and may only fail the way its
contract says: the feed and sitemap parsers with FeedParseError, the charset decoder and
the page extractor not at all. Any other exception is reported with the input hypothesis
shrank it to; the exit status is 1 when something was found.
"""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from news_ingest.charset import decode_document
from news_ingest.extract import ExtractOptions, extract_article
from news_ingest.feeds import FeedParseError, parse_feed, parse_sitemap
from tests.faults.test_properties import FRAGMENTS

HTML_FRAGMENTS = [
    b"<html>",
    b"<head>",
    b'<meta charset="idna">',
    b'<meta charset="utf-7">',
    b'<meta charset="rot13">',
    b'<meta charset="shift_jis">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">',
    b'<?xml version="1.0" encoding="utf-32"?>',
    b"<title>",
    b"</title>",
    b'<link rel="canonical" href="http://[::1/x">',
    b'<link rel="canonical" href="javascript:void(0)">',
    b'<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": ',
    b'"2026-11-19T25:61:00Z", "author": [{"name": null}], "isAccessibleForFree": "False"}',
    b"</script>",
    b'<meta property="article:published_time" content="99999-01-01">',
    b'<time datetime="0000-00-00">',
    b"<body><article><h1>x</h1><p>",
    b"The council voted on Thursday to close the bridge. " * 8,
    b"</p>",
    b"<div>" * 50,
    b"</div>" * 50,
    b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc",
    b"&#0;&#x110000;&#xD800;&nbsp",
    b"\x00\x00\xfe\xff",
    b"</body></html>",
]


def doc(fragments: list[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=4000),
        st.lists(st.sampled_from(fragments) | st.binary(max_size=16), max_size=40).map(b"".join),
    )


CTYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/html; charset=idna",
        "text/html; charset=bogus",
        "application/rss+xml",
        "application/feed+json",
        "text/html; charset=utf-16",
    ]
)
OPTIONS = ExtractOptions()


def _feed(body: bytes, ctype: str | None) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed("fuzz", body, "http://example.com/feed", ctype)


def _sitemap(body: bytes, ctype: str | None) -> None:
    with contextlib.suppress(FeedParseError):
        parse_sitemap("fuzz", body)


def _charset(body: bytes, ctype: str | None) -> None:
    assert isinstance(decode_document(body, ctype), str)


def _page(body: bytes, ctype: str | None) -> None:
    extract_article(body, "http://example.com/2026/11/19/story", ctype, OPTIONS)


TARGETS: dict[str, tuple[Callable[[bytes, str | None], None], list[bytes]]] = {
    "feed": (_feed, FRAGMENTS),
    "sitemap": (_sitemap, FRAGMENTS),
    "charset": (_charset, HTML_FRAGMENTS + FRAGMENTS),
    "page": (_page, HTML_FRAGMENTS),
}


def fuzz(name: str, budget_s: float) -> dict[str, Any]:
    target, fragments = TARGETS[name]
    found: dict[str, tuple[bytes, str | None, str]] = {}
    runs = 0
    last: list[Any] = []

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=doc(fragments), ctype=CTYPES)
    def check(body: bytes, ctype: str | None) -> None:
        nonlocal runs
        runs += 1
        try:
            target(body, ctype)
        except Exception:
            last[:] = [body, ctype, traceback.format_exc(limit=-3)]
            raise

    end = time.monotonic() + budget_s
    while time.monotonic() < end:
        try:
            check()
        except Exception as exc:
            group = exc.exceptions if isinstance(exc, ExceptionGroup) else (exc,)
            for sub in group:
                key = f"{type(sub).__name__}: {str(sub)[:120]}"
                if last and key not in found:
                    found[key] = (last[0], last[1], "".join(traceback.format_exception(sub)[-4:]))
    return {"target": name, "inputs": runs, "seconds": budget_s, "found": found}


def main() -> int:
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    problems = 0
    for name in TARGETS:
        result = fuzz(name, budget)
        print(
            f"{name:8s} {result['inputs']:7d} inputs in {budget:.0f}s, "
            f"{len(result['found'])} distinct failure(s)"
        )
        for key, (body, ctype, tb) in result["found"].items():
            problems += 1
            print(f"  {key}\n    input={body[:200]!r} content_type={ctype!r}\n{tb}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
