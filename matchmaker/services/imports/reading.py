"""Reading an uploaded survey file into rows of cells, whatever Excel did to it.

Decisions (also in the template's notes sheet):
- CSV: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK, what
  Chinese Excel writes by default). A file that decodes as none of them is refused with a
  message saying so. Comma, semicolon or tab separated.
- XLSX: the first worksheet. Merged cells are *filled*: every cell of a merged range takes
  the range's value, so an enterprise name merged over its three demand rows counts for
  each of them (that is what the person who merged it meant).
- Bombs are refused before anything is parsed (``limits``): a workbook whose parts would
  unpack to more than 50 MB, a sheet that declares more than 20,000 rows or 200 columns,
  merged ranges that would fill more than 200,000 cells, a CSV row with more than 200
  columns. Workbooks are then read in openpyxl's streaming (read-only) mode.
- The header row is the row among the first ten that names the most known columns, so a
  title row above the headers does no harm. Row numbers are the sheet's own (1-based).
- Empty rows are skipped; so is the template's example row (外部编号 starting with 示例).
- JSON Lines: one API body per line; the line number is the row.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from ... import json_input
from . import limits
from .cells import as_text, is_blank
from .columns import EXAMPLE_MARK, KINDS, clean_header, header_lookup
from .limits import MAX_COLUMNS, MAX_ROWS, FileProblem

EXTENSIONS = ("xlsx", "csv", "jsonl")
HEADER_SCAN = 10


@dataclass
class Table:
    """Rows of a sheet: the header row's cells and (sheet row number, cells) for each data row."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


@dataclass
class JsonLines:
    """API bodies, one per line: (line number, body)."""

    bodies: list[tuple[int, Any]]


def extension_of(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def read(filename: str, data: bytes) -> Table | JsonLines:
    extension = extension_of(filename)
    if extension == "xls":
        raise FileProblem(_("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 或 CSV 后上传"))
    if extension not in EXTENSIONS:
        raise FileProblem(_("不支持的文件类型（允许：%(types)s）", types="xlsx, csv, jsonl"))
    if not data:
        raise FileProblem(_("文件为空"))
    if extension == "xlsx":
        return _table(_xlsx_rows(data))
    text = decode(data)
    if extension == "jsonl":
        return _jsonl(text)
    return _table(_csv_rows(text))


# --- text files ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:4096]:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise FileProblem(
        _("无法识别文件编码：请保存为 UTF-8 或 GBK（GB18030）编码的 CSV，或直接上传 .xlsx")
    )


def _csv_rows(text: str) -> list[tuple[int, list[Any]]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count)
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS:
                raise limits.too_many_columns()
            rows.append((number, row))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise limits.too_many_rows()
    except csv.Error as exc:
        raise FileProblem(_("CSV 格式有误：%(error)s", error=str(exc))) from None
    return rows


def _jsonl(text: str) -> JsonLines:
    bodies = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            bodies.append((number, json_input.parse(line)))
        except ValueError as exc:
            bodies.append((number, BadJson(getattr(exc, "msg", str(exc)))))
        if len(bodies) > MAX_ROWS:
            raise limits.too_many_rows()
    return JsonLines(bodies)


@dataclass
class BadJson:
    message: str


# --- Excel ----------------------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    merged = limits.check_workbook(data)  # before openpyxl sees the file
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception:  # noqa: BLE001 — openpyxl raises many types for damaged files
        raise FileProblem(_("无法读取该 Excel 文件，请确认文件未损坏")) from None
    try:
        rows = []
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every row, whatever the file declares
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + HEADER_SCAN:
                raise limits.too_many_rows()
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001
        raise FileProblem(_("无法读取该 Excel 文件，请确认文件未损坏")) from None
    finally:
        workbook.close()
    _fill_merged(rows, merged)
    return list(enumerate(rows, start=1))


def _fill_merged(rows: list[list[Any]], merged: list[tuple[int, int, int, int]]) -> None:
    """Every cell of a merged range takes the value of its top-left cell."""
    for min_row, min_col, max_row, max_col in merged:
        if min_row - 1 >= len(rows):
            continue
        top = rows[min_row - 1]
        value = top[min_col - 1] if min_col - 1 < len(top) else None
        for r in range(min_row, min(max_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                row[c - 1] = value


# --- shared ---------------------------------------------------------------------------------


def _known(cell: Any) -> bool:
    cleaned = clean_header(cell)
    return any(
        cleaned in header_lookup(kind) or str(cell).strip().lower() in header_lookup(kind)
        for kind in KINDS
    )


def _table(numbered: list[tuple[int, list[Any]]]) -> Table:
    rows = [(n, cells) for n, cells in numbered if not all(is_blank(c) for c in cells)]
    if not rows:
        raise FileProblem(_("文件中没有数据"))
    candidates = rows[:HEADER_SCAN]
    number, headers = max(
        candidates, key=lambda pair: sum(1 for c in pair[1] if not is_blank(c) and _known(c))
    )
    data = [(n, cells) for n, cells in rows if n > number and not _is_example(headers, cells)]
    if len(data) > MAX_ROWS:
        raise limits.too_many_rows()
    return Table([as_text(h) if not is_blank(h) else "" for h in headers], number, data)


def _is_example(headers: list[Any], cells: list[Any]) -> bool:
    for header, cell in zip(headers, cells, strict=False):
        if clean_header(header) in ("外部编号", "external_id"):
            return isinstance(cell, str) and cell.strip().startswith(EXAMPLE_MARK)
    return False
