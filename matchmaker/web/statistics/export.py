"""The report as labelled tables: shown on the page, exported as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook

from ...services.figures import FIGURES
from ...services.statistics import Report
from ...services.statistics_talent import Figures
from ..common import label


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def tables(report: Report) -> list[Table]:
    f, funnel, resp, exposure = (
        report.filters,
        report.funnel,
        report.responsiveness,
        report.exposure,
    )
    summary = Table(
        "summary",
        _("概览"),
        [_("指标"), _("数值")],
        [
            [_("统计区间"), f"{f.start.isoformat()} – {f.end.isoformat()}"],
            [_("产业集群"), label("clusters", f.cluster) if f.cluster else _("全部")],
            [_("区县"), label("regions", f.region) if f.region else _("全部")],
            [str(FIGURES["demands_published"].name), report.demands_published],
            [_("新增服务方"), report.providers_created],
            [_("首次意向中位时长（小时）"), number(resp.median_hours)],
            [_("已有意向的需求"), resp.with_interest],
            [_("尚无意向的需求"), resp.without_interest],
            [_("7 天内获得 ≥3 个合格意向的需求占比"), percent(resp.share)],
            [_("7 天内获得 ≥3 个合格意向的需求"), f"{resp.reached} / {resp.eligible}"],
            [_("观察期未满的需求"), resp.pending],
            [_("对接成功率"), percent(report.success_total.rate)],
            [_("会上签约合同金额（元）"), funnel.contract_value],
            [_("曝光基尼系数"), number(exposure.gini, 3)],
            [_("前 10% 服务方曝光占比"), percent(exposure.top10_share)],
            [_("从未被推荐的服务方"), f"{exposure.never_shown} / {exposure.providers}"],
        ],
    )
    monthly = Table(
        "monthly",
        _("月度趋势"),
        [_("月份"), str(FIGURES["demands_published"].name), _("新增服务方")],
        [[m, report.demands_by_month[m], report.providers_by_month[m]] for m in report.months],
    )
    by_cluster = _demands_and_providers(
        "clusters",
        _("按产业集群"),
        _("产业集群"),
        "clusters",
        report.demands_by_cluster,
        report.providers_by_cluster,
    )
    by_region = _demands_and_providers(
        "regions",
        _("按区县"),
        _("区县"),
        "regions",
        report.demands_by_region,
        report.providers_by_region,
    )
    month_cluster = Table(
        "month_cluster",
        _("发布需求 · 月份 × 产业集群"),
        [_("月份"), _("产业集群"), str(FIGURES["demands_published"].name)],
        [
            [m, label("clusters", c), n]
            for (m, c), n in sorted(report.demands_by_month_cluster.items())
        ],
    )
    month_region = Table(
        "month_region",
        _("发布需求 · 月份 × 区县"),
        [_("月份"), _("区县"), str(FIGURES["demands_published"].name)],
        [
            [m, label("regions", r), n]
            for (m, r), n in sorted(report.demands_by_month_region.items())
        ],
    )
    stage_names = stage_labels()
    funnel_table = Table(
        "funnel",
        _("对接漏斗"),
        [_("阶段"), _("数量"), _("较上一阶段")],
        [[stage_names[s], n, percent(funnel.rate(s))] for s, n in funnel.stages()],
    )
    success = Table(
        "success",
        _("各产业集群对接成功率"),
        [_("产业集群"), _("成功"), pgettext("closed as", "撤回"), _("过期"), _("成功率")],
        [
            [label("clusters", r.cluster), r.won, r.withdrawn, r.expired, percent(r.rate)]
            for r in report.success
        ],
    )
    if report.success:
        t = report.success_total
        success.rows.append([_("合计"), t.won, t.withdrawn, t.expired, percent(t.rate)])
    top = Table(
        "exposure",
        _("曝光最多的服务方"),
        [_("服务方"), _("推荐次数")],
        [[name, n] for _id, name, n in exposure.top],
    )
    return [
        summary,
        monthly,
        by_cluster,
        by_region,
        funnel_table,
        success,
        top,
        month_cluster,
        month_region,
    ]


def talent_tables(figures: Figures) -> list[Table]:
    """The talent pool's, the diagnostic visits' and the accreditation figures
    (``services.statistics_talent``, ``services.statistics_recognition``)."""
    talent, diagnosis = figures.talent, figures.diagnosis
    return [
        Table(
            "talent",
            _("人才库"),
            [_("指标"), _("数值")],
            [
                [_("发布的岗位"), talent.needs_posted],
                [_("招聘名额"), talent.places_posted],
                [_("新入库人才"), talent.people_joined],
                [_("联系请求"), talent.contacts],
                [_("接受联系"), talent.accepted],
                [_("录用"), talent.placements],
            ],
        ),
        Table(
            "scarcity",
            _("人才供需 · 按专长"),
            [_("专长"), _("招聘名额"), _("新入库人才"), _("录用"), _("缺口")],
            [
                [label("services", r.code), r.places, r.people, r.placements, r.shortfall]
                for r in talent.by_speciality
            ],
        ),
        Table(
            "diagnosis",
            _("设计诊断"),
            [_("指标"), _("数值")],
            [
                [_("诊断申请"), diagnosis.requests],
                [_("其中平台提议"), diagnosis.proposed],
                [_("完成上门（提交报告）"), diagnosis.visits],
                [_("诊断建议"), diagnosis.recommendations],
                [_("转为需求"), diagnosis.drafted],
                [_("建议转需求比例"), percent(diagnosis.adoption)],
                [_("由诊断产生的需求成交"), diagnosis.won],
            ],
        ),
        Table(
            "accreditation",
            _("认定、好设计与共性需求"),
            [_("指标"), _("数值")],
            [
                [_("认定申请"), figures.accreditation.applications],
                [_("其中凭证书登记"), figures.accreditation.recorded],
                [_("作出决定"), figures.accreditation.decided],
                [_("予以认定"), figures.accreditation.approved],
                [_("认定通过率"), percent(figures.accreditation.approval_rate)],
                [_("到期的认定"), figures.accreditation.expired],
                [_("好设计参评作品"), figures.showcase.entries],
                [_("好设计获奖作品"), figures.showcase.winners],
                [_("形成的共性需求"), figures.common_needs.formed],
                [_("加入共性需求的企业"), figures.common_needs.joined],
                [_("成交的共性需求"), figures.common_needs.won],
                [_("共性需求合同金额（元）"), figures.common_needs.contracted],
            ],
        ),
    ]


def stage_labels() -> dict[str, str]:
    return {
        "recommended": _("推荐"),
        "interest": _("表达意向"),
        "accepted": str(FIGURES["accepted_interests"].name),
        "signed": str(FIGURES["deals"].name),
    }


def _safe(value):
    """Text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(report: Report, figures: Figures) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables(report) + talent_tables(figures):
        writer.writerow([_safe(table.title)])
        writer.writerow(table.headers)
        writer.writerows([[_safe(v) for v in row] for row in table.rows])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def to_xlsx(report: Report, figures: Figures) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in tables(report) + talent_tables(figures):
        sheet = book.create_sheet(title=table.title[:31].replace("×", "x").replace("·", "-"))
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
        for i, _header in enumerate(table.headers):
            sheet.column_dimensions[chr(ord("A") + i)].width = 24 if i == 0 else 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _demands_and_providers(
    key: str, title: str, column: str, vocabulary: str, demands: dict, providers: dict
) -> Table:
    """Published demands and new providers per code, the busiest first."""
    codes = sorted(
        set(demands) | set(providers),
        key=lambda c: (-demands.get(c, 0), -providers.get(c, 0), c),
    )
    return Table(
        key,
        title,
        [column, str(FIGURES["demands_published"].name), _("新增服务方")],
        [[label(vocabulary, c), demands.get(c, 0), providers.get(c, 0)] for c in codes],
    )
