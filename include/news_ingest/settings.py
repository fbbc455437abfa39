"""Pipeline settings: each NEWS_* variable declared once, read and checked once."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from news_ingest import __version__

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTACT_URL = "https://github.com/news-ingest/news_ingest"


class SettingsError(ValueError):
    """A NEWS_* variable holds a value the pipeline cannot use; the message names it."""


def user_agent_for(contact_url: str) -> str:
    """The User-Agent: the project's name and version, and where to reach its operator."""
    return f"news-ingest/{__version__} (+{contact_url})"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path("~/.cache").expanduser()) / "news_ingest"


@dataclass(frozen=True)
class Settings:
    """Everything the stages need to know about their environment."""

    feeds_path: str
    data_root: str
    seeds_dir: str
    allow_private_networks: bool
    user_agent: str = user_agent_for(CONTACT_URL)
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    # Wall-clock bound on one fetch, retries, waits and redirects included.
    total_timeout_s: float = 60.0
    # On the wire (compressed) and after decompression.
    max_response_bytes: int = 20 * 1024 * 1024
    max_decompressed_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    # Global bound on requests in flight, and per host (a host is the URL's host name, any port).
    fetch_concurrency: int = 8
    per_host_concurrency: int = 2
    # Shards a night's fetching and extraction is split into, by site (stages/shard.py):
    # one task each, so they can run on several workers.
    fetch_shards: int = 1
    # Minimum time between the starts of two requests to one host; robots.txt's
    # Crawl-delay raises it, up to max_crawl_delay_s.
    per_host_delay_s: float = 0.5
    max_crawl_delay_s: float = 10.0
    # Retries on timeouts, 429 and 5xx: exponential backoff with full jitter from
    # backoff_base_s, or the server's Retry-After when it gives one, up to max_retry_after_s.
    max_retries: int = 3
    backoff_base_s: float = 0.5
    max_retry_after_s: float = 30.0
    history_days: int = 30
    event_extractor: str = "rules"
    # A secret when it embeds a token: set it in the environment, never in a file.
    alert_webhook: str | None = None
    # GeoNames dumps (allCountries.txt or per-country files) that add places to the
    # built-in gazetteer, and where the built gazetteer is kept between processes.
    gazetteer_files: tuple[str, ...] = ()
    cache_dir: str = str(_default_cache_dir())
    # Days of date=D partitions kept before the run's day, per area (0 keeps them all);
    # retention.py prunes past them. Discovered items are kept at least as long as raw
    # captures, which a replay cannot use without them (retention.py).
    retention_days_staging: int = 14
    retention_days_raw: int = 90
    retention_days_discovered: int = 90

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from the NEWS_* variables of VARIABLES; SettingsError names a bad one."""
        values = {v.field: v.read() for v in VARIABLES}
        values["user_agent"] = user_agent_for(values["user_agent"] or CONTACT_URL)
        return cls(**values)


# -- parsing: each kind of value, with what it accepts ----------------------------------------


class _Refused(ValueError):
    """A value refused for a reason of its own, which the message gives."""


@dataclass(frozen=True)
class Kind:
    """How a variable's text becomes a value, and what it accepts (for the error)."""

    parse: Callable[[str], Any]
    accepts: str


def _number(kind: type[int] | type[float], low: float, high: float) -> Kind:
    def parse(text: str) -> int | float:
        value = kind(text)
        if not (low <= value <= high) or not math.isfinite(value):
            raise ValueError
        return value

    name = "an integer" if kind is int else "a number"
    return Kind(parse, f"{name} from {low:g} to {high:g}")


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError


def _location(text: str) -> str:
    if "://" in text:
        if "@" in text.split("://", 1)[1].split("/", 1)[0]:
            # pyarrow would accept s3://key:secret@bucket, and every URI in the manifest
            # would then carry the secret.
            raise _Refused(
                " must not carry credentials (user:password@ in its URI); give them "
                "through the store's own settings (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "for s3://), which are never written into outputs"
            )
        return text
    return str(Path(text).expanduser().resolve())


def _paths(text: str) -> tuple[str, ...]:
    return tuple(str(Path(p).expanduser().resolve()) for p in text.split(os.pathsep) if p.strip())


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")) or any(c.isspace() for c in text):
        raise ValueError
    return text


def _extractor(text: str) -> str:
    from news_ingest.events import EXTRACTORS

    if text not in EXTRACTORS:
        raise _Refused(f"={text!r} is not an event extractor: known are {', '.join(EXTRACTORS)}")
    return text


FLAG = Kind(_flag, "1, true, yes, on or 0, false, no, off")
LOCATION = Kind(_location, "a path or a store URI (s3://bucket/prefix)")
PATHS = Kind(_paths, f"paths separated by {os.pathsep!r}")
URL = Kind(_url, "an http:// or https:// URL")
EXTRACTOR = Kind(_extractor, "a registered event extractor")


@dataclass(frozen=True)
class Variable:
    """One NEWS_* variable: the setting it fills, how it is read, what it means."""

    name: str
    field: str
    kind: Kind
    description: str
    # When unset: the Settings field's own default, unless a default is given here.
    default: Callable[[], Any] | None = None
    secret: bool = False

    def read(self) -> Any:
        """The setting's value from the environment; SettingsError for one it cannot use."""
        text = os.environ.get(self.name, "").strip()
        if not text:
            return self.default() if self.default is not None else _field_default(self.field)
        try:
            return self.kind.parse(text)
        except _Refused as exc:
            raise SettingsError(f"{self.name}{exc}") from None  # the reason follows the name
        except (ValueError, OverflowError):
            shown = "<secret>" if self.secret else repr(text)
            raise SettingsError(
                f"{self.name}={shown} is not valid: expected {self.kind.accepts}"
            ) from None


def _field_default(name: str) -> Any:
    return next(f.default for f in fields(Settings) if f.name == name)


def _under(*parts: str) -> Callable[[], str]:
    return lambda: str(PROJECT_ROOT.joinpath(*parts))


VARIABLES: tuple[Variable, ...] = (
    Variable("NEWS_FEEDS", "feeds_path", LOCATION, "the feed list (YAML)",
             _under("include", "config", "feeds.yaml")),
    Variable("NEWS_DATA_ROOT", "data_root", LOCATION, "where outputs go: a path or s3://...",
             _under("data")),
    Variable("NEWS_SEEDS_DIR", "seeds_dir", LOCATION, "the seed corpus for dedupe",
             _under("seeds")),
    Variable("NEWS_ALLOW_PRIVATE_NETWORKS", "allow_private_networks", FLAG,
             "fetch private and loopback addresses (tests and demos only)", lambda: False),
    Variable("NEWS_CONTACT_URL", "user_agent", URL,
             "the operator's contact page, sent in the User-Agent", lambda: None),
    Variable("NEWS_FETCH_CONCURRENCY", "fetch_concurrency", _number(int, 1, 256),
             "requests in flight at once, all hosts together"),
    Variable("NEWS_PER_HOST_CONCURRENCY", "per_host_concurrency", _number(int, 1, 16),
             "requests in flight at once to one host"),
    Variable("NEWS_FETCH_SHARDS", "fetch_shards", _number(int, 1, 64),
             "tasks a night's fetching and extraction is split into, by site"),
    Variable("NEWS_PER_HOST_DELAY", "per_host_delay_s", _number(float, 0, 60),
             "seconds between the starts of two requests to one host"),
    Variable("NEWS_MAX_CRAWL_DELAY", "max_crawl_delay_s", _number(float, 0, 600),
             "the longest robots.txt Crawl-delay obeyed, seconds"),
    Variable("NEWS_FETCH_TIMEOUT", "total_timeout_s", _number(float, 1, 3600),
             "seconds for one fetch, retries and redirects included"),
    Variable("NEWS_FETCH_RETRIES", "max_retries", _number(int, 0, 10),
             "retries of a timeout, 429 or 5xx"),
    Variable("NEWS_MAX_RETRY_AFTER", "max_retry_after_s", _number(float, 0, 3600),
             "the longest Retry-After waited for, seconds"),
    Variable("NEWS_HISTORY_DAYS", "history_days", _number(int, 0, 3650),
             "days of published articles that dedupe compares against"),
    Variable("NEWS_EVENT_EXTRACTOR", "event_extractor", EXTRACTOR,
             "the event extractor"),
    Variable("NEWS_ALERT_WEBHOOK", "alert_webhook", URL,
             "where failure alerts are posted", secret=True),
    Variable("NEWS_GAZETTEER", "gazetteer_files", PATHS,
             "GeoNames dumps that add places to the built-in gazetteer"),
    Variable("NEWS_CACHE_DIR", "cache_dir", LOCATION,
             "where the built gazetteer is kept", lambda: str(_default_cache_dir())),
    Variable("NEWS_RETENTION_DAYS_STAGING", "retention_days_staging", _number(int, 0, 36500),
             "days of staging/ (a run's intermediate files) kept; 0 keeps all"),
    Variable("NEWS_RETENTION_DAYS_RAW", "retention_days_raw", _number(int, 0, 36500),
             "days of raw/ (WARC captures, replayed by backfills) kept; 0 keeps all"),
    Variable("NEWS_RETENTION_DAYS_DISCOVERED", "retention_days_discovered",
             _number(int, 0, 36500),
             "days of discovered/ items and harvest records kept (at least raw's); 0 keeps all"),
)  # fmt: skip


def setting(name: str) -> Any:
    """The value of one variable of VARIABLES, read and checked alone."""
    return next(v for v in VARIABLES if v.name == name).read()


def effective_settings() -> list[tuple[str, str, str]]:
    """Each variable's effective value (secrets masked) and meaning, for ``news-ingest config``."""
    rows = []
    for variable in VARIABLES:
        value = variable.read()
        if variable.secret and value:
            shown = "<set>"
        elif isinstance(value, tuple):
            shown = os.pathsep.join(value)
        else:
            shown = "" if value is None else str(value)
        rows.append((variable.name, shown, variable.description))
    return rows
