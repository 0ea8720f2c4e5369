"""The guide's chart data (demand and verified supply per cluster) and its heat-map colours,
drawn by the PDF and the workbook; the page draws the same data with templates/charts.html.

Every chart is built from the guide's frozen content; labels come from the taxonomy in the
reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...taxonomy import get_taxonomy

TEXT_COLOUR = "#1c2430"


@dataclass
class Bar:
    code: str
    label: str
    demands: int
    verified: int
    status: str


def cluster_bars(content: dict[str, Any], locale: str) -> list[Bar]:
    """Clusters with open demand or verified supply, in taxonomy order."""
    clusters = get_taxonomy().clusters
    return [
        Bar(
            c["code"],
            clusters.label(c["code"], locale),
            c["open_demands"],
            c["verified_providers"],
            c["status"],
        )
        for c in content.get("clusters", [])
        if c["open_demands"] or c["verified_providers"]
    ]


def heat_colour(value: int, top: int) -> str:
    """White → the primary blue, by share of the largest cell."""
    if not value or not top:
        return "#f5f7fa"
    share = 0.18 + 0.82 * value / top
    base, low = (11, 92, 173), (231, 240, 250)
    rgb = [round(lo + (b - lo) * share) for b, lo in zip(base, low, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def heat_text_colour(value: int, top: int) -> str:
    return "#ffffff" if top and value / top > 0.55 else TEXT_COLOUR
