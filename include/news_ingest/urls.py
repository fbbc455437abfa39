"""URL canonicalisation, registered domains and stable article ids."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from tld import get_fld

# Query parameters that only track the reader and never select content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "cmpid",
        "ocid",
        "ns_mchannel",
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "at_medium",
        "at_campaign",
        "smid",
        "sr_share",
        "share",
        "utm",
    }
)


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(("utm_", "pk_", "mtm_", "hsa_", "__twitter"))


def canonicalize_url(url: str) -> str:
    """Normalise scheme/host case, default ports, fragments and tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def resolve_canonical(page_url: str, declared: str | None) -> str:
    """Canonical URL of a page: its same-site rel=canonical if any, else its own URL."""
    own = canonicalize_url(page_url)
    if not declared:
        return own
    candidate = canonicalize_url(urljoin(page_url, declared))
    if urlsplit(candidate).scheme not in {"http", "https"}:
        return own
    if registered_domain(candidate) != registered_domain(own):
        return own
    return candidate


def registered_domain(url: str) -> str:
    """Registered domain of a URL (``bbc.co.uk``), or its bare host when it has no public suffix."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        fld = get_fld(f"http://{host}", fail_silently=True)
    except Exception:  # tld raises on odd hosts despite fail_silently
        fld = None
    return str(fld) if fld else host


def article_id_for(canonical_url: str) -> str:
    """Stable article id: the first 16 hex digits of the canonical URL's SHA-256."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]
