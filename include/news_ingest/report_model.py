"""The report page's data: run manifests read into per-day counts and feed health, no markup.

It reads the manifests under ``$NEWS_DATA_ROOT/runs/`` and the harvest records under
``harvests/`` (local or object store) and nothing else, and imports no Airflow, so the
plugin in ``plugins/`` stays thin. Links into the Airflow UI are built here from run ids,
relative to the UI's base URL. Text from manifests
(feed ids, error messages) is kept as it was written: escaping is the templates' job.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any, Literal
from urllib.parse import quote

import pyarrow.fs as pafs

from news_ingest import store
from news_ingest.stages.harvest import HarvestRecord
from news_ingest.stages.manifest import RunManifest

DEFAULT_DAYS = 90
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
NIGHTLY_DAG = "news_nightly"
HARVEST_DAG = "news_harvest"
# The Airflow UI's base as seen from the page, which the api-server serves at
# <base>/news-ingest/: relative, so a deployment under a sub-path works.
UI_BASE = "../"
# The nightly task that ran each manifest stage (fetch and extract share one).
STAGE_TASKS = {
    "poll": "poll_feeds",
    "select": "select_items_of_day",
    "fetch": "fetch_and_extract_pages",
    "extract": "fetch_and_extract_pages",
    "dedupe": "dedupe_articles",
    "events": "extract_events",
    "publish": "finish_run",
}
HARVESTS_SHOWN = 12

GateStatus = Literal["failed", "warning", "passed", "unknown"]


@dataclass(frozen=True)
class FeedPoll:
    """One feed's poll in one run."""

    feed_id: str
    items: int
    error: str | None


@dataclass(frozen=True)
class RunRecord:
    """One run's manifest, reduced to the numbers the page shows."""

    day: date
    run_id: str
    written_at: datetime
    uri: str
    version: str
    polls: tuple[FeedPoll, ...]
    listed: int
    selected: int
    fetched: int
    fetch_failed: int
    extracted: int
    extract_failed: int
    articles: int
    duplicates: int
    originals: int
    events: int
    with_fatalities: int
    gate_checked: bool
    gate_failures: tuple[str, ...]
    gate_warnings: tuple[str, ...]
    published: bool
    durations: tuple[tuple[str, float], ...] = ()

    @property
    def gate_status(self) -> GateStatus:
        """Failed, warning, passed, or unknown when the manifest has no gate verdict."""
        if self.gate_failures:
            return "failed"
        if self.gate_warnings:
            return "warning"
        return "passed" if self.gate_checked else "unknown"

    @property
    def feeds_failed(self) -> int:
        """How many feeds failed to poll in this run."""
        return sum(1 for p in self.polls if p.error)


def run_url(dag_id: str, run_id: str, ui_base: str = UI_BASE) -> str:
    """The Airflow UI's page of one DAG run."""
    return f"{ui_base}dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def task_url(dag_id: str, run_id: str, task_id: str, ui_base: str = UI_BASE) -> str:
    """The Airflow UI's page of one task of a run, which opens on its logs."""
    return f"{run_url(dag_id, run_id, ui_base)}/tasks/{quote(task_id, safe='')}"


@dataclass(frozen=True)
class StageTime:
    """One stage's duration in a run, and the task whose logs tell about it."""

    stage: str
    seconds: float
    logs_url: str | None


@dataclass(frozen=True)
class DayCounts:
    """One day's counts, taken from its latest run (by written_at), with links into Airflow."""

    day: date
    runs: int
    latest: RunRecord
    run_url: str = ""
    stage_times: tuple[StageTime, ...] = ()

    @property
    def total_seconds(self) -> float:
        """The stages' durations added up, stages of one task counted once, by the longer."""
        # Fetch and extract run together in one task: their times overlap.
        by_task: dict[str, float] = {}
        for t in self.stage_times:
            key = t.logs_url or t.stage
            by_task[key] = max(by_task.get(key, 0.0), t.seconds)
        return sum(by_task.values())


@dataclass(frozen=True)
class HarvestRun:
    """One news_harvest run, from its record, with a link to it in Airflow."""

    record: HarvestRecord
    run_url: str


@dataclass(frozen=True)
class HarvestHealth:
    """The harvest's recent runs (newest first) and whether it has gone quiet."""

    runs: tuple[HarvestRun, ...]
    stale: bool
    usual_gap: timedelta | None
    age: timedelta | None

    @property
    def latest(self) -> HarvestRun | None:
        """The newest harvest run, if any."""
        return self.runs[0] if self.runs else None

    @property
    def failing_feeds(self) -> tuple[tuple[str, str], ...]:
        """The feeds (and errors) that failed in the newest harvest run."""
        return self.runs[0].record.failed_feeds if self.runs else ()


@dataclass(frozen=True)
class FeedHealth:
    """One feed's recent history: last success, current error streak and items per day."""

    feed_id: str
    last_success_day: date | None
    last_success_at: datetime | None
    error_streak_days: int
    error_streak_runs: int
    failing_since: date | None
    last_error: str | None
    last_error_day: date | None
    items_by_day: tuple[tuple[date, int | None], ...]

    @property
    def failing(self) -> bool:
        """Whether the feed's latest poll failed."""
        return self.error_streak_runs > 0

    @property
    def items_per_day(self) -> float | None:
        """Average items listed per day, over the days the feed polled without error."""
        ok = [n for _, n in self.items_by_day if n is not None]
        return sum(ok) / len(ok) if ok else None

    @property
    def latest_items(self) -> int | None:
        """Items listed at the latest successful poll among the days shown."""
        ok = [n for _, n in self.items_by_day if n is not None]
        return ok[-1] if ok else None


@dataclass(frozen=True)
class Report:
    """Everything the page shows, for one data root and window of days."""

    root: str
    window_days: int | None
    generated_at: datetime
    runs: tuple[RunRecord, ...]
    days: tuple[DayCounts, ...]
    feeds: tuple[FeedHealth, ...]
    skipped: tuple[str, ...]
    harvest: HarvestHealth = HarvestHealth((), False, None, None)


def _day(value: object) -> date | None:
    """A YYYY-MM-DD day, or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def parse_manifest(manifest: RunManifest, uri: str = "", day: date | None = None) -> RunRecord:
    """A run record from a run manifest; ``day`` (its folder's) wins over the manifest's."""
    stages, gate = manifest.stages, manifest.gate
    return RunRecord(
        day=day or manifest.day,
        run_id=manifest.run_id,
        written_at=manifest.written_at.astimezone(UTC),
        uri=uri,
        version=manifest.news_ingest_version,
        polls=tuple(
            FeedPoll(p.feed_id, p.health.items, str(p.error) if p.error else None)
            for p in stages.poll
        ),
        listed=stages.select.listed,
        selected=stages.select.selected,
        fetched=stages.fetch.fetched,
        fetch_failed=stages.fetch.failed,
        extracted=stages.extract.extracted,
        extract_failed=stages.extract.failed,
        articles=stages.dedupe.articles,
        duplicates=stages.dedupe.duplicates,
        originals=stages.dedupe.originals,
        events=stages.events.events,
        with_fatalities=stages.events.with_fatalities,
        gate_checked=gate is not None,
        gate_failures=gate.failures if gate else (),
        gate_warnings=gate.warnings if gate else (),
        published=manifest.published is not None,
        durations=tuple((k, float(v)) for k, v in manifest.durations.items()),
    )


def _date_dirs(fs: Any, runs_path: str) -> list[tuple[date, str]]:
    """The ``date=YYYY-MM-DD`` folders under runs/, oldest first."""
    infos = fs.get_file_info(pafs.FileSelector(runs_path, allow_not_found=True))
    found = []
    for info in infos:
        if info.type != pafs.FileType.Directory or not info.base_name.startswith("date="):
            continue
        day = _day(info.base_name.removeprefix("date="))
        if day is not None:
            found.append((day, info.path))
    return sorted(found)


def read_runs(root: str, days: int | None = DEFAULT_DAYS) -> tuple[list[RunRecord], list[str]]:
    """Manifests of the last ``days`` days up to the newest (all if None), and unreadable ones."""
    fs, runs_path = store.resolve(store.join(root, "runs"))
    folders = _date_dirs(fs, runs_path)
    if days is not None and folders:
        first = folders[-1][0] - timedelta(days=max(days, 1) - 1)
        folders = [(d, p) for d, p in folders if d >= first]
    runs: list[RunRecord] = []
    skipped: list[str] = []
    for day, folder in folders:
        for info in fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)):
            name = info.base_name
            if info.type != pafs.FileType.File or not (
                name.startswith("manifest-") and name.endswith(".json")
            ):
                continue
            label = f"date={day.isoformat()}/{name}"
            try:
                with fs.open_input_stream(info.path) as stream:
                    raw = stream.read(MAX_MANIFEST_BYTES + 1)
                if len(raw) > MAX_MANIFEST_BYTES:
                    raise ValueError("too large")
                runs.append(parse_manifest(RunManifest.from_json(raw), info.path, day))
            except (OSError, ValueError) as exc:  # ManifestError is a ValueError
                skipped.append(f"{label}: {type(exc).__name__}")
    runs.sort(key=lambda r: (r.written_at, r.run_id))
    return runs, skipped


def _day_counts(day: date, runs: list[RunRecord], ui_base: str) -> DayCounts:
    """A day's counts from its latest run, with links to that run and its stages' logs."""
    latest = max(runs, key=lambda r: (r.written_at, r.run_id))
    times = tuple(
        StageTime(
            stage,
            seconds,
            task_url(NIGHTLY_DAG, latest.run_id, STAGE_TASKS[stage], ui_base)
            if stage in STAGE_TASKS
            else None,
        )
        for stage, seconds in latest.durations
    )
    return DayCounts(day, len(runs), latest, run_url(NIGHTLY_DAG, latest.run_id, ui_base), times)


def per_day(runs: Iterable[RunRecord], ui_base: str = UI_BASE) -> list[DayCounts]:
    """Each day's counts from its latest manifest by written_at, oldest day first."""
    by_day: dict[date, list[RunRecord]] = {}
    for run in runs:
        by_day.setdefault(run.day, []).append(run)
    return [_day_counts(day, rs, ui_base) for day, rs in sorted(by_day.items())]


def read_harvests(root: str, limit: int = HARVESTS_SHOWN) -> tuple[list[HarvestRecord], list[str]]:
    """The newest ``limit`` harvest records, newest first, and the unreadable ones."""
    fs, path = store.resolve(store.join(root, "harvests"))
    records: list[HarvestRecord] = []
    skipped: list[str] = []
    for day, folder in reversed(_date_dirs(fs, path)):
        if len(records) >= limit:
            break
        for info in fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)):
            if info.type != pafs.FileType.File or not info.base_name.endswith(".json"):
                continue
            try:
                with fs.open_input_stream(info.path) as stream:
                    raw = stream.read(MAX_MANIFEST_BYTES + 1)
                if len(raw) > MAX_MANIFEST_BYTES:
                    raise ValueError("too large")
                records.append(HarvestRecord.from_json(raw))
            except (OSError, ValueError) as exc:
                skipped.append(f"harvests/date={day.isoformat()}/{info.base_name}: "
                               f"{type(exc).__name__}")  # fmt: skip
    records.sort(key=lambda r: (r.written_at, r.run_id), reverse=True)
    return records[:limit], skipped


def harvest_health(
    records: Sequence[HarvestRecord], now: datetime, ui_base: str = UI_BASE
) -> HarvestHealth:
    """The harvest's runs, newest first, stale when the newest is 3 usual gaps old."""
    # The schedule is the operator's (NEWS_HARVEST_CRON): the usual gap is learnt from
    # the records, not assumed.
    runs = tuple(HarvestRun(r, run_url(HARVEST_DAG, r.run_id, ui_base)) for r in records)
    if not records:
        return HarvestHealth(runs, False, None, None)
    times = [r.written_at for r in records]
    gaps = [(a - b).total_seconds() for a, b in pairwise(times) if a > b]
    usual = timedelta(seconds=statistics.median(gaps)) if gaps else None
    age = now - times[0]
    stale = age > 3 * max(usual or timedelta(minutes=30), timedelta(minutes=10))
    return HarvestHealth(runs, stale, usual, age)


def feed_health(runs: Sequence[RunRecord]) -> list[FeedHealth]:
    """Per feed: last success, current error streak and items per day; failing feeds first."""
    # Polls are ordered by when they ran (written_at), not by the day they were for: a
    # backfill of an old day polls the feed now. The streak counts failed polls since the
    # last good one, in runs and in distinct run days; runs without the feed are passed
    # over. Items per day come from each day's latest run.
    ordered = sorted(runs, key=lambda r: (r.written_at, r.run_id))
    latest = [d.latest for d in per_day(ordered)]
    feed_ids = sorted({p.feed_id for r in ordered for p in r.polls})
    health = []
    for feed_id in feed_ids:
        streak_runs, streak_days = 0, set()
        last_ok: RunRecord | None = None
        last_error: tuple[str, date] | None = None
        for run in reversed(ordered):
            poll = next((p for p in run.polls if p.feed_id == feed_id), None)
            if poll is None:
                continue
            if poll.error and last_error is None:
                last_error = (poll.error, run.day)
            if not poll.error:
                last_ok = run
                break
            streak_runs += 1
            streak_days.add(run.day)
        if last_error is None:
            last_error = next(
                (
                    (p.error, r.day)
                    for r in reversed(ordered)
                    for p in r.polls
                    if p.feed_id == feed_id and p.error
                ),
                None,
            )
        items: list[tuple[date, int | None]] = []
        for run in latest:
            poll = next((p for p in run.polls if p.feed_id == feed_id), None)
            if poll is not None:
                items.append((run.day, None if poll.error else poll.items))
        health.append(
            FeedHealth(
                feed_id=feed_id,
                last_success_day=last_ok.day if last_ok else None,
                last_success_at=last_ok.written_at if last_ok else None,
                error_streak_days=len(streak_days),
                error_streak_runs=streak_runs,
                failing_since=min(streak_days) if streak_days else None,
                last_error=last_error[0] if last_error else None,
                last_error_day=last_error[1] if last_error else None,
                items_by_day=tuple(items),
            )
        )
    health.sort(key=lambda f: (not f.failing, -f.error_streak_days, f.feed_id))
    return health


def build_report(
    root: str,
    days: int | None = DEFAULT_DAYS,
    now: datetime | None = None,
    ui_base: str = UI_BASE,
) -> Report:
    """Everything the page shows, from ``root``; links into Airflow start with ``ui_base``."""
    now = now or datetime.now(UTC)
    runs, skipped = read_runs(root, days)
    harvests, unreadable = read_harvests(root)
    return Report(
        root=root,
        window_days=days,
        generated_at=now,
        runs=tuple(runs),
        days=tuple(per_day(runs, ui_base)),
        feeds=tuple(feed_health(runs)),
        skipped=tuple(skipped + unreadable),
        harvest=harvest_health(harvests, now, ui_base),
    )


def _iso(value: date | datetime | None) -> str | None:
    """ISO text of a day or timestamp, or None."""
    return value.isoformat() if value is not None else None


def report_json(report: Report) -> dict[str, Any]:
    """The page's data as a JSON-ready dict (the plugin's JSON endpoint)."""
    return {
        "root": display_root(report.root),
        "window_days": report.window_days,
        "generated_at": report.generated_at.isoformat(),
        "days": [
            {
                "day": d.day.isoformat(),
                "runs": d.runs,
                "run_id": d.latest.run_id,
                "written_at": _iso(d.latest.written_at),
                "gate": d.latest.gate_status,
                "gate_failures": list(d.latest.gate_failures),
                "gate_warnings": list(d.latest.gate_warnings),
                "published": d.latest.published,
                "feeds": len(d.latest.polls),
                "feeds_failed": d.latest.feeds_failed,
                "listed": d.latest.listed,
                "selected": d.latest.selected,
                "fetched": d.latest.fetched,
                "fetch_failed": d.latest.fetch_failed,
                "extracted": d.latest.extracted,
                "extract_failed": d.latest.extract_failed,
                "articles": d.latest.articles,
                "duplicates": d.latest.duplicates,
                "originals": d.latest.originals,
                "events": d.latest.events,
                "with_fatalities": d.latest.with_fatalities,
                "run_url": d.run_url,
                "durations": {t.stage: t.seconds for t in d.stage_times},
            }
            for d in report.days
        ],
        "harvest": {
            "stale": report.harvest.stale,
            "runs": [{**h.record.to_dict(), "run_url": h.run_url} for h in report.harvest.runs],
        },
        "feeds": [
            {
                "feed_id": f.feed_id,
                "failing": f.failing,
                "last_success_day": _iso(f.last_success_day),
                "last_success_at": _iso(f.last_success_at),
                "error_streak_days": f.error_streak_days,
                "error_streak_runs": f.error_streak_runs,
                "failing_since": _iso(f.failing_since),
                "last_error": f.last_error,
                "last_error_day": _iso(f.last_error_day),
                "items_per_day": f.items_per_day,
                "items_by_day": {d.isoformat(): n for d, n in f.items_by_day},
            }
            for f in report.feeds
        ],
        "skipped": list(report.skipped),
    }


def display_root(root: str) -> str:
    """The data root without credentials or query string, fit to show."""
    if "://" not in root:
        return root
    scheme, rest = root.split("://", 1)
    netloc, slash, path = rest.partition("/")
    return f"{scheme}://{netloc.rsplit('@', 1)[-1]}{slash}{path.split('?', 1)[0]}"
