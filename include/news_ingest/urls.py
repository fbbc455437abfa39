"""URL canonicalisation, registered domains and stable article ids."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from courlan.clean import TRACKERS_RE
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
    """Our list, then courlan's tracker patterns (AdGuard's list) taken as whole name
    parts: ``utm_source`` and ``ref`` are trackers, ``gallery`` and ``games`` are not
    (courlan's bare pattern would drop them for starting with ``ga``)."""
    k = key.lower()
    if k in TRACKING_PARAMS or k.startswith(("utm_", "pk_", "mtm_", "hsa_", "__twitter")):
        return True
    match = TRACKERS_RE.search(k)
    if match is None:
        return False
    end = match.end()
    return match.group().endswith("_") or end == len(k) or k[end] in "_-"


def _is_amp_flag(key: str, value: str) -> bool:
    """``?amp``, ``?amp=1``, ``?amp=true``, ``?outputType=amp``: the AMP rendering of a page."""
    k, v = key.lower(), value.lower()
    return (k == "amp" and v in {"", "1", "true", "yes"}) or (k == "outputtype" and v == "amp")


def _amp_host(host: str) -> str:
    """``amp.example.com`` -> ``example.com`` (only while a registrable name remains)."""
    while host.startswith("amp.") and host.count(".") >= 2:
        host = host[4:]
    return host


def _amp_path(path: str) -> str:
    """Drop ``/amp`` path segments (``/amp/world/story``, ``/world/story/amp``) and an
    ``.amp`` suffix of the last segment (``story.amp``, ``story.amp.html``)."""
    segments = path.split("/")
    kept = [seg for seg in segments if seg.lower() != "amp"]
    if len(kept) != len(segments):
        path = "/".join(kept) or "/"  # /story/amp -> /story, /story/amp/ -> /story/
        if not path.startswith("/"):
            path = "/" + path
    head, _, last = path.rpartition("/")
    lower = last.lower()
    while lower.endswith(".amp") or ".amp." in lower:
        if lower.endswith(".amp"):
            last = last[:-4]
        else:
            i = lower.rindex(".amp.")
            last = last[:i] + last[i + 4 :]
        lower = last.lower()
    return f"{head}/{last}"


def canonicalize_url(url: str) -> str:
    """The one canonical form of a URL, for article ids and URL dedupe.

    Scheme and host lower-cased, default port dropped, path normalised by courlan
    (repeated slashes, leading ``/..``, percent-encoding), fragment dropped, tracking
    parameters dropped and the rest sorted, and an AMP URL mapped to its canonical page
    (``amp.`` subdomain, ``/amp`` segments, ``.amp`` suffix, ``?amp=1``). An URL already
    in this form is returned unchanged, so its article id stays the same.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    host = _amp_host((parts.hostname or "").lower().rstrip("."))
    netloc = host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    path = parts.path or "/"
    if scheme in {"http", "https"} and host:
        # courlan on the path alone: its query cleaning drops blank values and its
        # host handling decodes punycode, so those two parts are ours.
        for _ in range(5):  # dropping an AMP segment can expose a leading /.. to courlan
            before = path
            path = urlsplit(normalize_url(urlunsplit((scheme, netloc, path, "", "")))).path
            path = _amp_path(path or "/")
            if path == before:
                break
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k) and not _is_amp_flag(k, v)
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
    return _registered_domain_of_host((urlsplit(url).hostname or "").lower())


@lru_cache(maxsize=4096)
def _registered_domain_of_host(host: str) -> str:
    # A night's pages come from a few hundred hosts, and each page asks three times.
    try:
        fld = get_fld(f"http://{host}", fail_silently=True)
    except Exception:  # tld raises on odd hosts despite fail_silently
        fld = None
    return str(fld) if fld else host


def article_id_for(canonical_url: str) -> str:
    """Stable article id: the first 16 hex digits of the canonical URL's SHA-256."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]
