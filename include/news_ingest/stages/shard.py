"""Shards of a night: its fetching and extraction split by site, one task per shard."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from news_ingest.stages.common import JsonRecord
from news_ingest.urls import registered_domain


@lru_cache(maxsize=65536)
def _site_hash(host: str) -> int:
    """A stable hash of a host's site (its registered domain), unlike the salted hash()."""
    site = registered_domain(f"http://{host}") if host else ""
    return int.from_bytes(hashlib.sha256(site.encode()).digest()[:8], "big")


def shard_of(url: str, count: int) -> int:
    """Which of ``count`` shards an item's URL belongs to, by its site: every host of a site
    (so every host, and the per-host politeness) and the site's boilerplate stay in one."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:  # a URL too broken to name a host: its fetch fails in some shard
        host = ""
    return _site_hash(host) % count


@dataclass(frozen=True)
class Shard(JsonRecord):
    """Shard ``index`` (from 0) of the ``count`` a night's pages are split into."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"no shard {self.index} of {self.count}")

    def holds(self, url: str) -> bool:
        """Whether the item at ``url`` is this shard's to fetch and extract."""
        return self.count == 1 or shard_of(url, self.count) == self.index

    @property
    def folder(self) -> str:
        """The folder of this shard's staged files, inside its run's staging folder."""
        return f"shard={self.index}-of-{self.count}"


# The whole night in one shard: what a run is without NEWS_FETCH_SHARDS.
WHOLE_NIGHT = Shard(0, 1)


def shards_of_night(count: int) -> list[Shard]:
    """The ``count`` shards of a night, in order."""
    return [Shard(i, count) for i in range(count)]
