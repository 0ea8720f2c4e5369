"""The scarce-talent guide's sections as titled tables, in the reader's language.

The web page, the PDF and the workbook show the same tables; they are composed once, here,
from the frozen content (``talent_snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from ...taxonomy import get_taxonomy
from . import labels


@dataclass(frozen=True)
class Table:
    key: str  # section name (sheet, anchor)
    title: str
    note: str
    header: list[str]
    rows: list[list[Any]]


def facts(content: dict[str, Any]) -> list[tuple[str, int]]:
    totals = content.get("totals", {})
    return [
        (_("招聘中岗位"), totals.get("open_needs", 0)),
        (_("空缺名额"), totals.get("open_places", 0)),
        (_("可用人才"), totals.get("people", 0)),
        (_("可随时到岗"), totals.get("available_now", 0)),
        (_("本期新发布岗位"), totals.get("needs_posted", 0)),
        (_("本期录用"), totals.get("placements", 0)),
        (_("紧缺专长"), totals.get("scarce_specialities", 0)),
    ]


def _ratio(value: float | None) -> str:
    return _("无供给") if value is None else f"{value:g}"


def _state(row: dict[str, Any]) -> str:
    return _("紧缺") if row["scarce"] else (_("平衡") if row["gap"] == 0 else _("供大于求"))


def tables(content: dict[str, Any], trend: list[dict[str, Any]], locale: str) -> list[Table]:
    taxonomy = get_taxonomy()
    sv = lambda code: taxonomy.services.label(code, locale)  # noqa: E731
    cl = lambda code: taxonomy.clusters.label(code, locale)  # noqa: E731
    by_code = {r["code"]: r for r in content.get("specialities", [])}
    figures = [_("空缺名额"), _("岗位数"), _("可用人才"), _("缺口")]
    out = [
        Table(
            "scarcity",
            _("紧缺专长排行"),
            _("缺口 = 空缺名额 − 可用人才；缺口大于零即为紧缺，按缺口、空缺名额排序。"),
            [_("排名"), _("专长"), *figures, _("每人对应名额")],
            [
                [i, sv(code), r["places"], r["needs"], r["people"], r["gap"], _ratio(r["ratio"])]
                for i, code in enumerate(content.get("scarcity", {}).get("specialities", []), 1)
                for r in [by_code[code]]
            ],
        ),
        Table(
            "specialities",
            _("各专长供需"),
            _("岗位按其要求的每项专长计入，人才按其每项专长计入。"),
            [_("专长"), *figures, _("状态")],
            [
                [sv(r["code"]), r["places"], r["needs"], r["people"], r["gap"], _state(r)]
                for r in content.get("specialities", [])
            ],
        ),
        Table(
            "clusters",
            _("各产业集群供需"),
            _("岗位与人才按其所属的每个产业集群计入。"),
            [_("产业集群"), *figures, _("状态")],
            [
                [cl(r["code"]), r["places"], r["needs"], r["people"], r["gap"], _state(r)]
                for r in content.get("clusters", [])
            ],
        ),
    ]
    changes = content.get("changes")
    if changes:
        out.append(
            Table(
                "changes",
                _("与上期相比"),
                _("对比第 %(n)s 期。", n=changes.get("previous_edition")),
                [
                    _("专长"),
                    _("上期名额"),
                    _("本期名额"),
                    _("上期人才"),
                    _("本期人才"),
                    _("缺口变化"),
                ],
                [
                    [
                        sv(r["code"]),
                        *r["places"],
                        *r["people"],
                        labels.signed(r["delta_gap"]),
                    ]
                    for r in changes.get("specialities", [])
                ],
            )
        )
    if trend:
        out.append(
            Table(
                "trend",
                _("历期趋势"),
                "",
                [_("期次"), _("统计期止"), _("空缺名额"), _("可用人才"), _("紧缺专长")],
                [
                    [
                        labels.edition_label(p),
                        p.get("period_end") or "—",
                        p["open_places"],
                        p["people"],
                        p["scarce_specialities"],
                    ]
                    for p in trend
                ],
            )
        )
    return out


def changes_summary(content: dict[str, Any], locale: str) -> str:
    """One sentence: which specialities became scarce and which eased since last time."""
    changes = content.get("changes")
    if not changes:
        return _("这是第一期紧缺人才供需指南。")
    taxonomy = get_taxonomy()
    sep = labels.list_separator(locale)
    names = lambda codes: sep.join(taxonomy.services.label(c, locale) for c in codes)  # noqa: E731
    return _(
        "与第 %(n)s 期相比，新出现紧缺：%(new)s；紧缺缓解：%(eased)s。",
        n=changes.get("previous_edition"),
        new=names(changes.get("newly_scarce", [])) or _("无"),
        eased=names(changes.get("eased", [])) or _("无"),
    )
