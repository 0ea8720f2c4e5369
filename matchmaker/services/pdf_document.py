"""PDF documents of the platform (fpdf2): the guide and the meeting papers share a Chinese font
the project ships, Chinese line breaking and one way of setting headings, paragraphs and tables.

The font is ``static/fonts/NotoSansSC-Subset-Regular.ttf`` (a GB 2312 subset of Noto Sans CJK
SC, SIL OFL 1.1), so a PDF shows Chinese on machines without any CJK system font; fpdf2 embeds
only the glyphs used. ``GUIDE_PDF_FONT`` points at another font file; an optional
``GUIDE_PDF_FALLBACK_FONT`` (``path`` or ``path#index`` for a collection) covers characters
outside the subset, which are otherwise printed as "〓". A missing font fails loudly.

English documents set their text in ``static/fonts/DejaVuSans-Latin.ttf`` (a Latin subset of
DejaVu Sans) with the CJK font as its fallback, so that quotes and apostrophes are not the CJK
font's full-width ones. Lines are broken by ``linebreak`` (Chinese typesetting rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import FontFace

from ..config import project_folder
from . import linebreak

FONT_FILE = project_folder("static") / "fonts" / "NotoSansSC-Subset-Regular.ttf"
MISSING = "〓"
LATIN_FONT_FILE = project_folder("static") / "fonts" / "DejaVuSans-Latin.ttf"
FAMILY, CJK, FALLBACK = "text", "cjk", "cjk-fallback"

CELL_PADDING = 1.5  # mm left and right of a table cell's text
SHORT_HEADING = 8  # characters: a heading this short is never broken
INK = (28, 36, 48)
MUTED = (91, 102, 117)
PRIMARY = (11, 92, 173)
DEMAND = (194, 65, 12)
GRID = (217, 223, 231)
HEAD_FILL = (240, 243, 247)


class FontMissing(RuntimeError):
    pass


def _split(spec: str) -> tuple[Path, int]:
    path, _sep, index = str(spec).partition("#")
    return Path(path), int(index or 0)


def font_spec(config: Mapping) -> tuple[Path, int]:
    path, index = _split(config.get("GUIDE_PDF_FONT") or FONT_FILE)
    if not path.is_file():
        raise FontMissing(
            f"the guide PDF needs a CJK font and none was found at {path} "
            "(set GUIDE_PDF_FONT to a TTF/OTF file with Chinese glyphs)"
        )
    return path, index


def fallback_spec(config: Mapping) -> tuple[Path, int] | None:
    """GUIDE_PDF_FALLBACK_FONT, for glyphs the main font lacks (None when unset)."""
    fallback = config.get("GUIDE_PDF_FALLBACK_FONT")
    if not fallback:
        return None
    path, index = _split(fallback)
    if not path.is_file():
        raise FontMissing(f"GUIDE_PDF_FALLBACK_FONT not found: {path}")
    return path, index


@lru_cache(maxsize=8)
def _cmap(path: str, index: int) -> frozenset[int]:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


class Document(FPDF):
    """An A4 page with the platform's fonts, a running title and page numbers."""

    def __init__(self, config: Mapping, running_title: str, locale: str = "zh"):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = running_title
        path, index = font_spec(config)
        fallbacks: list[str] = []
        if locale == "en":  # Latin text in a Latin face; Chinese names fall back to the CJK one
            self.add_font(FAMILY, "", str(LATIN_FONT_FILE))
            self.add_font(CJK, "", str(path), collection_font_number=index)
            fallbacks.append(CJK)
            covered = set(_cmap(str(LATIN_FONT_FILE), 0)) | _cmap(str(path), index)
        else:
            self.add_font(FAMILY, "", str(path), collection_font_number=index)
            covered = set(_cmap(str(path), index))
        fallback = fallback_spec(config)
        if fallback:
            fb_path, fb_index = fallback
            self.add_font(FALLBACK, "", str(fb_path), collection_font_number=fb_index)
            fallbacks.append(FALLBACK)
            covered |= _cmap(str(fb_path), fb_index)
        if fallbacks:
            self.set_fallback_fonts(fallbacks)
        self.covered = frozenset(covered)
        self.set_margins(16, 18, 16)
        self.set_auto_page_break(True, margin=18)
        self.set_font(FAMILY, size=10)
        self.set_text_color(*INK)
        self.set_title(running_title)
        self.set_creator("Matchmaker")
        self.set_lang("en" if locale == "en" else "zh-CN")

    # --- text helpers -----------------------------------------------------------------------
    def clean(self, text: Any) -> str:
        return "".join(
            ch if ch in "\n\t" or ord(ch) in self.covered else MISSING for ch in str(text)
        )

    def lines(self, text: Any, width: float) -> str:
        """Text broken into lines of ``width`` mm in the current font, by the rules of Chinese
        typesetting (linebreak.py), ready for a cell that should not break it again."""
        return "\n".join(linebreak.wrap(self.clean(text), width, self.get_string_width))

    def header(self) -> None:
        if self.page_no() == 1:
            return
        with self.local_context(text_color=MUTED):
            self.set_font(FAMILY, size=8)
            self.cell(0, 6, self.clean(self.running_title), align="L")
            self.ln(8)
        self.set_font(FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        with self.local_context(text_color=MUTED):
            self.set_font(FAMILY, size=8)
            self.cell(
                0,
                6,
                self.clean(
                    _("第 %(page)s 页 / 共 %(pages)s 页", page=self.page_no(), pages="{nb}")
                ),
                align="C",
            )

    def heading(self, text: str, size: float = 14, need: float = 30) -> None:
        """A section title; moves to the next page with its section if under ``need`` mm is left."""
        if self.get_y() + need > self.h - self.b_margin:
            self.add_page()
        self.ln(3)
        with self.local_context(
            text_color=PRIMARY, text_mode="FILL_STROKE", line_width=0.12, draw_color=PRIMARY
        ):
            self._block(text, size, leading=0.5)
        self.set_font(FAMILY, size=10)
        self.ln(1.5)

    def para(self, text: str, size: float = 10, colour: tuple[int, int, int] = INK) -> None:
        with self.local_context(text_color=colour):
            self._block(text, size, leading=0.55)
        self.set_font(FAMILY, size=10)

    def _block(self, text: str, size: float, leading: float) -> None:
        """``text`` across the page at ``size``, broken by the Chinese rules (``lines``)."""
        self.set_font(FAMILY, size=size)
        self.multi_cell(
            0,
            size * leading,
            self.lines(text, self.epw - 2 * self.c_margin),
            new_x="LMARGIN",
            new_y="NEXT",
            align="L",
            wrapmode="CHAR",
        )

    def column_widths(self, rows: list[list[Any]], widths: list[float]) -> list[float]:
        """``widths`` (relative) as mm across the page, each column wide enough for its longest
        word or number and for its heading if that is short, so that neither is broken (规/模,
        Balance/d); the other columns share what is left in their proportions."""

        def widest(value: Any, whole: bool) -> float:
            text = self.clean("" if value is None else value)
            parts = [text] if whole else linebreak.units(text)
            return max((self.get_string_width(p) for p in parts), default=0.0)

        needed = [
            max(
                widest(rows[0][i], whole=len(str(rows[0][i])) <= SHORT_HEADING),
                *(widest(row[i], whole=False) for row in rows[1:]),
            )
            + 2 * CELL_PADDING
            + 0.5
            for i in range(len(widths))
        ]
        scale = self.epw / sum(widths)
        fixed = {i for i, w in enumerate(widths) if needed[i] > w * scale}
        flexible = sum(w for i, w in enumerate(widths) if i not in fixed)
        spare = self.epw - sum(needed[i] for i in fixed)
        if not fixed or not flexible or spare <= 0:
            return [max(w * scale, n) for w, n in zip(widths, needed, strict=True)]
        return [needed[i] if i in fixed else w * spare / flexible for i, w in enumerate(widths)]

    def grid(self, rows: list[list[Any]], widths: list[float], align: str = "LEFT") -> None:
        """A table; the first row is the heading, repeated on every page."""
        self.set_font(FAMILY, size=9)
        widths = self.column_widths(rows, widths)
        style = FontFace(emphasis="NONE", color=MUTED, fill_color=HEAD_FILL)
        with self.local_context(draw_color=GRID, line_width=0.2, fill_color=(255, 255, 255)):
            with self.table(
                cell_fill_mode="NONE",
                wrapmode="CHAR",
                col_widths=widths,
                headings_style=style,
                line_height=5.2,
                text_align=align,
                borders_layout="HORIZONTAL_LINES",
                padding=(1.2, CELL_PADDING),
                width=self.epw,
            ) as table:
                for values in rows:
                    row = table.row()
                    for value, width in zip(values, widths, strict=True):
                        text = "" if value is None else value
                        row.cell(self.lines(text, width - 2 * CELL_PADDING - 0.3))
        self.set_font(FAMILY, size=10)
        self.ln(2)
