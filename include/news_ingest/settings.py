"""Pipeline settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from news_ingest import __version__

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTACT_URL = "https://github.com/news-ingest/news_ingest"


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def user_agent_for(contact_url: str) -> str:
    """The User-Agent: the project's name and version, and where to reach its operator."""
    return f"news-ingest/{__version__} (+{contact_url})"


def _path(name: str, default: Path) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        return str(default)
    if "://" in value:
        if "@" in value.split("://", 1)[1].split("/", 1)[0]:
            # pyarrow would accept s3://key:secret@bucket, and every URI in the manifest
            # would then carry the secret.
            raise ValueError(
                f"{name} must not carry credentials (user:password@ in its URI); give them "
                "through the store's own settings (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "for s3://), which are never written into outputs"
            )
        return value
    return str(Path(value).expanduser().resolve())


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

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from NEWS_* variables, falling back to the project's defaults."""
        return cls(
            feeds_path=_path("NEWS_FEEDS", PROJECT_ROOT / "include" / "config" / "feeds.yaml"),
            data_root=_path("NEWS_DATA_ROOT", PROJECT_ROOT / "data"),
            seeds_dir=_path("NEWS_SEEDS_DIR", PROJECT_ROOT / "seeds"),
            allow_private_networks=_flag("NEWS_ALLOW_PRIVATE_NETWORKS"),
            user_agent=user_agent_for(
                os.environ.get("NEWS_CONTACT_URL", "").strip() or CONTACT_URL
            ),
            fetch_concurrency=_int("NEWS_FETCH_CONCURRENCY", 8),
            per_host_concurrency=_int("NEWS_PER_HOST_CONCURRENCY", 2),
            per_host_delay_s=_float("NEWS_PER_HOST_DELAY", 0.5),
            max_crawl_delay_s=_float("NEWS_MAX_CRAWL_DELAY", 10.0),
            total_timeout_s=_float("NEWS_FETCH_TIMEOUT", 60.0),
            max_retries=_int("NEWS_FETCH_RETRIES", 3),
            max_retry_after_s=_float("NEWS_MAX_RETRY_AFTER", 30.0),
            history_days=int(os.environ.get("NEWS_HISTORY_DAYS", "30")),
            event_extractor=os.environ.get("NEWS_EVENT_EXTRACTOR", "rules"),
            alert_webhook=os.environ.get("NEWS_ALERT_WEBHOOK", "").strip() or None,
            gazetteer_files=tuple(
                str(Path(p).expanduser().resolve())
                for p in os.environ.get("NEWS_GAZETTEER", "").split(os.pathsep)
                if p.strip()
            ),
            cache_dir=_path("NEWS_CACHE_DIR", _default_cache_dir()),
        )
