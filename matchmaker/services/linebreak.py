"""Line breaking for the guide PDF, by the rules of Chinese typesetting (fpdf2 alone breaks
between any two characters):

- no line starts with closing punctuation (，。、”）… ) and none ends with opening punctuation
  (“（《 …): the character before moves down with it;
- a Latin word or a number stays whole (split only when it is wider than the line);
- the last line of a paragraph does not hold a single Chinese character on its own.

Text is measured by the caller (``measure``: text → width), so the rules do not depend on a
font or a unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NO_START = set("，。、；：？！）》」』】〕〉”’…‥·%％,.;:?!)]}»")
NO_END = set("（《「『【〔〈“‘([{«")
# a Latin word or number (with its trailing punctuation), a run of spaces, or one character
_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.,:%+\-/'’]*|\s+|.", re.S)

Measure = Callable[[str], float]


def _is_cjk(text: str) -> bool:
    return len(text) == 1 and ord(text) >= 0x2E80


def _fit(piece: str, width: float, measure: Measure) -> list[str]:
    """A unit wider than a whole line, cut into pieces that fit."""
    pieces, current = [], ""
    for char in piece:
        if current and measure(current + char) > width:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def units(text: str) -> list[str]:
    """The pieces a line is never broken inside (words, numbers, single characters)."""
    return [unit for unit in _UNIT.findall(text) if not unit.isspace()]


def _paragraph(text: str, width: float, measure: Measure) -> list[str]:
    lines: list[list[str]] = [[]]
    for unit in _UNIT.findall(text):
        for piece in _fit(unit, width, measure) if measure(unit) > width else [unit]:
            line = lines[-1]
            if not line or measure("".join(line) + piece) <= width:
                line.append(piece)
                continue
            if piece.isspace():  # a break at a space swallows it
                lines.append([])
                continue
            carried: list[str] = []
            if piece[0] in NO_START and len(line) > 1:
                carried.append(line.pop())
            while len(line) > 1 and line[-1][-1] in NO_END:
                carried.insert(0, line.pop())
            lines.append([*carried, piece])
    last = lines[-1]
    if len(lines) > 1 and len(last) == 1 and _is_cjk(last[0]) and len(lines[-2]) > 2:
        last.insert(0, lines[-2].pop())
    return ["".join(line).strip() for line in lines]


def wrap(text: str, width: float, measure: Measure) -> list[str]:
    """The lines of ``text`` at ``width``; its own line breaks are kept."""
    return [line for part in text.split("\n") for line in _paragraph(part, width, measure)]
