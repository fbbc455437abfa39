"""Article extraction: body, metadata, dated provenance, language and page-kind flags."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from copy import copy
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlsplit

import trafilatura
import trafilatura.metadata as tmeta
import trafilatura.utils
from htmldate import find_date
from lxml import etree
from lxml.etree import XPath
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.baseline import block_text
from trafilatura.settings import Extractor, set_date_params
from trafilatura.utils import load_html

from news_ingest.charset import decode_document
from news_ingest.parallel import Outcome, TimedOut, Workers
from news_ingest.patterns import Insensitive, folds_like_lower
from news_ingest.text import strip_boilerplate
from news_ingest.urls import article_id_for, registered_domain, resolve_canonical

# Word floors of looks_like_article. A page that names neither its headline nor its date
# must read like a full report to count; one that has both is a story page as a brief (a
# wire brief or a daily security update is a paragraph or two); and a headed, dated page
# whose markup or URL says "story" counts with a single sentence, as a wire flash. The
# flash floor is a dozen words because a flash that says who did what, where, with its
# dateline, needs about that many; a story page's body under it is a photo caption, a
# video's one-liner or a "read more" teaser, which tell events and dedupe nothing.
MIN_ARTICLE_WORDS = 80
MIN_BRIEF_WORDS = 40
MIN_FLASH_WORDS = 12
# og:type values that mark a page as a story; "website" and the like mark index pages.
ARTICLE_PAGE_TYPES = frozenset({"article", "newsarticle", "reportagenewsarticle", "blogposting"})
# Path segments of index, tag, author and gallery pages.
NON_ARTICLE_SEGMENTS = frozenset(
    {
        "tag",
        "tags",
        "topic",
        "topics",
        "category",
        "categories",
        "author",
        "authors",
        "gallery",
        "galleries",
        "photos",
        "pictures",
        "search",
        "page",
    }
)
PAYWALL_PHRASES = (
    "subscribe to continue reading",
    "subscribe to read",
    "to continue reading",
    "this article is for subscribers",
    "already a subscriber",
    "subscribers only",
    "become a subscriber",
    "sign in to continue reading",
    "unlock this article",
)


@dataclass(frozen=True)
class ExtractOptions:
    """Extraction settings; the defaults were chosen by bench/extraction."""

    # fast=True skips trafilatura's readability/jusText fallbacks: higher F1 on the
    # ScrapingHub pages than the default settings, and faster (docs/performance.md).
    fast: bool = True
    favor_precision: bool = False
    include_tables: bool = True
    time_limit_s: float = 20.0


DEFAULT_OPTIONS = ExtractOptions()

_CANONICAL = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref\s*=\s*[\"']([^\"'>]+)[\"']", re.IGNORECASE)
_STAMP = rb"([0-9]{4}-[0-9]{2}-[0-9]{2}[^\"'<>]{0,30})"
_META_KEYS = (
    rb"article:published_time|og:published_time|datePublished|pubdate|publish-date|"
    rb"publication_date|sailthru\.date|parsely-pub-date|dc\.date\.issued|date"
)
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("json-ld", re.compile(rb'"datePublished"\s*:\s*"' + _STAMP + rb'"')),
    (
        "meta",
        re.compile(
            rb"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"'](?:"
            + _META_KEYS
            + rb")[\"'][^>]*content\s*=\s*[\"']"
            + _STAMP,
            re.IGNORECASE,
        ),
    ),
    (
        "meta",
        re.compile(
            rb"<meta[^>]+content\s*=\s*[\"']" + _STAMP + rb"[\"'][^>]*(?:property|name|itemprop)"
            rb"\s*=\s*[\"'](?:" + _META_KEYS + rb")[\"']",
            re.IGNORECASE,
        ),
    ),
    ("text", re.compile(rb"<time[^>]+datetime\s*=\s*[\"']" + _STAMP, re.IGNORECASE)),
)
_MODIFIED_PATTERNS = (
    re.compile(rb'"dateModified"\s*:\s*"' + _STAMP + rb'"'),
    re.compile(
        rb"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"'](?:article:modified_time|"
        rb"og:updated_time|dateModified|last-modified)[\"'][^>]*content\s*=\s*[\"']" + _STAMP,
        re.IGNORECASE,
    ),
)
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-]([01]?\d)[/-]([0-3]?\d)(?:/|[-_]|$)")
_FREE = re.compile(rb'"isAccessibleForFree"\s*:\s*"?(false|False|FALSE)"?')
_TIER = re.compile(
    rb"<meta[^>]+(?:property|name)\s*=\s*[\"']article:content_tier[\"'][^>]*"
    rb"content\s*=\s*[\"'](locked|metered)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Extracted:
    """The columns extraction contributes to an article row."""

    canonical_url: str
    article_id: str
    domain: str
    title: str | None
    text: str
    authors: list[str]
    site_name: str | None
    description: str | None
    categories: list[str]
    tags: list[str]
    image_url: str | None
    page_published_at: datetime | None
    page_date_source: str | None
    modified_at: datetime | None
    language: str | None
    language_confidence: float | None
    word_count: int
    is_article: bool
    is_paywalled: bool
    text_sha256: str


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, HTTP charset, meta charset, UTF-8, then detection."""
    return decode_document(body, content_type)


def declared_canonical(body: bytes) -> str | None:
    """The href of the page's rel=canonical link, if any."""
    for tag in _CANONICAL.finditer(body[:200_000]):
        href = _HREF.search(tag.group(0))
        if href:
            return href.group(1).decode("utf-8", "replace").strip()
    return None


def parse_timestamp(value: str | None) -> datetime | None:
    """An ISO-8601-ish timestamp as UTC; a naive one is taken as UTC."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # +0100 -> +01:00
    for candidate in (text, text[:19], text[:10]):
        try:
            dt = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if not 1900 <= dt.year <= 2200:
            return None  # a placeholder such as 0001-01-01, no date of publication
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def page_date(body: bytes, url: str) -> tuple[datetime | None, str | None]:
    """The page's own publish time and where it came from: json-ld, meta, text or url."""
    head = body[:400_000]
    for source, pattern in _DATE_PATTERNS:
        match = pattern.search(head)
        if match:
            dt = parse_timestamp(match.group(1).decode("ascii", "replace"))
            if dt is not None:
                return dt, source
    found = _URL_DATE.search(urlsplit(url).path)
    if found:
        try:
            y, m, d = (int(g) for g in found.groups())
            return datetime(y, m, d, tzinfo=UTC), "url"
        except ValueError:
            pass
    return None, None


def modified_date(body: bytes) -> datetime | None:
    """The page's stated last-modified time, if any."""
    head = body[:400_000]
    for pattern in _MODIFIED_PATTERNS:
        match = pattern.search(head)
        if match:
            return parse_timestamp(match.group(1).decode("ascii", "replace"))
    return None


# py3langid walks the text byte by byte in Python: 600 characters (a paragraph or two)
# cost 0.9 ms where 1,500 cost 2.0 ms, with the same answer on 3,000 bench bodies and on
# French, German, Spanish, Italian, Portuguese and Dutch news prose.
LANGUAGE_SAMPLE_CHARS = 600


@lru_cache(maxsize=1)
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code of the text's language and its probability; None when too short."""
    if len(text) < 40:
        return None, None
    lang, prob = _language_identifier().classify(text[:LANGUAGE_SAMPLE_CHARS])
    return str(lang), round(float(prob), 4)


# Elements with rel or itemprop "author", or a class naming a byline or author, in
# document order. Reached through their attributes: testing every element for the five
# conditions took 1.1 ms a page, this 0.15 (same nodes on 481 bench and ScrapingHub pages).
_BYLINE = XPath(
    ".//*/@rel[.='author']/.. | .//*/@itemprop[.='author']/.. | "
    ".//*/@class[contains(., 'byline') or contains(., 'author') or contains(., 'Author')]/.."
)
_BY = re.compile(r"^(?:by|par|von|por|di)\s+", re.IGNORECASE)


def byline(tree: Any) -> str | None:
    """Author names from the page's byline markup, ';'-separated, or None."""
    for node in _BYLINE(tree)[:5]:
        text = " ".join(node.text_content().split())
        text = _BY.sub("", text).strip(" ,|-")
        if 3 <= len(text) <= 80 and not any(ch.isdigit() for ch in text):
            names = re.split(r"\s*(?:,| and | & )\s*", text)
            return "; ".join(n for n in names if n)
    return None


# What trafilatura's cleaning deletes on its main path anyway, gone before it runs: its
# raw-tree prunes, page-length gate and tree copy then walk a page without its menus and
# scripts (bench pages 30 % faster, their mega-menus being in <nav>), and its baseline rescue
# no longer returns menu links as text. JSON-LD stays: the rescue reads its articleBody.
_NOT_TEXT = ("nav", "style", "svg", "noscript")
_SCRIPTS = XPath(".//script[not(contains(@type, 'ld+json'))]")


def drop_non_text(tree: Any) -> None:
    """Remove navigation, scripts (but JSON-LD), styles, SVG and noscript; tails are kept."""
    for script in _SCRIPTS(tree):
        script.drop_tree()
    etree.strip_elements(tree, *_NOT_TEXT, with_tail=False)


def page_metadata(tree: Any, need_date: bool) -> dict[str, Any]:
    """Title, authors, site, description, categories, tags, image and page type of a parsed page.

    trafilatura's own metadata steps (meta tags, OpenGraph, JSON-LD, title, site name),
    with htmldate only when the page states no date we can read, and two cheaper sources
    chosen by bench/extraction: authors from byline markup, categories and tags from
    the page's declared metadata only (link heuristics cost 5 ms a page and mostly return
    navigation).
    """
    meta = tmeta.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    # trafilatura's JSON-LD reader trips on odd markup; the meta tags are kept then.
    with contextlib.suppress(Exception):
        meta = tmeta.extract_meta_json(tree, meta)
    headline = True
    if not meta.title:
        meta.title = tmeta.extract_title(tree)
        # Its last resort is the page's first <h2>, as often a rail's "Most read" as the
        # story's headline: kept as the title, but not a headline to looks_like_article.
        h2 = tree.find(".//h2")
        headline = not (
            meta.title
            and h2 is not None
            and tree.find(".//h1") is None
            and meta.title == block_text(h2)
        )
    if not meta.author:
        meta.author = byline(tree)
    if not meta.sitename:
        meta.sitename = tmeta.extract_sitename(tree)
    if need_date:
        meta.date = find_date(tree, original_date=True, extensive_search=False)
    meta.clean_and_trim()
    fields: dict[str, Any] = meta.as_dict()
    fields["headline"] = fields.get("title") if headline else None
    return fields


def is_paywalled(body: bytes, text: str) -> bool:
    """True when the page says its content is not free, or shows a truncated teaser."""
    if _FREE.search(body[:400_000]) or _TIER.search(body[:200_000]):
        return True
    tail = text[-400:].lower()
    return len(text.split()) < 250 and any(p in tail for p in PAYWALL_PHRASES)


# How a site's error page talks about itself ("the page you were looking for ..."): no
# report opens that way. The bare headings ("Page not found", "Error 404") only count as
# the title or as a heading-sized first line, since a report on an outage may quote them.
_NOT_FOUND_SPEAK = Insensitive(
    r"\b(?:page|article|story|content|url)s?\s+you\s+(?:are|were|'re|have\s+been)\s+"
    r"(?:looking|searching)\s+for\b"
    r"|\bthe\s+(?:page|url|address)\s+you\s+(?:requested|entered|followed)\b"
    r"|\b(?:this|the|that)\s+page\s+(?:does\s+not|doesn't|doesn’t|no\s+longer)\s+exists?\b"
    r"|\b(?:page|url|link)\s+(?:could\s*not|couldn't|couldn’t|cannot|can't|can’t|"
    r"can\s+not)\s+be\s+found\b"
    r"|\bwe\s+(?:can't|can’t|cannot|couldn't|couldn’t|could\s+not)\s+find\s+"
    r"(?:(?:the|this|that)\s+page|what\s+you)\b"
)
_NOT_FOUND_HEADING = re.compile(
    r"^\W*(?:404|.*\berror\s*404\b.*|.*\b404\W*(?:error|page|not\s+found)\b.*"
    r"|(?:oops|sorry)\W.*\b(?:page|404|not\s+found)\b.*|(?:\w+\s+)?not\s+found"
    r"|page\s+(?:is\s+)?(?:unavailable|no\s+longer\s+available))\W*$",
    re.IGNORECASE,
)
# What a cookie or consent wall says: the site, in the first person, about cookies, its
# partners and your choices. A news report on cookie rules quotes such phrases now and
# then; a wall is made of them.
_CONSENT_SPEAK = re.compile(
    r"\bwe\s+(?:and\s+our\s+(?:\w+\s+)?partners\s+)?(?:use|store|set)\s+cookies\b"
    r"|\b(?:we|and)\s+our\s+(?:\w+\s+)?(?:partners|vendors)\b"
    r"|\byour\s+(?:consent|privacy\s+choices|cookie\s+(?:settings|preferences))\b"
    r"|\b(?:accept|reject|refuse|decline|allow)\s+(?:all\s+)?cookies\b"
    r"|^\W*(?:accept|reject|refuse|decline)\s+all\W*$|\baccept\s+and\s+(?:continue|close)\b"
    r"|\b(?:cookie|privacy|consent)\s+(?:settings|preferences|options|policy|notice|choices)\b"
    r"|\bmanage\s+(?:your\s+)?(?:cookies|preferences|settings|options|choices|consent)\b"
    r"|\blegitimate\s+interests?\b|\bstore\s+and/or\s+access\s+information\b"
    r"|\bpersonali[sz]ed\s+(?:ads|advertising|content)\b"
    r"|\bby\s+clicking\s+[\"“'‘]?(?:accept|agree|i\s+agree|ok|allow|continue)\b"
    r"|\bby\s+continuing\s+to\s+(?:use|browse)\s+(?:this|our|the)\s+(?:site|website)\b",
    re.IGNORECASE,
)
_CONSENT_WORDS = ("cookie", "consent", "privacy", "partners", "vendors", "personali")
# Every alternative of _CONSENT_SPEAK holds one of these words (lower case): a line without
# any of them cannot match it, and finding them is a plain scan.
_CONSENT_LINE = re.compile(
    "cookie|partners|vendors|consent|privacy|accept|reject|refuse|decline|manage|legitimate"
    "|store|personali|clicking|continuing"
)
_TITLE_PARTS = re.compile(r"\s+[|–—·:-]\s+|\s*\|\s*")


def is_error_page(title: str | None, text: str) -> bool:
    """True when the title or the body's opening says the page was not found."""
    if title and any(_NOT_FOUND_HEADING.match(part) for part in _TITLE_PARTS.split(title)):
        return True
    first = text.lstrip().split("\n", 1)[0]
    if len(first.split()) <= 8 and _NOT_FOUND_HEADING.match(first.strip()):
        return True
    return bool(_NOT_FOUND_SPEAK.search(text[:400]))


def is_consent_wall(text: str) -> bool:
    """True when most of the body's words are in lines of cookie or consent notice."""
    lowered = text.lower()
    # Every wall names cookies, consent, privacy or the site's partners: a body that names
    # none is read no further (the line by line test costs a tenth of an extraction).
    if not any(word in lowered for word in _CONSENT_WORDS):
        return False
    lines = text.splitlines()
    # Lower-casing that keeps every character's place and folds as the regex engine does
    # keeps the lines' places too: then only lines holding a word of some phrase are read.
    if len(lowered) == len(text) and folds_like_lower(text):
        cued = zip(lines, lowered.splitlines(), strict=True)
        lines = [line for line, low in cued if _CONSENT_LINE.search(low)]
    consent = sum(len(line.split()) for line in lines if _CONSENT_SPEAK.search(line))
    # Every line break is white space to str.split: the lines' words are the text's.
    total = len(text.split())
    return total > 0 and consent * 2 >= total


def _has_story_markup(pagetype: str | None, url: str) -> bool:
    """The page says it is a story: an article page type, or a dated or slugged URL."""
    if pagetype and pagetype.strip().lower() in ARTICLE_PAGE_TYPES:
        return True
    path = urlsplit(url).path
    if _URL_DATE.search(path):
        return True
    last = re.sub(r"\.[a-z]{2,5}$", "", path.rstrip("/").rsplit("/", 1)[-1].lower())
    return len(re.split(r"[-_]+", last)) >= 3 or bool(re.search(r"[0-9]{5,}", last))


def looks_like_article(
    words: int,
    title: str | None,
    published: datetime | None,
    pagetype: str | None,
    url: str,
    text: str,
) -> bool:
    """Whether a page whose body has ``words`` words is a news story.

    Never an index, tag, author or gallery page (by page type or URL), an error page or a
    consent wall, whatever their length. Otherwise a body of MIN_ARTICLE_WORDS words is
    one; a page with a headline and a date is one from MIN_BRIEF_WORDS words (a brief),
    and from MIN_FLASH_WORDS words (a flash) when its markup or URL also says it is a
    story. ``pagetype`` None means the page declares no type.
    """
    if not (_is_story_type(pagetype) and _is_story_url(url)):
        return False
    if is_error_page(title, text) or is_consent_wall(text):
        return False
    if words >= MIN_ARTICLE_WORDS:
        return True
    if not (title and title.strip()) or published is None:
        return False
    if words >= MIN_BRIEF_WORDS:
        return True
    return words >= MIN_FLASH_WORDS and _has_story_markup(pagetype, url)


def _is_story_url(url: str) -> bool:
    path = urlsplit(url).path
    segments = [s for s in path.lower().split("/") if s]
    if not segments:
        return False
    return not NON_ARTICLE_SEGMENTS & set(segments[:-1] if path.endswith(".html") else segments)


def _is_story_type(pagetype: str | None) -> bool:
    return not pagetype or pagetype.strip().lower() in ARTICLE_PAGE_TYPES


def _list(value: Any) -> list[str]:
    """Keywords as a list: a comma-joined string (meta keywords, trafilatura's joined tags)
    split, in a list or alone, duplicates dropped."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    split = (part.strip() for item in items for part in str(item).split(","))
    return list(dict.fromkeys(part for part in split if part))


@lru_cache(maxsize=8)
def _trafilatura_settings(options: ExtractOptions) -> Extractor:
    """trafilatura's settings for ``options`` as ``bare_extraction`` builds them from its
    keywords, without a page's URL (a test holds them to what it builds)."""
    return Extractor(
        output_format="python",
        fast=options.fast,
        precision=options.favor_precision,
        comments=False,
        tables=options.include_tables,
    )


def trafilatura_options(options: ExtractOptions, url: str) -> Extractor:
    """trafilatura's settings for one page, as ``bare_extraction(url=url, ...)`` would build
    them: copied from settings built once, since building them reads trafilatura's
    config file's values one by one (0.12 ms a page, 1 to 2 % of an extraction)."""
    settings = copy(_trafilatura_settings(options))
    # Dates are sought up to today's (a page dated after it is refused): of this call's day,
    # not of the day the settings were built, in a worker that outlives midnight.
    extensive = bool(settings.date_params["extensive_search"])
    settings.date_params = set_date_params(extensive)
    source = url or None  # as Extractor.__init__ sets them
    settings.url = url
    settings.source = source and source.encode("utf-8", "replace").decode("utf-8")
    return settings


def extract_article(
    body: bytes,
    url: str,
    content_type: str | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
    identify_language: bool = True,
) -> Extracted:
    """Extract the article in ``body`` fetched from ``url`` (its final URL after redirects)."""
    html = decode_html(body, content_type)
    try:
        canonical = resolve_canonical(url, declared_canonical(body))
    except ValueError:  # a declared canonical that is no URL, e.g. "a://[" (found by bench/fuzz)
        canonical = resolve_canonical(url, None)
    published, source = page_date(body, url)
    tree = load_html(html)
    fields: dict[str, Any] = {}
    if tree is not None:
        # One parse serves metadata and body; htmldate runs only when no stated date was found.
        fields = page_metadata(tree, need_date=published is None)
        drop_non_text(tree)
        doc = trafilatura.bare_extraction(tree, options=trafilatura_options(options, url))
        if isinstance(doc, dict):
            fields["text"] = doc.get("text")
        elif doc is not None:
            fields["text"] = doc.text
    title = (fields.get("title") or "").strip() or None
    lines = [ln.strip() for ln in (fields.get("text") or "").splitlines() if ln.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]
    text = strip_boilerplate("\n".join(lines))
    if published is None and fields.get("date"):
        published, source = parse_timestamp(fields["date"]), "text"
    language, confidence = detect_language(text) if identify_language else (None, None)
    words = len(text.split())
    return Extracted(
        canonical_url=canonical,
        article_id=article_id_for(canonical),
        domain=registered_domain(canonical),
        title=title,
        text=text,
        authors=[a.strip() for a in (fields.get("author") or "").split(";") if a.strip()],
        site_name=(fields.get("sitename") or "").strip() or None,
        description=(fields.get("description") or "").strip() or None,
        categories=_list(fields.get("categories")),
        tags=_list(fields.get("tags")),
        image_url=(fields.get("image") or "").strip() or None,
        page_published_at=published,
        page_date_source=source if published else None,
        modified_at=modified_date(body),
        language=language,
        language_confidence=confidence,
        word_count=words,
        is_article=looks_like_article(
            words,
            (fields.get("headline") or "").strip() or None,
            published,
            fields.get("pagetype"),
            canonical,
            text,
        ),
        is_paywalled=is_paywalled(body, text),
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@dataclass(frozen=True)
class PageInput:
    """One page to extract, as the batch extractor takes it."""

    key: str
    body: bytes
    url: str
    content_type: str | None = None


@dataclass(frozen=True)
class BatchResult:
    """The outcome for one page: an extraction or an error message."""

    key: str
    extracted: Extracted | None = None
    error: str | None = None
    # What the batch's ``then`` made of the extraction, in the same worker.
    extra: Any = None


def _failed(key: str, exc: Exception) -> BatchResult:
    return BatchResult(key, error=f"extraction failed: {type(exc).__name__}: {exc}"[:500])


def _extract_page(page: PageInput, options: ExtractOptions) -> BatchResult:
    """One page's extraction, its language left for the chunk to identify."""
    try:
        ext = extract_article(
            page.body, page.url, page.content_type, options, identify_language=False
        )
    except Exception as exc:  # one odd page must not fail the batch
        return _failed(page.key, exc)
    return BatchResult(page.key, ext)


# Pages go to the workers in chunks: handed over one by one, with extraction a no-op,
# the workers spent 0.7 ms of CPU a page (pickling, pebble's loop); in chunks of 8, 0.4.
CHUNK_PAGES = 8
# A chunk's own limit, over the sum of its pages', only stops a page hung where the
# alarm cannot interrupt it (inside C code).
CHUNK_GRACE_S = 5.0


# lxml.html's parser picks each element's Python class in Python (its own classes for
# forms, inputs, selects, text areas and labels) every time lxml makes an object for an
# element: 0.35 ms of the 6.5 a bench page costs a worker. Neither trafilatura nor this
# module uses those classes, so the extraction workers have trafilatura's parser give
# every element lxml.html's plain class, looked up in C (the same output on 5,181 bench,
# benchmark and fuzzed pages). Only there: other processes keep trafilatura as shipped.
_PLAIN_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


def _plain_element_classes() -> None:
    """Have trafilatura's HTML parser give every element lxml.html's plain class."""
    trafilatura.utils.HTML_PARSER.set_element_class_lookup(_PLAIN_ELEMENT_CLASSES)


class _PageTimeout(BaseException):
    """A page ran over the time limit (not an Exception, so that no library swallows it)."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _PageTimeout


def _chunk_limit(pages: int, options: ExtractOptions) -> float:
    return options.time_limit_s * pages + CHUNK_GRACE_S


def _timed_out(key: str, options: ExtractOptions) -> BatchResult:
    return BatchResult(key, error=f"extraction timed out after {options.time_limit_s:g}s")


def _extract_chunk(
    pages: list[PageInput], options: ExtractOptions, then: Callable[[Extracted], Any] | None
) -> list[BatchResult]:
    """A chunk of pages extracted in one worker, with their languages and what ``then``
    makes of each; each page's extraction and its ``then`` stopped by an alarm at the
    time limit."""
    import signal

    _plain_element_classes()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        results = [
            _under_alarm(
                options.time_limit_s,
                partial(_extract_page, page, options),
                _timed_out(page.key, options),
            )
            for page in pages
        ]
        # The chunk's languages one after another: between two pages, trafilatura's work
        # evicts py3langid's tables from the caches (0.9 ms a page then, 0.6 in a row).
        # ``then`` runs after, so that it sees the whole extraction.
        results = [_with_language(result) for result in results]
        if then is not None:
            results = [
                _under_alarm(
                    options.time_limit_s,
                    partial(_then, result, then),
                    _timed_out(result.key, options),
                )
                if result.extracted is not None
                else result
                for result in results
            ]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return results


def _under_alarm(
    seconds: float, work: Callable[[], BatchResult], timed_out: BatchResult
) -> BatchResult:
    """``work()``, or ``timed_out`` once the alarm has gone off after ``seconds``."""
    import signal

    try:
        # One shot: a page raises _PageTimeout at most once.
        signal.setitimer(signal.ITIMER_REAL, seconds)
        result = work()
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _PageTimeout:
        return timed_out
    return result


def _with_language(result: BatchResult) -> BatchResult:
    """``result`` with its text's language filled in."""
    if result.extracted is None:
        return result
    try:
        language, confidence = detect_language(result.extracted.text)
    except Exception as exc:  # as for any other step of one page's extraction
        return _failed(result.key, exc)
    extracted = replace(result.extracted, language=language, language_confidence=confidence)
    return replace(result, extracted=extracted)


def _then(result: BatchResult, then: Callable[[Extracted], Any]) -> BatchResult:
    """``result`` with what ``then`` made of its extraction."""
    assert result.extracted is not None
    try:
        extra = then(result.extracted)
    except Exception as exc:  # as for any other step of one page's extraction
        return _failed(result.key, exc)
    return replace(result, extra=extra)


def extract_batch(
    pages: Iterable[PageInput],
    options: ExtractOptions = DEFAULT_OPTIONS,
    workers: int = 2,
    max_tasks_per_worker: int = 500,
    then: Callable[[Extracted], Any] | None = None,
    chunk_pages: int = CHUNK_PAGES,
) -> Iterator[BatchResult]:
    """Extract pages in worker processes, in input order, stopping any page over the time limit.

    Pages travel in chunks of ``chunk_pages``. Workers are replaced after about
    ``max_tasks_per_worker`` pages so memory stays bounded however many pages a night
    brings: a forked worker's pages shared with this process become its own as it writes
    them, so a longer-lived one counts for more memory (see docs/performance.md, 100k).
    ``then`` runs on each extraction in the worker (which inherits it at the fork), so
    per-article work that follows it shares both cores.
    """
    _warm_up()
    size = max(1, chunk_pages)

    def extract_chunk(chunk: list[PageInput]) -> list[BatchResult]:
        return _extract_chunk(chunk, options, then)

    with Workers(
        extract_chunk,
        workers,
        time_limit=lambda chunk: _chunk_limit(len(chunk), options),
        tasks_per_worker=max(1, max_tasks_per_worker // size),
    ) as pool:
        for outcome in pool.map(_chunks(pages, size)):
            if outcome.error is None:
                yield from outcome.result()
                continue
            # A page hung out of the alarm's reach or killed its worker: the chunk's pages
            # go again as chunks of one, so that only that page is lost.
            singles = pool.map([[page] for page in outcome.item], in_flight=len(outcome.item))
            yield from (_collect(single, options) for single in singles)


def _chunks(pages: Iterable[PageInput], size: int) -> Iterator[list[PageInput]]:
    chunk: list[PageInput] = []
    for page in pages:
        chunk.append(page)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WARM_PAGE = (
    b"<html><body><article><h1>Warm</h1><p>"
    + b"A sentence to warm up. " * 20
    + b"</p></article></body></html>"
)


def _warm_up() -> None:
    """Load the language model and trafilatura's caches here, before the pool forks its
    workers: each replaced worker would otherwise load them again (0.7 s of CPU a time)."""
    with contextlib.suppress(Exception):
        extract_article(_WARM_PAGE, "http://example.com/2026/01/01/warm-up")
        detect_language("A few words of English so that the model loads now, not later.")


def _collect(
    single: Outcome[list[PageInput], list[BatchResult]], options: ExtractOptions
) -> BatchResult:
    key = single.item[0].key
    if single.error is None:
        return single.result()[0]
    if isinstance(single.error, TimedOut):
        return _timed_out(key, options)
    # A worker that died (segfault, OOM kill) loses one page only.
    error = single.error
    message = f"extraction worker failed: {type(error).__name__}: {error}"
    return BatchResult(key, error=message[:500])
