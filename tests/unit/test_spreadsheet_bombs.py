"""Spreadsheet bombs are refused within a second, before the file is parsed."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from matchmaker.services.imports import limits
from matchmaker.services.imports.reading import FileProblem, read


def small_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["外部编号", "单位名称"])
    sheet.append(["S1", "设计单位1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def patched(edit) -> bytes:
    """The small workbook with its first sheet's XML changed by ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(small_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == limits.SHEET:
                data = edit(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def merged(ref: str):
    return lambda xml: xml.replace(
        b"</sheetData>",
        f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode(),
    )


def dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="{ref}"'.encode(), xml)


def refused(filename: str, data: bytes, within: float = 1.0) -> str:
    started = time.monotonic()
    with pytest.raises(FileProblem) as caught:
        read(filename, data)
    assert time.monotonic() - started < within
    return caught.value.message


def test_a_normal_workbook_still_reads_with_merged_cells_filled():
    table = read("s.xlsx", patched(merged("A2:A3")))
    assert table.headers[:2] == ["外部编号", "单位名称"]
    assert [cells[:2] for _n, cells in table.rows] == [["S1", "设计单位1"]]


def test_one_huge_merged_range():
    data = patched(merged("A1:XFD1048576"))
    assert len(data) < 10_000
    assert "合并单元格" in refused("bomb.xlsx", data)


def test_many_merged_ranges_adding_up():
    ranges = "".join(f'<mergeCell ref="A{r}:GR{r}"/>' for r in range(3, 3003))
    data = patched(
        lambda xml: xml.replace(
            b"</sheetData>", f'</sheetData><mergeCells count="3000">{ranges}</mergeCells>'.encode()
        )
    )
    assert "合并单元格" in refused("bomb.xlsx", data)


def test_declared_millions_of_rows_or_too_many_columns():
    assert "行数过多" in refused("tall.xlsx", patched(dimension("A1:C3000000")))
    assert "列数过多" in refused("wide.xlsx", patched(dimension("A1:ZZZ10")))


def test_a_sheet_that_unpacks_to_more_than_the_limit():
    padding = b" " * (limits.MAX_UNPACKED + 1)
    data = patched(lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>"))
    assert len(data) < 1_000_000  # tiny on the wire
    assert "解压后过大" in refused("bomb.xlsx", data)


def test_rows_beyond_the_limit_stop_the_reading():
    """A sheet that hides its size (wrong dimension) is read up to the limit, then refused."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>'
        for r in range(3, limits.MAX_ROWS + 20)
    )
    data = patched(lambda xml: xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>"))
    assert "行数过多" in refused("long.xlsx", data, within=10.0)


def test_a_csv_with_a_hundred_thousand_columns():
    line = ",".join(f"c{i}" for i in range(100_006))
    data = ("\n".join([line] * 10) + "\n").encode()
    assert "列数过多" in refused("wide.csv", data)


def test_a_csv_with_too_many_rows():
    """Not a bomb, a long file: read up to the limit, then refused."""
    data = ("外部编号,单位名称\n" + "S,设计单位\n" * (limits.MAX_ROWS + 20)).encode()
    assert "行数过多" in refused("long.csv", data, within=10.0)
