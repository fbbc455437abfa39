"""The bundled demo news site: three outlets with their own templates, feeds and sitemaps."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path

from demo.server import Route
from demo.stories import STORIES, Story

DEMO_DAY = date(2026, 11, 19)
DEMO_DAYS = (date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20))
SEED_FILE = Path(__file__).resolve().parents[1] / "seeds" / "000_6e5a1f3359e505b1.txt"
SEED_COPY_SLUG = "is-offensive-syria-desert-troops"
WIRE_ORIGINAL, WIRE_COPY = "zamfara-gunmen-raid", "nigeria-village-attack-zamfara"
SAME_TOPIC = ("el-fasher-market-shelling", "port-sudan-drone-strike")
GALLERY_PATH = "/courier/gallery/week-in-pictures"
SECTION_PATH = "/frontline/africa/"
REDIRECTED_SLUG = "kharkiv-drone-attack"

OUTLETS = {
    "courier": "The Daily Courier",
    "meridian": "Meridian Times",
    "frontline": "Frontline Report",
}


@dataclass(frozen=True)
class Page:
    """A story as published on the site."""

    story: Story
    published: datetime

    @property
    def path(self) -> str:
        s = self.story
        return f"/{s.outlet}/{s.section}/{s.day.replace('-', '/')}/{s.slug}.html"


def seed_copy() -> Story:
    """The seed article as one outlet republished it: new headline, small edits, own boilerplate."""
    _title, _, body = SEED_FILE.read_text(encoding="utf-8").partition("\n")
    paragraphs = [
        p.strip()
        for p in body.split("\n")
        if p.strip() and p.strip() not in {"Advertisement", "info_icon"}
    ]
    paragraphs = paragraphs[:-1]  # the copy trims the closing paragraph
    paragraphs[0] = "BEIRUT (AFP) - " + paragraphs[0].replace("fierce", "stiff").replace(
        "a monitor said on Friday", "a war monitor reported on Friday"
    )
    return Story(
        outlet="meridian",
        day=DEMO_DAY.isoformat(),
        time="10:45",
        slug=SEED_COPY_SLUG,
        section="middle-east",
        title="Jihadists kill dozens of Syrian troops in desert fightback",
        authors=("AFP",),
        paragraphs=tuple(paragraphs),
    )


def all_pages() -> list[Page]:
    """Every article page of the site, in publication order."""
    pages = []
    for story in (*STORIES, seed_copy()):
        hh, mm = (int(x) for x in story.time.split(":"))
        y, m, d = (int(x) for x in story.day.split("-"))
        pages.append(Page(story, datetime(y, m, d, hh, mm, tzinfo=UTC)))
    return sorted(pages, key=lambda p: (p.published, p.story.slug))


_COMMENTS = (
    ("riverside_reader", "Thanks for reporting this. Hard to read but important."),
    ("k.obi", "Where are the follow-up questions to the ministry? We need answers."),
    ("Marta_L", "Shared with my family. Stay safe everyone."),
)


def _related(pages: list[Page], page: Page, limit: int = 4) -> str:
    same = [p for p in pages if p.story.outlet == page.story.outlet and p is not page][:limit]
    return "".join(f'<li><a href="{p.path}">{html.escape(p.story.title)}</a></li>' for p in same)


def _paragraphs(story: Story, ad_every: int, ad_html: str) -> str:
    out = []
    for i, para in enumerate(story.paragraphs, 1):
        out.append(f"<p>{html.escape(para)}</p>")
        if i % ad_every == 0 and i < len(story.paragraphs):
            out.append(ad_html)
    return "\n".join(out)


def render_courier(page: Page, base: str, pages: list[Page]) -> str:
    """The Daily Courier: classic layout, JSON-LD dates, inline ads, reader comments."""
    s = page.story
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": s.title,
        "datePublished": page.published.isoformat(),
        "author": [{"@type": "Person", "name": a} for a in s.authors],
        "publisher": {"@type": "Organization", "name": OUTLETS["courier"]},
    }
    ad = '<div class="ad-slot"><span>Advertisement</span><div class="ad">Shop the winter sale</div></div>'
    comments = "".join(
        f'<li class="comment"><b>{html.escape(u)}</b><p>{html.escape(t)}</p></li>'
        for u, t in _COMMENTS
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(s.title)} | The Daily Courier</title>
<link rel="canonical" href="{base}{page.path}">
<meta property="og:type" content="article">
<meta name="author" content="{html.escape("; ".join(s.authors))}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body>
<div id="cookie-banner">We use cookies to improve your experience. <button>Accept all</button>
<button>Manage preferences</button></div>
<header><a href="/courier/">The Daily Courier</a>
<nav><ul><li><a href="/courier/world/">World</a></li><li><a href="/courier/africa/">Africa</a></li>
<li><a href="/courier/business/">Business</a></li><li><a href="/courier/sport/">Sport</a></li>
<li><a href="/courier/subscribe">Subscribe</a></li></ul></nav></header>
<main><article class="story">
<h1>{html.escape(s.title)}</h1>
<div class="byline">By {html.escape(" and ".join(s.authors))}</div>
{_paragraphs(s, 3, ad)}
</article>
<aside class="related"><h2>Related stories</h2><ul>{_related(pages, page)}</ul></aside>
<section class="comments" id="comments"><h2>Comments (3)</h2><ul>{comments}</ul></section>
</main>
<footer><p>&copy; 2026 The Daily Courier. All rights reserved.</p>
<a href="/courier/privacy">Privacy</a> <a href="/courier/terms">Terms</a></footer>
</body></html>"""


def render_meridian(page: Page, base: str, pages: list[Page]) -> str:
    """Meridian Times: meta-tag dates, newsletter box, most-read sidebar."""
    s = page.story
    ad = '<p class="ad-note">Story continues below advertisement</p><div class="advert"></div>'
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{html.escape(s.title)} - Meridian Times</title>
<meta property="og:title" content="{html.escape(s.title)}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{page.published.isoformat()}">
<meta name="author" content="{html.escape(", ".join(s.authors))}">
<link rel="canonical" href="{page.path}">
</head><body>
<div class="consent">This site uses cookies. By continuing you agree to our cookie policy.
<a href="/meridian/cookies">Learn more</a></div>
<div class="masthead"><span class="logo">Meridian Times</span>
<ul class="menu"><li>Home</li><li>World</li><li>Europe</li><li>Middle East</li><li>Opinion</li></ul></div>
<div class="layout"><div class="main-col">
<h1 class="headline">{html.escape(s.title)}</h1>
<p class="meta">{html.escape(", ".join(s.authors))} &middot; {page.published:%d %B %Y}</p>
<div class="story-body">
{_paragraphs(s, 2, ad)}
</div>
<div class="newsletter">Get the Meridian morning briefing in your inbox. <input placeholder="Email">
<button>Sign up</button></div>
</div>
<div class="sidebar"><h3>Most read</h3><ol>{_related(pages, page, 5)}</ol></div></div>
<div class="footer">Meridian Times Ltd &middot; Registered in England &middot;
<a href="/meridian/about">About us</a></div>
</body></html>"""


def render_frontline(page: Page, base: str, pages: list[Page]) -> str:
    """Frontline Report: <time> element dates, share bar, read-more links, comment widget."""
    s = page.story
    ad = '<aside class="promo">Read more: <a href="/frontline/">Latest from the frontlines</a></aside>'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(s.title)}</title>
<link rel="canonical" href="{base}{page.path}">
<meta property="og:type" content="article">
</head><body>
<div class="gdpr-popup" role="dialog">Your privacy matters. We and our 142 partners store
and access information on your device. <button>I agree</button></div>
<nav class="topnav"><a href="/frontline/">Frontline Report</a> | <a href="/frontline/africa/">Africa</a>
| <a href="/frontline/asia/">Asia</a> | <a href="/frontline/europe/">Europe</a></nav>
<div class="share-bar"><a href="#">Share on X</a> <a href="#">Facebook</a> <a href="#">Email</a></div>
<article>
<header><h1>{html.escape(s.title)}</h1>
<p class="byline">by <span class="author">{html.escape(", ".join(s.authors))}</span>
<time datetime="{page.published.isoformat()}">{page.published:%B %d, %Y %H:%M} UTC</time></p></header>
<section class="article-body">
{_paragraphs(s, 4, ad)}
</section>
</article>
<div id="disqus_thread" class="comments"><p>Join the discussion: 12 comments</p></div>
<div class="more"><h2>More from Frontline</h2><ul>{_related(pages, page)}</ul></div>
<footer>Frontline Report is an independent newsroom. Contact: desk@frontline.example</footer>
</body></html>"""


RENDERERS = {"courier": render_courier, "meridian": render_meridian, "frontline": render_frontline}


def _gallery(base: str) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>In pictures: the week in photos | The Daily Courier</title>
<meta property="og:type" content="website"><link rel="canonical" href="{base}{GALLERY_PATH}">
</head><body><nav><a href="/courier/">Home</a></nav><main><h1>In pictures: the week in photos</h1>
<figure><img src="/img/1.jpg" alt=""><figcaption>Market traders in Lagos.</figcaption></figure>
<figure><img src="/img/2.jpg" alt=""><figcaption>Snow falls over Kyiv.</figcaption></figure>
<figure><img src="/img/3.jpg" alt=""><figcaption>Fans celebrate in Accra.</figcaption></figure>
</main></body></html>"""


def _section(base: str, pages: list[Page]) -> str:
    items = "".join(
        f'<li><a href="{p.path}">{html.escape(p.story.title)}</a></li>'
        for p in pages
        if p.story.outlet == "frontline"
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Africa - Frontline</title>
<meta property="og:type" content="website"><link rel="canonical" href="{base}{SECTION_PATH}">
</head><body><nav><a href="/frontline/">Frontline Report</a></nav><h1>Africa</h1><ul>{items}</ul>
</body></html>"""


def _rss(base: str, pages: list[Page]) -> bytes:
    items = []
    for p in pages:
        if p.story.outlet != "courier":
            continue
        link = f"{base}{p.path}"
        items.append(
            f"<item><title>{html.escape(p.story.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            f"<pubDate>{format_datetime(p.published, usegmt=True)}</pubDate>"
            f"<description>{html.escape(p.story.paragraphs[0])}</description></item>"
        )
    gallery_time = format_datetime(datetime(2026, 11, 19, 18, 0, tzinfo=UTC), usegmt=True)
    items.append(
        f"<item><title>In pictures: the week in photos</title><link>{base}{GALLERY_PATH}</link>"
        f"<pubDate>{gallery_time}</pubDate></item>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>The Daily Courier</title><link>{base}/courier/</link>"
        "<description>News from The Daily Courier</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _atom(base: str, pages: list[Page]) -> bytes:
    entries = []
    for p in pages:
        if p.story.outlet != "meridian":
            continue
        link = f"{base}{p.path}?utm_source=atom&amp;utm_medium=feed"
        if p.story.slug == REDIRECTED_SLUG:
            link = f"{base}/meridian/r/{p.story.slug}"
        stamp = p.published.isoformat().replace("+00:00", "Z")
        entries.append(
            f'<entry><title>{html.escape(p.story.title)}</title><link href="{link}"/>'
            f"<id>tag:meridian.example,2026:{p.story.slug}</id><published>{stamp}</published>"
            f"<updated>{stamp}</updated><author><name>{html.escape(p.story.authors[0])}</name>"
            f"</author><summary>{html.escape(p.story.paragraphs[0])}</summary></entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Meridian Times</title><id>tag:meridian.example,2026:feed</id>"
        "<updated>2026-11-20T23:00:00Z</updated>" + "".join(entries) + "</feed>"
    ).encode()


def _sitemaps(base: str, pages: list[Page]) -> tuple[bytes, bytes]:
    urls = []
    for p in pages:
        if p.story.outlet != "frontline":
            continue
        urls.append(
            f"<url><loc>{base}{p.path}</loc><news:news><news:publication>"
            "<news:name>Frontline Report</news:name><news:language>en</news:language>"
            f"</news:publication><news:publication_date>{p.published.isoformat()}"
            f"</news:publication_date><news:title>{html.escape(p.story.title)}</news:title>"
            "</news:news></url>"
        )
    urls.append(
        f"<url><loc>{base}{SECTION_PATH}</loc><lastmod>2026-11-19T20:00:00+00:00</lastmod></url>"
    )
    news = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(urls) + "</urlset>"
    ).encode()
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/frontline/sitemap-news.xml</loc></sitemap></sitemapindex>"
    ).encode()
    return index, news


def build_routes(base: str) -> dict[str, Route]:
    """Every path of the demo site, for a server reachable at ``base``."""
    pages = all_pages()
    routes: dict[str, Route] = {}
    for p in pages:
        body = RENDERERS[p.story.outlet](p, base, pages)
        routes[p.path] = Route(body.encode("utf-8"))
        if p.story.slug == REDIRECTED_SLUG:
            routes[f"/meridian/r/{p.story.slug}"] = Route(
                status=301, headers={"Location": f"{base}{p.path}"}
            )
    routes[GALLERY_PATH] = Route(_gallery(base).encode())
    routes[SECTION_PATH] = Route(_section(base, pages).encode())
    xml = "application/xml; charset=utf-8"
    routes["/courier/rss.xml"] = Route(_rss(base, pages), "application/rss+xml; charset=utf-8")
    routes["/meridian/atom.xml"] = Route(_atom(base, pages), "application/atom+xml; charset=utf-8")
    index, news = _sitemaps(base, pages)
    routes["/frontline/sitemap.xml"] = Route(index, xml)
    routes["/frontline/sitemap-news.xml"] = Route(news, xml)
    routes["/robots.txt"] = Route(
        f"User-agent: *\nAllow: /\nSitemap: {base}/frontline/sitemap.xml\n".encode(), "text/plain"
    )
    return routes


def feed_list_yaml(base: str) -> str:
    """A feed list pointing at the demo site, plus one feed that is broken on purpose."""
    return f"""# Generated by the demo: the bundled offline news site on {base}
feeds:
  - id: demo-courier
    url: {base}/courier/rss.xml
    kind: feed
    source: {OUTLETS["courier"]}
    language: en
  - id: demo-meridian
    url: {base}/meridian/atom.xml
    source: {OUTLETS["meridian"]}
    language: en
  - id: demo-frontline
    url: {base}/frontline/sitemap.xml
    kind: sitemap
    source: {OUTLETS["frontline"]}
    language: en
  - id: demo-gone
    url: {base}/gone/rss.xml
    source: A feed that no longer exists (404), to show isolated failures
"""


def stories_of(day: date) -> list[Page]:
    """Article pages published on ``day``."""
    return [p for p in all_pages() if p.published.date() == day]


def write_site(folder: Path, base: str) -> None:
    """Write the site's files under ``folder`` for inspection."""
    for path, route in build_routes(base).items():
        target = folder / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(route.body)


__all__ = ["DEMO_DAY", "Page", "build_routes", "feed_list_yaml", "replace"]
