"""The Excel edition of a guide (openpyxl): one sheet per section, numbers as numbers."""

from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ...china_time import formatted
from ...models import Guide, GuideStatus
from ...spreadsheets import fit_columns
from ...taxonomy import get_taxonomy
from . import charts, labels
from .snapshot import SHORTAGE, SURPLUS

HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="0B5CAD")
TITLE_FONT = Font(bold=True, size=14)
BAR_CM_PER_CLUSTER = 1.1  # two bars and a gap, with a readable label, per cluster


def _put(ws: Worksheet, row: int, column: int, value: Any):
    """Write a value; text is always text (a title starting with "=" is not a formula)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def table(ws: Worksheet, header: list[str], rows: list[list[Any]], start_row: int = 1) -> None:
    """A heading row, the rows, the heading and first column frozen, columns fitted."""
    for j, name in enumerate(header, start=1):
        cell = ws.cell(row=start_row, column=j, value=name)
        cell.font, cell.fill = HEAD_FONT, HEAD_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, values in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(values, start=1):
            _put(ws, i, j, value)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=2)
    fit_columns(ws, [header, *rows])
    if rows:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(header))}{start_row + len(rows)}"


def _readable(chart, height: float, width: float) -> None:
    """Room for every label, the legend below, both axes shown (Excel hides an axis whose
    "delete" flag is left unset)."""
    chart.height, chart.width = height, width
    chart.legend.position = "b"
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def render(guide: Guide, trend: list[dict[str, Any]], locale: str = "zh") -> bytes:
    content = guide.content or {}
    taxonomy = get_taxonomy()
    cl = lambda code: taxonomy.clusters.label(code, locale)  # noqa: E731
    sv = lambda code: taxonomy.services.label(code, locale)  # noqa: E731
    rg = lambda code: taxonomy.regions.label(code, locale)  # noqa: E731
    sep = labels.list_separator(locale)
    totals = content.get("totals", {})

    wb = Workbook()
    ws = wb.active
    ws.title = _("概览")
    _put(ws, 1, 1, guide.title).font = TITLE_FONT
    ws["A2"] = labels.edition_line(guide)
    facts = [
        (_("期号"), guide.edition if guide.edition else _("草稿")),
        (_("统计期开始"), guide.period_start.isoformat()),
        (_("统计期结束"), guide.period_end.isoformat()),
        (_("产业集群范围"), sep.join(cl(c) for c in content.get("scope", [])) or _("全部")),
        (_("开放需求"), totals.get("open_demands", 0)),
        (_("本期新发布需求"), totals.get("new_demands", 0)),
        (_("需求预算合计（元）"), totals.get("budget_total", 0)),
        (_("设计服务方"), totals.get("providers", 0)),
        (_("已认证服务方"), totals.get("verified_providers", 0)),
        (_("已认证服务方团队规模合计"), totals.get("verified_team_size", 0)),
        (_("供给缺口"), totals.get("shortages", 0)),
        (_("需求不足"), totals.get("surpluses", 0)),
        (_("数据生成时间（北京时间）"), formatted(content.get("generated_at"), empty="—")),
        (_("缺口判定规则"), labels.gap_rule_text(content)),
    ]
    for i, (name, value) in enumerate(facts, start=4):
        ws.cell(row=i, column=1, value=name).font = Font(bold=True)
        _put(ws, i, 2, value)
    row = 4 + len(facts) + 1
    ws.cell(row=row, column=1, value=_("编者按")).font = Font(bold=True)
    commentary = _put(ws, row, 2, guide.commentary or "")
    commentary.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 90

    # clusters, with a bar chart of demand vs supply
    ws = wb.create_sheet(_("产业集群"))
    clusters = content.get("clusters", [])
    table(
        ws,
        [
            _("代码"),
            _("产业集群"),
            _("开放需求"),
            _("本期新发布"),
            _("需求预算合计（元）"),
            pgettext("a count of", "服务方"),
            _("已认证服务方"),
            _("团队规模合计"),
            _("已认证团队规模"),
            _("供需状态"),
            _("需求最多的服务"),
        ],
        [
            [
                c["code"],
                cl(c["code"]),
                c["open_demands"],
                c["new_demands"],
                c["budget_total"],
                c["providers"],
                c["verified_providers"],
                c["team_size"],
                c["verified_team_size"],
                labels.status_label(c["status"]),
                sep.join(sv(s) for s in list(c["demand_services"])[:5]),
            ]
            for c in clusters
        ],
    )
    bars = charts.cluster_bars(content, locale)
    if bars:
        chart_ws = wb.create_sheet(_("供需对比图"))
        table(
            chart_ws,
            [_("产业集群"), _("开放需求"), _("已认证服务方")],
            [[b.label, b.demands, b.verified] for b in bars],
        )
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("各产业集群供需对比")
        chart.y_axis.title = _("数量")
        data = Reference(chart_ws, min_col=2, max_col=3, min_row=1, max_row=len(bars) + 1)
        categories = Reference(chart_ws, min_col=1, min_row=2, max_row=len(bars) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(categories)
        chart.x_axis.scaling.orientation = "maxMin"  # the first cluster on top, as in the table
        _readable(chart, height=4 + BAR_CM_PER_CLUSTER * len(bars), width=24)
        chart.gapWidth = 40
        chart_ws.add_chart(chart, "E2")

    # cluster × service: demands and verified providers
    ws = wb.create_sheet(_("集群×服务"))
    rows = []
    for c in clusters:
        for code in dict.fromkeys([*c["demand_services"], *c["provider_services"]]):
            rows.append(
                [
                    cl(c["code"]),
                    sv(code),
                    c["demand_services"].get(code, 0),
                    c["provider_services"].get(code, 0),
                ]
            )
    table(ws, [_("产业集群"), _("服务类型"), _("开放需求"), _("已认证服务方")], rows)

    ws = wb.create_sheet(_("服务类型"))
    table(
        ws,
        [
            _("代码"),
            _("服务类型"),
            _("开放需求"),
            pgettext("a count of", "服务方"),
            _("已认证服务方"),
            _("供需状态"),
        ],
        [
            [
                s["code"],
                sv(s["code"]),
                s["open_demands"],
                s["providers"],
                s["verified_providers"],
                labels.status_label(s["status"]),
            ]
            for s in content.get("services", [])
        ],
    )

    ws = wb.create_sheet(_("供需缺口"))
    gaps = content.get("gaps", {})
    table(
        ws,
        [_("类型"), _("范围"), _("代码"), _("名称"), _("开放需求"), _("已认证服务方")],
        [
            [
                labels.status_label(kind),
                labels.scope_label(g["scope"]),
                g["code"],
                labels.code_label(g["scope"], g["code"], locale),
                g["open_demands"],
                g["verified_providers"],
            ]
            for kind in (SHORTAGE, SURPLUS)
            for g in gaps.get(kind, [])
        ],
    )

    ws = wb.create_sheet(_("热力图"))
    heat = content.get("heatmap") or {}
    regions, heat_rows = heat.get("regions", []), heat.get("rows", [])
    table(
        ws,
        [_("产业集群")] + [rg(r) for r in regions],
        [[cl(r["cluster"])] + list(r["counts"]) for r in heat_rows],
    )
    if regions and heat_rows:  # white → the page's blue, by count, as on the page
        cells = f"B2:{get_column_letter(len(regions) + 1)}{len(heat_rows) + 1}"
        ws.conditional_formatting.add(
            cells,
            ColorScaleRule(
                start_type="num", start_value=0, start_color="F5F7FA",
                end_type="max", end_color="0B5CAD",
            ),
        )  # fmt: skip

    ws = wb.create_sheet(_("重点需求"))
    table(
        ws,
        [
            _("编号"),
            _("需求"),
            _("产业集群"),
            _("服务类型"),
            _("区县"),
            _("预算下限（元）"),
            _("预算上限（元）"),
            _("截止日期"),
        ],
        [
            [
                d["id"],
                d["title"],
                cl(d["cluster"]),
                sep.join(sv(s) for s in d["services"]),
                rg(d["region"]),
                d["budget_min"],
                d["budget_max"],
                d["deadline"],
            ]
            for d in content.get("featured_demands", [])
        ],
    )

    ws = wb.create_sheet(_("重点服务方"))
    table(
        ws,
        [
            _("编号"),
            _("服务方"),
            _("类型"),
            _("认定级别"),
            _("区县"),
            _("服务集群"),
            _("服务类型"),
            _("团队规模"),
        ],
        [
            [
                p["id"],
                p["name"],
                taxonomy.provider_kinds.label(p["kind"], locale),
                taxonomy.provider_levels.label(p["level"], locale),
                rg(p["region"]),
                sep.join(cl(c) for c in p["clusters"]),
                sep.join(sv(s) for s in p["services"]),
                p["team_size"],
            ]
            for p in content.get("featured_providers", [])
        ],
    )

    ws = wb.create_sheet(pgettext("sheet name, at most 31 characters", "与上期相比"))
    changes = content.get("changes")
    if changes:
        ws["A1"] = labels.changes_summary(changes)
        rows = [
            [_("新增需求"), d["id"], d["title"], cl(d["cluster"]), rg(d["region"]), ""]
            for d in changes["new_demands"]
        ]
        rows += [
            [
                _("关闭或下线"),
                d["id"],
                d["title"],
                cl(d["cluster"]),
                rg(d["region"]),
                labels.departure_label(d["status"]),
            ]
            for d in changes["closed_demands"]
        ]
        for change, key in ((_("新出现的缺口"), "gaps_opened"), (_("已消除的缺口"), "gaps_closed")):
            rows += [
                [
                    change,
                    "",
                    labels.code_label(g["scope"], g["code"], locale),
                    labels.scope_label(g["scope"]),
                    "",
                    labels.status_label(g["kind"]),
                ]
                for g in changes[key]
            ]
        table(
            ws,
            [_("变化"), _("编号"), _("名称"), _("产业集群 / 范围"), _("区县"), _("现状")],
            rows,
            start_row=3,
        )
    else:
        ws["A1"] = (
            _("这是第一期，没有可比较的上一期。")
            if guide.status == GuideStatus.PUBLISHED
            else _("发布时与上一期比较。")
        )

    ws = wb.create_sheet(_("历期趋势"))
    table(
        ws,
        [
            _("期号"),
            _("标题"),
            _("统计期结束"),
            _("开放需求"),
            pgettext("a count of", "服务方"),
            _("已认证服务方"),
            _("供给缺口"),
        ],
        [
            [
                p["edition"] or _("本稿"),
                p["title"],
                p["period_end"],
                p["open_demands"],
                p["providers"],
                p["verified_providers"],
                p["shortages"],
            ]
            for p in trend
        ],
    )
    if trend:
        chart = LineChart()
        chart.title = _("历期趋势")
        chart.y_axis.title = _("数量")
        for column in (4, 6):  # open demands, verified providers
            chart.add_data(
                Reference(ws, min_col=column, min_row=1, max_row=len(trend) + 1),
                titles_from_data=True,
            )
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(trend) + 1))
        _readable(chart, height=9, width=20)
        ws.add_chart(chart, "I2")

    wb.properties.title = guide.title
    wb.properties.creator = "Matchmaker"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
