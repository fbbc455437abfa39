from news_ingest.urls import article_id_for, canonicalize_url, registered_domain, resolve_canonical


def test_canonicalize_lowercases_scheme_and_host_and_drops_tracking_and_fragment() -> None:
    url = "HTTPS://WWW.Example.COM:443/World/Story.html?utm_source=rss&id=7&fbclid=x#comments"
    assert canonicalize_url(url) == "https://www.example.com/World/Story.html?id=7"


def test_canonicalize_keeps_content_parameters_sorted_and_non_default_port() -> None:
    assert canonicalize_url("http://a.org:8080/p?b=2&a=1") == "http://a.org:8080/p?a=1&b=2"


def test_same_site_rel_canonical_is_followed_and_relative_resolved() -> None:
    got = resolve_canonical("https://news.example.com/a?utm_medium=x", "/stories/a")
    assert got == "https://news.example.com/stories/a"


def test_cross_site_rel_canonical_is_ignored() -> None:
    got = resolve_canonical("https://news.example.com/a", "https://other.org/a")
    assert got == "https://news.example.com/a"


def test_registered_domain_uses_public_suffix_list() -> None:
    assert registered_domain("https://www.bbc.co.uk/news/world") == "bbc.co.uk"
    assert registered_domain("https://edition.cnn.com/x") == "cnn.com"
    assert registered_domain("http://127.0.0.1:8000/x") == "127.0.0.1"


def test_article_id_is_stable_and_depends_only_on_canonical_url() -> None:
    a = article_id_for(canonicalize_url("https://Example.com/x?utm_source=a"))
    b = article_id_for(canonicalize_url("https://example.com/x"))
    assert a == b and len(a) == 16
    assert a != article_id_for("https://example.com/y")
