"""Turning what people type into survey cells into API values.

Cells arrive as strings (CSV) or as Excel values (numbers, dates, booleans). Everything that
is merely a spelling — “10万”, “2026/6/30”, “是”, a phone number Excel stored as a float,
several labels in one cell — is normalised here; anything else is passed on unchanged so
the API schema reports it with its usual message.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache

from ...taxonomy import get_taxonomy
from .columns import Column

SEPARATORS = re.compile(r"[、，,;；/／\n\r]+")
_TRUE = {"是", "true", "yes", "y", "1", "已认证", "√", "✓"}
_FALSE = {"否", "false", "no", "n", "0", "未认证", "×"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NUMBER_UNITS = {"万": 10_000, "千": 1_000, "亿": 100_000_000}


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object) -> str:
    """A cell as text: integral floats without “.0” (phone numbers, codes), dates as ISO."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@cache
def _protected(vocabulary: str) -> tuple[tuple[re.Pattern, str], ...]:
    """Labels that themselves contain a separator (“Pilot Production / Scale-up”) → their code."""
    items = get_taxonomy().vocabulary(vocabulary).items
    labels = [
        (label, item["code"])
        for item in items
        for label in (item["zh"], item["en"], *item.get("aliases", []))
        if SEPARATORS.search(label)
    ]
    labels.sort(key=lambda pair: -len(pair[0]))
    return tuple((re.compile(re.escape(label), re.IGNORECASE), code) for label, code in labels)


def split_multi(value: object, vocabulary: str | None) -> list[str]:
    text = as_text(value)
    if vocabulary:
        for pattern, code in _protected(vocabulary):
            text = pattern.sub(code, text)
    return [part.strip() for part in SEPARATORS.split(text) if part.strip()]


def as_int(value: object, money: bool = False) -> object:
    """Integers, “1,000”, and for money “10万” / “1.5万”; anything else as is (schema reports)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = as_text(value).replace(",", "").replace("，", "").replace(" ", "")
    factor = 1
    if money:
        text = text.removeprefix("¥").removeprefix("￥").removesuffix("元")
        if text and text[-1] in _NUMBER_UNITS:
            factor, text = _NUMBER_UNITS[text[-1]], text[:-1]
    try:
        number = Decimal(text) * factor
    except InvalidOperation:
        return as_text(value)
    return int(number) if number == number.to_integral_value() else as_text(value)


def as_bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return text  # the schema says “应为 true 或 false”


def as_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = as_text(value)
    match = _DATE.match(text)
    if match:
        # ISO spelling even for a day that does not exist (2027-04-31): the schema says so
        year, month, day = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    return text


def as_choice(value: object, column: Column) -> object:
    text = as_text(value).lower()
    for code, spellings in column.choices:
        if text == code or text in (s.lower() for s in spellings):
            return code
    return text


def convert(value: object, column: Column) -> object:
    """One non-blank cell → the value the API body takes for that column."""
    if column.cell == "multi":
        return split_multi(value, column.vocabulary)
    if column.cell in ("int", "money"):
        return as_int(value, money=column.cell == "money")
    if column.cell == "bool":
        return as_bool(value)
    if column.cell == "date":
        return as_date(value)
    if column.cell == "choice":
        return as_choice(value, column)
    return as_text(value)
