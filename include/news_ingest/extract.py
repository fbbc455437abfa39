"""Article extraction: body, title, authors, date and language from a fetched page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import py3langid
import trafilatura

from news_ingest.urls import article_id_for, registered_domain, resolve_canonical

MIN_ARTICLE_WORDS = 80
# og:type values that mark a page as a story; "website" and the like mark index pages.
ARTICLE_PAGE_TYPES = frozenset({"article", "newsarticle", "reportagenewsarticle", "blogposting"})
_CANONICAL = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref\s*=\s*[\"']([^\"'>]+)[\"']", re.IGNORECASE)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_TIMESTAMPS = [
    re.compile(rb'"datePublished"\s*:\s*"([0-9][^"]{9,40})"'),
    re.compile(
        rb"<meta[^>]+(?:property|name|itemprop)\s*=\s*[\"'](?:article:published_time|"
        rb"datePublished|pubdate|publish-date)[\"'][^>]*content\s*=\s*[\"']([0-9][^\"']{9,40})",
        re.IGNORECASE,
    ),
    re.compile(rb"<time[^>]+datetime\s*=\s*[\"']([0-9][^\"']{9,40})", re.IGNORECASE),
]
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": False,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass(frozen=True)
class Extracted:
    """The columns extraction contributes to an article row."""

    canonical_url: str
    article_id: str
    domain: str
    title: str | None
    text: str
    authors: list[str]
    page_published_at: datetime | None
    language: str | None
    word_count: int
    is_article: bool
    text_sha256: str


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes using the HTTP charset, then the meta charset, then UTF-8."""
    candidates: list[str] = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    meta = _CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def declared_canonical(body: bytes) -> str | None:
    """The href of the page's rel=canonical link, if any."""
    for tag in _CANONICAL.finditer(body[:200_000]):
        href = _HREF.search(tag.group(0))
        if href:
            return href.group(1).decode("utf-8", "replace").strip()
    return None


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"  # +0100 -> +01:00
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)


def page_timestamp(body: bytes) -> datetime | None:
    """The publish time a page states with a time of day (JSON-LD, meta tags, <time>)."""
    head = body[:300_000]
    for pattern in _TIMESTAMPS:
        match = pattern.search(head)
        if match:
            dt = _parse_iso(match.group(1).decode("ascii", "replace"))
            if dt is not None:
                return dt
    return None


def _is_story_type(pagetype: str | None) -> bool:
    return not pagetype or pagetype.strip().lower() in ARTICLE_PAGE_TYPES


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short to tell."""
    if len(text) < 40:
        return None
    lang, _score = py3langid.classify(text[:5000])
    return str(lang)


def extract_article(body: bytes, url: str, content_type: str | None = None) -> Extracted:
    """Extract the article in ``body`` fetched from ``url`` (its final URL after redirects)."""
    html = decode_html(body, content_type)
    canonical = resolve_canonical(url, declared_canonical(body))
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params=_DATE_PARAMS,
    )
    fields: dict[str, Any] = {}
    if isinstance(doc, dict):
        fields = doc
    elif doc is not None:
        fields = doc.as_dict()
    title = (fields.get("title") or "").strip() or None
    lines = [ln.strip() for ln in (fields.get("text") or "").splitlines() if ln.strip()]
    if lines and title and lines[0] == title:
        lines = lines[1:]
    text = "\n".join(lines)
    authors = [a.strip() for a in (fields.get("author") or "").split(";") if a.strip()]
    words = len(text.split())
    return Extracted(
        canonical_url=canonical,
        article_id=article_id_for(canonical),
        domain=registered_domain(canonical),
        title=title,
        text=text,
        authors=authors,
        page_published_at=page_timestamp(body) or _parse_iso(fields.get("date")),
        language=detect_language(text),
        word_count=words,
        is_article=words >= MIN_ARTICLE_WORDS and _is_story_type(fields.get("pagetype")),
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
