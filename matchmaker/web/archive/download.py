"""File downloads (exports, templates) with a UTF-8 file name and an ASCII fallback.

Werkzeug's fallback for a Chinese name is just the extension; browsers that read only
``filename`` deserve a readable name, the others get the Chinese one from ``filename*``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response

from ...spreadsheets import fit_columns

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def attachment(data: bytes, fmt: str, name: str, ascii_name: str) -> Response:
    response = Response(data, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(f'{name}.{fmt}')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe(value: object) -> object:
    """Cells starting with = + - @ are formulas to a spreadsheet: keep them text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM so that Excel shows the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[object]], title: str = "Sheet1"
) -> bytes:
    """One sheet: the heading row frozen, columns as wide as their content."""
    from openpyxl import Workbook

    rows = [[_safe(v) for v in row] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    fit_columns(sheet, [headers, *rows])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
