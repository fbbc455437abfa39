"""A night's worth of generated news: N article pages over many outlets, with RSS feeds.

Built from the demo site (its three page templates and its stories): every outlet is a
loopback address of its own (127.0.0.2 and up) with one of the demo templates, wrapped in
that outlet's own heavy boilerplate (navigation menus, inline scripts and styles, cookie
banner, footer link farms), so pages weigh 40-160 KB as real news pages do. Bodies are
new text per article: a demo story's lead with its numbers changed, then paragraphs from
a word-level Markov chain over the demo stories of the same desk (hard news, business or
features, 40/25/35%). About 8% of the articles are
syndicated copies of another outlet's article with small edits. Pages are stored gzipped
on disk (the server sends them as they are), so a 100k corpus stays a few GB.
"""

from __future__ import annotations

import gzip
import html
import json
import os
import random
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from demo.site import RENDERERS, Page
from demo.stories import STORIES, Story

LAYOUTS = tuple(RENDERERS)
# A night's mix: hard news (where events are), business, and features, each written from
# the demo stories of its own sections so a sports story reads like one.
DESKS = {
    "news": (0.4, ("world", "africa", "middle-east", "europe", "asia")),
    "business": (0.25, ("business",)),
    "features": (0.35, ("culture", "sport", "science")),
}
SYNDICATED_SHARE = 0.08
ITEMS_PER_FEED = 500
_WORD = re.compile(r"\S+")
_NUMBER = re.compile(r"(?<![\d,.])\b\d{1,3}\b(?![,.]?\d)")


@dataclass(frozen=True)
class Article:
    """One generated article as an outlet publishes it."""

    host: str
    layout: str
    feed: str
    page: Page


Chain = dict[tuple[str, ...], list[str]]


def _chain(stories: tuple[Story, ...]) -> Chain:
    """Next words after each pair of words, and after each single word, in ``stories``."""
    chain: Chain = defaultdict(list)
    for story in stories:
        for para in story.paragraphs:
            words = ["<s>", "<s>", *_WORD.findall(para), "</s>"]
            for a, b, c in zip(words, words[1:], words[2:], strict=False):
                chain[(a, b)].append(c)
                chain[(b,)].append(c)
    return dict(chain)


def _sentence(chain: Chain, rng: random.Random) -> str:
    # A quarter of the words follow the last word only: a chain over a few stories would
    # otherwise retell them so closely that unrelated articles read as near-duplicates.
    a, b, words = "<s>", "<s>", []
    while len(words) < 60:
        state = (b,) if words and rng.random() < 0.25 else (a, b)
        c = rng.choice(chain[state])
        if c == "</s>":
            break
        words.append(c)
        a, b = b, c
    return " ".join(words)


def _paragraph(chain: Chain, rng: random.Random) -> str:
    return " ".join(_sentence(chain, rng) for _ in range(rng.randint(1, 3)))


def _renumber(text: str, rng: random.Random) -> str:
    return _NUMBER.sub(lambda m: str(rng.randint(2, 90)), text)


def _boilerplate(host_index: int) -> tuple[str, str, str]:
    """One outlet's own head scripts, navigation and footer (the bulk of a real page)."""
    rng = random.Random(host_index)
    sections = [f"{w.title()} {rng.randint(1, 9)}" for w in rng.sample(_NAV_WORDS, 24)]
    menus = "".join(
        f'<li class="menu-item"><a href="/{s.lower().replace(" ", "-")}/">{s}</a><ul class="sub">'
        + "".join(
            f'<li><a href="/{s.lower().replace(" ", "-")}/{t}/">{t.title()}</a></li>'
            for t in rng.sample(_NAV_WORDS, rng.randint(6, 14))
        )
        + "</ul></li>"
        for s in sections
    )
    config = {
        "site": f"outlet-{host_index}",
        "ads": [
            {
                "slot": f"div-gpt-{i}",
                "sizes": [[300, 250], [728, 90]],
                "targeting": rng.sample(_NAV_WORDS, 5),
            }
            for i in range(rng.randint(20, 60))
        ],
        "experiments": {f"exp_{i}": rng.random() for i in range(rng.randint(50, 200))},
    }
    css = "".join(
        f".c{i}{{margin:{rng.randint(0, 20)}px;color:#{rng.randrange(16**6):06x};"
        f"font-size:{rng.randint(10, 30)}px}}"
        for i in range(rng.randint(150, 700))
    )
    head = (
        f"<style>{css}</style>\n"
        f"<script>window.__CONFIG__ = {json.dumps(config)};</script>\n"
        '<script async src="/static/analytics.js"></script>\n'
    )
    nav = f'<nav class="mega-menu" aria-label="Sections"><ul>{menus}</ul></nav>\n'
    columns = "".join(
        f'<div class="footer-col"><h4>{w.title()}</h4><ul>'
        + "".join(
            f'<li><a href="/{w}/{t}">{t.title()}</a></li>' for t in rng.sample(_NAV_WORDS, 10)
        )
        + "</ul></div>"
        for w in rng.sample(_NAV_WORDS, rng.randint(4, 10))
    )
    footer = (
        f'<div class="site-footer">{columns}<p class="legal">Copyright 2026 Outlet '
        f"{host_index} Media Group. All rights reserved. Terms of use, privacy policy and "
        "cookie settings apply to every page of this site.</p></div>\n"
    )
    return head, nav, footer


_NAV_WORDS = [
    "politics",
    "economy",
    "markets",
    "climate",
    "health",
    "science",
    "technology",
    "sport",
    "football",
    "cricket",
    "tennis",
    "culture",
    "books",
    "film",
    "music",
    "travel",
    "food",
    "opinion",
    "analysis",
    "investigations",
    "video",
    "podcasts",
    "weather",
    "education",
    "property",
    "motoring",
    "lifestyle",
    "fashion",
    "obituaries",
    "letters",
    "puzzles",
    "crosswords",
    "newsletters",
    "events",
    "jobs",
    "energy",
    "defence",
    "elections",
    "courts",
    "crime",
    "migration",
    "agriculture",
    "mining",
    "banking",
    "startups",
    "media",
    "religion",
    "history",
    "archives",
    "photography",
    "interviews",
]


def _story(
    rng: random.Random,
    chain: Chain,
    leads: list[Story],
    layout: str,
    slug: str,
    section: str,
    day: date,
) -> Story:
    lead_source = rng.choice(leads)
    paragraphs = [_renumber(lead_source.paragraphs[0], rng)]
    paragraphs += [_paragraph(chain, rng) for _ in range(rng.randint(5, 14))]
    title = " ".join(_sentence(chain, rng).split()[: rng.randint(6, 12)]).rstrip(",.;:")
    return Story(
        outlet=layout,
        day=day.isoformat(),
        time="00:00",
        slug=slug,
        section=section,
        title=title[:1].upper() + title[1:],
        authors=(rng.choice(_AUTHORS),),
        paragraphs=tuple(paragraphs),
    )


_AUTHORS = (
    "Amina Yusuf",
    "Daniel Okafor",
    "Lena Hartmann",
    "Rami Haddad",
    "Sofia Marquez",
    "Tomasz Nowak",
    "Priya Raman",
    "Kwame Mensah",
    "Elif Demir",
    "Jonas Berg",
)


def _syndicated(original: Story, rng: random.Random, layout: str, slug: str) -> Story:
    """A copy of another outlet's article: new headline, small edits, last paragraph cut."""
    paragraphs = list(original.paragraphs[:-1]) or list(original.paragraphs)
    paragraphs[0] = "(Agencies) - " + paragraphs[0]
    return replace(
        original,
        outlet=layout,
        slug=slug,
        title="Update: " + original.title,
        authors=("Staff and agencies",),
        paragraphs=tuple(paragraphs),
    )


def plan(n: int, day: date, seed: int = 11) -> list[Article]:
    """N articles of ``day`` over enough outlets and feeds that no feed lists over 500 items."""
    rng = random.Random(seed)
    desks = {
        desk: [s for s in STORIES if s.section in sections]
        for desk, (_share, sections) in DESKS.items()
    }
    chains = {desk: _chain(tuple(stories)) for desk, stories in desks.items()}
    weights = [share for share, _ in DESKS.values()]
    feeds = max(20, -(-n // (ITEMS_PER_FEED // 2)))
    hosts = max(10, min(200, feeds // 3))
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    articles: list[Article] = []
    for i in range(n):
        h = i % hosts
        host = f"127.0.{h // 250}.{2 + h % 250}"
        layout = LAYOUTS[h % len(LAYOUTS)]
        feed = f"feed-{h}-{(i // hosts) % max(1, feeds // hosts)}"
        desk = rng.choices(list(DESKS), weights)[0]
        section = rng.choice(DESKS[desk][1])
        slug = f"story-{i:06d}"
        published = start + timedelta(seconds=rng.randrange(86_400))
        if articles and rng.random() < SYNDICATED_SHARE:
            source = rng.choice(articles[-500:]).page.story
            story = _syndicated(source, rng, layout, slug)
            story = replace(story, section=section)
        else:
            story = _story(rng, chains[desk], desks[desk], layout, slug, section, day)
        articles.append(Article(host, layout, feed, Page(story, published)))
    return articles


def _rss(base: str, title: str, articles: list[Article]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(a.page.story.title)}</title>"
        f"<link>{base}{a.page.path}</link>"
        f'<guid isPermaLink="true">{base}{a.page.path}</guid>'
        f"<pubDate>{format_datetime(a.page.published, usegmt=True)}</pubDate>"
        f"<description>{html.escape(a.page.story.paragraphs[0][:300])}</description></item>"
        for a in sorted(articles, key=lambda a: a.page.published, reverse=True)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>{base}/</link>"
        f"<description>{html.escape(title)}</description>{items}</channel></rss>"
    ).encode()


def render(article: Article, siblings: list[Page], host_index: int, port: int) -> bytes:
    """The article's full HTML page: the demo template inside the outlet's boilerplate."""
    base = f"http://{article.host}:{port}"
    page = RENDERERS[article.layout](article.page, base, siblings)
    head, nav, footer = _boilerplate(host_index)
    page = page.replace("</head>", head + "</head>", 1)
    page = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + nav, page, count=1)
    return page.replace("</body>", footer + "</body>", 1).encode("utf-8")


def _write_host(
    folder: Path, port: int, host_index: int, host: str, host_articles: list[Article]
) -> tuple[int, list[dict[str, str]]]:
    """Write one outlet's pages and feeds; return its HTML bytes and its feed-list entries."""
    root = folder / host
    base = f"http://{host}:{port}"
    siblings = [a.page for a in host_articles[:6]]
    html_bytes = 0
    for a in host_articles:
        body = render(a, siblings, host_index, port)
        html_bytes += len(body)
        target = root / a.page.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.with_name(target.name + ".gz").write_bytes(gzip.compress(body, 6, mtime=0))
    by_feed: dict[str, list[Article]] = defaultdict(list)
    for a in host_articles:
        by_feed[a.feed].append(a)
    feeds = []
    for feed_id, feed_articles in sorted(by_feed.items()):
        path = f"feeds/{feed_id}.xml"
        (root / "feeds").mkdir(parents=True, exist_ok=True)
        rss = _rss(base, f"Outlet {host_index} {feed_id}", feed_articles)
        (root / (path + ".gz")).write_bytes(gzip.compress(rss, 6, mtime=0))
        feeds.append({"id": feed_id, "url": f"{base}/{path}", "source": f"Outlet {host_index}"})
    return html_bytes, feeds


def write_corpus(folder: Path, n: int, day: date, port: int) -> dict[str, object]:
    """Write the pages (gzipped) and feeds under ``folder``/<host>/; return the feed list.

    Outlets are rendered on all cores; the plan (every text) is drawn in one process from
    one seed, so a corpus is the same on every run."""
    articles = plan(n, day)
    by_host: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_host[a.host].append(a)
    jobs = [
        (folder, port, host_index, host, host_articles)
        for host_index, (host, host_articles) in enumerate(sorted(by_host.items()))
    ]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        written = list(pool.map(_write_host, *zip(*jobs, strict=True)))
    return {
        "feeds": [feed for _, feeds in written for feed in feeds],
        "articles": n,
        "html_bytes": sum(size for size, _ in written),
        "hosts": len(by_host),
    }
