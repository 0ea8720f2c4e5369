"""Chart geometry: whole-number ticks at round steps; percent widths; phones keep a few x labels;
the heat map puts the busiest districts first."""

from __future__ import annotations

import pytest

from matchmaker.scales import nice_ticks
from matchmaker.web import charts


@pytest.mark.parametrize(
    "maximum, most, ticks",
    [
        (41, 5, [0, 10, 20, 30, 40, 50]),
        (41, 4, [0, 20, 40, 60]),
        (12, 4, [0, 5, 10, 15]),
        (7, 5, [0, 2, 4, 6, 8]),
        (3, 5, [0, 1, 2, 3]),
        (1, 5, [0, 1]),
        (0, 5, [0, 1]),
        (236, 4, [0, 100, 200, 300]),
        (30.8, 5, [0, 10, 20, 30, 40]),
    ],
)
def test_nice_ticks_are_whole_numbers_at_round_steps(maximum, most, ticks):
    assert nice_ticks(maximum, most) == ticks


def test_bar_widths_are_percentages_that_leave_room_for_the_values():
    chart = charts.bar_chart([("汽车", [5, 10]), ("摩托车", [0, 2])])
    assert [t.value for t in chart.ticks] == [0, 5, 10]
    assert chart.rows[0].widths == [charts.PLOT / 2, charts.PLOT]
    assert chart.ticks[-1].at == charts.PLOT and max(chart.rows[0].widths) <= charts.PLOT
    empty = charts.bar_chart([])
    assert empty.rows == [] and [t.value for t in empty.ticks] == [0, 1]


def test_a_year_of_months_keeps_four_labels_on_a_phone():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    chart = charts.line_chart(months, {"a": list(range(12)), "b": [0] * 12})
    assert [label.text for label in chart.x_labels] == months
    narrow = [label.text for label in chart.x_labels if not label.wide]
    assert (
        len(narrow) == charts.NARROW_LABELS and narrow[0] == "2026-01" and narrow[-1] == "2026-12"
    )
    assert (chart.x_labels[0].anchor, chart.x_labels[-1].anchor) == ("start", "end")
    assert [v for _y, v in chart.y_ticks] == [0, 5, 10, 15]
    assert len(chart.lines[0].segments) == 11
    assert all(0 <= p.x <= 100 for line in chart.lines for p in line.points)
    single = charts.line_chart(["第 1 期"], {"a": [3]})
    assert single.lines[0].points[0].x == 50 and single.x_labels[0].anchor == "middle"


def test_the_heat_map_puts_the_busiest_district_first_and_shades_by_share():
    heat = charts.heat_map(
        ["两江新区", "永川区", "北碚区"],
        [("汽车", [1, 4, 0]), ("摩托车", [0, 3, 2])],
    )
    assert heat.columns == ["永川区", "北碚区", "两江新区"]
    assert heat.rows[0] == ("汽车", [(4, 5), (0, 0), (1, 1)])
    assert heat.rows[1] == ("摩托车", [(3, 4), (2, 2), (0, 0)])
