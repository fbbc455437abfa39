"""The extract stage: date provenance, one row per article of D, learned boilerplate."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa

from demo.server import Route, SiteServer
from demo.site import DEMO_DAY
from news_ingest import store
from news_ingest.config import parse_feed_list
from news_ingest.http import Fetcher
from news_ingest.settings import Settings
from news_ingest.stages.common import work_uri
from news_ingest.stages.extract import (
    EXTRACTED_SCHEMA,
    ExtractResult,
    _strip_learned,
    _stripped,
    extract_articles,
)
from news_ingest.stages.fetch import PAGES_SCHEMA, fetch_pages
from news_ingest.stages.poll import poll_feed
from news_ingest.stages.select import select_items_of_day

RUN = "test-run"  # the run whose staging folder these stages share


def test_date_provenance_feed_then_page_then_capture(settings: Settings) -> None:
    body = " ".join(["Council members debated the new budget for schools and roads."] * 15)

    def html(head: str) -> bytes:
        return (
            f"<html><head><title>T</title>{head}</head><body><article><p>{body}</p>"
            "</article></body></html>"
        ).encode()

    with SiteServer() as site:
        items = [
            ("feed-dated", "<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate>", ""),
            (
                "page-dated",
                "",
                "<meta property='article:published_time' content='2026-11-19T09:30:00Z'>",
            ),
            ("undated", "", ""),
            (
                "page-other-day",
                "",
                "<meta property='article:published_time' content='2026-11-12T09:30:00Z'>",
            ),
        ]
        rss = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            + "".join(
                f"<item><title>{slug}</title><link>{site.base_url}/{slug}</link>{date}</item>"
                for slug, date, _ in items
            )
            + "</channel></rss>"
        )
        site.routes["/rss"] = Route(rss.encode(), "application/rss+xml")
        for slug, _, head in items:
            site.routes[f"/{slug}"] = Route(html(head))
        feeds = parse_feed_list(f"feeds:\n  - {{id: f, url: '{site.base_url}/rss'}}\n")
        with Fetcher(settings) as fetcher:
            polls = [poll_feed(f, DEMO_DAY, RUN, settings, fetcher) for f in feeds]
            sel = select_items_of_day(polls, DEMO_DAY, RUN, settings.data_root)
            pages = fetch_pages(sel.uri, DEMO_DAY, RUN, settings, fetcher)
    extracted = extract_articles(pages.uri, DEMO_DAY, RUN, settings.data_root)
    rows = {r["url"].rsplit("/", 1)[-1]: r for r in store.read_table(extracted.uri).to_pylist()}
    assert set(rows) == {"feed-dated", "page-dated", "undated"}
    assert rows["feed-dated"]["date_source"] == "feed"
    assert rows["page-dated"]["date_source"] == "meta"
    assert rows["undated"]["date_source"] == "capture"
    assert rows["undated"]["published_at"] is None
    assert extracted.other_days == 1
    assert extracted.date_sources == {"capture": 1, "feed": 1, "meta": 1}


def _page_rows(count: int, edit=lambda page, html: html) -> list[dict]:
    """``count`` fetched demo article pages of distinct stories, bodies put through ``edit``."""
    from datetime import UTC, datetime

    from demo.site import RENDERERS, all_pages

    templates = all_pages()
    rows = []
    for i in range(count):
        page = templates[i % len(templates)]
        page = replace(page, story=replace(page.story, slug=f"{page.story.slug}-{i}"))
        url = f"http://news.example{page.path}"
        body = edit(page, RENDERERS[page.story.outlet](page, "http://news.example", templates))
        rows.append(
            {
                "feed_id": "f",
                "source": "S",
                "url": url,
                "canonical_url": url,
                "article_id": f"id-{i}",
                "title": page.story.title,
                "published_at": page.published,
                "final_url": url,
                "status": 200,
                "content_type": "text/html; charset=utf-8",
                "body": body.encode(),
                "fetched_at": datetime(2026, 11, 19, 23, tzinfo=UTC),
                "error": None,
            }
        )
    return rows


def _extract_rows(rows: list[dict], settings: Settings) -> ExtractResult:
    uri = work_uri(settings.data_root, DEMO_DAY, RUN, "pages.parquet")
    store.write_table_atomic(uri, pa.Table.from_pylist(rows, schema=PAGES_SCHEMA))
    return extract_articles(uri, DEMO_DAY, RUN, settings.data_root)


def test_extracts_every_page_of_a_night_larger_than_the_pool_backlog(settings: Settings) -> None:
    """More pages than the extraction pool keeps in flight: each one is extracted once."""
    rows = _page_rows(60)  # the pool holds workers * 8 pages in flight
    extracted = _extract_rows(rows, settings)
    assert extracted.extracted == 60 and extracted.failed == 0
    urls = store.read_table(extracted.uri).column("url").to_pylist()
    assert sorted(urls) == sorted(r["url"] for r in rows if r["published_at"].date() == DEMO_DAY)


PROMO = "Get the Gazette app for breaking news alerts."


def _with_promo(page, html: str) -> str:
    """The page with a promo paragraph after its story's first, as some sites put one."""
    opening = page.story.paragraphs[0].split()[0]
    end_of_first = html.index("</p>", html.index(f"<p>{opening}")) + len("</p>")
    return f"{html[:end_of_first]}<p>{PROMO}</p>{html[end_of_first:]}"


def test_a_line_repeated_across_a_sites_bodies_is_stripped(settings: Settings) -> None:
    rows = _page_rows(24, _with_promo)
    extracted = _extract_rows(rows, settings)
    texts = store.read_table(extracted.uri).column("text").to_pylist()
    assert texts and extracted.boilerplate_stripped == len(texts)
    assert not [t for t in texts if PROMO in t]
    # The same pages without the promo lose nothing.
    plain = _extract_rows(_page_rows(24), settings)
    assert plain.boilerplate_stripped == 0
    assert store.read_table(plain.uri).column("text").to_pylist() == texts


def test_only_the_rows_of_sites_that_learned_lines_change_and_as_stripping_each_would(
    settings: Settings,
) -> None:
    # A batch of two sites in turn, one of which learned its promo line: the batch comes
    # out as stripping every row by itself does, in the same order.
    rows = store.read_table(_extract_rows(_page_rows(24), settings).uri).to_pylist()
    assert len(rows) >= 4
    for n, row in enumerate(rows):
        if n % 2:
            row.update(domain="promo.example", text=f"{row['text']}\n{PROMO}")
    learned = {"promo.example": {PROMO}, rows[0]["domain"]: set()}
    stats = {"stripped": 0}
    part = pa.RecordBatch.from_pylist(rows, EXTRACTED_SCHEMA)
    table = _stripped(part, learned, stats)
    expected = [dict(row) for row in rows]
    changed = [_strip_learned(row, learned.get(row["domain"], set())) for row in expected]
    assert table.schema == EXTRACTED_SCHEMA
    assert table.to_pylist() == expected
    assert stats["stripped"] == sum(changed) == len(rows) // 2
    assert all(PROMO not in row["text"] for row in table.to_pylist())
