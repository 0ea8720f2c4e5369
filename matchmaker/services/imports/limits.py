"""What a survey file may be, checked before it is parsed: spreadsheet bombs are refused fast.

A 2 KiB workbook can declare one merged range over millions of cells, or unpack to
gigabytes; a CSV line can hold a hundred thousand columns. ``check_workbook`` looks only at
the zip directory and streams the first sheet's XML once (never more than ``MAX_UNPACKED``
bytes, in small pieces) to read its declared dimension and merged ranges; it refuses the
file with a message naming the limit before openpyxl parses anything.
"""

from __future__ import annotations

import io
import re
import zipfile

from flask_babel import gettext as _

from ..errors import ValidationFailed

MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_UNPACKED = 50 * 1024 * 1024  # bytes of all the workbook's parts together
MAX_MERGED_CELLS = 200_000
SHEET = "xl/worksheets/sheet1.xml"

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_CELL = re.compile(r"([A-Z]+)(\d+)")


class FileProblem(ValidationFailed):
    """The file as a whole cannot be read (type, encoding, size): nothing row by row to say."""

    def __init__(self, message: str):
        super().__init__(message, {"file": [message]})


def too_many_rows() -> FileProblem:
    return FileProblem(_("行数过多：一次最多导入 %(n)s 行", n=MAX_ROWS))


def too_many_columns() -> FileProblem:
    return FileProblem(_("列数过多：最多 %(n)s 列", n=MAX_COLUMNS))


def _column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(letter) - 64
    return number


def _not_a_workbook() -> FileProblem:
    return FileProblem(_("文件内容不是 Excel 工作簿（.xlsx）"))


def _first_sheet(archive: zipfile.ZipFile) -> str:
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise _not_a_workbook()
    if SHEET in names:
        return SHEET
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if not sheets:
        raise _not_a_workbook()
    return sheets[0]


def check_workbook(data: bytes) -> list[tuple[int, int, int, int]]:
    """Refuse a bomb; return the first sheet's merged ranges (min_row, min_col, max_row,
    max_col), which openpyxl's streaming mode does not report."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_workbook() from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise FileProblem(
                _("文件解压后过大（超过 %(n)s MB），请删除无关的工作表或内容", n=MAX_UNPACKED >> 20)
            )
        sheet = _first_sheet(archive)
        try:
            return _scan_sheet(archive, sheet)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            raise FileProblem(_("无法读取该 Excel 文件，请确认文件未损坏")) from None


def _scan_sheet(archive: zipfile.ZipFile, name: str) -> list[tuple[int, int, int, int]]:
    merged: list[tuple[int, int, int, int]] = []
    area = 0
    seen_dimension = False
    tail = b""
    with archive.open(name) as sheet:
        while chunk := sheet.read(1 << 16):
            text = tail + chunk
            if not seen_dimension and (match := _DIMENSION.search(text)):
                seen_dimension = True
                _check_dimension(match.group(2) or match.group(1))
            cut = 0
            for match in _MERGE.finditer(text):
                col1, row1, col2, row2 = match.groups()
                box = (int(row1), _column_number(col1), int(row2), _column_number(col2))
                if box[2] > MAX_ROWS * 2 or box[3] > MAX_COLUMNS:
                    raise _merged_too_large()
                area += (box[2] - box[0] + 1) * (box[3] - box[1] + 1)
                if area > MAX_MERGED_CELLS:
                    raise _merged_too_large()
                merged.append(box)
                cut = match.end()
            tail = text[max(cut, len(text) - 256) :]  # a tag split between two pieces
    return merged


def _check_dimension(corner: bytes) -> None:
    match = _CELL.fullmatch(corner.decode())
    if match is None:
        return
    columns, rows = _column_number(match.group(1)), int(match.group(2))
    if columns > MAX_COLUMNS:
        raise too_many_columns()
    if rows > MAX_ROWS * 2:  # blank and title rows are allowed, but not millions of them
        raise too_many_rows()


def _merged_too_large() -> FileProblem:
    return FileProblem(
        _("合并单元格范围过大（合计超过 %(n)s 个单元格），请取消合并后重新上传", n=MAX_MERGED_CELLS)
    )
