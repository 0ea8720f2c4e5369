"""The one place a notification's text is written, in the reader's language.

Services store a ``kind`` and plain ``params`` (title, demand_id, reason, provider…); the
sentence is composed at display time so that switching language re-renders old notifications
too.
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from ...china_time import formatted
from ...models import Notification
from ...taxonomy import get_taxonomy


def _when(value: str | None) -> str:
    try:
        return formatted(value)
    except ValueError:
        return value or ""


def notification_text(notification: Notification) -> str:
    params = notification.params or {}
    title = params.get("title") or _("（无标题）")
    kind = notification.kind
    if kind == "demand_approved":
        return _("您的需求“%(title)s”已通过审核并发布", title=title)
    if kind == "demand_rejected":
        return _(
            "您的需求“%(title)s”未通过审核，原因：%(reason)s",
            title=title,
            reason=params.get("reason") or _("未说明"),
        )
    if kind == "demand_expired":
        return _("需求“%(title)s”已过截止日期，自动关闭", title=title)
    if kind == "demand_closed":
        return _("您表达过意向的需求“%(title)s”已关闭", title=title)
    if kind == "interest_received":
        return _(
            "%(provider)s 对您的需求“%(title)s”表达了合作意向",
            title=title,
            provider=params.get("provider") or _("一家服务方"),
        )
    if kind == "interest_accepted":
        return _("您对需求“%(title)s”的合作意向已被接受，可查看对方联系方式", title=title)
    if kind == "interest_declined":
        return _("您对需求“%(title)s”的合作意向未被接受", title=title)
    if kind == "invited":
        # Never the enterprise's name: it stays anonymous to providers until it accepts.
        return _("一家企业邀请您查看需求“%(title)s”", title=title)
    if kind == "organization_claim":
        return _(
            "新注册的“%(organization)s”与已登记单位“%(holder)s”的信用代码或名称相同，请核实",
            organization=params.get("organization") or "",
            holder=params.get("holder") or "",
        )
    if kind == "registration_unconfirmed":
        return _(
            "“%(organization)s”已注册，未开通邮件发送：请核实后确认其账号",
            organization=params.get("organization") or "",
        )
    if kind == "meeting_invited":
        return _(
            "贵单位受邀参加对接会“%(title)s”（%(when)s，%(place)s），请回复是否参加",
            title=title,
            when=_when(params.get("starts_at")),
            place=params.get("place") or _("地点待定"),
        )
    if kind == "meeting_changed":
        return _(
            "对接会“%(title)s”有变更：%(when)s，%(place)s",
            title=title,
            when=_when(params.get("starts_at")),
            place=params.get("place") or _("地点待定"),
        )
    if kind == "meeting_cancelled":
        return _(
            "原定于 %(when)s 举行的对接会“%(title)s”已取消",
            title=title,
            when=_when(params.get("starts_at")),
        )
    if kind == "saved_search_digest":
        return _(
            "保存的搜索“%(search)s”有 %(n)s 条新需求",
            search=params.get("search") or "",
            n=params.get("count") or 0,
        )
    if kind == "guide_published":
        return _(
            "新一期供需指南已发布：%(title)s（第 %(edition)s 期）",
            title=title,
            edition=params.get("edition") or "",
        )
    talent_or_diagnosis = _talent_and_diagnosis(kind, params, title)
    if talent_or_diagnosis is not None:
        return talent_or_diagnosis
    recognition = _recognition(kind, params)
    if recognition is not None:
        return recognition
    if kind == "message_received":
        return _("关于需求“%(title)s”的合作意向有新消息", title=title)
    if kind == "proposal_revised":
        return _(
            "%(provider)s 更新了对需求“%(title)s”的合作方案",
            title=title,
            provider=params.get("provider") or _("一家服务方"),
        )
    if kind == "deal_closed":
        return _("需求“%(title)s”已与贵单位成交，请为这次合作评价", title=title)
    if kind == "review_received":
        return _("对方已为需求“%(title)s”的合作写下评价，请您也评价", title=title)
    if kind == "conversation_reported":
        return _("有一段对话被举报，请查看处理")
    if kind == "review_reported":
        return _("有一条评价被举报，请查看处理")
    return _("您有一条新通知：%(title)s", title=title)


def _talent_and_diagnosis(kind: str, params: dict, title: str) -> str | None:
    """The talent pool's, the expert pool's and the diagnostic visits' notifications."""
    organization = params.get("organization") or ""
    when = _when(params.get("visit_at") or params.get("starts_at"))
    place = params.get("place") or _("地点待定")
    texts = {
        # never the person's name: the organisation learns it from the contact once accepted
        "talent_contacted": lambda: _(
            "%(organization)s 就岗位“%(title)s”通过平台联系您",
            organization=organization,
            title=title,
        ),
        "talent_contact_accepted": lambda: _(
            "您就岗位“%(title)s”联系的人才已接受，可查看联系方式", title=title
        ),
        "talent_contact_declined": lambda: _("您就岗位“%(title)s”联系的人才婉拒了", title=title),
        "talent_hired": lambda: _("您已被岗位“%(title)s”录用", title=title),
        "diagnosis_requested": lambda: _(
            "%(organization)s 申请设计诊断：%(title)s", organization=organization, title=title
        ),
        "diagnosis_proposed": lambda: _("平台建议为贵单位的“%(title)s”做一次设计诊断", title=title),
        "diagnosis_assigned": lambda: _(
            "您被分派参加%(organization)s的设计诊断：%(title)s",
            organization=organization,
            title=title,
        ),
        "diagnosis_scheduled": lambda: _(
            "设计诊断“%(title)s”安排在 %(when)s 上门，地点：%(place)s",
            title=title,
            when=when,
            place=place,
        ),
        "diagnosis_moved": lambda: _(
            "设计诊断“%(title)s”改为 %(when)s，地点：%(place)s", title=title, when=when, place=place
        ),
        "diagnosis_cancelled": lambda: _("设计诊断“%(title)s”已取消", title=title),
        "diagnosis_reported": lambda: _(
            "设计诊断“%(title)s”的报告已提交，可将建议转为需求", title=title
        ),
        "meeting_slot": lambda: _(
            "诊断对接会“%(title)s”为您安排了时段：%(when)s，企业：%(organization)s",
            title=title,
            when=when,
            organization=organization,
        ),
    }
    text = texts.get(kind)
    return text() if text else None


def _recognition(kind: str, params: dict) -> str | None:
    """Design-centre accreditation, recognitions, the good-design showcase, common needs."""
    level = get_taxonomy().provider_levels.label(params.get("level"), str(get_locale() or "zh"))
    organization = params.get("organization") or ""
    texts = {
        "accreditation_submitted": lambda: _(
            "%(organization)s 提交了%(level)s工业设计中心认定申请",
            organization=organization,
            level=level,
        ),
        "accreditation_returned": lambda: _(
            "您的%(level)s工业设计中心认定申请材料不全，已退回补充", level=level
        ),
        "accreditation_accepted": lambda: _(
            "您的%(level)s工业设计中心认定申请已通过材料审查，进入专家评审", level=level
        ),
        "accreditation_review_assigned": lambda: _(
            "您被分派评审%(organization)s的工业设计中心认定申请", organization=organization
        ),
        "accreditation_approved": lambda: _("贵单位已获认定为%(level)s工业设计中心", level=level),
        "accreditation_rejected": lambda: _(
            "贵单位的%(level)s工业设计中心认定申请未获通过，理由：%(reason)s",
            level=level,
            reason=params.get("reason") or _("未说明"),
        ),
        "recognition_expiring": lambda: _(
            "贵单位的%(level)s工业设计中心认定将于 %(date)s 到期，请申请复审",
            level=level,
            date=params.get("valid_until") or "",
        ),
        "showcase_review_assigned": lambda: _(
            "您被分派评审好设计作品“%(title)s”", title=params.get("title") or ""
        ),
        "showcase_won": lambda: _(
            "贵单位的作品“%(title)s”获评 %(year)s 年重庆好设计",
            title=params.get("title") or "",
            year=params.get("year") or "",
        ),
        "showcase_not_selected": lambda: _(
            "贵单位的作品“%(title)s”未入选 %(year)s 年重庆好设计",
            title=params.get("title") or "",
            year=params.get("year") or "",
        ),
        "common_need_asked": lambda: _(
            "平台发现贵单位的需求与同集群其他企业相似，邀请加入共性需求“%(title)s”",
            title=params.get("title") or "",
        ),
        "common_need_invited": lambda: _(
            "平台邀请贵单位为共性需求“%(title)s”提供设计服务", title=params.get("title") or ""
        ),
        "common_need_chosen": lambda: _(
            "贵单位被选定承接共性需求“%(title)s”，可查看参与企业", title=params.get("title") or ""
        ),
        "common_need_matched": lambda: _(
            "共性需求“%(title)s”已选定设计服务方", title=params.get("title") or ""
        ),
        "common_need_message": lambda: _(
            "共性需求“%(title)s”的项目沟通有新消息", title=params.get("title") or ""
        ),
        "recognition_expired": lambda: _("贵单位的%(level)s工业设计中心认定已到期", level=level),
    }
    text = texts.get(kind)
    return text() if text else None
