"""Retention: prune the date=D partitions of staging/, raw/ and discovered/ past their window.

The window is counted back from the day of the run that prunes (its data interval's day),
never from the clock: a backfill of an old range prunes only what is older than that range,
and a rerun of a day deletes what its first run deleted. Published ``articles/``,
``events/`` and ``fingerprints/`` (articles and fingerprints are dedupe's history),
``runs/``, ``state/`` and ``cache/`` are never touched. What a run of day X reads, and so
what a window keeps for a rerun or a backfill:

- ``staging/date=X``: its own run's intermediate files only;
- ``raw/date=X`` and ``raw/date=X+1`` (with ``raw/index/``): captures a replay of X reads;
- ``discovered/date=X``: the items harvests listed for X, which select the pages a replay
  looks up. Raw captures without them are useless (a replay would find the captures, skip
  sitemap discovery and select almost nothing), so discovered/ is kept at least as long
  as raw/; ``harvests/`` (the harvest's run records) goes with discovered/.

A partition written to recently is kept whatever its day: another run (a backfill of an
old day beside tonight's run) may be using it, and is pruned once quiet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pyarrow.fs as pafs

from news_ingest import store
from news_ingest.stages.common import JsonRecord

if TYPE_CHECKING:
    from news_ingest.settings import Settings

log = logging.getLogger(__name__)

# Longer than any run's gap between two writes to one partition (a fetch task may take 12
# hours), so a partition that a live run uses is never taken from under it.
QUIET_FOR = timedelta(days=2)

# Per area, the folders holding its date=D partitions, in deletion order: a capture index
# goes before the WARC files it points into, so no reader sees an index without its WARCs.
FOLDERS: dict[str, tuple[str, ...]] = {
    "staging": ("staging",),
    "raw": ("raw/index", "raw"),
    "discovered": ("discovered", "harvests"),
}
# Folders inside an area folder that are not partitions and are expected there.
_KNOWN = {"raw": {"index"}}


@dataclass(frozen=True)
class Retention:
    """Days of partitions kept before the run's day, per area; 0 keeps every one."""

    staging: int
    raw: int
    discovered: int

    @classmethod
    def of(cls, settings: Settings) -> Retention:
        """The windows of the NEWS_RETENTION_DAYS_* settings."""
        return cls(
            settings.retention_days_staging,
            settings.retention_days_raw,
            settings.retention_days_discovered,
        )

    def days(self, area: str) -> int:
        """The window applied to ``area``: discovered/ never shorter than raw/."""
        if area == "discovered":
            if self.raw == 0 or self.discovered == 0:
                return 0
            return max(self.discovered, self.raw)
        return int(getattr(self, area))


@dataclass(frozen=True)
class PruneResult(JsonRecord):
    """What one pruning deleted, kept as recently written, and left alone as malformed."""

    day: date
    cutoffs: dict[str, date | None]
    deleted: tuple[str, ...]
    recently_written: tuple[str, ...]
    malformed: tuple[str, ...]


def _partition_day(name: str) -> date | None:
    """The day of a ``date=YYYY-MM-DD`` folder name, or None for any other name."""
    text = name.removeprefix("date=")
    if text == name or len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _last_write(fs: pafs.FileSystem, path: str) -> datetime | None:
    """When a file under ``path`` was last written (None for an empty folder)."""
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
    times = [i.mtime for i in infos if i.type == pafs.FileType.File and i.mtime is not None]
    return max(times).astimezone(UTC) if times else None


def prune_expired(
    root: str,
    day: date,
    retention: Retention,
    *,
    now: datetime | None = None,
    quiet_for: timedelta = QUIET_FOR,
) -> PruneResult:
    """Delete each area's partitions dated before ``day`` minus its window (unless recent)."""
    now = now or datetime.now(UTC)
    cutoffs: dict[str, date | None] = {}
    deleted: list[str] = []
    recent: list[str] = []
    malformed: list[str] = []
    for area, folders in FOLDERS.items():
        window = retention.days(area)
        cutoff = day - timedelta(days=window) if window > 0 else None
        cutoffs[area] = cutoff
        if cutoff is None:
            continue
        for folder in folders:
            fs, path = store.resolve(store.join(root, folder))
            infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
            for info in sorted(infos, key=lambda i: i.base_name):
                name = info.base_name
                shown = f"{folder}/{name}"
                if name.startswith(".") or name in _KNOWN.get(folder, set()):
                    continue  # a writer's temp file, or a known subfolder
                partition_day = _partition_day(name)
                if info.type != pafs.FileType.Directory or partition_day is None:
                    log.warning("retention: left %s alone: not a date=YYYY-MM-DD folder", shown)
                    malformed.append(shown)
                    continue
                if partition_day >= cutoff:
                    continue
                written = _last_write(fs, info.path)
                if written is not None and now - written < quiet_for:
                    log.info("retention: kept %s: written at %s, maybe by a live run", shown,
                             written.isoformat(timespec="seconds"))  # fmt: skip
                    recent.append(shown)
                    continue
                fs.delete_dir(info.path)
                deleted.append(shown)
    log.info(
        "retention for %s: deleted %d partitions (%s), kept %d recently written, %d names "
        "left alone", day, len(deleted),
        ", ".join(f"{a} before {c}" if c else f"{a} kept" for a, c in cutoffs.items()),
        len(recent), len(malformed),
    )  # fmt: skip
    return PruneResult(day, cutoffs, tuple(deleted), tuple(recent), tuple(malformed))
