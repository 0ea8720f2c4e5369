"""The downloadable import templates: XLSX (data sheet + notes sheet) and CSV.

Generated from the column table on each request, so the template, the reader and the notes
can never disagree. Allowed values are listed from the taxonomy, never typed in by hand.
"""

from __future__ import annotations

import csv
import io

from ...taxonomy import get_taxonomy
from .columns import COLUMNS, EXAMPLE_MARK, Column
from .reading import MAX_ROWS

NOTES_HEADERS = ("列名", "是否必填", "说明", "可选值")
VALUES_SHEET = "可选值"  # hidden: the lists behind the drop-downs
SINGLE_HINT = "请从列表中选择；也可填写英文名称或别名。"
MULTI_HINT = "可从列表中选择一项；填写多项时用顿号、逗号、分号、斜杠或换行分隔。"
GENERAL_NOTES = (
    "第一行为列名，请勿修改；第二行为示例（外部编号以“示例”开头的行导入时忽略），可删除。",
    "空行会被跳过。合并单元格按“每个单元格都取合并区域的值”处理（例如企业名称合并到其多条需求）。",
    "可选值可填中文名称、英文名称、别名或代码；多个取值用顿号、逗号、分号、斜杠或换行分隔。",
    "同一外部编号、同一统一社会信用代码或同一单位名称的记录在重复导入时更新，不会重复新建；"
    "更新时空单元格保留原值。",
    "文件中同一记录出现多次：内容完全相同的合并为一条，内容不同的报告为问题。",
    "上传后先预览：逐行检查，列出行号、列名和问题；只有全部无问题才能提交，提交时全部成功或全部不导入。",
    "CSV 可用 UTF-8 或 GBK（GB18030）编码；每次最多 20000 行。",
)


def _allowed(column: Column) -> str:
    if column.vocabulary:
        return "、".join(item["zh"] for item in get_taxonomy().vocabulary(column.vocabulary).items)
    if column.choices:
        return " / ".join(spellings[0] for _code, spellings in column.choices)
    if column.cell == "bool":
        return "是 / 否"
    return ""


def _example(column: Column) -> str:
    return f"{EXAMPLE_MARK}（导入时忽略此行）" if column.key == "external_id" else column.example


def csv_template(kind: str) -> bytes:
    """UTF-8 with BOM, so Excel opens the Chinese headers correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS[kind]])
    writer.writerow([_example(c) for c in COLUMNS[kind]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _choices(column: Column) -> list[str]:
    """What a column's drop-down offers: the taxonomy's Chinese labels, or the choices."""
    if column.vocabulary:
        return [item["zh"] for item in get_taxonomy().vocabulary(column.vocabulary).items]
    if column.choices:
        return [spellings[0] for _code, spellings in column.choices]
    if column.cell == "bool":
        return ["是", "否"]
    return []


def _add_drop_downs(workbook, sheet, columns: tuple[Column, ...]) -> None:
    """A drop-down list on every column with known values, its values on a hidden sheet (a list
    typed into the rule is limited to 255 characters). Typing something else only warns: the
    importer also takes English labels and aliases, and several values in a multi-value cell."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    values = workbook.create_sheet(VALUES_SHEET)
    values.sheet_state = "hidden"
    for index, column in enumerate(columns, start=1):
        choices = _choices(column)
        if not choices:
            continue
        letter = get_column_letter(index)
        values.cell(1, index, column.header)
        for row, choice in enumerate(choices, start=2):
            values.cell(row, index, choice)
        multi = column.cell == "multi"
        rule = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(VALUES_SHEET)}!${letter}$2:${letter}${len(choices) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="information" if multi else "warning",
            errorTitle=column.header,
            error=MULTI_HINT if multi else SINGLE_HINT,
            promptTitle=column.header,
            prompt=(column.note or "从列表中选择")[:255],
            showInputMessage=True,
        )
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)


def xlsx_template(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "导入数据"
    columns = COLUMNS[kind]
    sheet.append([c.header for c in columns])
    sheet.append([_example(c) for c in columns])
    required = PatternFill("solid", fgColor="FDE7E3")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(1, index)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required
        sheet.cell(2, index).font = Font(italic=True, color="808080")
        sheet.column_dimensions[cell.column_letter].width = max(
            12, min(40, len(column.example) * 1.6 + 4)
        )
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.append(NOTES_HEADERS)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in columns:
        notes.append(
            [column.header, "必填" if column.required else "选填", column.note, _allowed(column)]
        )
    notes.append([])
    for line in GENERAL_NOTES:
        notes.append([line])
    for letter, width in zip("ABCD", (18, 10, 50, 80), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _add_drop_downs(workbook, sheet, columns)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
