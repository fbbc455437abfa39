"""Geometry of the report's charts: grid steps, gaps, labels, bars on the zero line, sparklines."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from news_ingest import report_charts
from news_ingest.report_charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH

DAY = date(2026, 3, 1)


def _days(n: int) -> list[date]:
    return [DAY + timedelta(days=i) for i in range(n)]


@pytest.mark.parametrize(
    ("top", "step"), [(0, 1), (3, 1), (4, 1), (7, 2), (9, 5), (40, 10), (41, 20), (930, 500)]
)
def test_grid_steps_are_1_2_5(top: int, step: int) -> None:
    assert report_charts.nice_step(top) == step


def test_a_bar_chart_stands_on_the_zero_line_and_tops_the_grid() -> None:
    axis = _days(3)
    values = dict(zip(axis, [0, 7, 3], strict=True))
    chart = report_charts.chart("fetched", "Pages", "#000", "bar", axis, values, set())
    assert [g.value for g in chart.grid] == [0, 2, 4, 6, 8]
    assert chart.grid[0].y == chart.zero_y == HEIGHT - BOTTOM and chart.grid[-1].y == TOP
    for mark in chart.marks:
        assert mark.y + mark.height == pytest.approx(chart.zero_y)
    assert [m.value for m in chart.marks] == [0, 7, 3] and chart.lines == ()
    slot = (WIDTH - LEFT - RIGHT) / 3
    assert [d.x for d in chart.axis] == [LEFT + slot * (i + 0.5) for i in range(3)]
    assert chart.show_values and all(d.labelled for d in chart.axis)


def test_a_day_without_a_run_breaks_the_line_and_failed_days_are_marked() -> None:
    axis = _days(6)
    values = {d: 1 for i, d in enumerate(axis) if i != 2}
    chart = report_charts.chart("events", "Events", "#000", "line", axis, values, {axis[4]})
    assert [len(line) for line in chart.lines] == [2, 3]
    assert [m.day for m in chart.marks] == [d for i, d in enumerate(axis) if i != 2]
    assert [d.failed for d in chart.axis] == [False] * 4 + [True, False]


def test_many_days_label_every_kth_and_the_last_and_hide_values() -> None:
    axis = _days(38)
    chart = report_charts.chart("x", "X", "#000", "bar", axis, {axis[0]: 5}, set())
    labelled = [i for i, d in enumerate(chart.axis) if d.labelled]
    # Every 4th day and the last; day 36 would crowd the last one's label.
    assert labelled == [*range(0, 33, 4), 37]
    assert not chart.show_values


def test_sparkline_bars_scale_to_the_busiest_day_and_failed_days_sit_low() -> None:
    bars = report_charts.sparkline([(DAY, 10), (DAY + timedelta(days=1), None), (DAY, 0)])
    ok, failed, empty = bars
    assert (ok.y, ok.height) == (2.0, 20.0)
    assert (failed.items, failed.y, failed.height) == (None, 16.0, 6.0)
    assert empty.height == 1.0  # an empty day still shows
    assert report_charts.sparkline([]) == ()
