"""The PDF edition of a guide: its charts drawn with PDF primitives, its sections in order
(the fonts, line breaking and tables are ``pdf_document``'s)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext

from ...china_time import formatted
from ...models import Guide, GuideStatus
from ...scales import nice_ticks
from ...taxonomy import get_taxonomy
from ..pdf_document import DEMAND, FAMILY, GRID, HEAD_FILL, INK, MUTED, PRIMARY, Document
from . import charts, labels
from .snapshot import SHORTAGE, SURPLUS

# --- charts drawn with PDF primitives -------------------------------------------------------


def _legend(
    pdf: Document, x: float, y: float, items: list[tuple[str, tuple[int, int, int]]]
) -> None:
    pdf.set_font(FAMILY, size=8)
    for text, colour in items:
        pdf.set_fill_color(*colour)
        pdf.rect(x, y, 3, 3, style="F")
        pdf.set_xy(x + 4, y - 1)
        text = pdf.clean(text)
        pdf.cell(pdf.get_string_width(text) + 2, 5, text)
        x += pdf.get_string_width(text) + 10


def draw_bars(pdf: Document, content: dict[str, Any], locale: str) -> None:
    bars = charts.cluster_bars(content, locale)
    if not bars:
        pdf.para(_("暂无开放需求或已认证服务方。"), colour=MUTED)
        return
    row = 7.6
    pdf.set_font(FAMILY, size=8)
    widest = max(pdf.get_string_width(pdf.clean(b.label)) for b in bars)
    label_w = min(max(widest + 3, 30.0), 58.0)  # long (English) labels take two lines
    needed = 10 + len(bars) * row + 8
    if pdf.get_y() + needed > pdf.h - 20:
        pdf.add_page()
    x0, y0 = pdf.l_margin, pdf.get_y()
    _legend(pdf, x0 + label_w, y0, [(_("开放需求"), DEMAND), (_("已认证服务方"), PRIMARY)])
    top = y0 + 7
    plot = pdf.epw - label_w - 10
    ticks = nice_ticks(max(max(b.demands, b.verified) for b in bars), 4)
    biggest = ticks[-1]
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for value in ticks:
        x = x0 + label_w + plot * value / biggest
        pdf.line(x, top - 1, x, top + len(bars) * row)
        pdf.set_font(FAMILY, size=7)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x - 5, top + len(bars) * row)
        pdf.cell(10, 4, str(value), align="C")
    for i, bar in enumerate(bars):
        y = top + i * row
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, size=8)
        label = pdf.lines(bar.label, label_w - 2 - 2 * pdf.c_margin)
        pdf.set_xy(x0, y + (1.8 if "\n" not in label else 0.4))
        pdf.multi_cell(label_w - 2, 3.4, label, align="R", wrapmode="CHAR")
        for j, (value, colour) in enumerate(((bar.demands, DEMAND), (bar.verified, PRIMARY))):
            w = plot * value / biggest
            by = y + 0.8 + j * 3.1
            pdf.set_fill_color(*colour)
            if w > 0:
                pdf.rect(x0 + label_w, by, w, 2.8, style="F")
            pdf.set_font(FAMILY, size=6.5)
            pdf.set_text_color(*MUTED)
            pdf.set_xy(x0 + label_w + w + 0.8, by - 0.6)
            pdf.cell(8, 4.4, str(value))
    pdf.set_text_color(*INK)
    pdf.set_xy(x0, top + len(bars) * row + 6)
    pdf.set_font(FAMILY, size=10)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def draw_heatmap(pdf: Document, content: dict[str, Any], locale: str) -> None:
    taxonomy = get_taxonomy()
    heat = content.get("heatmap") or {}
    regions, rows = heat.get("regions", []), heat.get("rows", [])
    if not rows:
        pdf.para(_("暂无开放需求。"), colour=MUTED)
        return
    label_w = 44.0
    cell = min(9.0, (pdf.epw - label_w) / max(len(regions), 1))
    head = 20.0
    needed = head + len(rows) * cell + 6
    if pdf.get_y() + needed > pdf.h - 20:
        pdf.add_page()
    x0, y0 = pdf.l_margin, pdf.get_y()
    biggest = max((n for r in rows for n in r["counts"]), default=0)
    pdf.set_font(FAMILY, size=7)
    pdf.set_text_color(*INK)
    for j, code in enumerate(regions):
        x = x0 + label_w + j * cell + cell / 2 - 1
        with pdf.rotation(45, x, y0 + head - 1):
            pdf.text(x, y0 + head - 1, pdf.clean(taxonomy.regions.label(code, locale)))
    for i, row in enumerate(rows):
        y = y0 + head + i * cell
        pdf.set_font(FAMILY, size=7.5)
        pdf.set_text_color(*INK)
        pdf.set_xy(x0, y + cell / 2 - 2.5)
        pdf.cell(
            label_w - 2, 5, pdf.clean(taxonomy.clusters.label(row["cluster"], locale)), align="R"
        )
        for j, value in enumerate(row["counts"]):
            x = x0 + label_w + j * cell
            pdf.set_fill_color(*_rgb(charts.heat_colour(value, biggest)))
            pdf.rect(x + 0.3, y + 0.3, cell - 0.6, cell - 0.6, style="F")
            if value:
                pdf.set_text_color(*_rgb(charts.heat_text_colour(value, biggest)))
                pdf.set_font(FAMILY, size=7)
                pdf.set_xy(x, y + cell / 2 - 2)
                pdf.cell(cell, 4, str(value), align="C")
    pdf.set_text_color(*INK)
    pdf.set_xy(x0, y0 + head + len(rows) * cell + 4)
    pdf.set_font(FAMILY, size=10)


def draw_trend(pdf: Document, points: list[dict[str, Any]]) -> None:
    if not points:
        return
    height = 52.0
    if pdf.get_y() + height + 16 > pdf.h - 20:
        pdf.add_page()
    x0, y0 = pdf.l_margin + 10, pdf.get_y()
    _legend(pdf, x0, y0, [(_("开放需求"), DEMAND), (_("已认证服务方"), PRIMARY)])
    top = y0 + 7
    width = pdf.epw - 14
    ticks = nice_ticks(max(max(p["open_demands"], p["verified_providers"]) for p in points), 4)
    biggest = ticks[-1]
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for value in ticks:
        y = top + height - height * value / biggest
        pdf.line(x0, y, x0 + width, y)
        pdf.set_font(FAMILY, size=7)
        pdf.set_text_color(*MUTED)
        pdf.set_xy(x0 - 11, y - 2)
        pdf.cell(10, 4, str(value), align="R")

    def xy(i: int, value: int) -> tuple[float, float]:
        x = x0 + (width / 2 if len(points) == 1 else width * i / (len(points) - 1))
        return x, top + height - height * value / biggest

    for key, colour in (("open_demands", DEMAND), ("verified_providers", PRIMARY)):
        coords = [xy(i, p[key]) for i, p in enumerate(points)]
        pdf.set_draw_color(*colour)
        pdf.set_fill_color(*colour)
        pdf.set_line_width(0.6)
        if len(coords) > 1:
            pdf.polyline(coords)
        for x, y in coords:
            pdf.circle(x, y, 1.0, style="F")
    pdf.set_font(FAMILY, size=7)
    pdf.set_text_color(*MUTED)
    for i, p in enumerate(points):
        x, _y = xy(i, 0)
        pdf.set_xy(x - 12, top + height + 1)
        pdf.cell(24, 4, pdf.clean(labels.edition_label(p)), align="C")
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, top + height + 8)
    pdf.set_font(FAMILY, size=10)


# --- the document ---------------------------------------------------------------------------


def cover(pdf: Document, guide: Guide, kicker: str) -> None:
    """The first lines of a guide (either kind): platform and guide, title, edition, draft note."""
    with pdf.local_context(text_color=MUTED):
        pdf.set_font(FAMILY, size=9)
        pdf.cell(0, 6, pdf.clean(kicker), new_x="LMARGIN", new_y="NEXT")
    pdf.heading(guide.title, size=20)
    pdf.para(labels.edition_line(guide), size=10, colour=MUTED)
    if guide.status != GuideStatus.PUBLISHED:
        pdf.para(_("草稿预览：尚未发布，数据可能变化。"), size=10, colour=DEMAND)
    pdf.ln(3)


def fact_boxes(pdf: Document, facts: list[tuple[str, Any]], per_row: int) -> None:
    """Key figures in shaded boxes, ``per_row`` to a row, two rows high; the text goes on below."""
    box_w = pdf.epw / per_row
    y = pdf.get_y()
    for i, (name, value) in enumerate(facts):
        x, yy = pdf.l_margin + (i % per_row) * box_w, y + (i // per_row) * 17
        pdf.set_fill_color(*HEAD_FILL)
        pdf.rect(x + 1, yy, box_w - 2, 15, style="F")
        pdf.set_xy(x + 3, yy + 1)
        pdf.set_font(FAMILY, size=8)
        pdf.set_text_color(*MUTED)
        pdf.cell(box_w - 6, 5, pdf.clean(name))
        pdf.set_xy(x + 3, yy + 6)
        pdf.set_font(FAMILY, size=15)
        pdf.set_text_color(*PRIMARY)
        pdf.cell(box_w - 6, 8, str(value))
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, y + 2 * 17 + 2)


def render(guide: Guide, trend: list[dict[str, Any]], config: Mapping, locale: str = "zh") -> bytes:
    content = guide.content or {}
    totals = content.get("totals", {})
    taxonomy = get_taxonomy()
    cl = lambda code: taxonomy.clusters.label(code, locale)  # noqa: E731
    sv = lambda code: taxonomy.services.label(code, locale)  # noqa: E731
    rg = lambda code: taxonomy.regions.label(code, locale)  # noqa: E731
    sep = labels.list_separator(locale)

    pdf = Document(config, guide.title, locale)
    pdf.set_subject(_("重庆工业设计供需指南"))
    pdf.add_page()

    cover(pdf, guide, _("重庆市工业设计供需对接平台 · 供需指南"))
    facts = [
        (_("开放需求"), totals.get("open_demands", 0)),
        (_("本期新发布需求"), totals.get("new_demands", 0)),
        (_("设计服务方"), totals.get("providers", 0)),
        (_("已认证服务方"), totals.get("verified_providers", 0)),
        (_("供给缺口"), totals.get("shortages", 0)),
        (_("需求不足"), totals.get("surpluses", 0)),
    ]
    fact_boxes(pdf, facts, per_row=3)
    pdf.set_font(FAMILY, size=10)

    if guide.commentary.strip():
        pdf.heading(_("编者按"))
        for paragraph in labels.paragraphs(guide.commentary):
            pdf.para(paragraph)
            pdf.ln(1.5)

    pdf.heading(_("各产业集群供需对比"), need=24 + 7.6 * len(charts.cluster_bars(content, locale)))
    pdf.para(_("开放需求数与服务该集群的已认证服务方数。"), size=8.5, colour=MUTED)
    pdf.ln(1)
    draw_bars(pdf, content, locale)

    pdf.heading(_("产业集群供需明细"))
    rows = [
        [
            _("产业集群"),
            _("开放需求"),
            pgettext("a count of", "服务方"),
            _("已认证"),
            _("认证团队规模"),
            _("需求最多的服务"),
            _("供需状态"),
        ]
    ]
    for c in content.get("clusters", []):
        if not (c["open_demands"] or c["providers"]):
            continue
        top = sep.join(sv(code) for code in list(c["demand_services"])[:3]) or "—"
        rows.append(
            [
                cl(c["code"]),
                c["open_demands"],
                c["providers"],
                c["verified_providers"],
                c["verified_team_size"] or "—",
                top,
                labels.status_label(c["status"]),
            ]
        )
    if len(rows) > 1:
        pdf.grid(rows, [40, 16, 15, 15, 20, 50, 22])
    else:
        pdf.para(_("暂无数据。"), colour=MUTED)

    pdf.heading(_("供需缺口"))
    pdf.para(labels.gap_rule_text(content), size=8.5, colour=MUTED)
    pdf.ln(1)
    gaps = content.get("gaps", {})
    for kind, title in (
        (SHORTAGE, _("供给缺口：需求多、已认证服务方少")),
        (SURPLUS, _("需求不足：服务方多、需求少")),
    ):
        items = gaps.get(kind, [])
        pdf.para(title, size=10.5, colour=PRIMARY)
        if not items:
            pdf.para(_("无。"), colour=MUTED)
            continue
        rows = [[_("范围"), _("名称"), _("开放需求"), _("已认证服务方")]]
        rows += [
            [
                labels.scope_label(g["scope"]),
                labels.code_label(g["scope"], g["code"], locale),
                g["open_demands"],
                g["verified_providers"],
            ]
            for g in items
        ]
        pdf.grid(rows, [24, 90, 30, 34])

    pdf.heading(
        _("需求分布热力图（产业集群 × 区县）"),
        need=30 + 9 * len((content.get("heatmap") or {}).get("rows", [])),
    )
    draw_heatmap(pdf, content, locale)

    pdf.heading(_("服务类型供需"))
    rows = [
        [
            _("服务类型"),
            _("开放需求"),
            pgettext("a count of", "服务方"),
            _("已认证服务方"),
            _("供需状态"),
        ]
    ]
    rows += [
        [
            sv(s["code"]),
            s["open_demands"],
            s["providers"],
            s["verified_providers"],
            labels.status_label(s["status"]),
        ]
        for s in content.get("services", [])
    ]
    if len(rows) > 1:
        pdf.grid(rows, [60, 28, 28, 34, 28])

    if trend:
        pdf.heading(_("历期趋势"), need=80)
        draw_trend(pdf, trend)

    changes = content.get("changes")
    pdf.heading(_("与上期相比"))
    if not changes:
        pdf.para(
            _("这是第一期，没有可比较的上一期。")
            if guide.status == GuideStatus.PUBLISHED
            else _("发布时与上一期比较。"),
            colour=MUTED,
        )
    else:
        pdf.para(labels.changes_summary(changes), size=9.5)
        pdf.ln(1)
        if changes["new_demands"]:
            pdf.para(_("新增开放需求"), size=10.5, colour=PRIMARY)
            pdf.grid(
                [[_("需求"), _("产业集群"), _("区县")]]
                + [[d["title"], cl(d["cluster"]), rg(d["region"])] for d in changes["new_demands"]],
                [96, 52, 30],
            )
        if changes["closed_demands"]:
            pdf.para(_("已关闭或下线的需求"), size=10.5, colour=PRIMARY)
            pdf.grid(
                [[_("需求"), _("产业集群"), _("现状")]]
                + [
                    [d["title"], cl(d["cluster"]), labels.departure_label(d["status"])]
                    for d in changes["closed_demands"]
                ],
                [96, 52, 30],
            )
        for key, title in (("gaps_opened", _("新出现的缺口")), ("gaps_closed", _("已消除的缺口"))):
            if changes[key]:
                pdf.para(title, size=10.5, colour=PRIMARY)
                pdf.grid(
                    [[_("类型"), _("范围"), _("名称")]]
                    + [
                        [
                            labels.status_label(g["kind"]),
                            labels.scope_label(g["scope"]),
                            labels.code_label(g["scope"], g["code"], locale),
                        ]
                        for g in changes[key]
                    ],
                    [40, 30, 108],
                )

    pdf.heading(_("重点需求"))
    featured = content.get("featured_demands", [])
    if featured:
        rows = [[_("需求"), _("产业集群"), _("服务类型"), _("区县"), _("预算"), _("截止日期")]]
        rows += [
            [
                d["title"],
                cl(d["cluster"]),
                sep.join(sv(s) for s in d["services"][:3]),
                rg(d["region"]),
                labels.budget(d["budget_min"], d["budget_max"], locale),
                d["deadline"] or "—",
            ]
            for d in featured
        ]
        pdf.grid(rows, [50, 30, 32, 20, 26, 20])
    else:
        pdf.para(_("暂无。"), colour=MUTED)

    pdf.heading(_("重点服务方"))
    featured = content.get("featured_providers", [])
    if featured:
        rows = [[_("服务方"), _("类型"), _("认定级别"), _("区县"), _("服务集群"), _("团队")]]
        rows += [
            [
                p["name"],
                taxonomy.provider_kinds.label(p["kind"], locale),
                taxonomy.provider_levels.label(p["level"], locale),
                rg(p["region"]),
                sep.join(cl(c) for c in p["clusters"][:3]),
                p["team_size"] or "—",
            ]
            for p in featured
        ]
        pdf.grid(rows, [46, 30, 20, 22, 44, 16])
    else:
        pdf.para(_("暂无。"), colour=MUTED)

    pdf.ln(4)
    pdf.para(
        _(
            "数据生成于 %(time)s（北京时间）。统计口径：开放需求指已发布或洽谈中的需求；"
            "已认证服务方指经平台认证的单位；跨集群的服务方在各集群分别计入。",
            time=formatted(content.get("generated_at"), empty="—"),
        ),
        size=8,
        colour=MUTED,
    )
    return bytes(pdf.output())


def filename(guide: Guide, extension: str, locale: str = "zh") -> str:
    prefix = "talent-guide" if guide.kind == "talent" else "guide"
    stem = f"{prefix}-{guide.edition}" if guide.edition else f"{prefix}-draft-{guide.id}"
    return f"{stem}{'-en' if locale == 'en' else ''}.{extension}"
