from datetime import UTC, datetime

from demo.site import GALLERY_PATH, SECTION_PATH, all_pages, build_routes
from news_ingest.extract import Extracted, PageInput, decode_html, extract_article, extract_batch

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
