from datetime import UTC, datetime

import pytest

from demo.site import build_routes
from news_ingest.feeds import (
    FeedParseError,
    feed_parsing_processes,
    in_day,
    looks_like_sitemap,
    parse_feed,
    parse_sitemap,
)

BASE = "http://127.0.0.1:8000"
ROUTES = build_routes(BASE)


def test_rss2_items_have_links_titles_and_feed_dates() -> None:
    items = parse_feed("demo-courier", ROUTES["/courier/rss.xml"].body, BASE + "/courier/rss.xml")
    assert len(items) == 13
    raid = next(i for i in items if "zamfara-gunmen-raid" in i.url)
    assert raid.published_at == datetime(2026, 11, 19, 9, 10, tzinfo=UTC)
    assert raid.title and raid.feed_id == "demo-courier"


def test_atom_links_are_canonicalised_without_tracking_parameters() -> None:
    items = parse_feed("demo-meridian", ROUTES["/meridian/atom.xml"].body, BASE)
    tracked = [i for i in items if "utm_source" in i.url]
    assert tracked
    assert all("utm_" not in i.canonical_url for i in items)
    assert all(i.published_at is not None for i in items)


def _long_rss(items: int) -> bytes:
    entries = "".join(
        f"<item><title>Story {i} of the day</title><link>{BASE}/wire/2026/11/19/story-{i}.html"
        f"</link><pubDate>Thu, 19 Nov 2026 {i % 24:02d}:00:00 GMT</pubDate>"
        f'<description>&lt;p&gt;Summary {i} with a &lt;a href="/tag/{i}"&gt;link&lt;/a&gt;'
        "&lt;/p&gt;</description></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire'
        f"</title><link>{BASE}/</link>{entries}</channel></rss>"
    ).encode()


def test_parsing_in_processes_gives_the_same_items_and_errors() -> None:
    feeds = [
        ("demo-courier", ROUTES["/courier/rss.xml"].body, BASE + "/courier/rss.xml"),
        ("demo-meridian", ROUTES["/meridian/atom.xml"].body, BASE),
        ("wire", _long_rss(300), BASE + "/wire/rss.xml"),
    ]
    with feed_parsing_processes(2) as parse:
        assert parse is not parse_feed
        for feed_id, body, base in feeds:
            assert parse(feed_id, body, base, None) == parse_feed(feed_id, body, base)
        with pytest.raises(FeedParseError, match="not a feed"):
            parse("junk", b"<html><body>no feed here</body></html>", BASE, None)


def test_a_parse_over_the_time_limit_is_killed_with_a_clear_error() -> None:
    body = _long_rss(5000)  # about 2.5 s of feedparser on this machine
    with feed_parsing_processes(2, time_limit_s=0.2) as parse:
        with pytest.raises(FeedParseError, match="parsing took over"):
            parse("slow", body, BASE + "/wire/rss.xml", None)
        # The pool goes on: the next feed parses in a fresh worker.
        assert len(parse("wire", _long_rss(20), BASE + "/wire/rss.xml", None)) == 20


def test_news_sitemap_index_and_publication_dates() -> None:
    index, children = parse_sitemap("f", ROUTES["/frontline/sitemap.xml"].body)
    assert index == [] and children == [BASE + "/frontline/sitemap-news.xml"]
    items, _ = parse_sitemap("f", ROUTES["/frontline/sitemap-news.xml"].body)
    assert len(items) == 13
    section = next(i for i in items if i.url.endswith("/frontline/africa/"))
    assert section.published_at == datetime(2026, 11, 19, 20, 0, tzinfo=UTC)


def test_sitemaps_are_detected_from_bytes() -> None:
    assert looks_like_sitemap(ROUTES["/frontline/sitemap-news.xml"].body)
    assert not looks_like_sitemap(ROUTES["/courier/rss.xml"].body)


def test_entity_declarations_are_refused(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><title>&x;</title><link>http://a.org/1</link></item></channel></rss>"
    ).encode()
    with pytest.raises(FeedParseError, match="entities"):
        parse_feed("f", xxe, "http://a.org/rss")
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><urlset/>'
    )
    with pytest.raises(FeedParseError, match="entities"):
        parse_sitemap("f", laughs)


def test_junk_is_a_clear_error_not_a_crash() -> None:
    with pytest.raises(FeedParseError, match="not a feed"):
        parse_feed("f", b"\x00\x01 this is not xml at all <<<", "http://a.org/")
    with pytest.raises(FeedParseError, match="not a sitemap"):
        parse_sitemap("f", b"<html><body>hi</body></html>")


def test_non_http_links_in_feeds_are_dropped() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><link>file:///etc/passwd</link></item>"
        b"<item><title>b</title><link>https://a.org/story</link></item></channel></rss>"
    )
    assert [i.url for i in parse_feed("f", body, "https://a.org/rss")] == ["https://a.org/story"]


def test_day_window_is_half_open() -> None:
    start, end = datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    assert in_day(start, start, end)
    assert not in_day(end, start, end)
    assert not in_day(None, start, end)


@pytest.mark.parametrize(
    ("encoding", "content_type"),
    [
        ("utf-7", None),  # "<!ENTITY" is "+ADw-!ENTITY" in UTF-7
        ("cp500", None),  # EBCDIC, told by its first bytes and its own declaration
        ("cp500", "application/rss+xml; charset=cp500"),  # and by the HTTP header alone
    ],
)
def test_entity_declarations_are_refused_in_any_declared_encoding(
    tmp_path, encoding: str, content_type: str | None
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    declaration = "" if content_type else f' encoding="{encoding}"'
    prolog = f'<?xml version="1.0"{declaration}?>'
    document = (
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><title>&x;</title><link>http://a.org/1</link></item></channel></rss>"
    )
    # In UTF-7 "<" may be written "+ADw-" (Python's encoder leaves it as it is); EBCDIC
    # encodes the whole document, its declaration too.
    if encoding == "utf-7":
        xxe = (prolog + document.replace("<", "+ADw-")).encode("ascii")
    else:
        xxe = (prolog + document).encode(encoding)
    assert b"<!ENTITY" not in xxe  # the byte-level check alone cannot see it
    with pytest.raises(FeedParseError, match="entities"):
        parse_feed("f", xxe, "http://a.org/rss", content_type)
