"""Axis scales for charts: whole-number ticks at round steps (web pages and the guide PDF)."""

from __future__ import annotations

import math


def nice_ticks(maximum: float, most: int = 5) -> list[int]:
    """Ticks 0, s, 2s … up to the first multiple of s at or above ``maximum``, where the step s
    is 1, 2 or 5 × 10ⁿ and there are at most ``most`` intervals (41 → 0, 10 … 50)."""
    if maximum <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = magnitude * factor
            intervals = math.ceil(maximum / step)
            if intervals <= most:
                return [step * i for i in range(intervals + 1)]
        magnitude *= 10
