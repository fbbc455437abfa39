import json
from datetime import UTC, datetime

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from trafilatura.settings import Extractor

from demo.site import GALLERY_PATH, SECTION_PATH, all_pages, build_routes
from news_ingest.extract import (
    DEFAULT_OPTIONS,
    Extracted,
    ExtractOptions,
    PageInput,
    decode_html,
    extract_article,
    extract_batch,
    is_consent_wall,
    load_html,
    trafilatura_options,
)

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


_FRENCH_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Sécheresse : l'État débloque une aide d'urgence | Le Courrier du Sud</title>
<meta property="og:title" content="Sécheresse : l'État débloque une aide d'urgence">
</head><body>
<header><nav><a href="/">Accueil</a> <a href="/france/">France</a> <a href="/monde/">Monde</a>
<a href="/economie/">Économie</a> <a href="/abonnement/">S'abonner</a></nav></header>
<main><article>
<h1>Sécheresse : l'État débloque une aide d'urgence pour les agriculteurs</h1>
<p class="byline">Par Claire Moreau, à Montpellier</p>
<p>Anglais en tête : «&nbsp;Water crisis&nbsp;», titrait un journal londonien. Le gouvernement a
annoncé mardi de nouvelles mesures pour soutenir les agriculteurs touchés par la sécheresse.
Selon le ministre, plus de deux mille exploitations recevront une aide avant la fin du mois.</p>
<p>Les syndicats agricoles réclament toutefois un plan à plus long terme. Dans plusieurs
départements du sud, les nappes phréatiques n'ont jamais été aussi basses depuis vingt ans, et
les préfets ont imposé des restrictions sur l'arrosage des jardins et le remplissage des
piscines.</p>
<p>Les élus locaux craignent que les prix alimentaires augmentent encore cet hiver. «&nbsp;Nous
avons perdu la moitié de la récolte de maïs&nbsp;», explique un exploitant de l'Hérault, qui
dit avoir dû vendre une partie de son troupeau faute de fourrage.</p>
<p>Le ministère promet un nouveau point d'étape avant la fin de l'année, après la
publication des relevés hydrologiques de novembre.</p>
</article></main>
<footer><p>© 2026 Le Courrier du Sud. Tous droits réservés.</p>
<a href="/mentions-legales/">Mentions légales</a> <a href="/cookies/">Cookies</a></footer>
</body></html>"""


def test_language_of_a_french_page_from_its_opening_paragraphs() -> None:
    art = extract_article(
        _FRENCH_PAGE.encode(), "https://courrier-sud.example/france/2026/11/19/secheresse-aide"
    )
    assert "nappes phréatiques" in art.text and "Mentions légales" not in art.text
    assert art.language == "fr"
    assert art.language_confidence is not None and art.language_confidence > 0.9


def _language_seen(ext: Extracted) -> str | None:
    return ext.language


def test_a_batch_gives_each_page_its_own_language_as_a_single_extraction_does() -> None:
    # Languages are identified after the whole chunk is extracted, not page by page.
    english = ROUTES[PAGES["zamfara-gunmen-raid"].path].body
    french_url = "https://courrier-sud.example/france/2026/11/19/secheresse-aide"
    pages = [
        PageInput("en", english, BASE + PAGES["zamfara-gunmen-raid"].path),
        PageInput("fr", _FRENCH_PAGE.encode(), french_url),
        PageInput("empty", b"<html><body></body></html>", BASE + "/empty"),
    ]
    batch = list(extract_batch(pages, workers=1, chunk_pages=8, then=_language_seen))
    results = {r.key: r.extracted for r in batch}
    for p, result in zip(pages, batch, strict=True):
        alone = extract_article(p.body, p.url)
        batched = results[p.key]
        assert batched is not None
        assert result.extra == alone.language  # ``then`` sees the language too
        assert (batched.language, batched.language_confidence) == (
            alone.language,
            alone.language_confidence,
        )
    assert results["en"].language == "en" and results["fr"].language == "fr"
    assert results["empty"].language is None


def _form_page(slug: str) -> bytes:
    """A demo story with what pages carry in forms: search, newsletter sign-up, comments."""
    page = ROUTES[PAGES[slug].path].body.decode()
    forms = """<form class="search" action="/search"><label for="q">Search</label>
<input id="q" name="q" type="search" placeholder="Search the site"><button>Go</button></form>
<form class="newsletter" action="/subscribe" method="post"><label>Email
<input type="email" name="email"></label><select name="edition"><option>UK</option>
<option selected>World</option></select><input type="checkbox" checked> Daily briefing
<button type="submit">Sign up</button></form>
<form class="comment" method="post"><label for="c">Your comment</label>
<textarea id="c" name="comment">Be civil.</textarea><input type="submit" value="Post"></form>"""
    return page.replace("</body>", forms + "</body>", 1).encode()


def _class_of_a_form() -> str:
    from trafilatura.utils import load_html

    tree = load_html("<html><body><form><input name='q'><label>Q</label></form></body></html>")
    return ",".join(type(node).__name__ for node in tree.iter("form", "input", "label"))


def _form_classes_seen(ext: Extracted) -> str:
    return _class_of_a_form()


def test_workers_extract_with_plain_element_classes_what_a_single_extraction_does() -> None:
    # The workers give every element lxml.html's plain class (no FormElement, InputElement,
    # LabelElement): faster, and every field of every page comes out the same.
    slugs = list(PAGES)[:4]
    pages = [
        PageInput(slug, body, BASE + PAGES[slug].path)
        for slug in slugs
        for body in (ROUTES[PAGES[slug].path].body, _form_page(slug))
    ]
    batch = list(extract_batch(pages, workers=1, chunk_pages=3, then=_form_classes_seen))
    assert {r.extra for r in batch} == {"HtmlElement,HtmlElement,HtmlElement"}
    for page, result in zip(pages, batch, strict=True):
        assert result.extracted == extract_article(page.body, page.url)
    # This process keeps trafilatura's parser as shipped.
    assert _class_of_a_form() == "FormElement,InputElement,LabelElement"


def _slots(settings: Extractor) -> dict[str, object]:
    return {name: getattr(settings, name) for name in Extractor.__slots__}


@pytest.mark.parametrize(
    "options",
    [DEFAULT_OPTIONS, ExtractOptions(fast=False, favor_precision=True, include_tables=False)],
)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/a/story", "http://h/caf\u00e9/\udcff", ""])
def test_trafilatura_settings_copied_per_page_are_those_its_keywords_build(
    options: ExtractOptions, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Built once and copied per page (its config file read once): every setting must be
    # what bare_extraction builds from the keywords it was called with before, the page's
    # URL and source included.
    built: list[Extractor] = []

    class Recorded(Extractor):
        def __init__(self, **keywords: object) -> None:
            super().__init__(**keywords)
            built.append(self)

    monkeypatch.setattr(trafilatura.core, "Extractor", Recorded)
    trafilatura.bare_extraction(
        "<html><body><p>A page.</p></body></html>",
        url=url,
        include_comments=False,
        include_tables=options.include_tables,
        favor_precision=options.favor_precision,
        fast=options.fast,
    )
    monkeypatch.undo()
    first = trafilatura_options(options, url)
    assert _slots(first) == _slots(built[0])
    # A copy: the next page's URL never reaches this page's settings.
    trafilatura_options(options, "http://other/")
    assert first.url == url


def test_extraction_with_copied_settings_equals_trafilatura_called_with_keywords() -> None:
    for slug in list(PAGES)[:6]:
        url, body = BASE + PAGES[slug].path, ROUTES[PAGES[slug].path].body
        by_keywords = trafilatura.bare_extraction(
            load_html(decode_html(body, None)), url=url, include_comments=False, fast=True
        )
        copied = trafilatura.bare_extraction(
            load_html(decode_html(body, None)), options=trafilatura_options(DEFAULT_OPTIONS, url)
        )
        assert copied.text and _fields(copied) == _fields(by_keywords)


def _fields(document: trafilatura.settings.Document) -> dict[str, object]:
    """A document's fields, its trees as their markup."""
    return {
        name: etree.tostring(value) if isinstance(value, etree._Element) else value
        for name, value in document.as_dict().items()
    }


_SECTIONS = ("World", "Africa", "Middle East", "Business", "Markets", "Climate", "Sport")


def _brief_page(story_html: str, json_ld: str) -> bytes:
    """A wire brief inside a news site's chrome: analytics, a mega-menu, icons, a footer."""
    menu = "".join(
        f'<li><a href="/{s.lower()}/">{s}</a><ul>'
        + "".join(f'<li><a href="/{s.lower()}/{t}/">{s} {t}</a></li>' for t in ("latest", "video"))
        + "</ul></li>"
        for s in _SECTIONS
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Bridge reopens in Mosul | Example News</title>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"section": "world"}});</script>
<script type="application/ld+json">{json_ld}</script>
<style>.mega-menu ul {{ display: flex; }}</style></head><body>
<nav class="mega-menu" aria-label="Sections"><ul>{menu}</ul></nav>
<div class="wrap"><h1>Bridge reopens in Mosul</h1>
<span class="share"><svg viewBox="0 0 24 24"><title>Share on X</title></svg></span>
{story_html}</div>
<noscript>Please enable JavaScript to read the comments.</noscript>
<footer><p>&copy; 2026 Example News. All rights reserved.</p></footer></body></html>""".encode()


def test_a_short_story_rescued_from_the_raw_page_never_brings_the_menu_along() -> None:
    # Too short for trafilatura's main path and in no <p>: its rescue dumps the page's text,
    # which would list all 21 menu entries before the story.
    story = (
        "MOSUL - The old bridge over the Tigris reopened to traffic on Thursday after two "
        "years of repairs, the governor said.<br>Traffic will be limited to cars until spring."
    )
    page = _brief_page(f'<div class="story">{story}</div>', '{"@type": "NewsArticle"}')
    art = extract_article(page, "https://news.example.com/world/2026/11/19/bridge-reopens")
    assert art.text == story.replace("<br>", "\n")
    assert art.title == "Bridge reopens in Mosul"


def test_the_json_ld_article_body_still_rescues_a_page_that_shows_only_a_teaser() -> None:
    body = (
        "The old bridge over the Tigris reopened to traffic on Thursday after two years of "
        "repairs. Engineers replaced four of its spans and the governor said lorries would "
        "be allowed back once the load tests end in the spring, easing the queues at the "
        "city's two other crossings."
    )
    json_ld = f'{{"@type": "NewsArticle", "headline": "Bridge reopens", "articleBody": "{body}"}}'
    page = _brief_page('<div class="teaser">Subscribe to read more.</div>', json_ld)
    art = extract_article(page, "https://news.example.com/world/2026/11/19/bridge-reopens")
    assert art.text == body


# Pages as a news site serves them, for the rule of what counts as an article: a head
# with OpenGraph and JSON-LD, a header with the section menu, a "most read" rail, a
# comments block and a footer around the story.
_SITE = "The Harbour Courier"
_MENU = ("News", "World", "Business", "Sport", "Opinion", "Weather")
_RAIL = (
    "Ferry timetable changes from Monday",
    "Council delays vote on harbour parking",
    "Fishing fleet returns early as storm nears",
)


def _news_page(
    story_html: str,
    *,
    headline: str | None,
    published: str | None,
    og_type: str | None = "article",
    ld_type: str | None = "NewsArticle",
    title: str | None = None,
) -> bytes:
    """A page of the Harbour Courier; ``title`` overrides the <title> built from the headline."""
    head = ['<meta charset="utf-8">', f'<meta property="og:site_name" content="{_SITE}">']
    if title is not None:
        head.append(f"<title>{title}</title>")
    elif headline:
        head.append(f"<title>{headline} | {_SITE}</title>")
    if headline:
        head.append(f'<meta property="og:title" content="{headline}">')
    if og_type:
        head.append(f'<meta property="og:type" content="{og_type}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if ld_type:
        ld: dict[str, str] = {"@context": "https://schema.org", "@type": ld_type}
        if headline:
            ld["headline"] = headline
        if published:
            ld["datePublished"] = published
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    menu = "".join(f'<li><a href="/{m.lower()}/">{m}</a></li>' for m in _MENU)
    rail = "".join(f'<li><a href="/news/{i}">{t}</a></li>' for i, t in enumerate(_RAIL))
    h1 = f"<h1>{headline}</h1>" if headline else ""
    stamp = f'<time datetime="{published}">{published[:10]}</time>' if published else ""
    return f"""<!doctype html><html lang="en"><head>{"".join(head)}</head><body>
<header class="site-header"><a class="logo" href="/">{_SITE}</a>
<nav><ul>{menu}</ul></nav><a class="subscribe" href="/subscribe/">Subscribe</a></header>
<main><article class="story">{h1}<p class="byline">By Staff Reporter {stamp}</p>
{story_html}</article>
<aside class="most-read"><h2>Most read</h2><ol>{rail}</ol></aside>
<section id="comments"><h3>2 comments</h3>
<div class="comment"><p class="who">harbourwatcher</p><p>Same thing happened last winter
and nobody was held to account for it.</p></div>
<div class="comment"><p class="who">jm_1987</p><p>Thanks for the update.</p></div>
</section></main>
<footer><ul><li><a href="/about/">About us</a></li><li><a href="/privacy/">Privacy</a></li>
<li><a href="/contact/">Contact</a></li></ul><p>&copy; 2026 {_SITE}</p></footer>
</body></html>""".encode()


_REPORT = (
    "<p>PORT ALDER, March 4 - Flooding after two days of heavy rain closed the coast road "
    "between Port Alder and Kestrel Bay on Tuesday, county officials said.</p>"
    "<p>Rescue crews used boats to reach about 300 residents stranded in low-lying streets "
    "near the river mouth. No deaths or injuries were reported.</p>"
    "<p>The county emergency office said it expected the water to recede by Thursday and "
    "asked drivers to use the inland route until then.</p>"
)
_FLASH = (
    "<p>PORT ALDER, March 4 - Two explosions were heard near the container terminal early "
    "on Wednesday, harbour police said.</p>"
)
_REPORT_URL = "https://courier.example/news/coast-road-closed-by-floods"
_FLASH_URL = "https://courier.example/news/explosions-heard-near-terminal"
_PUBLISHED = "2026-03-04T06:12:00+00:00"


def _brief_words(art: Extracted) -> Extracted:
    # The cases below are about briefs: shorter than the old 80-word floor, longer than 40.
    assert 40 <= art.word_count < 80, art.word_count
    return art


def test_a_seventy_word_report_with_headline_and_date_is_an_article() -> None:
    page = _news_page(_REPORT, headline="Floods close coast road", published=_PUBLISHED)
    art = _brief_words(extract_article(page, _REPORT_URL))
    assert art.text.startswith("PORT ALDER") and "harbourwatcher" not in art.text
    assert art.title == "Floods close coast road" and art.page_published_at is not None
    assert art.is_article
    # A brief needs no story markup (which a one-sentence flash needs): a bare template
    # and an id-in-the-query URL.
    bare = _news_page(
        _REPORT,
        headline="Floods close coast road",
        published=_PUBLISHED,
        og_type=None,
        ld_type=None,
    )
    assert _brief_words(
        extract_article(bare, "https://courier.example/news/item?id=8823")
    ).is_article


def test_a_one_sentence_flash_with_headline_date_and_story_markup_is_an_article() -> None:
    page = _news_page(_FLASH, headline="Explosions heard near terminal", published=_PUBLISHED)
    art = extract_article(page, _FLASH_URL)
    assert art.word_count < 40 and art.is_article


def test_a_flash_whose_markup_and_url_do_not_say_story_is_not_an_article() -> None:
    # Same text, but no article page type and a URL with neither a date nor a slug.
    page = _news_page(
        _FLASH,
        headline="Explosions heard near terminal",
        published=_PUBLISHED,
        og_type=None,
        ld_type=None,
    )
    art = extract_article(page, "https://courier.example/news/item")
    assert art.title and art.page_published_at is not None
    assert not art.is_article


def test_a_seventy_word_page_without_headline_or_date_is_not_an_article() -> None:
    page = _news_page(_REPORT, headline=None, published=None, title="")
    art = _brief_words(extract_article(page, _REPORT_URL))
    # With no <title>, og:title or <h1>, trafilatura titles the page after its first <h2>,
    # the rail's "Most read": a title, not the story's headline.
    assert art.title in (None, "Most read") and art.page_published_at is None
    assert not art.is_article


def test_a_brief_needs_both_its_headline_and_its_date() -> None:
    undated = _news_page(_REPORT, headline="Floods close coast road", published=None)
    art = _brief_words(extract_article(undated, _REPORT_URL))
    assert art.title and art.page_published_at is None and not art.is_article
    untitled = _news_page(_REPORT, headline=None, published=_PUBLISHED, title="")
    art = _brief_words(extract_article(untitled, _REPORT_URL))
    assert art.title in (None, "Most read") and art.page_published_at is not None
    assert not art.is_article


def _long_listing(kind: str) -> str:
    return "".join(
        f"<p>{kind} {i}: Crews cleared debris from the harbour wall on Tuesday while "
        "residents of the low-lying streets near the river mouth returned to their homes "
        f"to assess the damage left by two days of rain.</p>"
        for i in range(1, 6)
    )


def test_tag_index_and_gallery_pages_are_not_articles_whatever_their_length() -> None:
    pages = {
        # A tag page that calls itself an article: only its URL tells.
        "https://courier.example/tags/floods/": _news_page(
            _long_listing("Story"), headline="Floods", published=_PUBLISHED
        ),
        # A section front at a plain URL: only its page type tells.
        "https://courier.example/weather/": _news_page(
            _long_listing("Story"),
            headline="Weather",
            published=_PUBLISHED,
            og_type="website",
            ld_type="CollectionPage",
        ),
        # A photo gallery marked up as an article: its URL tells.
        "https://courier.example/gallery/2026/03/04/floods-in-pictures": _news_page(
            _long_listing("Photo"), headline="Floods in pictures", published=_PUBLISHED
        ),
    }
    for url, page in pages.items():
        art = extract_article(page, url)
        assert art.word_count >= 80 and art.title and art.page_published_at, url
        assert not art.is_article, url


_MORE = (
    "<p>Try searching the site, or go back to the home page to read the latest news, "
    "sport and weather from Port Alder and the rest of the county. Our newsroom updates "
    "the front page through the day, and the most read stories are listed below.</p>"
)
_NOT_FOUND_PAGES = [
    # The template's title says it.
    (
        "Page not found | The Harbour Courier",
        "<p>Oops! That link seems to be broken, or the story has moved.</p>" + _MORE * 2,
    ),
    # The title is the site's; the body's opening says it.
    (
        "The Harbour Courier",
        "<p>Sorry, the page you were looking for has moved or been removed, or the link you "
        "followed may be broken.</p>" + _MORE,
    ),
    # The title is the site's; the body's first line is the heading.
    ("The Harbour Courier", "<h2>404 Not Found</h2><p>Oops! That link is broken.</p>" + _MORE),
]


def test_a_not_found_page_is_not_an_article_by_its_title_or_its_opening() -> None:
    # A dead link to a dated story: the URL gives a date, the template a title.
    url = "https://courier.example/news/2026/03/04/coast-road-closed-by-floods"
    for title, body in _NOT_FOUND_PAGES:
        art = extract_article(_news_page(body, headline=None, published=None, title=title), url)
        assert art.word_count >= 40 and art.title and art.page_published_at, body
        assert not art.is_article, body


_CONSENT = (
    "<p>We value your privacy</p>"
    "<p>We and our 812 partners use cookies and similar technologies to store and/or access "
    "information on your device, to measure audiences and to show you personalised ads "
    "and content. Some of our partners process your data on the basis of legitimate "
    "interest, which you can object to.</p>"
    "<p>By clicking Accept all you consent to this processing. You can change your mind at "
    "any time by choosing Manage preferences at the bottom of every page, or refuse "
    "cookies that are not strictly necessary. Read our cookie policy and privacy policy "
    "to learn more about how we and our partners use your information.</p>"
    "<p>Accept all</p><p>Reject all</p><p>Manage preferences</p>"
)


def test_a_consent_wall_served_at_a_story_url_is_not_an_article() -> None:
    page = _news_page(_CONSENT, headline="Floods close coast road", published=_PUBLISHED)
    art = extract_article(page, _REPORT_URL)
    assert art.word_count >= 80 and art.title and art.page_published_at
    assert not art.is_article


_WALL_LINES = (
    "We use cookies",
    "We and our partners store cookies",
    "and our 12 vendors",
    "Your consent matters",
    "Accept all",
    "Decline all.",
    "accept and close",
    "Cookie policy",
    "Manage settings",
    "legitimate interest",
    "store and/or access information",
    "personalised ads",
    "By clicking OK",
    "by continuing to use the site",
)
_STORY_LINES = (
    "Floods closed the coast road on Monday.",
    "The stores reopened after the storm.",
    "Business partners met in Lagos.",
    "Officials did not manage to reach the village.",
)


# Letters the regex engine takes for an ASCII letter when ignoring case.
_FOLDS_TO = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def _consent_by_every_line(text: str) -> bool:
    # The definition, line by line, with no shortcut.
    from news_ingest.extract import _CONSENT_SPEAK, _CONSENT_WORDS

    if not any(word in text.lower() for word in _CONSENT_WORDS):
        return False
    lines = text.splitlines()
    total = sum(len(line.split()) for line in lines)
    consent = sum(len(line.split()) for line in lines if _CONSENT_SPEAK.search(line))
    return total > 0 and consent * 2 >= total


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_WALL_LINES + _STORY_LINES),
            st.sampled_from(["", "\u0130", "\u0131", "\u017f", "\u212a", "É"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["\n", "\r\n", "\u2028", "\x1c", "\n\n"]),
)
def test_consent_wall_reads_as_every_line_searched(
    lines: list[tuple[str, str, bool]], newline: str
) -> None:
    # Lines are searched only when they hold a word of some consent phrase: the verdict
    # must be the one of searching every line, letters that lower-case apart included.
    text = newline.join(
        (line.replace(_FOLDS_TO.get(odd, "e"), odd, 1) if swap else line + odd)
        for line, odd, swap in lines
    )
    assert is_consent_wall(text) == _consent_by_every_line(text)


@pytest.mark.parametrize("line", _WALL_LINES)
def test_each_consent_phrase_alone_can_make_a_wall(line: str) -> None:
    # The phrase's line holds half the words: the verdict turns on that line alone.
    words = len(line.split())
    filler = " ".join(["Rules", *["apply"] * (words - 2), "privacy"][-words:])
    text = f"{line}\n{filler}"
    assert len(text.split()) == 2 * words
    assert is_consent_wall(text)
    assert not is_consent_wall(f"{text}\nOne more line of the story.")


def test_settings_copied_after_midnight_seek_dates_up_to_the_new_day(monkeypatch) -> None:
    # The settings are built once a process; a page's date limit is its own day's.
    import datetime as real

    import trafilatura.settings

    before = trafilatura_options(DEFAULT_OPTIONS, "http://a.example/story")

    class Tomorrow(real.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return real.datetime.now(tz) + real.timedelta(days=1)

    monkeypatch.setattr(trafilatura.settings, "datetime", Tomorrow)
    after = trafilatura_options(DEFAULT_OPTIONS, "http://a.example/story")
    assert after.date_params["max_date"] > before.date_params["max_date"]
    assert after.date_params["extensive_search"] == before.date_params["extensive_search"]
