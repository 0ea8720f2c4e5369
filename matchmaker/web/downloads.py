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

from ..spreadsheets import safe_cell

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def attachment(data: bytes, fmt: str, name: str, ascii_name: str) -> Response:
    response = Response(data, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}.{fmt}\"; filename*=UTF-8''{quote(f'{name}.{fmt}')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with BOM so that Excel shows the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
