"""Charts for the pages (statistics, guide), drawn by templates/charts.html without script.

Geometry is in percent of the width, never a scaled drawing: a chart fills whatever width it
gets and its text keeps its size, so that it stays readable on a 390 px phone. Bar charts are
lists (a label, then its bars), line charts thin out their x labels on narrow screens (the
``wide`` ones are hidden there), and the heat map is a table whose first column stays put while
its districts scroll.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scales import nice_ticks

NARROW_LABELS = 4  # x labels kept on a phone
PLOT = 86  # percent of a bar chart's width for the bars; the rest is room for their values


@dataclass
class Tick:
    at: float  # percent of the plot
    value: int


def _ticks(maximum: float, most: int) -> tuple[int, list[Tick]]:
    values = nice_ticks(maximum, most)
    top = values[-1]
    return top, [Tick(100 * v / top, v) for v in values]


@dataclass
class BarRow:
    label: str
    values: list[int]
    widths: list[float]  # percent of the chart's width
    note: str = ""  # e.g. a conversion rate, after the label


@dataclass
class BarChart:
    rows: list[BarRow]
    ticks: list[Tick]


def bar_chart(rows: list[tuple[str, list[int]]], notes: list[str] | None = None) -> BarChart:
    """Horizontal grouped bars, one group per row (e.g. demands and providers per cluster)."""
    top, ticks = _ticks(max((max(v) for _label, v in rows if v), default=0), 4)
    notes = notes or [""] * len(rows)
    return BarChart(
        [
            BarRow(label, values, [PLOT * v / top for v in values], note)
            for (label, values), note in zip(rows, notes, strict=True)
        ],
        [Tick(PLOT * t.at / 100, t.value) for t in ticks],
    )


@dataclass
class Point:
    x: float  # percent of the width
    y: float  # px from the top
    value: int


@dataclass
class Line:
    name: str
    points: list[Point]

    @property
    def segments(self) -> list[tuple[Point, Point]]:
        return list(zip(self.points, self.points[1:], strict=False))


@dataclass
class XLabel:
    x: float
    text: str
    wide: bool  # shown on wide screens only
    anchor: str = "middle"  # the first and last stay inside the chart


@dataclass
class LineChart:
    height: int
    plot_top: int
    plot_bottom: int
    lines: list[Line]
    x_labels: list[XLabel]
    y_ticks: list[tuple[float, int]]  # px from the top, value


def _shown(n: int, most: int) -> set[int]:
    """Indices of at most ``most`` evenly spread labels, the first and last included."""
    if n <= most:
        return set(range(n))
    return {round(i * (n - 1) / (most - 1)) for i in range(most)}


def _anchor(i: int, n: int) -> str:
    if n > 1 and i == 0:
        return "start"
    return "end" if n > 1 and i == n - 1 else "middle"


def line_chart(labels: list[str], series: dict[str, list[int]], height: int = 220) -> LineChart:
    """Lines over categories (months, editions); y in px, x in percent."""
    top, bottom = 24, height - 28  # room for the y labels above their lines, x labels below
    maximum = nice_ticks(max((max(v) for v in series.values() if v), default=0), 4)[-1]
    n = len(labels)

    def x(i: int) -> float:
        return 50.0 if n == 1 else 4 + 92 * i / (n - 1)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / maximum

    wide = _shown(n, 12)
    narrow = _shown(n, NARROW_LABELS)
    return LineChart(
        height,
        top,
        bottom,
        [
            Line(name, [Point(x(i), y(v), v) for i, v in enumerate(values)])
            for name, values in series.items()
        ],
        [
            XLabel(x(i), text, i not in narrow, _anchor(i, n))
            for i, text in enumerate(labels)
            if i in wide
        ],
        [(y(v), v) for v in nice_ticks(maximum, 4)],
    )


@dataclass
class HeatMap:
    columns: list[str]  # districts, busiest first
    rows: list[tuple[str, list[tuple[int, int]]]]  # cluster, (count, shade 0–5) per district


def heat_map(columns: list[str], rows: list[tuple[str, list[int]]], shades: int = 5) -> HeatMap:
    """Clusters × districts; the busiest districts come first, so that a phone shows them
    before it has to scroll."""
    totals = [sum(counts[j] for _label, counts in rows) for j in range(len(columns))]
    order = sorted(range(len(columns)), key=lambda j: (-totals[j], j))
    biggest = max((n for _label, counts in rows for n in counts), default=0)

    def shade(n: int) -> int:
        return 0 if not n or not biggest else max(1, round(shades * n / biggest))

    return HeatMap(
        [columns[j] for j in order],
        [(label, [(counts[j], shade(counts[j])) for j in order]) for label, counts in rows],
    )
