"""The one place a notification's text is written, in the reader's language.

Services store a ``kind`` and plain ``params`` (title, demand_id, reason, provider…); the
sentence is composed at display time so that switching language re-renders old notifications
too.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...china_time import formatted
from ...models import Notification
from ...taxonomy import get_taxonomy

# One sentence per kind; its placeholders are filled from ``_placeholders``.
TEXTS = {
    "demand_approved": _l("您的需求“%(title)s”已通过审核并发布"),
    "demand_rejected": _l("您的需求“%(title)s”未通过审核，原因：%(reason)s"),
    "demand_expired": _l("需求“%(title)s”已过截止日期，自动关闭"),
    "demand_closed": _l("您表达过意向的需求“%(title)s”已关闭"),
    "interest_received": _l("%(provider)s 对您的需求“%(title)s”表达了合作意向"),
    "interest_accepted": _l("您对需求“%(title)s”的合作意向已被接受，可查看对方联系方式"),
    "interest_declined": _l("您对需求“%(title)s”的合作意向未被接受"),
    # Never the enterprise's name: it stays anonymous to providers until it accepts.
    "invited": _l("一家企业邀请您查看需求“%(title)s”"),
    "organization_claim": _l(
        "新注册的“%(organization)s”与已登记单位“%(holder)s”的信用代码或名称相同，请核实"
    ),
    "registration_unconfirmed": _l("“%(organization)s”已注册，未开通邮件发送：请核实后确认其账号"),
    "meeting_invited": _l("贵单位受邀参加对接会“%(title)s”（%(when)s，%(place)s），请回复是否参加"),
    "meeting_changed": _l("对接会“%(title)s”有变更：%(when)s，%(place)s"),
    "meeting_cancelled": _l("原定于 %(when)s 举行的对接会“%(title)s”已取消"),
    "saved_search_digest": _l("保存的搜索“%(search)s”有 %(n)s 条新需求"),
    "guide_published": _l("新一期供需指南已发布：%(title)s（第 %(edition)s 期）"),
    # never the person's name: the organisation learns it from the contact once accepted
    "talent_contacted": _l("%(organization)s 就岗位“%(title)s”通过平台联系您"),
    "talent_contact_accepted": _l("您就岗位“%(title)s”联系的人才已接受，可查看联系方式"),
    "talent_contact_declined": _l("您就岗位“%(title)s”联系的人才婉拒了"),
    "talent_hired": _l("您已被岗位“%(title)s”录用"),
    "diagnosis_requested": _l("%(organization)s 申请设计诊断：%(title)s"),
    "diagnosis_proposed": _l("平台建议为贵单位的“%(title)s”做一次设计诊断"),
    "diagnosis_assigned": _l("您被分派参加%(organization)s的设计诊断：%(title)s"),
    "diagnosis_scheduled": _l("设计诊断“%(title)s”安排在 %(when)s 上门，地点：%(place)s"),
    "diagnosis_moved": _l("设计诊断“%(title)s”改为 %(when)s，地点：%(place)s"),
    "diagnosis_cancelled": _l("设计诊断“%(title)s”已取消"),
    "diagnosis_reported": _l("设计诊断“%(title)s”的报告已提交，可将建议转为需求"),
    "meeting_slot": _l("诊断对接会“%(title)s”为您安排了时段：%(when)s，企业：%(organization)s"),
    "accreditation_submitted": _l("%(organization)s 提交了%(level)s工业设计中心认定申请"),
    "accreditation_returned": _l("您的%(level)s工业设计中心认定申请材料不全，已退回补充"),
    "accreditation_accepted": _l("您的%(level)s工业设计中心认定申请已通过材料审查，进入专家评审"),
    "accreditation_review_assigned": _l("您被分派评审%(organization)s的工业设计中心认定申请"),
    "accreditation_approved": _l("贵单位已获认定为%(level)s工业设计中心"),
    "accreditation_rejected": _l("贵单位的%(level)s工业设计中心认定申请未获通过，理由：%(reason)s"),
    "recognition_expiring": _l("贵单位的%(level)s工业设计中心认定将于 %(date)s 到期，请申请复审"),
    "recognition_expired": _l("贵单位的%(level)s工业设计中心认定已到期"),
    "showcase_review_assigned": _l("您被分派评审好设计作品“%(title)s”"),
    "showcase_won": _l("贵单位的作品“%(title)s”获评 %(year)s 年重庆好设计"),
    "showcase_not_selected": _l("贵单位的作品“%(title)s”未入选 %(year)s 年重庆好设计"),
    "common_need_asked": _l(
        "平台发现贵单位的需求与同集群其他企业相似，邀请加入共性需求“%(title)s”"
    ),
    "common_need_invited": _l("平台邀请贵单位为共性需求“%(title)s”提供设计服务"),
    "common_need_chosen": _l("贵单位被选定承接共性需求“%(title)s”，可查看参与企业"),
    "common_need_matched": _l("共性需求“%(title)s”已选定设计服务方"),
    "common_need_message": _l("共性需求“%(title)s”的项目沟通有新消息"),
    "message_received": _l("关于需求“%(title)s”的合作意向有新消息"),
    "proposal_revised": _l("%(provider)s 更新了对需求“%(title)s”的合作方案"),
    "deal_closed": _l("需求“%(title)s”已与贵单位成交，请为这次合作评价"),
    "review_received": _l("对方已为需求“%(title)s”的合作写下评价，请您也评价"),
    "conversation_reported": _l("有一段对话被举报，请查看处理"),
    "review_reported": _l("有一条评价被举报，请查看处理"),
}
OTHER = _l("您有一条新通知：%(title)s")


def notification_text(notification: Notification) -> str:
    text = TEXTS.get(notification.kind, OTHER)
    return str(text) % _placeholders(notification.params or {})


def _placeholders(params: dict) -> dict[str, object]:
    """Every placeholder a text may name, with what stands in for a missing value; a text
    uses the ones it names."""
    locale = str(get_locale() or "zh")
    return {
        "title": params.get("title") or _("（无标题）"),
        "reason": params.get("reason") or _("未说明"),
        "provider": params.get("provider") or _("一家服务方"),
        "organization": params.get("organization") or "",
        "holder": params.get("holder") or "",
        "when": _when(params.get("visit_at") or params.get("starts_at")),
        "place": params.get("place") or _("地点待定"),
        "search": params.get("search") or "",
        "n": params.get("count") or 0,
        "edition": params.get("edition") or "",
        "level": get_taxonomy().provider_levels.label(params.get("level"), locale),
        "date": params.get("valid_until") or "",
        "year": params.get("year") or "",
    }


def _when(value: str | None) -> str:
    try:
        return formatted(value)
    except ValueError:
        return value or ""
