"""The pipeline's page: a ``report_model.Report`` rendered as HTML through Jinja2 templates.

The templates are package data under ``templates/``, read through importlib.resources. Jinja2
escapes every value they print (autoescape), so text from manifests (feed ids, error
messages) cannot become markup; nothing here escapes by hand or marks text as safe.
"""

from __future__ import annotations

import functools
from datetime import timedelta
from importlib import resources

import jinja2

from news_ingest.report_charts import SPARK_HEIGHT, SPARK_WIDTH, Chart, ChartKind, chart, sparkline
from news_ingest.report_model import Report, display_root

# The page runs no script and loads nothing: a stored error message cannot execute.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

GATE_LABEL = {"failed": "failed", "warning": "warning", "passed": "passed", "unknown": "no gate"}

CHARTS: tuple[tuple[str, str, str, ChartKind], ...] = (
    ("fetched", "Pages fetched", "#3e7bfa", "bar"),
    ("extracted", "Articles extracted", "#0f9d8a", "bar"),
    ("duplicates", "Duplicates", "#d9822b", "bar"),
    ("events", "Events", "#7b4fd6", "line"),
)


def clip(text: str, limit: int) -> str:
    """Text cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_decimal(value: float) -> str:
    """A number with one decimal, as coordinates and averages are shown."""
    return f"{value:.1f}"


def _count(value: float) -> str:
    """A count as an integer (an average of counts rounded), never ``13.0``."""
    return str(round(value))


def _duration(value: float | timedelta) -> str:
    """Seconds as people read them: ``4.2 s``, ``3 min 05 s``, ``2 h 07 min``."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    if whole < 2 * 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def _template_source(name: str) -> str | None:
    """A template's text from the package's templates/ folder, or None if there is none."""
    path = resources.files("news_ingest").joinpath(f"templates/{name}")
    return path.read_text("utf-8") if path.is_file() else None


@functools.cache
def _environment() -> jinja2.Environment:
    """The templates' environment: every printed value escaped, an unknown name an error."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(clip=clip, f1=_one_decimal, count=_count, duration=_duration)
    env.globals.update(
        gate_label=GATE_LABEL,
        sparkline_bars=sparkline,
        spark_width=SPARK_WIDTH,
        spark_height=SPARK_HEIGHT,
    )
    return env


def _charts(report: Report) -> tuple[Chart, ...]:
    """The per-day charts, over every day from the first with a run to the last."""
    days = report.days
    if not days:
        return ()
    axis = [days[0].day + timedelta(days=i) for i in range((days[-1].day - days[0].day).days + 1)]
    failed = {d.day for d in days if d.latest.gate_status == "failed"}
    charts = []
    for key, title, color, kind in CHARTS:
        values = {d.day: int(getattr(d.latest, key)) for d in days}
        charts.append(chart(key, title, color, kind, axis, values, failed))
    return tuple(charts)


def render_html(report: Report) -> str:
    """The whole page: summary, per-day charts, feed health and runs by day; no script."""
    failing = [f for f in report.feeds if f.failing]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            days=report.days,
            root=display_root(report.root),
            csp=CONTENT_SECURITY_POLICY,
            charts=_charts(report),
            any_failed=any(d.latest.gate_status == "failed" for d in report.days),
            failing=failing,
            failing_ids=", ".join(f.feed_id for f in failing[:3]),
            harvest=report.harvest,
        )
    )
