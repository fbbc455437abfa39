"""Parse feeds and sitemaps from fetched bytes into feed items, and pick the items of a day."""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_et
import feedparser
from defusedxml import DefusedXmlException
from feedparser.urls import make_safe_absolute_uri

from news_ingest.urls import article_id_for, canonicalize_url

MAX_ITEMS_PER_FEED = 5000
PARSE_TIME_LIMIT_S = 60.0
_W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class FeedParseError(ValueError):
    """The document is not a feed or sitemap we can read safely."""


@dataclass(frozen=True)
class FeedItem:
    """One link listed by a feed or sitemap."""

    feed_id: str
    url: str
    canonical_url: str
    article_id: str
    title: str | None
    published_at: datetime | None
    summary: str | None


_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_WIDE_ENCODINGS = ("utf-32", "utf-16", "utf-16-le", "utf-16-be")


_ENTITY_DECL_TEXT = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_EBCDIC_XML = "<?xm".encode("cp037")  # how an XML parser recognises EBCDIC
_PRINTABLE = bytes(range(32, 127))
_PRINTABLE_TEXT = _PRINTABLE.decode("ascii")


def _declared_encodings(body: bytes, content_type: str | None) -> set[str]:
    """The encodings a parser may read ``body`` in: its HTTP charset, its XML declaration
    (read in ASCII, or in EBCDIC when it opens in EBCDIC)."""
    names: set[str] = set()
    if content_type and (charset := _CHARSET.search(content_type)):
        names.add(charset.group(1))
    head = body[:1024]
    if head.startswith(_EBCDIC_XML):
        names.add("cp037")
        head = head.decode("cp037").encode("ascii", errors="replace")
    if declared := _XML_ENCODING.search(head):
        names.add(declared.group(1).decode("ascii"))
    return names


def _refuse_entities(body: bytes, content_type: str | None = None) -> None:
    """Refuse any document declaring XML entities, wherever the declaration sits (a long
    comment can push it far down), in wide encodings (UTF-16/32) and in any encoding it
    declares where "<!ENTITY" is not written in ASCII bytes (UTF-7, EBCDIC)."""
    if _ENTITY_DECL.search(body):
        raise FeedParseError("document declares XML entities; refused")
    for name in _declared_encodings(body, content_type):
        try:
            if _PRINTABLE.decode(name, errors="replace") == _PRINTABLE_TEXT:
                continue  # reads ASCII as ASCII: the byte-level check above saw it
            text = body.decode(name, errors="replace")
        except LookupError:
            continue  # an encoding Python does not know, nor does the parser
        if _ENTITY_DECL_TEXT.search(text):
            raise FeedParseError("document declares XML entities; refused")
    if b"\x00" in body[:4096]:
        for encoding in _WIDE_ENCODINGS:
            try:
                text = body.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _ENTITY_DECL.search(text.encode("utf-8", errors="ignore")):
                raise FeedParseError("document declares XML entities; refused")


def _struct_to_dt(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _item(
    feed_id: str, url: str, title: str | None, published: datetime | None, summary: str | None
) -> FeedItem | None:
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        canonical = canonicalize_url(url)
    except ValueError:  # e.g. a port out of range: not a link we can fetch
        return None
    return FeedItem(
        feed_id=feed_id,
        url=url,
        canonical_url=canonical,
        article_id=article_id_for(canonical),
        title=(title or "").strip() or None,
        published_at=published,
        summary=(summary or "").strip() or None,
    )


def looks_like_json_feed(body: bytes) -> bool:
    """True when the bytes look like a JSON Feed (https://jsonfeed.org)."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b"jsonfeed.org" in body[:4096]


def parse_json_feed(feed_id: str, body: bytes, base_url: str) -> list[FeedItem]:
    """Items of a JSON Feed 1.0/1.1; raise FeedParseError when it is not one."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FeedParseError(f"not a JSON feed: {exc}"[:300]) from exc
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        raise FeedParseError("not a JSON feed: no jsonfeed.org version")
    entries = doc.get("items")
    if not isinstance(entries, list):
        raise FeedParseError("not a JSON feed: no items list")
    items: list[FeedItem] = []
    for entry in entries[:MAX_ITEMS_PER_FEED]:
        if not isinstance(entry, dict):
            continue
        link = entry.get("url") or entry.get("external_url") or ""
        if not isinstance(link, str):
            continue
        published = _parse_w3c(_str(entry.get("date_published"))) or _parse_w3c(
            _str(entry.get("date_modified"))
        )
        summary = _str(entry.get("summary")) or _str(entry.get("content_text"))
        item = _item(feed_id, urljoin(base_url, link), _str(entry.get("title")), published, summary)
        if item is not None:
            items.append(item)
    return items


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_feed(
    feed_id: str, body: bytes, base_url: str, content_type: str | None = None
) -> list[FeedItem]:
    """Items of an RSS/Atom/JSON feed given as bytes; raise FeedParseError on junk."""
    if looks_like_json_feed(body) or (content_type or "").lower().startswith(
        "application/feed+json"
    ):
        return parse_json_feed(feed_id, body, base_url)
    _refuse_entities(body, content_type)
    plain = _plain_rss_items(feed_id, body, base_url, content_type)
    return plain if plain is not None else _feedparser_items(feed_id, body, base_url, content_type)


def _feedparser_items(
    feed_id: str, body: bytes, base_url: str, content_type: str | None
) -> list[FeedItem]:
    """The feed's items as feedparser reads them, from any RSS, RDF or Atom dialect."""
    headers = {"content-location": base_url}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(
            body,
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=True,
        )
    except Exception as exc:  # feedparser's lenient parser on hostile bytes (found by fuzzing)
        raise FeedParseError(f"unparsable feed: {type(exc).__name__}: {exc}"[:300]) from exc
    entries = parsed.get("entries") or []
    if not entries and parsed.get("bozo"):
        raise FeedParseError(f"not a feed: {parsed.get('bozo_exception')!r}"[:300])
    if not entries and not parsed.get("version"):
        raise FeedParseError("not a feed: no RSS, RDF or Atom root element")
    items: list[FeedItem] = []
    for entry in entries[:MAX_ITEMS_PER_FEED]:
        link = entry.get("link") or ""
        published = _struct_to_dt(entry.get("published_parsed")) or _struct_to_dt(
            entry.get("updated_parsed")
        )
        item = _item(feed_id, link, entry.get("title"), published, entry.get("summary"))
        if item is not None:
            items.append(item)
    if not items and parsed.get("bozo"):
        # The lenient parser salvaged entries from a broken document, none of them usable.
        raise FeedParseError(f"malformed feed: {parsed.get('bozo_exception')!r}"[:300])
    return items


# The plain RSS reader takes only what it reads as feedparser does: an RSS 2.0 feed in UTF-8
# or ASCII, each item's title, link, description plain text (no markup, which feedparser
# rewrites), its date in RFC 822's commonest form. Anything else is feedparser's.
_XML_MEDIA_TYPES = frozenset({"application/rss+xml", "application/xml", "text/xml"})
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
_ASCII_NAMES = _UTF8_NAMES | {"us-ascii", "ascii", "iso-8859-1", "latin-1", "windows-1252"}
_ITEM_FIELDS = frozenset({"title", "link", "description", "pubDate", "guid"})
_ITEM_OTHERS = frozenset(
    {"category", "author", "comments", "enclosure", "{http://purl.org/dc/elements/1.1/}creator"}
)
_RFC822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}:\d{2} (?:GMT|UTC|UT|Z|[+-]\d{4})"
)
_MARKUP_OR_C1 = re.compile("[<\x80-\x9f]")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_LINK_REFERENCE = re.compile(r"&([A-Za-z0-9_]+);")


class _NotPlain(Exception):
    """The feed has something feedparser reads its own way."""


def _plain_rss_items(
    feed_id: str, body: bytes, base_url: str, content_type: str | None
) -> list[FeedItem] | None:
    """The items of a plain RSS 2.0 feed as feedparser gives them, read by the C XML parser
    (feedparser's pure Python handlers cost 0.6 ms an item); None when it is not plain."""
    if not _plainly_encoded(body, content_type) or b"<!" in body:
        return None  # a DOCTYPE, comment or CDATA section: feedparser's
    try:
        root = safe_et.fromstring(body)
        channel = root[0] if len(root) == 1 else None
        if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
            return None
        if channel.tag != "channel" or any(k.startswith("{") for k in root.attrib):
            return None
        items = [node for node in channel if node.tag == "item"]
        # feedparser takes an item or entry anywhere for an entry, and honours xml:base.
        entries = 0
        for node in root.iter():
            entries += _local(node.tag) in {"item", "entry"}
            if node.get(_XML_BASE) is not None:
                return None
        if not items or entries != len(items):
            return None
        found = [
            item
            for node in items[:MAX_ITEMS_PER_FEED]
            if (item := _plain_item(feed_id, node, base_url)) is not None
        ]
        # None usable: whether that is an error depends on what feedparser makes of it.
        return found or None
    except (DefusedXmlException, safe_et.ParseError, ValueError, _NotPlain):
        return None


def _plainly_encoded(body: bytes, content_type: str | None) -> bool:
    """True when feedparser decodes ``body`` as UTF-8 (or as ASCII, which it is)."""
    media = (content_type or "").partition(";")[0].strip().lower()
    if body.startswith(b"\xef\xbb\xbf") or (content_type and media not in _XML_MEDIA_TYPES):
        return False
    names = {n.lower() for n in _declared_encodings(body, content_type)}
    if body.isascii():
        return names <= _ASCII_NAMES
    # feedparser reads the HTTP charset where there is one, the XML parser the declaration:
    # both must say UTF-8 (the default of application/*xml; text/xml's is ASCII).
    has_charset = bool(content_type and _CHARSET.search(content_type))
    return names <= _UTF8_NAMES and (has_charset or media.startswith("application/"))


def _text(node: Element) -> str:
    """An element's text as feedparser keeps it: stripped, UTF-8 read as Latin-1 repaired."""
    if len(node) or (node.attrib and node.tag != "guid"):
        raise _NotPlain(node.tag)
    text = (node.text or "").strip()
    if _MARKUP_OR_C1.search(text):
        raise _NotPlain(node.tag)  # markup, or C1 characters feedparser maps as cp1252
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _plain_item(feed_id: str, node: Element, base_url: str) -> FeedItem | None:
    fields: dict[str, str] = {}
    for child in node:
        if child.tag in _ITEM_FIELDS:
            if child.tag in fields:
                raise _NotPlain(f"two {child.tag}")
            fields[child.tag] = _text(child)
        elif child.tag not in _ITEM_OTHERS or len(child):
            raise _NotPlain(child.tag)
    title, link, summary = fields.get("title"), fields.get("link"), fields.get("description")
    if not link or "&" in (summary or ""):
        # No link: feedparser may take the guid's. An ampersand in a description may open
        # what feedparser's HTML pass reads as a reference.
        raise _NotPlain("no link, or an ampersand in the description")
    link = make_safe_absolute_uri(base_url, link).replace("&amp;", "&")
    link = _LINK_REFERENCE.sub(r"&\g<1>", link)
    published = None
    if (date := fields.get("pubDate")) is not None:
        published = _rfc822(date)
    return _item(feed_id, link, title, published, summary)


def _rfc822(value: str) -> datetime:
    """An RFC 822 date in its commonest form, in UTC (an impossible day: ValueError)."""
    if _RFC822.fullmatch(value) is None:
        raise _NotPlain("a date in another form")
    moment = parsedate_to_datetime(value)
    # "-0000" (no zone known) comes back naive: the time is UTC's, not this machine's.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


FeedParser = Callable[[str, bytes, str, "str | None"], list[FeedItem]]


@contextmanager
def feed_parsing_processes(
    workers: int, time_limit_s: float = PARSE_TIME_LIMIT_S
) -> Iterator[FeedParser]:
    """``parse_feed`` run in ``workers`` processes, a parse killed past ``time_limit_s``.

    feedparser is pure Python at about 0.5 ms an item, so feeds parsed on the fetch
    threads of one process keep one core busy however many cores there are.
    """
    if workers <= 1:
        yield parse_feed
        return
    from news_ingest import parallel

    def parse_args(args: tuple[str, bytes, str, str | None]) -> list[FeedItem]:
        return parse_feed(*args)

    with parallel.Workers(parse_args, workers, time_limit=time_limit_s) as pool:

        def parse(
            feed_id: str, body: bytes, base_url: str, content_type: str | None = None
        ) -> list[FeedItem]:
            outcome = pool.call((feed_id, body, base_url, content_type))
            if isinstance(outcome.error, parallel.TimedOut):
                raise FeedParseError(f"parsing took over {time_limit_s:.0f} s") from outcome.error
            if isinstance(outcome.error, parallel.WorkerDied):
                raise FeedParseError(f"the parser died: {outcome.error}"[:300]) from outcome.error
            return outcome.result()

        yield parse


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_w3c(value: str | None) -> datetime | None:
    if not value or not _W3C_DATE.match(value.strip()):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        try:
            dt = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_sitemap(feed_id: str, body: bytes) -> tuple[list[FeedItem], list[str]]:
    """Items of a sitemap (news:publication_date, else lastmod) and any child sitemap URLs."""
    _refuse_entities(body)
    try:
        root: Element = safe_et.fromstring(body)
    except (DefusedXmlException, safe_et.ParseError, LookupError, ValueError) as exc:
        # LookupError: an unknown encoding in the XML declaration (found by bench/fuzz)
        raise FeedParseError(f"not a sitemap: {exc}") from exc
    kind = _local(root.tag)
    items: list[FeedItem] = []
    children: list[str] = []
    for node in list(root)[:MAX_ITEMS_PER_FEED]:
        fields: dict[str, str] = {}
        for child in node.iter():
            if child.text and child.text.strip():
                fields.setdefault(_local(child.tag), child.text.strip())
        loc = fields.get("loc")
        if not loc:
            continue
        if kind == "sitemapindex":
            children.append(loc)
            continue
        published = _parse_w3c(fields.get("publication_date")) or _parse_w3c(fields.get("lastmod"))
        item = _item(feed_id, loc, fields.get("title"), published, None)
        if item is not None:
            items.append(item)
    if kind not in {"urlset", "sitemapindex"}:
        raise FeedParseError(f"not a sitemap: root element <{kind}>")
    return items, children


def looks_like_sitemap(body: bytes) -> bool:
    """True when the bytes are a sitemap rather than a feed."""
    head = body[:2048].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def in_day(published: datetime | None, day_start: datetime, day_end: datetime) -> bool:
    """True when ``published`` falls in [day_start, day_end)."""
    return published is not None and day_start <= published < day_end
