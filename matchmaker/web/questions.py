"""What is asked before each irreversible action: what will happen, and to whom.

The same text is shown in the browser's dialog (from the button's ``data-confirm-*``) and on
the page that asks without a script, so each question is written once, here.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..models import OrgType
from ..services import demands as demand_service
from .confirm import Question


def accept_interest(interest) -> Question:
    name = interest.provider.name
    return Question(
        _("接受“%(name)s”的合作意向？", name=name),
        _(
            "接受后，贵单位的联系人、电话和电子邮箱将向“%(name)s”公开，对方会收到通知，"
            "需求转入洽谈中。接受不能撤销。",
            name=name,
        ),
        _("接受意向"),
    )


def mark_won(demand) -> Question:
    detail = _("需求将关闭，不再接受合作意向，也不能再修改或重新打开。")
    pending = len(demand_service.pending_interests(demand))
    if pending:
        detail += _("尚未答复的 %(n)s 个意向将被婉拒，并通知相应服务方。", n=pending)
    return Question(_("将“%(title)s”标记为已成交？", title=demand.title), detail, _("标记为已成交"))


def publish_guide(guide, publication) -> Question:
    warning = None
    if publication.period_open:
        warning = _(
            "统计期到 %(end)s 才结束，现在发布的数字不是整期的结果，发布后也不会再更新。",
            end=guide.period_end.isoformat(),
        )
    return Question(
        _("发布第 %(n)s 期供需指南？", n=publication.edition),
        _(
            "“%(title)s”发布后内容冻结、不可修改，任何人都可以查看和下载；"
            "%(n)s 位订阅用户将收到通知。",
            title=guide.title,
            n=publication.subscribers,
        ),
        _("发布本期"),
        warning,
    )


def send_invitations(meeting, organisations: int) -> Question:
    return Question(
        _("向 %(n)s 个单位发送对接会邀请？", n=organisations),
        _(
            "配对名单中尚未邀请的 %(n)s 个单位的全部用户将收到“%(title)s”的邀请（站内通知，"
            "已配置邮件时同时发送邮件）。邀请发出后不能撤回，只能取消整场对接会。",
            n=organisations,
            title=meeting.title,
        ),
        _("发送邀请"),
    )


def cancel_meeting(meeting) -> Question:
    invited = len(meeting.invitees)
    detail = _("对接会将被取消，不能恢复；配对名单和回复会保留。")
    if invited:
        detail += _(
            "已受邀的 %(n)s 个单位的全部用户将收到取消通知"
            "（已配置邮件时附带可移除日程的日历文件）。",
            n=invited,
        )
    return Question(_("取消对接会“%(title)s”？", title=meeting.title), detail, _("取消对接会"))


def verify_organization(organization) -> Question:
    detail = _(
        "请确认已核对统一社会信用代码 %(code)s 与单位名称。认证后该单位在平台上显示“已认证”标志。",
        code=organization.credit_code or "—",
    )
    if organization.type == OrgType.PROVIDER:
        detail += _("作为设计服务方，它在匹配推荐中将更靠前。")
    return Question(_("认证“%(name)s”？", name=organization.name), detail, _("认证"))


def merge_claim(claimant) -> Question:
    holder = claimant.claim_of.name
    return Question(
        _("将“%(name)s”并入“%(holder)s”？", name=claimant.name, holder=holder),
        _(
            "“%(name)s”的账号、需求和服务能力档案将转到“%(holder)s”名下，"
            "这些账号的用户将能查看和管理“%(holder)s”的全部需求与意向；“%(name)s”随后删除。"
            "合并不能撤销。",
            name=claimant.name,
            holder=holder,
        ),
        _("确认合并"),
    )


def reject_claim(claimant) -> Question:
    return Question(
        _("驳回“%(name)s”的申领？", name=claimant.name),
        _("“%(name)s”的全部账号将被停用，无法再登录。", name=claimant.name),
        _("驳回申领"),
    )


def accept_contact(contact) -> Question:
    organization = contact.need.organization.name
    return Question(
        _("接受“%(organization)s”的联系请求？", organization=organization),
        _(
            "接受后，您的姓名、电话和电子邮箱将向“%(organization)s”公开，对方会收到通知；"
            "您也能看到对方的联系方式。接受不能撤销。",
            organization=organization,
        ),
        _("接受并交换联系方式"),
    )


def hire_contact(contact) -> Question:
    need = contact.need
    detail = _("录用计入岗位“%(title)s”的已招人数和平台统计，不能撤销。", title=need.title)
    if need.filled + 1 >= need.headcount:
        detail += _("这是最后一个名额，岗位将随之关闭，尚未答复的联系请求将自动结束。")
    return Question(_("登记录用此人？"), detail, _("登记录用"))


def close_talent_need(need) -> Question:
    return Question(
        _("关闭岗位“%(title)s”？", title=need.title),
        _("岗位将不再出现在推荐和搜索中，尚未答复的联系请求将自动结束。关闭后不能重新开放。"),
        _("关闭岗位"),
    )


def delete_talent_data(user) -> Question:
    if user.role == "designer":
        detail = _(
            "您的人才档案、作品、收到的联系请求和通知将被删除，匿名名片从人才库中移除，"
            "账号随之注销、不能再登录。删除不能撤销，建议先导出您的数据。"
        )
    else:
        detail = _(
            "您的人才档案、作品和收到的联系请求将被删除，匿名名片从人才库中移除；"
            "专家账号保留。删除不能撤销，建议先导出您的数据。"
        )
    return Question(_("删除我的人才数据？"), detail, _("永久删除"))


def cancel_diagnosis(request) -> Question:
    return Question(
        _("取消“%(title)s”的设计诊断？", title=request.product_line),
        _("诊断将被取消，不能恢复；已分派的专家和服务方会收到通知。"),
        _("取消诊断"),
    )


def submit_report(request) -> Question:
    return Question(
        _("提交“%(title)s”的诊断报告？", title=request.product_line),
        _("提交后报告不能再修改，企业会收到通知，并可把每条建议转为需求草稿。"),
        _("提交报告"),
    )


def deactivate_user(user) -> Question:
    return Question(
        _("停用 %(email)s？", email=user.email),
        _("该账号将无法登录，所有已登录的浏览器和 API 令牌立即失效。之后可以重新启用。"),
        _("停用账号"),
    )


def force_password_reset(user) -> Question:
    return Question(
        _("强制 %(email)s 重置密码？", email=user.email),
        _("当前密码立即作废，所有登录退出；系统向该邮箱发送重置链接，由本人设置新密码。"),
        _("强制重置"),
    )


def decide_accreditation(accreditation, approve: bool) -> Question:
    name = accreditation.organization.name
    if approve:
        return Question(
            _("认定“%(name)s”为工业设计中心？", name=name),
            _(
                "将授予认定并更新该单位的级别和认证标识，有效期按批次规定计算；"
                "该单位会收到通知，名单向公众公开。决定不能撤销。"
            ),
            _("予以认定"),
        )
    return Question(
        _("不予认定“%(name)s”？", name=name),
        _("该单位会收到通知和您填写的理由。决定不能撤销。"),
        _("不予认定"),
    )


def announce_winners(year) -> Question:
    return Question(
        _("公布“%(title)s”的获奖作品？", title=year.title),
        _(
            "获奖作品将进入公开的好设计作品展，并标注在服务方的档案上；其余作品记为未入选。"
            "所有提交作品的服务方都会收到通知。公布后本年度评选结束，不能撤销。"
        ),
        _("公布获奖作品"),
    )


HELPERS = {
    "question_cancel_diagnosis": cancel_diagnosis,
    "question_submit_report": submit_report,
    "question_accept_contact": accept_contact,
    "question_hire_contact": hire_contact,
    "question_close_talent_need": close_talent_need,
    "question_delete_talent_data": delete_talent_data,
    "question_cancel_meeting": cancel_meeting,
    "question_accept_interest": accept_interest,
    "question_mark_won": mark_won,
    "question_send_invitations": send_invitations,
    "question_verify_organization": verify_organization,
    "question_merge_claim": merge_claim,
    "question_reject_claim": reject_claim,
    "question_deactivate_user": deactivate_user,
    "question_force_password_reset": force_password_reset,
}
