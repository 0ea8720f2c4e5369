"""Contact details in free text: phone numbers, e-mail addresses, WeChat ids and QQ numbers.

Until an enterprise accepts a provider's interest the two sides talk through the platform
only (that is what keeps the enterprise anonymous and the platform's record complete), so
messages have such details masked, and a demand's title and description are flagged before
submission and highlighted to the reviewing administrator.

Detection reads the text with full-width letters and digits folded to ASCII (``１３８`` is
138, ``＠`` is @) without changing positions, so masking replaces exactly what was written.
Spaces or hyphens inside a number do not hide it. WeChat and QQ ids are only recognised after
their name (微信, vx, QQ …): a bare run of letters or five digits is too common to mask.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PHONE, EMAIL, WECHAT, QQ = "phone", "email", "wechat", "qq"
KINDS = (PHONE, EMAIL, WECHAT, QQ)
MASK = "[***]"

_GAP = r"[\s\-.]?"  # what people put between digit groups
_LABEL_END = r"(?:号码|号|账号|\s*id)?\s*(?:[:：是为]\s*)?"
_PATTERNS = (
    # mainland mobiles (optionally +86), then landlines with a 0 area code
    (PHONE, re.compile(rf"(?<![\d])(?:\+?86{_GAP})?1[3-9]\d(?:{_GAP}\d){{8}}(?![\d])")),
    (PHONE, re.compile(r"(?<![\d])(?:\(0\d{2,3}\)|0\d{2,3})[\s\-]?\d{3,4}[\s\-]?\d{4}(?![\d])")),
    (
        EMAIL,
        re.compile(r"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    ),
    (
        WECHAT,
        re.compile(
            rf"(?:微信|威信|薇信|v信|weixin|wechat|vx|wx)\s*{_LABEL_END}[A-Za-z][\w\-]{{5,19}}",
            re.I,
        ),
    ),
    (QQ, re.compile(rf"(?:qq|扣扣|企鹅)\s*{_LABEL_END}[1-9]\d{{4,10}}(?![\d])", re.I)),
)


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int
    text: str


def _folded(text: str) -> str:
    """The text with each full-width character replaced by its ASCII form, length unchanged."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def find(text: str) -> list[Found]:
    """Every contact detail in ``text``, in order, overlaps merged into the first found."""
    folded = _folded(text or "")
    spans: list[Found] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span()
            if any(start < f.end and f.start < end for f in spans):
                continue
            spans.append(Found(kind, start, end, text[start:end]))
    return sorted(spans, key=lambda f: f.start)


def kinds_in(text: str) -> list[str]:
    """The kinds of contact detail in ``text``, each once, in the order of KINDS."""
    present = {f.kind for f in find(text)}
    return [kind for kind in KINDS if kind in present]


def mask(text: str) -> tuple[str, list[str]]:
    """``text`` with every contact detail replaced by MASK, and the kinds that were masked."""
    found = find(text)
    if not found:
        return text, []
    parts, last = [], 0
    for item in found:
        parts.append(text[last : item.start])
        parts.append(MASK)
        last = item.end
    parts.append(text[last:])
    return "".join(parts), kinds_in(text)
