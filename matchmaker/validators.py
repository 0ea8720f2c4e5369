"""Chinese identifiers (unified social credit code, GB 32100-2015; mobile numbers) and safe text."""

from __future__ import annotations

import re

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# C0 controls except tab, line feed and carriage return, and DEL: NUL breaks PostgreSQL text
# and C strings downstream. Bidirectional embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069) make text display differently from what it says (a file name ending in
# "fdp.exe" shown as "exe.pdf"). Left-to-right and right-to-left marks stay allowed.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def credit_code_check_char(first17: str) -> str:
    pairs = zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    total = sum(CREDIT_CODE_CHARS.index(ch) * weight for ch, weight in pairs)
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: str) -> str:
    """Upper-cased code if it is well formed and its check character is right, else ValueError."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValueError("length")
    if not _CREDIT_CODE.match(code):
        raise ValueError("format")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValueError("check")
    return code


def normalise_mobile(value: str) -> str:
    """Mainland mobile number, accepting +86 and separators."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not _MOBILE.match(digits):
        raise ValueError("mobile")
    return digits


def has_unsafe_characters(text: str) -> bool:
    return _UNSAFE.search(text) is not None
