"""The feed list: a YAML file of feeds, validated before any run uses it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

FEED_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class FeedListError(ValueError):
    """The feed list cannot be used; the message says where and why."""


class Feed(BaseModel):
    """One feed or sitemap to poll."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    url: str
    kind: Literal["feed", "sitemap"] | None = None
    source: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")

    @field_validator("id")
    @classmethod
    def _id_is_slug(cls, value: str) -> str:
        if not FEED_ID.match(value):
            raise ValueError("must match [a-z0-9-]+ (max 64 chars, no leading/trailing '-')")
        return value

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL")
        return value


class FeedList(BaseModel):
    """The whole feed list file."""

    model_config = ConfigDict(extra="forbid")

    feeds: list[Feed]

    @field_validator("feeds")
    @classmethod
    def _unique_ids(cls, feeds: list[Feed]) -> list[Feed]:
        seen: set[str] = set()
        for feed in feeds:
            if feed.id in seen:
                raise ValueError(f"duplicate feed id {feed.id!r}")
            seen.add(feed.id)
        if not feeds:
            raise ValueError("the feed list is empty")
        return feeds


def parse_feed_list(text: str, origin: str = "<feeds>") -> list[Feed]:
    """Parse and validate feed-list YAML; raise FeedListError with a readable message."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FeedListError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        found = "an empty file" if raw is None else f"a YAML {type(raw).__name__}"
        raise FeedListError(f"{origin}: expected a mapping with a 'feeds' list, found {found}")
    try:
        return FeedList.model_validate(raw).feeds
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise FeedListError(f"{origin}: {problems}") from exc


def load_feed_list(path: str) -> list[Feed]:
    """Read and validate the feed list at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise FeedListError(f"{path}: no feed list there (NEWS_FEEDS names the feed list)") from exc
    except OSError as exc:
        raise FeedListError(f"{path}: cannot read feed list: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise FeedListError(
            f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from exc
    return parse_feed_list(text, origin=path)
