"""Words for a guide's codes and numbers in the current language (page, PDF and XLSX share them)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ...china_time import formatted
from ...labels import CLOSE_REASON, DEMAND_STATUS, money
from ...models import Guide, GuideStatus
from ...taxonomy import get_taxonomy
from .snapshot import BALANCED, IDLE, SHORTAGE, SURPLUS, SURPLUS_MIN_VERIFIED, SURPLUS_RATIO


def list_separator(locale: str) -> str:
    """Between the items of a list in running text: 外观设计、结构设计 / Exterior, Structural."""
    return "、" if locale == "zh" else ", "


def edition_label(point: dict[str, Any]) -> str:
    return _("第 %(n)s 期", n=point["edition"]) if point.get("edition") else _("本稿")


def period(guide: Guide) -> str:
    return _(
        "%(start)s 至 %(end)s",
        start=guide.period_start.isoformat(),
        end=guide.period_end.isoformat(),
    )


def edition_line(guide: Guide) -> str:
    if guide.status == GuideStatus.PUBLISHED:
        return _(
            "第 %(n)s 期 · 统计期 %(period)s · 发布于 %(date)s",
            n=guide.edition,
            period=period(guide),
            date=formatted(guide.published_at, "%Y-%m-%d", empty="—"),
        )
    return _("草稿 · 统计期 %(period)s", period=period(guide))


def paragraphs(text: str) -> list[str]:
    """Commentary: blank lines separate paragraphs; single newlines stay line breaks."""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


def status_label(status: str) -> str:
    return {
        SHORTAGE: _("供给缺口"),
        SURPLUS: _("需求不足"),
        BALANCED: _("基本平衡"),
        IDLE: _("暂无供需"),
    }.get(status, status)


def scope_label(scope: str) -> str:
    return _("产业集群") if scope == "cluster" else _("服务类型")


def code_label(scope: str, code: str, locale: str) -> str:
    vocabulary = get_taxonomy().clusters if scope == "cluster" else get_taxonomy().services
    return vocabulary.label(code, locale)


def gap_rule_text(content: dict[str, Any]) -> str:
    t = content.get("thresholds") or {}
    return _(
        "判定规则：已认证服务方少于开放需求数的一半为“供给缺口”；已认证服务方不少于 %(min)s "
        "家且不少于开放需求数的 %(ratio)s 倍为“需求不足”。",
        min=t.get("surplus_min_verified", SURPLUS_MIN_VERIFIED),
        ratio=t.get("surplus_ratio", SURPLUS_RATIO),
    )


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def changes_summary(changes: dict[str, Any]) -> str:
    delta = changes.get("totals_delta") or {}
    counts = {
        "n": changes.get("previous_edition"),
        "title": changes.get("previous_title", ""),
        "new": len(changes.get("new_demands", [])),
        "closed": len(changes.get("closed_demands", [])),
        "opened": len(changes.get("gaps_opened", [])),
        "gone": len(changes.get("gaps_closed", [])),
    }
    if not delta:
        return _(
            "与第 %(n)s 期（%(title)s）相比（仅比较本期范围内的产业集群）：新增需求 %(new)s 条，"
            "关闭或下线 %(closed)s 条；新出现缺口 %(opened)s 个，消除 %(gone)s 个。",
            **counts,
        )
    return _(
        "与第 %(n)s 期（%(title)s）相比：新增需求 %(new)s 条，关闭或下线 %(closed)s 条；新出现缺口 "
        "%(opened)s 个，消除 %(gone)s 个；开放需求 %(d)s，已认证服务方 %(v)s。",
        d=signed(delta.get("open_demands", 0)),
        v=signed(delta.get("verified_providers", 0)),
        **counts,
    )


def departure_label(status: str) -> str:
    """Why a demand of the last edition is not open in this one: its status, or
    ``closed:<reason>`` (the shared words), or what only a guide says of it."""
    state, _colon, reason = status.partition(":")
    if state == "closed" and reason in CLOSE_REASON:
        return str(CLOSE_REASON[reason])
    if status in ("closed", "in_negotiation"):
        return str(DEMAND_STATUS[state])
    return {
        "in_review": _("修改后待审核"),
        "rejected": _("已下线"),
        "draft": _("已下线"),
        "deleted": _("已删除"),
        "published": _("开放中"),
    }.get(status, status)


def budget(low: int | None, high: int | None, locale: str) -> str:
    if low is None and high is None:
        return _("面议")
    if low is None or low == high:
        return money(high, locale)
    if high is None:
        return _("%(low)s 起", low=money(low, locale))
    return f"{money(low, locale)} – {money(high, locale)}"
