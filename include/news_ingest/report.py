"""The pipeline's page: run manifests read into per-day counts and feed health, rendered as HTML.

Everything here reads the manifests under ``$NEWS_DATA_ROOT/runs/`` (local or object store)
and nothing else; it imports no Airflow, so the plugin in ``plugins/`` stays thin and the
page can be tested without a server. Text from manifests (feed ids, error messages) is
untrusted and is escaped wherever it is written into the page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import pyarrow.fs as pafs

from news_ingest import store
from news_ingest.stages.manifest import RunManifest

DEFAULT_DAYS = 90
MAX_MANIFEST_BYTES = 16 * 1024 * 1024

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


@dataclass(frozen=True)
class DayCounts:
    """One day's counts, taken from its latest run (by written_at)."""

    day: date
    runs: int
    latest: RunRecord


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


def per_day(runs: Iterable[RunRecord]) -> list[DayCounts]:
    """Each day's counts from its latest manifest by written_at, oldest day first."""
    by_day: dict[date, list[RunRecord]] = {}
    for run in runs:
        by_day.setdefault(run.day, []).append(run)
    return [
        DayCounts(day, len(rs), max(rs, key=lambda r: (r.written_at, r.run_id)))
        for day, rs in sorted(by_day.items())
    ]


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


def build_report(root: str, days: int | None = DEFAULT_DAYS, now: datetime | None = None) -> Report:
    """Read the manifests under ``root`` and compute everything the page shows."""
    runs, skipped = read_runs(root, days)
    return Report(
        root=root,
        window_days=days,
        generated_at=now or datetime.now(UTC),
        runs=tuple(runs),
        days=tuple(per_day(runs)),
        feeds=tuple(feed_health(runs)),
        skipped=tuple(skipped),
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
            }
            for d in report.days
        ],
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


# ---- rendering --------------------------------------------------------------------------


def _e(value: object) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def _clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_root(root: str) -> str:
    """The data root without credentials or query string, fit to show."""
    if "://" not in root:
        return root
    scheme, rest = root.split("://", 1)
    netloc, slash, path = rest.partition("/")
    return f"{scheme}://{netloc.rsplit('@', 1)[-1]}{slash}{path.split('?', 1)[0]}"


def _nice_step(top: int, ticks: int = 4) -> int:
    """A 1-2-5 step so that ``ticks`` steps cover ``top``."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(int(factor * magnitude), 1)
    return int(10 * magnitude)


def _chart(
    key: str,
    title: str,
    axis: Sequence[date],
    values: Mapping[date, int],
    color: str,
    kind: Literal["bar", "line"],
    failed: set[date],
) -> str:
    """One per-day chart as inline SVG: bars or a line, value labels, failed-gate markers."""
    width, height = 520, 230
    left, right, top, bottom = 46, 12, 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(axis), 1)
    slot = plot_w / n
    step = _nice_step(max(values.values(), default=0))
    y_max = step * max(1, math.ceil(max(values.values(), default=0) / step))

    def y(v: int) -> float:
        return top + plot_h - plot_h * v / y_max

    parts = [
        f'<svg class="chart" data-chart="{_e(key)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{_e(title)} per day" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)} per day</title>",
    ]
    for i in range(0, y_max + 1, step):
        yy = y(i)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" class="tick" text-anchor="end">{i}</text>'
        )
    label_every = max(1, math.ceil(n / 10))
    show_values = n <= 31
    segments: list[list[tuple[float, float]]] = [[]]
    marks: list[str] = []
    for i, day in enumerate(axis):
        cx = left + slot * (i + 0.5)
        # Every k-th day and the last one, unless it would crowd the label before it.
        if (i % label_every == 0 and n - 1 - i >= label_every / 2) or i == n - 1:
            cls = "tick fail" if day in failed else "tick"
            parts.append(
                f'<text x="{cx:.1f}" y="{height - bottom + 16}" class="{cls}" '
                f'text-anchor="middle">{day.strftime("%m-%d")}</text>'
            )
        if day in failed:
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{height - bottom + 28}" r="4" class="failmark">'
                f"<title>{day.isoformat()}: quality gate failed</title></circle>"
            )
        if day not in values:
            segments.append([])
            continue
        value = values[day]
        tip = f"<title>{day.isoformat()}: {value} {_e(title.lower())}</title>"
        attrs = f'data-day="{day.isoformat()}" data-value="{value}"'
        if kind == "bar":
            bw = max(slot * 0.68, 1.0)
            marks.append(
                f'<rect class="bar" {attrs} x="{cx - bw / 2:.1f}" y="{y(value):.1f}" '
                f'width="{bw:.1f}" height="{y(0) - y(value):.1f}" fill="{color}">{tip}</rect>'
            )
        else:
            segments[-1].append((cx, y(value)))
            marks.append(
                f'<circle class="point" {attrs} cx="{cx:.1f}" cy="{y(value):.1f}" r="3.5" '
                f'fill="{color}">{tip}</circle>'
            )
        if show_values:
            marks.append(
                f'<text x="{cx:.1f}" y="{y(value) - 6:.1f}" class="value" '
                f'text-anchor="middle">{value}</text>'
            )
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>'
            )
    parts.extend(marks)
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="axis"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _sparkline(items: Sequence[tuple[date, int | None]]) -> str:
    """A small inline SVG of a feed's items per day; failed days as red ticks."""
    if not items:
        return ""
    width, height = 96, 22
    top = max((n for _, n in items if n is not None), default=0) or 1
    slot = width / len(items)
    bars = []
    for i, (day, n) in enumerate(items):
        x = i * slot + slot * 0.15
        w = max(slot * 0.7, 1.0)
        if n is None:
            bars.append(
                f'<rect x="{x:.1f}" y="{height - 6}" width="{w:.1f}" height="6" class="sparkfail">'
                f"<title>{day.isoformat()}: failed</title></rect>"
            )
        else:
            h = max((height - 2) * n / top, 1.0)
            bars.append(
                f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
                f'class="spark"><title>{day.isoformat()}: {n} items</title></rect>'
            )
    return (
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


_GATE_LABEL = {"failed": "failed", "warning": "warning", "passed": "passed", "unknown": "no gate"}

_STYLE = """
:root { color-scheme: light; --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb;
  --bad: #c81e1e; --bad-bg: #fdecec; --warn: #9a5b00; --warn-bg: #fff4e0; --ok: #18794e;
  --ok-bg: #e6f6ee; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 24px 32px; font: 14px/1.45 system-ui, -apple-system,
  "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 26px 0 10px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.sub .root { border-bottom: 1px dotted var(--muted); cursor: help; }
.tiles { display: flex; flex-wrap: wrap; gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .04em; }
.tile .big { font-size: 22px; font-weight: 600; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; max-width: 1200px; }
@media (max-width: 760px) { .charts { grid-template-columns: 1fr; } }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 4px; }
.card h3 { font-size: 14px; margin: 0 0 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
svg.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg.chart text.value { fill: var(--fg); font-weight: 600; }
svg.chart text.fail { fill: var(--bad); font-weight: 600; }
svg.chart .failmark { fill: var(--bad); }
.legend { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
.legend .dot { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-size: 12px; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failing td { background: var(--bad-bg); }
tr.failing td.feed { color: var(--bad); font-weight: 600; }
td.feed, td.nowrap, td.nowrap div { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.badge.failed, .badge.failing { background: var(--bad); color: #fff; }
.badge.warning { background: var(--warn-bg); color: var(--warn); }
.badge.passed, .badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.unknown { background: var(--line); color: var(--muted); }
.error { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px;
  word-break: break-word; }
.muted { color: var(--muted); }
.note { padding: 10px 14px; border-radius: 8px; background: var(--warn-bg); color: var(--warn); }
svg.sparkline .spark { fill: #3e7bfa; }
svg.sparkline .sparkfail { fill: var(--bad); }
.msgs { margin: 0; padding-left: 16px; font-size: 12px; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
"""

# The page runs no script and loads nothing: a stored error message cannot execute.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CHARTS: tuple[tuple[str, str, str, Literal["bar", "line"]], ...] = (
    ("fetched", "Pages fetched", "#3e7bfa", "bar"),
    ("extracted", "Articles extracted", "#0f9d8a", "bar"),
    ("duplicates", "Duplicates", "#d9822b", "bar"),
    ("events", "Events", "#7b4fd6", "line"),
)


def _feed_rows(feeds: Sequence[FeedHealth]) -> str:
    """The feed health table's rows."""
    rows = []
    for f in feeds:
        if f.failing:
            status = '<span class="badge failing">failing</span>'
            since = f" since {f.failing_since.isoformat()}" if f.failing_since else ""
            streak = (
                f'<span class="streak">{f.error_streak_days} '
                f"day{'s' if f.error_streak_days != 1 else ''}</span>"
                f'<div class="muted">{f.error_streak_runs} run'
                f"{'s' if f.error_streak_runs != 1 else ''}{since}</div>"
            )
        else:
            status = '<span class="badge ok">ok</span>'
            streak = '<span class="streak">0</span>'
        if f.last_success_day:
            success = f.last_success_day.isoformat()
            if f.last_success_at:
                success += (
                    f'<div class="muted">polled {f.last_success_at.strftime("%Y-%m-%d %H:%M")}'
                    " UTC</div>"
                )
        else:
            success = '<span class="muted">none in these days</span>'
        per_day = f.items_per_day
        items = (f"{per_day:.1f}" if per_day is not None else '<span class="muted">–</span>') + (
            f'<div class="muted">latest {f.latest_items}</div>'
            if f.latest_items is not None
            else ""
        )
        if f.last_error:
            error = (
                f'<span class="error" title="{_e(f.last_error)}">'
                f"{_e(_clip(f.last_error, 240))}</span>"
            )
            if not f.failing and f.last_error_day:
                error = f'<div class="muted">on {f.last_error_day.isoformat()}:</div>' + error
        else:
            error = '<span class="muted">–</span>'
        rows.append(
            f'<tr class="{"failing" if f.failing else "ok"}" data-feed="{_e(f.feed_id)}">'
            f'<td class="feed" title="{_e(f.feed_id)}">{_e(_clip(f.feed_id, 48))}</td>'
            f'<td>{status}</td><td class="nowrap">{success}</td>'
            f'<td class="num nowrap" data-key="error_streak_days" '
            f'data-value="{f.error_streak_days}">{streak}</td>'
            f'<td class="num">{items}</td><td>{_sparkline(f.items_by_day)}</td>'
            f"<td>{error}</td></tr>"
        )
    return "".join(rows)


def _day_rows(days: Sequence[DayCounts]) -> str:
    """The runs-by-day table's rows, newest day first."""
    rows = []
    for d in reversed(days):
        r = d.latest
        status = r.gate_status
        messages = [f"<li>{_e(_clip(m, 240))}</li>" for m in (*r.gate_failures, *r.gate_warnings)]
        cells = "".join(
            f'<td class="num" data-key="{k}">{v}</td>'
            for k, v in (
                ("feeds_failed", f"{r.feeds_failed}/{len(r.polls)}"),
                ("listed", r.listed),
                ("selected", r.selected),
                ("fetched", r.fetched),
                ("extracted", r.extracted),
                ("articles", r.articles),
                ("duplicates", r.duplicates),
                ("events", r.events),
            )
        )
        rows.append(
            f'<tr data-day="{d.day.isoformat()}"><td>{d.day.isoformat()}</td>'
            f'<td><span class="badge {status}">{_GATE_LABEL[status]}</span></td>'
            f'<td class="num">{d.runs}</td>{cells}'
            f'<td><ul class="msgs">{"".join(messages)}</ul></td></tr>'
        )
    return "".join(rows)


def render_html(report: Report) -> str:
    """The whole page: summary, per-day charts, feed health and runs by day; no script."""
    days = report.days
    window = f"last {report.window_days} days" if report.window_days else "all days"
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>News ingestion</title><style>{_STYLE}</style></head><body>"
        "<h1>News ingestion</h1>"
        # The data root only on hover: the page (and its screenshots) need not show paths.
        f'<p class="sub">From the <span class="root" title="{_e(display_root(report.root))}">'
        f"news_nightly run manifests</span> · {window} with runs · generated "
        f"{report.generated_at.strftime('%Y-%m-%d %H:%M')} UTC</p>"
    )
    notes = ""
    if report.skipped:
        listed = ", ".join(_e(s) for s in report.skipped[:10])
        notes = f'<p class="note">{len(report.skipped)} manifest(s) could not be read: {listed}</p>'
    if not days:
        return (
            head
            + notes
            + '<p class="note" id="empty">No run manifests yet. They appear under runs/ after'
            " the first news_nightly run.</p></body></html>"
        )
    last = days[-1].latest
    failing = [f for f in report.feeds if f.failing]
    tiles = (
        '<div class="tiles">'
        f'<div class="tile"><div class="label">Latest day</div><div class="big">'
        f'{days[-1].day.isoformat()}</div><span class="badge {last.gate_status}">gate '
        f"{_GATE_LABEL[last.gate_status]}</span></div>"
        f'<div class="tile"><div class="label">Articles</div><div class="big">{last.articles}'
        f'</div><span class="muted">{last.duplicates} duplicates</span></div>'
        f'<div class="tile"><div class="label">Events</div><div class="big">{last.events}'
        f'</div><span class="muted">{last.with_fatalities} with fatalities</span></div>'
        f'<div class="tile"><div class="label">Feeds failing</div><div class="big">'
        f'{len(failing)} <span class="muted" style="font-size:14px">of {len(report.feeds)}'
        "</span></div>"
        + (
            '<span class="muted">'
            + _e(_clip(", ".join(f.feed_id for f in failing[:3]), 60))
            + "</span>"
            if failing
            else '<span class="muted">all polled</span>'
        )
        + "</div></div>"
    )
    axis = [days[0].day + timedelta(days=i) for i in range((days[-1].day - days[0].day).days + 1)]
    failed = {d.day for d in days if d.latest.gate_status == "failed"}
    charts = "".join(
        f'<div class="card"><h3>{_e(title)}</h3>'
        + _chart(
            key,
            title,
            axis,
            {d.day: int(getattr(d.latest, key)) for d in days},
            color,
            kind,
            failed,
        )
        + "</div>"
        for key, title, color, kind in _CHARTS
    )
    legend = (
        '<p class="legend">Each day from its latest run. <span class="dot">●</span> quality gate'
        " failed (that day's partitions were left as they were).</p>"
        if failed
        else '<p class="legend">Each day from its latest run.</p>'
    )
    feeds = (
        '<h2>Feed health</h2><table id="feed-health"><thead><tr><th>Feed</th><th>Status</th>'
        '<th>Last success</th><th class="num">Error streak</th>'
        '<th class="num" title="items the feed listed at each day\'s poll">Items per day</th>'
        f"<th>Items by day</th><th>Last error</th></tr></thead><tbody>{_feed_rows(report.feeds)}"
        "</tbody></table>"
    )
    runs = (
        '<h2>Runs by day</h2><table id="runs-by-day"><thead><tr><th>Day</th><th>Gate</th>'
        '<th class="num">Runs</th><th class="num">Feeds failed</th><th class="num">Listed</th>'
        '<th class="num">Selected</th><th class="num">Fetched</th><th class="num">Extracted</th>'
        '<th class="num">Articles</th><th class="num">Duplicates</th><th class="num">Events</th>'
        f"<th>Gate messages</th></tr></thead><tbody>{_day_rows(days)}</tbody></table>"
    )
    return (
        head
        + notes
        + tiles
        + f'<h2>Per day</h2><div class="charts">{charts}</div>{legend}'
        + feeds
        + runs
        + '<footer>The same data as JSON: <a href="data.json">data.json</a>.</footer>'
        + "</body></html>"
    )
