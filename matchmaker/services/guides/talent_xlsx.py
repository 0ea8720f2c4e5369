"""The scarce-talent guide as a workbook: an overview sheet, then one sheet per table."""

from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook

from ...models import Guide
from ...spreadsheets import safe_cell
from . import labels, talent_tables
from .xlsx import TITLE_FONT, table


def render(guide: Guide, trend: list[dict[str, Any]], locale: str = "zh") -> bytes:
    content = guide.content or {}
    workbook = Workbook()
    overview = workbook.active
    overview.title = _("概览")
    overview.cell(row=1, column=1, value=safe_cell(guide.title)).font = TITLE_FONT
    overview.cell(row=2, column=1, value=labels.edition_line(guide))
    overview.cell(row=3, column=1, value=talent_tables.changes_summary(content, locale))
    table(overview, [_("指标"), _("数值")], [list(f) for f in talent_tables.facts(content)], 5)
    for section in talent_tables.tables(content, trend, locale):
        sheet = workbook.create_sheet(section.title[:31])
        table(sheet, section.header, section.rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
