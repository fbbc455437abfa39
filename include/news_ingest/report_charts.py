"""Geometry of the report page's SVG charts: where each bar, point, tick and label goes.

Coordinates only, in SVG user units; the markup is in ``templates/report_charts.html.j2``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

ChartKind = Literal["bar", "line"]

WIDTH, HEIGHT = 520, 230
LEFT, RIGHT, TOP, BOTTOM = 46, 12, 16, 44
SPARK_WIDTH, SPARK_HEIGHT = 96, 22
# Beyond a month of days the value labels above the marks would overlap.
MAX_DAYS_WITH_VALUES = 31


@dataclass(frozen=True)
class GridLine:
    """A horizontal grid line and its value on the y axis."""

    value: int
    y: float


@dataclass(frozen=True)
class AxisDay:
    """One day on the x axis: its centre, whether it is labelled, whether its gate failed."""

    day: date
    x: float
    labelled: bool
    failed: bool


@dataclass(frozen=True)
class Mark:
    """One day's value: a bar from the zero line up to ``y``, or a point at (x, y)."""

    day: date
    value: int
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Chart:
    """One per-day chart: grid, x axis, marks and the polylines joining a line chart's points."""

    key: str
    title: str
    color: str
    kind: ChartKind
    grid: tuple[GridLine, ...]
    axis: tuple[AxisDay, ...]
    marks: tuple[Mark, ...]
    lines: tuple[tuple[tuple[float, float], ...], ...]
    bar_width: float
    zero_y: float
    show_values: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    bottom: int = BOTTOM


@dataclass(frozen=True)
class SparkBar:
    """One day of a sparkline; ``items`` None when that day's poll failed."""

    day: date
    items: int | None
    x: float
    y: float
    width: float
    height: float


def nice_step(top: int, ticks: int = 4) -> int:
    """A 1-2-5 step so that ``ticks`` steps cover ``top``."""
    raw = max(top, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(int(factor * magnitude), 1)
    return int(10 * magnitude)


def chart(
    key: str,
    title: str,
    color: str,
    kind: ChartKind,
    axis: Sequence[date],
    values: Mapping[date, int],
    failed: set[date],
) -> Chart:
    """One per-day chart of ``values`` over the days of ``axis``; days without a value are gaps."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(axis), 1)
    slot = plot_w / n
    top_value = max(values.values(), default=0)
    step = nice_step(top_value)
    y_max = step * max(1, math.ceil(top_value / step))

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / y_max

    label_every = max(1, math.ceil(n / 10))
    days: list[AxisDay] = []
    marks: list[Mark] = []
    segments: list[list[tuple[float, float]]] = [[]]
    for i, day in enumerate(axis):
        cx = LEFT + slot * (i + 0.5)
        # Every k-th day and the last one, unless it would crowd the label before it.
        labelled = (i % label_every == 0 and n - 1 - i >= label_every / 2) or i == n - 1
        days.append(AxisDay(day, cx, labelled, day in failed))
        if day not in values:
            segments.append([])  # a day without a run breaks the line
            continue
        value = values[day]
        marks.append(Mark(day, value, cx, y(value), y(0) - y(value)))
        segments[-1].append((cx, y(value)))
    return Chart(
        key=key,
        title=title,
        color=color,
        kind=kind,
        grid=tuple(GridLine(v, y(v)) for v in range(0, y_max + 1, step)),
        axis=tuple(days),
        marks=tuple(marks),
        lines=tuple(tuple(s) for s in segments if len(s) > 1) if kind == "line" else (),
        bar_width=max(slot * 0.68, 1.0),
        zero_y=y(0),
        show_values=n <= MAX_DAYS_WITH_VALUES,
    )


def sparkline(items: Sequence[tuple[date, int | None]]) -> tuple[SparkBar, ...]:
    """A feed's items per day as small bars; a failed day as a short bar along the bottom."""
    if not items:
        return ()
    top = max((n for _, n in items if n is not None), default=0) or 1
    slot = SPARK_WIDTH / len(items)
    bars = []
    for i, (day, n) in enumerate(items):
        x, w = i * slot + slot * 0.15, max(slot * 0.7, 1.0)
        h = 6.0 if n is None else max((SPARK_HEIGHT - 2) * n / top, 1.0)
        bars.append(SparkBar(day, n, x, SPARK_HEIGHT - h, w, h))
    return tuple(bars)
