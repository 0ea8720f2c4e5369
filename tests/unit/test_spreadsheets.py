"""Spreadsheet columns as wide as their content, Chinese characters counting twice."""

from __future__ import annotations

import datetime as dt

from matchmaker.spreadsheets import MAX_WIDTH, MIN_WIDTH, column_widths, display_width


def test_display_width_counts_wide_characters_twice():
    assert display_width("永川区") == 6 and display_width("Yongchuan") == 9
    assert display_width(1234567) == len("1,234,567") and display_width(None) == 0
    assert display_width(dt.date(2027, 4, 30)) == 10
    assert display_width("第一行\nlonger second line") == len("longer second line")


def test_column_widths_fit_the_widest_cell_within_bounds():
    rows = [["编号", "名称", "说明"], [1, "重庆两江设计院", "长" * 100]]
    assert column_widths(rows) == [MIN_WIDTH, 2 * 7 + 2, MAX_WIDTH]
