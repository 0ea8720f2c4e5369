"""The scarce-talent guide as a PDF (the design guide's document, its own tables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from ...models import Guide
from ..pdf_document import MUTED, Document
from . import labels, talent_tables
from .pdf import cover, fact_boxes

WIDTHS = {
    "scarcity": [12, 50, 20, 18, 20, 16, 26],
    "specialities": [56, 22, 20, 22, 18, 24],
    "clusters": [56, 22, 20, 22, 18, 24],
    "changes": [50, 22, 22, 22, 22, 24],
    "trend": [30, 40, 36, 36, 20],
}


def render(guide: Guide, trend: list[dict[str, Any]], config: Mapping, locale: str = "zh") -> bytes:
    content = guide.content or {}
    pdf = Document(config, guide.title, locale)
    pdf.set_subject(_("重庆工业设计紧缺人才供需指南"))
    pdf.add_page()
    cover(pdf, guide, _("重庆市工业设计供需对接平台 · 紧缺人才供需指南"))
    fact_boxes(pdf, talent_tables.facts(content), per_row=4)
    pdf.para(talent_tables.changes_summary(content, locale), size=10)
    if guide.commentary.strip():
        pdf.heading(_("编者按"))
        for paragraph in labels.paragraphs(guide.commentary):
            pdf.para(paragraph)
            pdf.ln(1.5)
    for table in talent_tables.tables(content, trend, locale):
        pdf.heading(table.title)
        if table.note:
            pdf.para(table.note, size=8.5, colour=MUTED)
            pdf.ln(1)
        if table.rows:
            pdf.grid([table.header, *table.rows], WIDTHS[table.key])
        else:
            pdf.para(_("暂无数据。"), colour=MUTED)
    return bytes(pdf.output())
