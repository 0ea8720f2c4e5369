"""Values as people read them, written once for pages, guides and exports: amounts of money."""

from __future__ import annotations


def money(value: int | None, locale: str) -> str:
    """An amount in yuan: 万元 from ten thousand on in Chinese, ¥ with separators otherwise."""
    if value is None:
        return "—"
    if locale == "zh" and value >= 10_000:
        return f"{value / 10_000:g} 万元"
    return f"¥{value:,}"
