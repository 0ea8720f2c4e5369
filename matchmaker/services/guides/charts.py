"""Charts of a guide as server-side SVG (no script), and the data series the PDF draws too.

Every chart is built from the guide's frozen content; labels come from the taxonomy in the
reader's language. Text is XML-escaped; no ``style`` attributes (the page's CSP forbids
inline styles), only presentation attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from ...taxonomy import get_taxonomy

DEMAND_COLOUR = "#c2410c"
SUPPLY_COLOUR = "#0b5cad"
GRID_COLOUR = "#d9dfe7"
TEXT_COLOUR = "#1c2430"
MUTED_COLOUR = "#5b6675"
FONT = (
    '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", '
    'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
)


def attr(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


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


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_width(text: str, size: float) -> float:
    """Rough advance width: CJK characters are one em, Latin about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in text)


def _svg(width: float, height: float, title: str, desc: str, body: list[str], chart_id: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{attr(FONT)}" font-size="13" fill="{TEXT_COLOUR}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    for step in (2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        if value <= step * 5:
            return -(-value // step) * step
    return value


def _legend(left: float, legend: tuple[str, str]) -> list[str]:
    """The demand and supply swatches with their names, along the top from ``left``."""
    return [
        f'<rect x="{left}" y="8" width="12" height="12" fill="{DEMAND_COLOUR}"/>',
        f'<text x="{left + 18}" y="19">{escape(legend[0])}</text>',
        f'<rect x="{left + 30 + _text_width(legend[0], 13)}" y="8" width="12" height="12" '
        f'fill="{SUPPLY_COLOUR}"/>',
        f'<text x="{left + 48 + _text_width(legend[0], 13)}" y="19">{escape(legend[1])}</text>',
    ]


def bars_svg(
    content: dict[str, Any], locale: str, title: str, desc: str, legend: tuple[str, str], empty: str
) -> str:
    """Grouped horizontal bars: open demands vs verified providers per cluster."""
    bars = cluster_bars(content, locale)
    width, row, top = 760, 38, 40
    label_chars = 14 if locale == "zh" else 30
    labels = [_shorten(b.label, label_chars) for b in bars]
    left = min(max((_text_width(t, 13) for t in labels), default=80) + 16, 280)
    right = 36
    height = top + max(len(bars), 1) * row + 28
    plot = width - left - right
    top_value = _nice_max(max((max(b.demands, b.verified) for b in bars), default=0))
    body = _legend(left, legend)
    steps = 5 if top_value >= 5 else top_value
    for i in range(steps + 1):
        value = top_value * i / steps
        x = left + plot * i / steps
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{top + len(bars) * row}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{x:.1f}" y="{top + max(len(bars), 1) * row + 16}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}" font-size="11">{value:g}</text>'
        )
    if not bars:
        body.append(
            f'<text x="{left + plot / 2:.0f}" y="{top + row / 2 + 4:.0f}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{escape(empty)}</text>'
        )
    for i, (bar, text) in enumerate(zip(bars, labels, strict=True)):
        y = top + i * row
        body.append(f"<g><title>{escape(bar.label)}: {bar.demands} / {bar.verified}</title>")
        body.append(
            f'<text x="{left - 10}" y="{y + row / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(text)}</text>'
        )
        for j, (value, colour) in enumerate(
            ((bar.demands, DEMAND_COLOUR), (bar.verified, SUPPLY_COLOUR))
        ):
            w = plot * value / top_value if top_value else 0
            by = y + 6 + j * 13
            body.append(
                f'<rect x="{left}" y="{by}" width="{w:.1f}" height="12" fill="{colour}" rx="2"/>'
            )
            body.append(
                f'<text x="{left + w + 4:.1f}" y="{by + 10}" font-size="11" '
                f'fill="{MUTED_COLOUR}">{value}</text>'
            )
        body.append("</g>")
    return _svg(width, height, title, desc, body, "chart-bars")


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


def heatmap_svg(content: dict[str, Any], locale: str, title: str, desc: str, empty: str) -> str:
    """Clusters (rows) × districts (columns): open demands per cell."""
    taxonomy = get_taxonomy()
    heat = content.get("heatmap") or {}
    regions, rows = heat.get("regions", []), heat.get("rows", [])
    cell = 36
    row_labels = [
        _shorten(taxonomy.clusters.label(r["cluster"], locale), 14 if locale == "zh" else 30)
        for r in rows
    ]
    col_labels = [
        _shorten(taxonomy.regions.label(code, locale), 8 if locale == "zh" else 20)
        for code in regions
    ]
    left = min(max((_text_width(t, 12) for t in row_labels), default=80) + 14, 280)
    top = max((_text_width(t, 12) for t in col_labels), default=40) * 0.72 + 24
    # rotated column labels reach up and to the right of their column
    width = max(left + len(regions) * cell + top * 0.8, 320)
    height = top + max(len(rows), 1) * cell + 12
    biggest = max((n for r in rows for n in r["counts"]), default=0)
    body: list[str] = []
    if not rows:
        body.append(
            f'<text x="{width / 2:.0f}" y="{top + cell / 2:.0f}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{escape(empty)}</text>'
        )
    for j, text in enumerate(col_labels):
        x = left + j * cell + cell / 2
        body.append(
            f'<text x="{x:.1f}" y="{top - 8:.1f}" font-size="12" text-anchor="start" '
            f'transform="rotate(-45 {x:.1f} {top - 8:.1f})">{escape(text)}</text>'
        )
    for i, (row, text) in enumerate(zip(rows, row_labels, strict=True)):
        y = top + i * cell
        body.append(
            f'<text x="{left - 8}" y="{y + cell / 2 + 4:.1f}" font-size="12" text-anchor="end">'
            f"{escape(text)}</text>"
        )
        for j, value in enumerate(row["counts"]):
            x = left + j * cell
            name = (
                f"{taxonomy.clusters.label(row['cluster'], locale)} × "
                f"{taxonomy.regions.label(regions[j], locale)}"
            )
            body.append(
                f"<g><title>{escape(name)}: {value}</title>"
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" rx="3" '
                f'fill="{heat_colour(value, biggest)}"/>'
            )
            if value:
                body.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                    f'font-size="12" fill="{heat_text_colour(value, biggest)}">{value}</text>'
                )
            body.append("</g>")
    return _svg(width, height, title, desc, body, "chart-heat")


def trend_svg(
    points: list[dict[str, Any]],
    title: str,
    desc: str,
    legend: tuple[str, str],
    point_label,
    empty: str,
) -> str:
    """Open demands and verified providers across editions.

    ``point_label(point)`` names the x ticks.
    """
    width, height, left, right, top, bottom = 760, 280, 48, 24, 36, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(
        max((max(p["open_demands"], p["verified_providers"]) for p in points), default=0)
    )
    body = _legend(left, legend)
    steps = 5 if top_value >= 5 else top_value
    for i in range(steps + 1):
        value = top_value * i / steps
        y = top + plot_h - plot_h * i / steps
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED_COLOUR}">{value:g}</text>'
        )
    if not points:
        body.append(
            f'<text x="{width / 2:.0f}" y="{top + plot_h / 2:.0f}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{escape(empty)}</text>'
        )
        return _svg(width, height, title, desc, body, "chart-trend")

    def x_of(i: int) -> float:
        return left + (plot_w / 2 if len(points) == 1 else plot_w * i / (len(points) - 1))

    def y_of(value: int) -> float:
        return top + plot_h - (plot_h * value / top_value if top_value else 0)

    for key, colour in (("open_demands", DEMAND_COLOUR), ("verified_providers", SUPPLY_COLOUR)):
        coords = " ".join(f"{x_of(i):.1f},{y_of(p[key]):.1f}" for i, p in enumerate(points))
        if len(points) > 1:
            body.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for i, p in enumerate(points):
            body.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y_of(p[key]):.1f}" r="4" fill="{colour}">'
                f"<title>{escape(point_label(p))}: {p[key]}</title></circle>"
            )
    every = max(1, len(points) // 8)
    for i, p in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            body.append(
                f'<text x="{x_of(i):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'font-size="11" fill="{MUTED_COLOUR}">{escape(point_label(p))}</text>'
            )
    return _svg(width, height, title, desc, body, "chart-trend")
