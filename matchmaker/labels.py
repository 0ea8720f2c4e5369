"""Values as people read them, written once for pages, guides and exports: amounts of money and
the statuses of demands and interests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def money(value: int | None, locale: str) -> str:
    """An amount in yuan: 万元 from ten thousand on in Chinese, ¥ with separators otherwise."""
    if value is None:
        return "—"
    if locale == "zh" and value >= 10_000:
        return f"{value / 10_000:g} 万元"
    return f"¥{value:,}"


DEMAND_STATUS = {
    "draft": _l("草稿"),
    "in_review": _l("审核中"),
    "rejected": _l("已驳回"),
    "published": _l("已发布"),
    "in_negotiation": _l("洽谈中"),
    "closed": _l("已关闭"),
}
CLOSE_REASON = {"won": _l("已成交"), "withdrawn": _l("已撤回"), "expired": _l("已过期")}
INTEREST_STATUS = {
    "pending": _l("待回复"),
    "accepted": _l("已接受"),
    "declined": _l("未获选"),
    "withdrawn": _l("已撤回"),
}
CONTACT_PREFERENCE = {"platform": _l("平台站内沟通"), "phone": _l("电话"), "email": _l("电子邮件")}


def demand_status_label(status: str, close_reason: str | None = None) -> str:
    if status == "closed" and close_reason in CLOSE_REASON:
        return f"{DEMAND_STATUS['closed']} · {CLOSE_REASON[close_reason]}"
    return str(DEMAND_STATUS.get(status, status))


def interest_status_label(status: str) -> str:
    return str(INTEREST_STATUS.get(status, status))


def contact_preference_label(code: str) -> str:
    return str(CONTACT_PREFERENCE.get(code, code))


# Templates call these by name.
STATUS_LABELS = {
    "demand_status_label": demand_status_label,
    "interest_status_label": interest_status_label,
    "contact_preference_label": contact_preference_label,
}
