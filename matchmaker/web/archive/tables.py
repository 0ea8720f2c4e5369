"""Archive records and counts as export tables (Chinese headers, labels instead of codes)."""

from __future__ import annotations

from flask_babel import gettext as _

from ...labels import demand_status_label
from ...models import Demand, Provider
from ...services.archive import Node, flatten, tier_label, tier_of
from ..common import label


def _labels(vocabulary: str, codes) -> str:
    return "、".join(label(vocabulary, code) for code in codes or [])


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def demand_table(records: list[Demand]) -> tuple[list[str], list[list]]:
    headers = [
        _("编号"),
        _("需求标题"),
        _("企业名称"),
        _("统一社会信用代码"),
        _("产业集群层级"),
        _("产业集群"),
        _("所在区县"),
        _("设计服务类型"),
        _("预算下限（元）"),
        _("预算上限（元）"),
        _("截止日期"),
        _("状态"),
        _("发布日期"),
        _("创建日期"),
        _("外部编号"),
    ]
    rows = [
        [
            d.id,
            d.title,
            d.organization.name,
            d.organization.credit_code or "",
            tier_label(tier_of(d.cluster)),
            label("clusters", d.cluster),
            label("regions", d.region),
            _labels("services", d.services),
            d.budget_min,
            d.budget_max,
            _date(d.deadline),
            demand_status_label(d.status, d.close_reason),
            _date(d.published_at),
            _date(d.created_at),
            d.external_id or "",
        ]
        for d in records
    ]
    return headers, rows


def provider_table(records: list[Provider]) -> tuple[list[str], list[list]]:
    # the columns the import template uses, so an export can be corrected and imported again
    headers = [
        _("外部编号"),
        _("单位名称"),
        _("统一社会信用代码"),
        _("联系人"),
        _("手机号码"),
        _("电子邮箱"),
        _("单位类型"),
        _("认定级别"),
        _("所在区县"),
        _("服务产业集群"),
        _("设计服务类型"),
        _("能力简介"),
        _("团队人数"),
        _("最低报价（元）"),
        _("最高报价（元）"),
        _("资质荣誉"),
        _("已认证"),
        _("创建日期"),
    ]
    rows = []
    for p in records:
        org = p.organization
        rows.append(
            [
                p.external_id or "",
                org.name,
                org.credit_code or "",
                org.contact_name or "",
                org.phone or "",
                org.email or "",
                label("provider_kinds", org.kind),
                label("provider_levels", org.level),
                label("regions", org.region),
                _labels("clusters", p.clusters),
                _labels("services", p.services),
                p.description or "",
                p.team_size,
                p.price_min,
                p.price_max,
                "、".join(p.certifications or []),
                _("是") if org.verified else _("否"),
                _date(p.created_at),
            ]
        )
    return headers, rows


def counts_table(root: Node, which: str) -> tuple[list[str], list[list]]:
    leaf_header = _("需求状态") if which == "demands" else _("认定级别")
    headers = [_("产业集群层级"), _("产业集群"), _("所在区县"), leaf_header, _("数量")]
    rows = [[_("合计"), "", "", "", root.count]]
    for chain in flatten(root):
        cells = ["", "", "", ""]
        for node in chain:
            cells[("tier", "cluster", "region", "leaf").index(node.level)] = node_label(node, which)
        rows.append([*cells, chain[-1].count])
    return headers, rows


def node_label(node: Node, which: str) -> str:
    if node.level == "tier":
        return tier_label(node.code)
    if node.level == "cluster":
        return label("clusters", node.code)
    if node.level == "region":
        return label("regions", node.code)
    if node.level == "leaf":
        return (
            demand_status_label(node.code)
            if which == "demands"
            else label("provider_levels", node.code)
        )
    return _("全部")
