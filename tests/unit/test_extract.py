from datetime import UTC, datetime

from demo.site import GALLERY_PATH, SECTION_PATH, all_pages, build_routes
from news_ingest.extract import decode_html, extract_article

BASE = "http://127.0.0.1:8000"
ROUTES = build_routes(BASE)
PAGES = {p.story.slug: p for p in all_pages()}


def _extract(slug: str):
    page = PAGES[slug]
    return page, extract_article(ROUTES[page.path].body, BASE + page.path)


def test_body_keeps_the_story_and_drops_boilerplate_and_comments() -> None:
    for slug in ("zamfara-gunmen-raid", "kharkiv-drone-attack", "port-sudan-drone-strike"):
        page, art = _extract(slug)
        assert art.text.split("\n")[0] == page.story.paragraphs[0]
        assert page.story.paragraphs[-1] in art.text
        for junk in (
            "cookies",
            "Advertisement",
            "Accept all",
            "Sign up",
            "Share on X",
            "Stay safe everyone",
            "Related stories",
            "Most read",
        ):
            assert junk not in art.text, (slug, junk)


def test_metadata_title_authors_language_and_page_date() -> None:
    page, art = _extract("zamfara-gunmen-raid")
    assert art.title == page.story.title
    assert art.authors == list(page.story.authors)
    assert art.language == "en"
    assert art.page_published_at == page.published
    assert art.is_article and art.word_count > 150


def test_dates_from_meta_tags_and_time_elements() -> None:
    for slug in ("kharkiv-drone-attack", "port-sudan-drone-strike"):
        page, art = _extract(slug)
        assert art.page_published_at == page.published, slug


def test_relative_same_site_canonical_is_resolved() -> None:
    page, art = _extract("nairobi-student-protest")
    assert art.canonical_url == BASE + page.path
    assert art.domain == "127.0.0.1"


def test_gallery_and_section_pages_are_not_articles() -> None:
    for path in (GALLERY_PATH, SECTION_PATH):
        art = extract_article(ROUTES[path].body, BASE + path)
        assert not art.is_article, path


def test_empty_and_binary_pages_give_empty_non_articles() -> None:
    assert not extract_article(b"", "http://a.org/x").is_article
    art = extract_article(b"%PDF-1.7\x00\x01\x02" * 50, "http://a.org/x.pdf")
    assert not art.is_article and art.page_published_at is None


def test_charset_from_meta_when_http_header_is_missing() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body>caf\xe9</body></html>'
    assert "café" in decode_html(html.encode("cp1252"))
    assert decode_html("ünïcode".encode(), "text/html; charset=utf-8") == "ünïcode"
    assert datetime(2026, 1, 1, tzinfo=UTC)  # dates are UTC-aware throughout
