"""What the last poll of each feed document returned: validators, a content hash and its items.

One small JSON file per (feed, document URL) under ``$NEWS_DATA_ROOT/state/feeds/``, named
by a hash (feed ids and URLs never become paths), replaced whole through a temp name and a
rename: two runs polling at once each write a complete file and the last one wins; a
reader sees one of them, never a mixture. An unreadable file is treated as no state (the
next poll is then unconditional).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from news_ingest import store
from news_ingest.feeds import FeedItem
from news_ingest.urls import article_id_for, canonicalize_url

STATE_VERSION = 1
MAX_SEEN = 20_000


@dataclass
class DocState:
    """The last poll of one feed document (a feed, a sitemap index or a child sitemap)."""

    feed_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    polled_at: str | None = None
    changed_at: str | None = None
    # The parsed content, reused when the document is not modified.
    items: list[dict[str, Any]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    # Article ids listed by earlier polls (newest last, bounded): what is "new".
    seen: list[str] = field(default_factory=list)

    def conditional_headers(self) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for the next poll."""
        # A validator a server sent with a byte beyond ASCII cannot go back in a header
        # (httpx refuses to encode it): polled unconditionally instead, every time.
        headers = {}
        if self.etag and self.etag.isascii():
            headers["If-None-Match"] = self.etag
        if self.last_modified and self.last_modified.isascii():
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def feed_items(self) -> list[FeedItem]:
        """The stored items, as parsed the last time the document changed."""
        out = []
        for row in self.items:
            canonical = canonicalize_url(row["url"])
            published = row.get("published_at")
            out.append(
                FeedItem(
                    feed_id=self.feed_id,
                    url=row["url"],
                    canonical_url=canonical,
                    article_id=article_id_for(canonical),
                    title=row.get("title"),
                    published_at=datetime.fromisoformat(published) if published else None,
                    summary=None,
                )
            )
        return out

    def remember(self, items: list[FeedItem], children: list[str]) -> int:
        """Store a new parse; return how many of its items no earlier poll listed."""
        known = set(self.seen)
        new = [i.article_id for i in items if i.article_id not in known]
        self.items = [
            {
                "url": i.url,
                "title": i.title,
                "published_at": i.published_at.isoformat() if i.published_at else None,
            }
            for i in items
        ]
        self.children = list(children)
        self.seen = (self.seen + list(dict.fromkeys(new)))[-MAX_SEEN:]
        return len(set(new))


def state_uri(root: str, feed_id: str, url: str) -> str:
    """Where the state of one feed document lives."""
    key = hashlib.sha256(f"{feed_id}\n{url}".encode()).hexdigest()[:24]
    return store.join(root, "state", "feeds", f"{key}.json")


def load_state(root: str, feed_id: str, url: str) -> DocState:
    """The stored state, or a fresh one when there is none or it cannot be read."""
    data = store.read_bytes(state_uri(root, feed_id, url))
    if data:
        try:
            raw = json.loads(data)
            if raw.get("version") == STATE_VERSION and raw.get("url") == url:
                raw.pop("version")
                return DocState(**raw)
        except (ValueError, TypeError):
            pass
    return DocState(feed_id=feed_id, url=url)


def save_state(root: str, state: DocState) -> str:
    """Replace the stored state atomically (last writer wins)."""
    # The fields as they are: asdict would deep-copy every stored item first (a fifth of a
    # poll's CPU), for the same JSON.
    fields_ = {f.name: getattr(state, f.name) for f in fields(state)}
    body = json.dumps({"version": STATE_VERSION, **fields_}, sort_keys=True).encode()
    return store.write_bytes_atomic(state_uri(root, state.feed_id, state.url), body)
