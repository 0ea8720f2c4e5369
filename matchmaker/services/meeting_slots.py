"""Expert slots of a diagnostic meeting (分行业、分区域诊断服务对接会).

A diagnostic meeting is a meeting (``meetings``: its cluster and district, time, place,
invitations, answers and calendar files) whose programme is a set of slots: a time with one
expert, booked for one enterprise. Experts are suggested by the talent matcher for the
meeting's cluster and district; an enterprise is never seated with an expert who has a
conflict of interest with it. Sending the invitations invites the booked enterprises and
tells each expert about their slots.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from search import SearchBackend

from ..china_time import to_utc
from ..models import (
    MEETING_EDITABLE,
    Expert,
    Meeting,
    MeetingExpertSlot,
    MeetingStatus,
    Organization,
    OrgType,
    User,
    utcnow,
)
from ..schemas import RecordId, Strict, validate
from . import audit, experts
from .errors import Conflict, field_error
from .matching import Match
from .meetings import KIND_DIAGNOSIS, get_meeting


class SlotIn(Strict):
    expert_id: RecordId
    starts_at: dt.datetime = Field(description="China time, without a zone")
    minutes: Annotated[int, Field(ge=10, le=240)] = 30
    topic: Annotated[str, Field(max_length=200)] = ""


def _diagnostic(session: Session, actor: User, meeting_id: int):
    meeting = get_meeting(session, actor, meeting_id)
    if meeting.kind != KIND_DIAGNOSIS:
        raise Conflict(_("只有诊断对接会才有专家时段"))
    if meeting.status not in MEETING_EDITABLE or meeting.starts_at <= utcnow():
        raise Conflict(_("对接会已开始、已举行或已取消，不能再修改"))
    return meeting


def suggested_experts(
    session: Session, backend: SearchBackend, actor: User, meeting_id: int, k: int = 8
) -> list[Match]:
    """Active experts for the meeting's cluster and district, best first, with reasons."""
    meeting = get_meeting(session, actor, meeting_id)
    need = {
        "title": meeting.title,
        "description": meeting.description,
        "specialities": [],
        "clusters": [meeting.cluster] if meeting.cluster else [],
        "region": meeting.region,
    }
    return experts.suggest(session, backend, need, None, k)


def add_slot(session: Session, actor: User, meeting_id: int, body: Any) -> MeetingExpertSlot:
    meeting = _diagnostic(session, actor, meeting_id)
    data = validate(SlotIn, body)
    expert = session.get(Expert, data.expert_id)
    if expert is None or not expert.active:
        raise field_error("expert_id", _("专家不存在或已停用"))
    starts_at = to_utc(data.starts_at.replace(tzinfo=None, second=0, microsecond=0))
    if starts_at < meeting.starts_at:
        raise field_error("starts_at", _("时段不能早于对接会开始时间"))
    taken = session.scalar(
        select(MeetingExpertSlot.id).where(
            MeetingExpertSlot.meeting_id == meeting.id,
            MeetingExpertSlot.expert_id == expert.id,
            MeetingExpertSlot.starts_at == starts_at,
        )
    )
    if taken is not None:
        raise field_error("starts_at", _("该专家这个时段已安排"))
    slot = MeetingExpertSlot(
        expert=expert, starts_at=starts_at, minutes=data.minutes, topic=data.topic
    )
    meeting.slots.append(slot)
    session.flush()
    audit.log_event(
        session, actor, "meeting.slot_added", "meeting", meeting.id, expert_id=expert.id
    )
    return slot


def _slot(session: Session, actor: User, meeting_id: int, slot_id: int) -> MeetingExpertSlot:
    meeting = _diagnostic(session, actor, meeting_id)
    slot = next((s for s in meeting.slots if s.id == slot_id), None)
    if slot is None:
        raise field_error("slot_id", _("时段不存在"))
    return slot


def book(
    session: Session, actor: User, meeting_id: int, slot_id: int, organization_id: int
) -> MeetingExpertSlot:
    """Seat an enterprise in a free slot; never with an expert in conflict with it."""
    slot = _slot(session, actor, meeting_id, slot_id)
    organization = session.get(Organization, organization_id)
    if organization is None or organization.type != OrgType.ENTERPRISE:
        raise field_error("organization", _("请选择一家企业"))
    if slot.organization_id is not None:
        raise Conflict(_("该时段已有企业预约"))
    if experts.has_conflict(session, slot.expert_id, organization.id):
        raise Conflict(
            _("该专家与%(company)s存在利益冲突，不能安排", company=organization.name),
            {"organization": [_("存在利益冲突")]},
        )
    slot.organization = organization
    audit.log_event(
        session,
        actor,
        "meeting.slot_booked",
        "meeting",
        meeting_id,
        expert_id=slot.expert_id,
        organization_id=organization.id,
    )
    return slot


def release(session: Session, actor: User, meeting_id: int, slot_id: int) -> None:
    slot = _slot(session, actor, meeting_id, slot_id)
    if slot.organization_id is not None and any(
        i.organization_id == slot.organization_id for i in slot.meeting.invitees
    ):
        raise Conflict(_("邀请已发出，不能再取消该企业的预约"))
    slot.organization = None
    audit.log_event(session, actor, "meeting.slot_released", "meeting", meeting_id)


def remove_slot(session: Session, actor: User, meeting_id: int, slot_id: int) -> None:
    slot = _slot(session, actor, meeting_id, slot_id)
    if slot.organization_id is not None:
        raise Conflict(_("请先取消该时段的企业预约"))
    slot.meeting.slots.remove(slot)
    audit.log_event(session, actor, "meeting.slot_removed", "meeting", meeting_id)
    session.flush()


def slots_of(session: Session, expert: Expert) -> list[MeetingExpertSlot]:
    """An expert's booked slots at meetings that have sent their invitations, soonest first."""
    return list(
        session.scalars(
            select(MeetingExpertSlot)
            .join(Meeting, Meeting.id == MeetingExpertSlot.meeting_id)
            .where(
                MeetingExpertSlot.expert_id == expert.id,
                MeetingExpertSlot.organization_id.is_not(None),
                Meeting.status.in_((MeetingStatus.INVITED, MeetingStatus.HELD)),
            )
            .order_by(MeetingExpertSlot.starts_at)
        )
    )
