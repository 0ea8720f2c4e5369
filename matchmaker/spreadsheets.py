"""Workbook layout shared by every spreadsheet the platform writes: columns as wide as their
content (a Chinese character takes two widths), the heading row frozen, and text that a
spreadsheet would run as a formula kept as text."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MIN_WIDTH, MAX_WIDTH = 8, 60


def display_width(value: object) -> int:
    """Characters a cell needs, wide (CJK) ones counting twice; its longest line if several."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in text.split("\n")
    )


def column_widths(rows: Iterable[Sequence[object]]) -> list[float]:
    """Widths that fit each column's widest cell, between MIN_WIDTH and MAX_WIDTH."""
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            if i == len(widths):
                widths.append(0)
            widths[i] = max(widths[i], display_width(value))
    return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in widths]


def fit_columns(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    """Set the sheet's column widths for ``rows`` (for a write-only sheet: before any row)."""
    for i, width in enumerate(column_widths(rows), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def safe_cell(value: object) -> object:
    """Cells starting with = + - @ are formulas to a spreadsheet: keep them text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_workbook(
    headers: Sequence[str], rows: Iterable[Sequence[object]], title: str = "Sheet1"
) -> bytes:
    """One sheet: the heading row frozen, columns as wide as their content."""
    from openpyxl import Workbook

    rows = [[safe_cell(v) for v in row] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    fit_columns(sheet, [headers, *rows])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
