"""Hostile feeds and pages, each run THROUGH THE REAL PIPELINE (tests.support.nightly_run):
the demo feeds plus one hostile feed (or a feed listing one hostile page) per case.

Every case checks: the run ends within its bound, the fault is recorded in the run
manifest, the demo feeds' output is complete (same article ids as a clean run), no
dot-prefixed temp file is left, and the peak resident memory of the process and its
extraction workers stays bounded (recorded for RELIABILITY.md).
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from demo.server import SiteServer
from demo.site import DEMO_DAY
from news_ingest.config import Feed
from news_ingest.settings import Settings
from news_ingest.stages.manifest import RunManifest
from news_ingest.stages.poll import PollResult
from tests.faults import hostile as h
from tests.faults.conftest import PeakMemory
from tests.faults.figures import record
from tests.support import manifest_path, nightly_run

PUB = "Thu, 19 Nov 2026 12:00:00 GMT"  # inside the demo day
# What one run may add to the test process and its extraction workers (PSS): the process
# itself holds whatever earlier tests of the suite loaded.
MEMORY_BOUND_MIB = 1024
RUN_BOUND_S = 120.0  # a whole nightly run with one hostile feed


def rss(links: list[str], title: str = "Hostile") -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link><pubDate>{PUB}</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.invalid/</link>{items}</channel></rss>"
    ).encode()


def outputs(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def all_output_bytes(root: Path) -> bytes:
    """Every output file's bytes, gzip members (the WARC) decompressed too."""
    chunks = []
    for path in outputs(root):
        data = path.read_bytes()
        chunks.append(data)
        if path.name.endswith(".gz"):
            chunks.append(gzip.decompress(data))
    return b"\n".join(chunks)


def article_ids(root: Path, feed_prefix: str = "demo-") -> set[str]:
    folder = root / "articles" / f"date={DEMO_DAY}"
    table = pq.read_table(folder)
    return {r["article_id"] for r in table.to_pylist() if r["feed_id"].startswith(feed_prefix)}


@pytest.fixture(scope="module")
def clean_ids(demo_site: SiteServer, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The demo feeds' article ids of a run without hostile input."""
    root = tmp_path_factory.mktemp("clean")
    settings = _fault_settings(root)
    nightly_run(demo_site.base_url, settings)
    return article_ids(root / "data")


def _fault_settings(tmp: Path) -> Settings:
    return replace(
        Settings.from_env(),
        data_root=str(tmp / "data"),
        seeds_dir=str(Path(__file__).resolve().parents[2] / "seeds"),
        allow_private_networks=True,  # loopback only; link-local stays refused (http.py)
        read_timeout_s=2.0,
        connect_timeout_s=2.0,
        total_timeout_s=8.0,
        per_host_delay_s=0.0,
        backoff_base_s=0.05,
        max_retries=2,
        max_retry_after_s=2.0,
    )


@dataclass
class Case:
    """One hostile input: routes to add, the feed to list, what the manifest must say."""

    id: str
    routes: Callable[[h.HostileServer], dict[str, h.Handler]]
    feed_path: str = "/feed"
    expect: str = ""  # a substring of the recorded error (feed or page)
    where: str = "feed"  # "feed": the hostile feed's poll error; "page": a page error
    bound_s: float = RUN_BOUND_S


def _page_case(id: str, page: Callable[[h.HostileServer], h.Handler], expect: str) -> Case:
    """A valid feed on the hostile server listing one hostile page of the demo day."""

    def routes(srv: h.HostileServer) -> dict[str, h.Handler]:
        return {
            "/feed": h.body(rss([f"{srv.base_url}/page/{id}"]), "application/rss+xml"),
            f"/page/{id}": page(srv),
        }

    return Case(id, routes, expect=expect, where="page")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>http://example.invalid/a</link></item></channel></rss>
"""

NESTED = b"<html><body>" + b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000 + b"</body></html>"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + os.urandom(200_000)


def _article_html(title: str, charset_meta: str = "") -> str:
    para = (
        "The river council met on Thursday to discuss the new flood barriers, which "
        "residents said had been delayed for three years by disputes over funding. "
    )
    return (
        f"<html><head>{charset_meta}<title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>"
        + "".join(f"<p>{para}</p>" for _ in range(8))
        + "</article></body></html>"
    )


CASES = [
    Case("http-500-streak", lambda s: {"/feed": h.status(500)}, expect="HTTP 500"),
    Case("http-503-streak", lambda s: {"/feed": h.status(503)}, expect="HTTP 503"),
    Case("http-429-retry-after", lambda s: {"/feed": h.status(429, "1")}, expect="HTTP 429"),
    Case("connection-reset", lambda s: {"/feed": h.reset}, expect="HTTP error"),
    Case("read-timeout", lambda s: {"/feed": h.silent(s.stop_event)}, expect="imeout"),
    Case("slowloris-trickle", lambda s: {"/feed": h.trickle(s.stop_event)}, expect="time"),
    Case(
        "dripped-headers",
        lambda s: {"/feed": h.dripped_headers(s.stop_event)},
        expect="time limit",
    ),
    Case(
        "endless-102",
        lambda s: {"/feed": h.endless_informational(s.stop_event)},
        expect="time limit",
    ),
    Case(
        "truncated-gzip",
        lambda s: {"/feed": h.truncated_gzip(rss([f"{s.base_url}/x"] * 2000))},
        expect="truncated compressed body",
    ),
    Case(
        "gzip-bomb-1gb",
        lambda s: {"/feed": h.gzip_bomb("application/rss+xml")},
        expect="decompressed response exceeds",
    ),
    Case(
        "1gb-body-declared",
        lambda s: {"/feed": h.endless(s.stop_event, declare=True)},
        expect="too large",
    ),
    Case(
        "1gb-body-undeclared",
        lambda s: {"/feed": h.endless(s.stop_event, declare=False)},
        expect="exceeds",
    ),
    Case(
        "endless-redirects",
        lambda s: {"/endless/": h.endless_redirects},
        "/endless/0",
        expect="redirects",
    ),
    Case(
        "cyclic-redirects",
        lambda s: {"/cycle/a": h.redirect("/cycle/b"), "/cycle/b": h.redirect("/cycle/a")},
        "/cycle/a",
        expect="redirects",
    ),
    Case(
        "redirect-to-file",
        lambda s: {"/feed": h.redirect("file:///etc/passwd")},
        expect="refused scheme 'file'",
    ),
    Case(
        "redirect-to-ftp",
        lambda s: {"/feed": h.redirect("ftp://127.0.0.1/feed.xml")},
        expect="refused scheme 'ftp'",
    ),
    Case(
        "redirect-to-metadata",
        lambda s: {"/feed": h.redirect("http://169.254.169.254/latest/meta-data/")},
        expect="refused link-local",
    ),
    Case(
        "redirect-to-mapped-metadata",
        lambda s: {"/feed": h.redirect("http://[::ffff:169.254.169.254]/latest/")},
        expect="refused link-local",
    ),
    Case(
        "malformed-xml",
        lambda s: {"/feed": h.body(b"<rss><channel><item><title>x</ti", "application/rss+xml")},
        expect="parse: ",
    ),
    Case(
        "billion-laughs",
        lambda s: {"/feed": h.body(BILLION_LAUGHS, "application/rss+xml")},
        expect="entities",
    ),
    _page_case("pdf-as-html", lambda s: h.body(PDF), expect=""),
    _page_case("binary-as-html", lambda s: h.body(bytes(range(256)) * 2000), expect=""),
    _page_case("deeply-nested-html", lambda s: h.body(NESTED), expect=""),
    _page_case("empty-page", lambda s: h.body(b""), expect=""),
    _page_case(
        "page-gzip-bomb", lambda s: h.gzip_bomb("text/html"), expect="decompressed response exceeds"
    ),
    _page_case("page-1gb", lambda s: h.endless(s.stop_event, declare=False), expect="exceeds"),
    _page_case("page-503", lambda s: h.status(503), expect="HTTP 503"),
    _page_case(
        "page-dripped-headers", lambda s: h.dripped_headers(s.stop_event), expect="time limit"
    ),
    Case(
        "links-httpx-cannot-parse",
        lambda s: {
            "/feed": h.body(
                rss(
                    [
                        f"{s.base_url}/page/" + "a" * 70_000,
                        "http://\u2603.example/story",
                        f"{s.base_url}/page/a&#x7f;b",
                    ]
                ),
                "application/rss+xml",
            )
        },
        expect="invalid URL",
        where="page",
    ),
    _page_case(
        "page-redirect-to-metadata",
        lambda s: h.redirect("http://169.254.169.254/latest/meta-data/iam/"),
        expect="refused link-local",
    ),
]


def _run_case(
    case_id: str,
    demo_site: SiteServer,
    srv: h.HostileServer,
    feed_url: str,
    tmp_path: Path,
    clean_ids: set[str],
    bound_s: float = RUN_BOUND_S,
    settings: Settings | None = None,
) -> tuple[RunManifest, PollResult]:
    settings = settings or _fault_settings(tmp_path)
    feed = Feed(id="hostile", url=feed_url, kind="feed")
    with PeakMemory() as mem:
        run = nightly_run(demo_site.base_url, settings, extra_feeds=[feed])
    root = Path(settings.data_root)
    # What the run wrote, read back: the manifest an operator (and the report) sees.
    manifest = RunManifest.from_json(manifest_path(settings, run).read_text())
    poll = next(p for p in manifest.stages.poll if p.feed_id == "hostile")
    record(
        case_id,
        run_seconds=round(mem.seconds, 2),
        feed_seconds=poll.seconds,
        bound_s=bound_s,
        peak_rss_mib=round(mem.peak_mib, 1),
        rss_growth_mib=round(mem.growth_mib, 1),
    )
    assert mem.seconds < bound_s, f"{case_id} took {mem.seconds:.1f}s"
    assert mem.growth_mib < MEMORY_BOUND_MIB
    # The other feeds' output is complete, and published.
    assert article_ids(root) == clean_ids
    assert (root / "events" / f"date={DEMO_DAY}").is_dir()
    # No partial files: every write is temp + rename, and no temp is left behind.
    leftovers = [p for p in outputs(root) if p.name.startswith(".")]
    assert leftovers == []
    return manifest, poll


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_case_through_the_pipeline(
    case: Case,
    demo_site: SiteServer,
    hostile: h.HostileServer,
    tmp_path: Path,
    clean_ids: set[str],
) -> None:
    hostile.routes.update(case.routes(hostile))
    manifest, poll = _run_case(
        case.id,
        demo_site,
        hostile,
        hostile.base_url + case.feed_path,
        tmp_path,
        clean_ids,
        case.bound_s,
    )
    if case.where == "feed":
        assert poll.error and case.expect in str(poll.error), poll
        return
    assert poll.error is None, poll
    stages = manifest.stages
    page_errors = [
        str(e) for e in stages.fetch.errors + stages.extract.errors if e.feed_id == "hostile"
    ]
    root = Path(tmp_path / "data")
    rows = [
        r
        for r in pq.read_table(root / "articles" / f"date={DEMO_DAY}").to_pylist()
        if r["feed_id"] == "hostile"
    ]
    if case.expect:
        assert any(case.expect in e for e in page_errors), page_errors
    else:
        # Junk served as HTML: recorded as an extraction error, or kept as a non-article
        # (no text worth deduping or coding); never junk text in the articles.
        assert page_errors or all(not r["is_article"] for r in rows), (page_errors, rows)
    for r in rows:
        assert "\x00" not in (r["text"] or "") and "\ufffd" not in (r["title"] or "")


# -- hostile XML: external entities and a huge feed ------------------------------------------


def _xxe_feed(secret_path: Path, pad: int = 0, encoding: str = "utf-8") -> bytes:
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        + ("<!--" + " " * pad + "-->" if pad else "")
        + f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret_path}">]>'
        '<rss version="2.0"><channel><title>&xxe;</title>'
        f"<item><title>&xxe;</title><link>http://127.0.0.1/&xxe;</link>"
        f"<description>&xxe;</description><pubDate>{PUB}</pubDate></item></channel></rss>"
    )
    if encoding == "utf-7":
        # "<" written "+ADw-" after the ASCII declaration: no "<!ENTITY" byte string at all.
        prolog, rest = doc.split("?>", 1)
        return (prolog + "?>" + rest.replace("<", "+ADw-")).encode("ascii")
    return doc.encode(encoding)


@pytest.mark.parametrize(
    "variant",
    ["plain", "entity-after-64kib", "utf-16", "utf-7", "cp500"],
    ids=lambda v: f"xxe-{v}",
)
def test_external_entity_never_leaks_a_local_file(
    variant: str,
    demo_site: SiteServer,
    hostile: h.HostileServer,
    tmp_path: Path,
    clean_ids: set[str],
) -> None:
    marker = "XXE-SECRET-" + os.urandom(8).hex()
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    body = {
        "plain": _xxe_feed(secret),
        "entity-after-64kib": _xxe_feed(secret, pad=70_000),
        "utf-16": _xxe_feed(secret, encoding="utf-16"),
        "utf-7": _xxe_feed(secret, encoding="utf-7"),
        "cp500": _xxe_feed(secret, encoding="cp500"),
    }[variant]
    hostile.routes["/xxe"] = h.body(body, "application/rss+xml")
    _manifest, poll = _run_case(
        f"xxe-{variant}", demo_site, hostile, hostile.base_url + "/xxe", tmp_path, clean_ids
    )
    assert poll.error and "entities" in poll.error.message, poll
    assert marker.encode() not in all_output_bytes(tmp_path / "data")


def test_a_100000_item_feed_is_capped(
    demo_site: SiteServer, hostile: h.HostileServer, tmp_path: Path, clean_ids: set[str]
) -> None:
    other_day = "Tue, 10 Nov 2026 12:00:00 GMT"  # listed, but not the run's day
    items = "".join(
        f"<item><title>t{i}</title><link>{hostile.base_url}/a/{i}</link>"
        f"<pubDate>{other_day}</pubDate></item>"
        for i in range(100_000)
    )
    doc = f'<rss version="2.0"><channel><title>big</title>{items}</channel></rss>'.encode()
    hostile.routes["/big"] = h.body(doc, "application/rss+xml")
    _manifest, poll = _run_case(
        "100000-item-feed", demo_site, hostile, hostile.base_url + "/big", tmp_path, clean_ids
    )
    assert poll.error is None
    assert poll.health.items == 5000  # feeds.MAX_ITEMS_PER_FEED


def test_feed_links_to_other_schemes_and_metadata_are_never_fetched(
    demo_site: SiteServer,
    hostile: h.HostileServer,
    tmp_path: Path,
    clean_ids: set[str],
    loopback_only: list[tuple[str, int]],
) -> None:
    links = [
        "file:///etc/passwd",
        "ftp://127.0.0.1/pub/story.html",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/story",
        "http://0.0.0.0:1/story",
    ]
    hostile.routes["/links"] = h.body(rss(links), "application/rss+xml")
    manifest, poll = _run_case(
        "feed-links-file-ftp-metadata",
        demo_site,
        hostile,
        hostile.base_url + "/links",
        tmp_path,
        clean_ids,
    )
    assert poll.error is None and poll.health.items == 3  # file:// and ftp:// are dropped
    errors = {e.url: e.message for e in manifest.stages.fetch.errors}
    for link in links[2:]:
        assert "refused link-local" in errors[link], errors
    assert all(host in {"127.0.0.1", "::1"} for host, _ in loopback_only)


# -- charsets and titles -----------------------------------------------------------------------

CHARSET_CASES = {
    # id: (body, content type, the title the article must carry)
    "missing-charset-cp1252": (
        _article_html("Café owners protest “rent rises”").encode("cp1252"),
        "text/html",
        "Café owners protest “rent rises”",
    ),
    "wrong-header-charset": (
        _article_html("Протест у здания парламента", '<meta charset="windows-1251">').encode(
            "cp1251"
        ),
        "text/html; charset=utf-8",
        "Протест у здания парламента",
    ),
    "shift-jis-title": (
        _article_html("東京で大規模な抗議デモ", '<meta charset="shift_jis">').encode("shift_jis"),
        "text/html",
        "東京で大規模な抗議デモ",
    ),
}


@pytest.mark.parametrize("case_id", list(CHARSET_CASES))
def test_wrong_or_missing_charset_gives_the_right_title(
    case_id: str,
    demo_site: SiteServer,
    hostile: h.HostileServer,
    tmp_path: Path,
    clean_ids: set[str],
) -> None:
    page, ctype, title = CHARSET_CASES[case_id]
    path = f"/cs/{case_id}"
    hostile.routes[path] = h.body(page, ctype)
    hostile.routes[f"/feed-{case_id}"] = h.body(
        rss([hostile.base_url + path]), "application/rss+xml"
    )
    _run_case(
        case_id, demo_site, hostile, f"{hostile.base_url}/feed-{case_id}", tmp_path, clean_ids
    )
    rows = [
        r
        for r in pq.read_table(tmp_path / "data" / "articles" / f"date={DEMO_DAY}").to_pylist()
        if r["feed_id"] == "hostile"
    ]
    assert len(rows) == 1 and rows[0]["title"] == title, rows


# -- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "feed_id", ["../../etc", "..", "a/b", "feed\\x", "/abs", "ok.but.dots", "x" * 65, "UPPER"]
)
def test_a_feed_id_never_becomes_a_path(feed_id: str) -> None:
    from news_ingest.config import FeedListError, parse_feed_list

    doc = f"feeds:\n  - id: {json.dumps(feed_id)}\n    url: https://example.com/rss\n"
    with pytest.raises(FeedListError, match="must match"):
        parse_feed_list(doc)
