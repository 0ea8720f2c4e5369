"""Who hears about a diagnostic visit, and the visit's calendar file.

Participants are the enterprise's users, the assigned experts and the users of the assigned
providers. Each gets an in-app notification at once and, after the commit and when e-mail is
configured, a message in their own language with the visit's calendar file (a job calls
``mail_participants``: no request waits for the mail server).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ...china_time import to_local
from ...models import DiagnosisRequest, DiagnosisStatus, User
from .. import mail, meeting_calendar
from ..notifications import notify
from ..unit_of_work import after_commit

MAIL_WORK = "diagnosis_mail"  # after-commit work: (request id, kind)
VISIT_LENGTH = dt.timedelta(hours=3)
MIMETYPE = meeting_calendar.MIMETYPE


def participants(request: DiagnosisRequest) -> list[User]:
    users: dict[int, User] = {u.id: u for u in request.organization.users if u.active}
    for assignment in request.assignments:
        if assignment.expert is not None and assignment.expert.user.active:
            users[assignment.expert.user_id] = assignment.expert.user
        if assignment.provider is not None:
            for user in assignment.provider.organization.users:
                if user.active:
                    users[user.id] = user
    return list(users.values())


def _params(request: DiagnosisRequest) -> dict:
    return {
        "title": request.product_line,
        "organization": request.organization.name,
        "visit_at": request.visit_at.isoformat() if request.visit_at else None,
        "place": request.place,
    }


def tell(session: Session, users: list[User], request: DiagnosisRequest, kind: str) -> None:
    notify(session, users, kind, f"/diagnosis/{request.id}", **_params(request))


def tell_participants(session: Session, request: DiagnosisRequest, kind: str) -> None:
    """Everyone concerned, in-app now and by e-mail after the commit."""
    tell(session, participants(request), request, kind)
    if request.visit_at is not None:
        after_commit(session, MAIL_WORK, request.id, kind)


def filename(request: DiagnosisRequest) -> str:
    return f"diagnosis-{request.id}.ics"


def calendar_file(request: DiagnosisRequest, base_url: str = "") -> bytes:
    """The visit as one event, updated in place (SEQUENCE) when it moves, cancelled with it."""
    return meeting_calendar.event_file(
        f"diagnosis-{request.id}",
        request.schedule_version,
        request.visit_at,
        VISIT_LENGTH,
        _(
            "设计诊断：%(company)s · %(product)s",
            company=request.organization.name,
            product=request.product_line,
        ),
        request.place,
        request.visit_note,
        f"{base_url}/diagnosis/{request.id}" if base_url else "",
        request.status == DiagnosisStatus.CANCELLED,
        base_url,
    )


def _message(request: DiagnosisRequest, kind: str, base_url: str) -> tuple[str, str]:
    facts = {
        "company": request.organization.name,
        "product": request.product_line,
        "when": to_local(request.visit_at).strftime("%Y-%m-%d %H:%M"),
        "place": request.place,
        "link": f"{base_url}/diagnosis/{request.id}",
    }
    if kind == "diagnosis_cancelled":
        return _("【工业设计供需对接平台】设计诊断取消：%(company)s", **facts), _(
            "您好：\n\n原定于 %(when)s（北京时间）在 %(place)s 进行的设计诊断"
            "（%(company)s · %(product)s）已取消。附件中的日历文件可将它从日历中移除。\n\n"
            "详情：%(link)s\n",
            **facts,
        )
    return _("【工业设计供需对接平台】设计诊断上门安排：%(company)s", **facts), _(
        "您好：\n\n设计诊断（%(company)s · %(product)s）已安排上门：\n时间：%(when)s（北京时间）"
        "\n地点：%(place)s\n\n附件是日历文件。详情：%(link)s\n",
        **facts,
    )


def mail_participants(session: Session, request_id: int, kind: str, base_url: str) -> int:
    """Queue the e-mail of ``kind`` to every participant in their language, with the calendar
    file as the visit is now; returns how many."""
    request = session.get(DiagnosisRequest, request_id)
    if request is None or request.visit_at is None:
        return 0
    attachment = (filename(request), MIMETYPE, calendar_file(request, base_url).decode())
    queued = 0
    for user in participants(request):
        with force_locale(user.locale or "zh"):
            subject, body = _message(request, kind, base_url)
        mail.queue(session, user.email, subject, body, attachments=(attachment,))
        queued += 1
    return queued
