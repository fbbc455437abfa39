"""Pipeline settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from news_ingest import __version__

PROJECT_ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = f"news-ingest/{__version__} (+https://github.com/news-ingest/news_ingest)"


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _path(name: str, default: Path) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        return str(default)
    if "://" in value:
        return value
    return str(Path(value).expanduser().resolve())


@dataclass(frozen=True)
class Settings:
    """Everything the stages need to know about their environment."""

    feeds_path: str
    data_root: str
    seeds_dir: str
    allow_private_networks: bool
    user_agent: str = USER_AGENT
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_response_bytes: int = 20 * 1024 * 1024
    fetch_concurrency: int = 8
    per_host_concurrency: int = 2
    history_days: int = 30
    event_extractor: str = "rules"
    # A secret when it embeds a token: set it in the environment, never in a file.
    alert_webhook: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from NEWS_* variables, falling back to the project's defaults."""
        return cls(
            feeds_path=_path("NEWS_FEEDS", PROJECT_ROOT / "include" / "config" / "feeds.yaml"),
            data_root=_path("NEWS_DATA_ROOT", PROJECT_ROOT / "data"),
            seeds_dir=_path("NEWS_SEEDS_DIR", PROJECT_ROOT / "seeds"),
            allow_private_networks=_flag("NEWS_ALLOW_PRIVATE_NETWORKS"),
            fetch_concurrency=int(os.environ.get("NEWS_FETCH_CONCURRENCY", "8")),
            per_host_concurrency=int(os.environ.get("NEWS_PER_HOST_CONCURRENCY", "2")),
            history_days=int(os.environ.get("NEWS_HISTORY_DAYS", "30")),
            event_extractor=os.environ.get("NEWS_EVENT_EXTRACTOR", "rules"),
            alert_webhook=os.environ.get("NEWS_ALERT_WEBHOOK", "").strip() or None,
        )
