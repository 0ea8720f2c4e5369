"""The scarce-talent guide as a PDF (the design guide's document, its own tables)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from ...models import Guide, GuideStatus
from ..pdf_document import DEMAND, FAMILY, HEAD_FILL, INK, MUTED, PRIMARY, Document
from . import labels, talent_tables

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
    with pdf.local_context(text_color=MUTED):
        pdf.set_font(FAMILY, size=9)
        pdf.cell(
            0,
            6,
            pdf.clean(_("重庆市工业设计供需对接平台 · 紧缺人才供需指南")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.heading(guide.title, size=20)
    pdf.para(labels.edition_line(guide), size=10, colour=MUTED)
    if guide.status != GuideStatus.PUBLISHED:
        pdf.para(_("草稿预览：尚未发布，数据可能变化。"), size=10, colour=DEMAND)
    pdf.ln(3)
    facts = talent_tables.facts(content)
    box_w = pdf.epw / 4
    y = pdf.get_y()
    for i, (name, value) in enumerate(facts):
        x, yy = pdf.l_margin + (i % 4) * box_w, y + (i // 4) * 17
        pdf.set_fill_color(*HEAD_FILL)
        pdf.rect(x + 1, yy, box_w - 2, 15, style="F")
        pdf.set_xy(x + 3, yy + 1)
        pdf.set_font(FAMILY, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(box_w - 6, 5, pdf.clean(name))
        pdf.set_xy(x + 3, yy + 6)
        pdf.set_font(FAMILY, size=15)
        pdf.set_text_color(*PRIMARY)
        pdf.cell(box_w - 6, 8, str(value))
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + 2 * 17 + 2)
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
