"""What the jobs page calls each background job and each state (translated)."""

from __future__ import annotations

from flask_babel import gettext as _


def job_labels() -> dict[str, str]:
    return {
        "deliver_index": _("同步搜索索引"),
        "sync_index": _("定时同步搜索索引"),
        "send_mail": _("发送邮件"),
        "send_alert_digests": _("发送搜索订阅提醒"),
        "send_message_digests": _("发送未读消息摘要"),
        "reveal_public_reviews": _("公开评价并更新服务方评分"),
        "render_guide": _("生成指南 PDF 与 Excel"),
        "mail_guide_subscribers": _("邮件通知指南订阅者"),
        "mail_meeting_news": _("发送对接会邮件（邀请、变更、取消）"),
        "run_import": _("问卷导入"),
        "expire_demands": _("关闭过期需求"),
        "sweep_stale_jobs": _("检查中断的任务"),
        "purge_import_files": _("删除过期的导入文件"),
        "prune_job_records": _("清理任务记录"),
        "close_unconfirmable_accounts": _("关闭无法确认的注册"),
    }


def status_labels() -> dict[str, str]:
    return {
        "queued": _("排队中"),
        "running": _("运行中"),
        "retrying": _("等待重试"),
        "failed": _("失败"),
        "done": _("已完成"),
        "retried": _("已重试"),
    }
