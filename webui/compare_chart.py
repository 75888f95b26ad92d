"""A comparison as an SVG line chart, drawn on the server: geometry here, markup in ``_compare_chart.html``.

A template rather than a chart library: the libraries that draw SVG from
Python write inline ``style`` attributes or a ``<style>`` element (matplotlib,
pygal), which the Content-Security-Policy forbids; this chart is a few
polylines whose colours and dashes are CSS classes, readable without
JavaScript, with the same figures in a table beside it.
"""

from __future__ import annotations

import dataclasses
import math

from search.compare import Comparison

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 16, 44  # room for the axes' labels
Y_TICKS = 4
MAX_X_LABELS = 8
MEASURES = ("count", "share")


@dataclasses.dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str  # "2015: 12 events (3.1% of all)"


@dataclasses.dataclass(frozen=True)
class Line:
    """One series: its CSS class (colour and dash) and its points."""

    css: str
    label: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclasses.dataclass(frozen=True)
class Tick:
    at: float
    label: str
    anchor: str = "middle"  # the SVG text-anchor: labels at the ends stay inside the chart


@dataclasses.dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    measure: str


def chart(comparison: Comparison, measure: str = "count") -> Chart:
    """The chart of a comparison: counts per period, or their share of all the archive's events."""
    periods = comparison.periods
    values = [
        result.counts if measure == "count" else [100 * s for s in result.shares(periods)]
        for result in comparison.results
    ]
    ticks = _ticks(max((v for series in values for v in series), default=0), measure)
    top = ticks[-1]
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    step = (right - LEFT) / max(len(periods) - 1, 1)

    def x(i: int) -> float:
        return LEFT + step * i if len(periods) > 1 else (LEFT + right) / 2

    def y(value: float) -> float:
        return bottom - (bottom - TOP) * (value / top if top else 0)

    lines = []
    for number, (result, series_values) in enumerate(zip(comparison.results, values, strict=True), start=1):
        points = [
            Point(x(i), y(value), _title(period.label, count, share))
            for i, (period, value, count, share) in enumerate(
                zip(periods, series_values, result.counts, result.shares(periods), strict=True)
            )
        ]
        lines.append(Line(f"series-{number}", result.series.label, points))
    every = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    x_ticks = [
        Tick(x(i), period.label, "start" if x(i) - LEFT < 30 else "end" if right - x(i) < 30 else "middle")
        for i, period in enumerate(periods)
        if i % every == 0
    ]
    y_ticks = [Tick(y(tick), _value_label(tick, measure)) for tick in ticks]
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, lines, y_ticks, x_ticks, measure)


def _ticks(value: float, measure: str) -> list[float]:
    """The y axis' ticks from 0: a step of 1, 2 or 5 times a power of ten (whole events for counts),
    at most Y_TICKS of them above 0, the last at or above ``value``."""
    if value <= 0:
        return [0.0, 1.0]
    step = value / Y_TICKS
    power = 10 ** math.floor(math.log10(step))
    step = next(factor * power for factor in (1, 2, 5, 10) if factor * power >= step)
    if measure == "count":
        step = max(step, 1)
    return [step * k for k in range(math.ceil(value / step - 1e-9) + 1)]


def _value_label(value: float, measure: str) -> str:
    return percent(value) if measure == "share" else f"{value:,.0f}"


def percent(value: float) -> str:
    """A percentage as people read it: 50%, 3.1%, 0.031%."""
    return f"{value:.0f}%" if value >= 10 or not value else f"{value:.2g}%"


def _title(label: str, count: int, share: float) -> str:
    return f"{label}: {count:,} event{'s' if count != 1 else ''} ({percent(100 * share)} of all)"
