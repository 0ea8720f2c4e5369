"""The platform's PDF documents: Chinese line breaking in paragraphs and tables, columns wide
enough for their words and short headings."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from matchmaker.services.pdf_document import CELL_PADDING, FAMILY, Document


def test_pdf_lines_follow_chinese_line_breaking_rules(app):
    document = Document(app.config, "T")
    document.add_page()
    sentence = "本季度汽摩、电子信息和智能装备集群的设计需求最为集中，外观与结构设计仍是主要类型。"
    document.para(sentence * 6)
    rows = [["产业集群", "认证团队规模", "供需状态"], ["智能网联新能源汽车", 778, "基本平衡"]]
    document.grid(rows, [60, 12, 12])
    page = PdfReader(io.BytesIO(bytes(document.output()))).pages[0]
    lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
    assert len(lines) > 6 and not [line for line in lines if line[0] in "，。、；：？！”）"]
    assert "产业集群 认证团队规模 供需状态" in lines  # a short heading is not broken (规/模)


def test_pdf_columns_fit_their_longest_word_and_short_heading(app):
    document = Document(app.config, "T", "en")
    document.add_page()
    document.set_font(FAMILY, size=9)
    rows = [["Industry cluster", "Verified", "Balance"], ["Motorcycles", 4, "Balanced"]]
    widths = document.column_widths(rows, [70, 10, 10])
    assert sum(widths) == pytest.approx(document.epw)
    for column, word in ((1, "Verified"), (2, "Balanced")):
        assert widths[column] >= document.get_string_width(word) + 2 * CELL_PADDING
    document.output()  # fpdf2 closes its font files once the document is written
