"""Small server-side SVG charts: geometry computed here, drawn by the templates."""

from __future__ import annotations

from dataclasses import dataclass, field


def tick_steps(maximum: int) -> int:
    """How many intervals split 0…maximum into whole numbers (maximum from nice_max)."""
    for steps in (5, 4):
        if maximum >= steps and maximum % steps == 0:
            return steps
    return maximum


def nice_max(value: float) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


@dataclass
class Bar:
    label: str
    values: list[int]
    y: float
    widths: list[float]


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    bar_height: int
    bars: list[Bar]
    maximum: int
    ticks: list[tuple[float, int]]


def bar_chart(
    rows: list[tuple[str, list[int]]],
    width: int = 880,
    label_width: int = 170,
    bar_height: int = 12,
) -> BarChart:
    """Horizontal grouped bars, one group per row (e.g. demands and providers per cluster)."""
    plot_width = width - label_width - 40
    series = max((len(v) for _l, v in rows), default=1)
    group = bar_height * series + 12
    maximum = nice_max(max((max(v) for _l, v in rows if v), default=0))
    bars = [
        Bar(label, values, 8 + i * group, [plot_width * v / maximum for v in values])
        for i, (label, values) in enumerate(rows)
    ]
    steps = tick_steps(maximum)
    ticks = [(plot_width * t / steps, maximum * t // steps) for t in range(steps + 1)]
    return BarChart(
        width, 8 + len(rows) * group + 20, label_width, plot_width, bar_height, bars, maximum, ticks
    )


@dataclass
class Series:
    name: str
    points: list[tuple[float, float, int]] = field(default_factory=list)  # x, y, value

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _v in self.points)


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]


def line_chart(
    labels: list[str], series: dict[str, list[int]], width: int = 880, height: int = 260
) -> LineChart:
    left, top, right, bottom = 40, 12, 16, 36
    plot_width, plot_height = width - left - right, height - top - bottom
    maximum = nice_max(max((max(v) for v in series.values() if v), default=0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_width * i / (n - 1) if n > 1 else plot_width / 2)

    def y(v: float) -> float:
        return top + plot_height - plot_height * v / maximum

    every = max(1, -(-n // 8))  # at most ~8 month labels
    steps = tick_steps(maximum)
    return LineChart(
        width,
        height,
        left,
        top,
        plot_width,
        plot_height,
        [
            Series(name, [(x(i), y(v), v) for i, v in enumerate(values)])
            for name, values in series.items()
        ],
        [(x(i), label) for i, label in enumerate(labels) if i % every == 0],
        [(y(maximum * t / steps), maximum * t // steps) for t in range(steps + 1)],
    )
