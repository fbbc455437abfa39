"""Dates with provenance, paywall and page-kind flags, metadata, boilerplate and the time limit."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from trafilatura.utils import load_html

from news_ingest import extract
from news_ingest.extract import (
    Extracted,
    ExtractOptions,
    PageInput,
    extract_article,
    extract_batch,
)
from news_ingest.text import learn_boilerplate, strip_boilerplate

PROJECT = Path(__file__).resolve().parents[2]
SEED = (PROJECT / "seeds" / "000_6e5a1f3359e505b1.txt").read_text(encoding="utf-8")
BODY = [
    "The regional council approved a new flood defence plan on Tuesday after a year of "
    "consultations with residents, farmers and engineers along the river valley.",
    "Under the plan, embankments will be raised by up to a metre over four years and two "
    "retention basins will be dug upstream of the town, officials told reporters.",
    "Opposition members said the budget was too small for the scale of the works and asked "
    "for an independent review of the cost estimates before construction begins.",
    "Residents who lost homes in last winter's floods welcomed the decision but said the "
    "timetable was too slow, pointing to repeated delays in earlier projects.",
]


def page(
    head: str = "",
    body_extra: str = "",
    paragraphs: list[str] | None = None,
    title: str = "Council approves flood defence plan",
) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in (paragraphs or BODY))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"{head}</head><body><header><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"</header><main><article><h1>{title}</h1>{body_extra}{paras}</article></main>"
        "<footer>Contact us | Privacy</footer></body></html>"
    ).encode()


URL = "https://news.example.com/local/flood-defence-plan"
JSONLD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "datePublished": "2026-11-19T08:30:00+01:00",
    "dateModified": "2026-11-19T12:00:00Z",
    "author": {"@type": "Person", "name": "Ana Ruiz"},
}


@pytest.mark.parametrize(
    ("head", "url", "body_extra", "expected", "source"),
    [
        (
            f"<script type='application/ld+json'>{json.dumps(JSONLD)}</script>",
            URL,
            "",
            datetime(2026, 11, 19, 7, 30, tzinfo=UTC),
            "json-ld",
        ),
        (
            "<meta property='article:published_time' content='2026-11-18T22:15:00-05:00'>",
            URL,
            "",
            datetime(2026, 11, 19, 3, 15, tzinfo=UTC),
            "meta",
        ),
        (
            "<meta content='2026-11-17T10:00:00Z' name='parsely-pub-date'>",
            URL,
            "",
            datetime(2026, 11, 17, 10, 0, tzinfo=UTC),
            "meta",
        ),
        (
            "",
            URL,
            "<time datetime='2026-11-16T06:45:00Z'>16 November</time>",
            datetime(2026, 11, 16, 6, 45, tzinfo=UTC),
            "text",
        ),
        (
            "",
            "https://news.example.com/2026/11/15/flood-defence-plan",
            "",
            datetime(2026, 11, 15, tzinfo=UTC),
            "url",
        ),
        (
            "",
            URL,
            "<p class='date'>Published 14 November 2026</p>",
            datetime(2026, 11, 14, tzinfo=UTC),
            "text",
        ),
        ("", URL, "", None, None),
    ],
)
def test_page_dates_with_their_source(head, url, body_extra, expected, source) -> None:
    art = extract_article(page(head, body_extra), url)
    assert art.page_published_at == expected
    assert art.page_date_source == source


def test_modified_date_and_authors_from_json_ld() -> None:
    art = extract_article(
        page(f"<script type='application/ld+json'>{json.dumps(JSONLD)}</script>"), URL
    )
    assert art.modified_at == datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
    assert art.authors == ["Ana Ruiz"]


def test_metadata_site_description_image_tags_language() -> None:
    head = (
        "<meta property='og:site_name' content='Valley Gazette'>"
        "<meta name='description' content='The council approved the flood plan.'>"
        "<meta property='og:image' content='https://news.example.com/img/flood.jpg'>"
        "<meta property='article:tag' content='floods'><meta property='article:tag' "
        "content='council'><meta property='article:section' content='Local'>"
    )
    art = extract_article(page(head), URL)
    assert art.site_name == "Valley Gazette"
    assert art.description == "The council approved the flood plan."
    assert art.image_url == "https://news.example.com/img/flood.jpg"
    assert {"floods", "council"} <= set(art.tags)
    assert art.language == "en" and art.language_confidence is not None
    assert art.language_confidence > 0.9
    assert art.is_article and not art.is_paywalled


@pytest.mark.parametrize(
    ("head", "body_extra", "paragraphs"),
    [
        (
            '<script type=\'application/ld+json\'>{"@type": "NewsArticle", '
            '"isAccessibleForFree": false}</script>',
            "",
            None,
        ),
        ("<meta property='article:content_tier' content='locked'>", "", None),
        ("", "", [BODY[0], "Subscribe to continue reading. Already a subscriber? Sign in."]),
    ],
)
def test_paywalled_pages_are_flagged(head, body_extra, paragraphs) -> None:
    assert extract_article(page(head, body_extra, paragraphs), URL).is_paywalled


@pytest.mark.parametrize(
    ("url", "head", "paragraphs"),
    [
        ("https://news.example.com/tag/floods/", "", None),
        ("https://news.example.com/category/local/", "", None),
        (URL, "<meta property='og:type' content='website'>", None),
        (URL, "", [BODY[0]]),
    ],
)
def test_index_tag_and_short_pages_are_not_articles(url, head, paragraphs) -> None:
    assert not extract_article(page(head, "", paragraphs), url).is_article


def test_seed_boilerplate_lines_are_gone_from_the_body() -> None:
    lines = [ln for ln in SEED.split("\n")[1:] if ln.strip()]
    art = extract_article(page(paragraphs=lines, title=SEED.split("\n")[0]), URL)
    assert "Syrian Observatory for Human Rights" in art.text
    body_lines = set(art.text.split("\n"))
    assert "Advertisement" not in body_lines and "info_icon" not in body_lines
    assert (
        art.text.count("\n")
        == len([ln for ln in lines if ln not in ("Advertisement", "info_icon")]) - 1
    )


def test_site_boilerplate_is_learned_across_its_pages() -> None:
    promo = "Download our app for breaking news alerts"
    texts = [f"Story {i} first paragraph.\n{promo}\nStory {i} ends." for i in range(4)]
    learned = learn_boilerplate(texts)
    assert learned == {promo}
    assert promo not in strip_boilerplate(texts[0], learned)
    assert learn_boilerplate(texts[:2]) == set()  # too few pages to tell


def test_runaway_page_is_stopped_and_the_batch_goes_on(monkeypatch) -> None:
    # 20,000 small blocks, which trafilatura takes about 2 s over here; so that no machine
    # is fast enough to finish it inside the limit (one was, with 8,000), the extraction of
    # this page then goes on as a runaway would (the workers are forked: they inherit this).
    blocks = "".join(
        f"<div class='c{i % 50}'><p>Paragraph {i} of filler text.</p><span>x</span></div>"
        for i in range(20000)
    )
    huge = page(body_extra=blocks)
    real = extract._extract_page

    def runaway(page_input: PageInput, options: ExtractOptions) -> Any:
        result = real(page_input, options)
        while page_input.key == "slow":
            time.sleep(0.05)
        return result

    monkeypatch.setattr(extract, "_extract_page", runaway)
    pages = [
        PageInput("ok1", page(), URL),
        PageInput("slow", huge, URL),
        PageInput("ok2", page(), URL),
    ]
    results = list(extract_batch(pages, ExtractOptions(time_limit_s=0.5), workers=1))
    assert [r.key for r in results] == ["ok1", "slow", "ok2"]
    assert results[1].extracted is None and "timed out after 0.5s" in (results[1].error or "")
    assert results[0].extracted is not None and results[2].extracted is not None
    assert results[2].extracted.text == results[0].extracted.text


def _slow_stuck_or_dead(ext: Extracted) -> None:
    """A ``then`` that runs long, hangs where no alarm reaches it, or kills its worker, by title."""
    if ext.title == "Slow":
        time.sleep(30)
    if ext.title == "Stuck":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(30)
    if ext.title == "Dead":
        os._exit(3)


def test_a_slow_page_is_stopped_in_its_chunk_without_redoing_the_chunk(monkeypatch) -> None:
    pages = [
        PageInput("ok1", page(), URL),
        PageInput("slow", page(title="Slow"), URL),
        PageInput("ok2", page(), URL),
    ]
    redone: list[str] = []
    collect = extract._collect

    def spy(single: Any, options: ExtractOptions) -> Any:
        redone.append(single.item[0].key)
        return collect(single, options)

    monkeypatch.setattr(extract, "_collect", spy)
    results = list(
        extract_batch(pages, ExtractOptions(time_limit_s=0.5), workers=1, then=_slow_stuck_or_dead)
    )
    assert "timed out after 0.5s" in (results[1].error or "")
    assert results[0].extracted is not None and results[2].extracted is not None
    assert redone == []  # the worker's alarm stopped it; the chunk was not sent again


@pytest.mark.parametrize(
    ("title", "error"), [("Stuck", "timed out after 0.5s"), ("Dead", "worker failed")]
)
def test_a_page_that_hangs_or_kills_its_worker_loses_only_itself(monkeypatch, title, error) -> None:
    monkeypatch.setattr(extract, "CHUNK_GRACE_S", 0.5)
    pages = [PageInput(f"p{i}", page(), URL) for i in range(5)]
    pages[2] = PageInput("bad", page(title=title), URL)
    started = time.monotonic()
    results = list(
        extract_batch(
            pages,
            ExtractOptions(time_limit_s=0.5),
            workers=2,
            then=_slow_stuck_or_dead,
            chunk_pages=3,
        )
    )
    assert [r.key for r in results] == ["p0", "p1", "bad", "p3", "p4"]
    assert results[2].extracted is None and error in (results[2].error or "")
    assert all(r.extracted is not None and r.error is None for i, r in enumerate(results) if i != 2)
    assert time.monotonic() - started < 20


def test_pages_that_raise_are_reported_not_fatal() -> None:
    results = list(
        extract_batch(
            [PageInput("bin", b"\x00\xff" * 10, URL), PageInput("ok", page(), URL)], workers=2
        )
    )
    assert results[1].extracted is not None
    assert results[0].error is None or "failed" in results[0].error


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ('<a rel="author" href="/staff/ana">Ana Ruiz</a>', "Ana Ruiz"),
        ('<span itemprop="author">By Li Wei and Sam Okafor</span>', "Li Wei; Sam Okafor"),
        ('<p class="story-byline">by Claire Moreau, Tom Hale</p>', "Claire Moreau; Tom Hale"),
        ('<div class="AuthorName">Par Jean Dupont</div>', "Jean Dupont"),
        ('<div class="author-box">Updated 12 May 2026</div>', None),
        ('<div class="headline">No byline here</div>', None),
    ],
)
def test_byline_from_author_markup_when_the_page_states_no_author(markup, expected) -> None:
    html = (
        "<html><head><title>T</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Title</h1>{markup}<p>Body text.</p></article></body></html>"
    )
    assert extract.byline(load_html(html)) == expected


def test_byline_is_the_first_author_markup_in_the_page() -> None:
    # In document order, whichever attribute marks it; one with digits is no name.
    html = (
        "<html><body><header class='author-nav'><span>12</span></header>"
        "<p class='byline'>By Nadia Haddad</p><a rel='author'>Other Person</a></body></html>"
    )
    assert extract.byline(load_html(html)) == "Nadia Haddad"


def test_comma_joined_keywords_become_one_tag_each() -> None:
    head = (
        "<meta name='keywords' content='floods, council,  budget , floods'>"
        "<meta property='article:tag' content='river levels, evacuation'>"
    )
    art = extract_article(page(head), URL)
    assert all("," not in tag for tag in art.tags), art.tags
    assert len(art.tags) == len(set(art.tags))
    assert len(art.tags) >= 2


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "1000-06-01", "9999-12-31"]
)
def test_placeholder_dates_are_no_dates(value: str) -> None:
    from news_ingest.extract import parse_timestamp

    assert parse_timestamp(value) is None
    assert parse_timestamp("2026-11-19T09:00:00+01:00") == datetime(2026, 11, 19, 8, tzinfo=UTC)
