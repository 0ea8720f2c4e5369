"""Diagnostic meetings (诊断服务对接会): the meeting machinery with expert slots."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import MeetingInvitee, Notification, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import experts, meeting_slots, meetings
from matchmaker.services.errors import Conflict, ValidationFailed
from matchmaker.services.meetings import to_local
from matchmaker.transaction import commit
from tests.factories import PASSWORD


@pytest.fixture
def setting(make):
    admin = make.admin()
    near = make.enterprise(name="永川农机一厂")
    far = make.enterprise(name="永川农机二厂")
    expert = experts.admit_directly(
        db.session,
        admin,
        {
            "name": "钱专家",
            "email": "qian@x.cn",
            "password": PASSWORD,
            "clusters": ["smart-equipment"],
            "services": ["structural-design"],
            "region": "yongchuan",
        },
    )
    commit()
    experts.add_conflict(
        db.session,
        admin,
        expert.id,
        {"organization_id": near.organization_id, "relation": "client"},
    )
    starts = (to_local(utcnow()) + dt.timedelta(days=14)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    meeting = meetings.create_meeting(
        db.session,
        admin,
        {
            "kind": "diagnosis",
            "title": "智能装备分行业诊断服务对接会",
            "cluster": "smart-equipment",
            "region": "yongchuan",
            "starts_at": starts,
            "place": "永川区科技局",
        },
    )
    commit()
    get_search().refresh()
    return {
        "admin": admin,
        "near": near,
        "far": far,
        "expert": expert,
        "meeting": meeting,
        "starts": starts,
    }


def test_slots_never_seat_an_enterprise_with_an_expert_in_conflict(setting):
    admin, meeting, expert = setting["admin"], setting["meeting"], setting["expert"]
    suggested = meeting_slots.suggested_experts(db.session, get_search(), admin, meeting.id)
    assert [m.record.id for m in suggested] == [expert.id]
    with pytest.raises(ValidationFailed):  # nobody booked: nothing to invite yet
        meetings.send_invitations(db.session, admin, meeting.id)
    db.session.rollback()
    first = meeting_slots.add_slot(
        db.session,
        admin,
        meeting.id,
        {"expert_id": expert.id, "starts_at": setting["starts"].isoformat(), "topic": "结构诊断"},
    )
    second = meeting_slots.add_slot(
        db.session,
        admin,
        meeting.id,
        {
            "expert_id": expert.id,
            "starts_at": (setting["starts"] + dt.timedelta(minutes=30)).isoformat(),
        },
    )
    commit()
    with pytest.raises(ValidationFailed):  # the same expert at the same time twice
        meeting_slots.add_slot(
            db.session,
            admin,
            meeting.id,
            {"expert_id": expert.id, "starts_at": setting["starts"].isoformat()},
        )
    db.session.rollback()
    with pytest.raises(Conflict) as refused:
        meeting_slots.book(db.session, admin, meeting.id, first.id, setting["near"].organization_id)
    assert "organization" in refused.value.fields
    db.session.rollback()
    meeting_slots.book(db.session, admin, meeting.id, first.id, setting["far"].organization_id)
    commit()

    sent = meetings.send_invitations(db.session, admin, meeting.id)
    commit()
    assert sent == 1
    invited = db.session.scalars(select(MeetingInvitee.organization_id)).all()
    assert invited == [setting["far"].organization_id]
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == expert.user_id, Notification.kind == "meeting_slot"
        )
    )
    assert note.params["organization"] == "永川农机二厂"
    assert [s.id for s in meeting_slots.slots_of(db.session, expert)] == [first.id]

    invitation = meetings.invitations_for(db.session, setting["far"])[0]
    assert [s.expert.name for s in invitation.slots] == ["钱专家"]
    with pytest.raises(Conflict):  # an invited enterprise keeps its slot
        meeting_slots.release(db.session, admin, meeting.id, first.id)
    meeting_slots.remove_slot(db.session, admin, meeting.id, second.id)
    commit()
    assert [s.id for s in meeting.slots] == [first.id]


def test_a_matchmaking_meeting_has_no_slots(setting, make):
    admin = setting["admin"]
    plain = meetings.create_meeting(
        db.session,
        admin,
        {
            "title": "对接会",
            "cluster": "smart-equipment",
            "starts_at": setting["starts"],
            "place": "永川",
        },
    )
    commit()
    assert plain.kind == "matchmaking"
    with pytest.raises(Conflict):
        meeting_slots.add_slot(
            db.session,
            admin,
            plain.id,
            {"expert_id": setting["expert"].id, "starts_at": setting["starts"].isoformat()},
        )
