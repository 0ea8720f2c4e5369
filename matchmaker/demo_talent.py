"""The demo's talent pool, talent needs, expert pool and diagnostic visits.

Loaded after the organisations of ``demo`` exist, through the services like the rest: people
of the pool with profiles and works, needs of demo enterprises and providers, contacts (one
hire), experts admitted from the pool and directly (with conflicts of interest), a
completed diagnostic visit whose report's first recommendation became a draft demand, one
scheduled and one waiting, a diagnostic meeting with expert slots, and an edition of the
scarce-talent guide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from search import SearchBackend

from .china_time import to_local
from .models import AuditEvent, Expert, Role, User, utcnow
from .services import accounts, experts, guides, indexing, meeting_slots, meetings
from .services.diagnosis import arrangements, reports, requests
from .services.talent import contacts, needs, profiles
from .transaction import commit


def _designer(session: Session, row: dict, password_hash: str) -> User:
    user = User(
        email=row["email"],
        password_hash=password_hash,
        role=Role.DESIGNER,
        name=row["name"],
        phone=row["phone"],
        email_confirmed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    employer = accounts.organization_id_by_name(session, row.get("employer"))
    fields = ("specialities", "clusters", "years_experience", "professional_title", "education")
    body = {name: row[name] for name in (*fields, "region", "bio", "availability", "works")}
    profiles.create_profile(session, user, {**body, "employer_id": employer})
    return user


def _expert(
    session: Session, admin: User, row: dict, people: Mapping[str, User], password: str
) -> Expert:
    if "from_talent" in row:
        profile = profiles.own_profile(session, people[row["from_talent"]])
        expert = experts.admit_from_pool(session, admin, profile.id, {"title": row["title"]})
    else:
        body = {k: v for k, v in row.items() if k != "conflicts"}
        expert = experts.admit_directly(session, admin, {**body, "password": password})
    for conflict in row.get("conflicts", []):
        organization_id = accounts.organization_id_by_name(session, conflict["organization"])
        experts.add_conflict(
            session,
            admin,
            expert.id,
            {
                "organization_id": organization_id,
                "relation": conflict["relation"],
                "note": conflict.get("note", ""),
            },
        )
    return expert


def _visit(
    session: Session,
    admin: User,
    row: dict,
    members: Mapping[str, User],
    by_email: Mapping[str, Expert],
) -> None:
    owner = members[row["organization"]]
    body = {k: row[k] for k in ("product_line", "problems", "cluster", "services")}
    if row["origin"] == "admin":
        body["organization_id"] = owner.organization_id
    request = requests.create_request(session, admin if row["origin"] == "admin" else owner, body)
    if row["state"] == "requested":
        return
    expert = by_email[row["expert"]]
    arrangements.assign_expert(session, admin, request.id, expert.id)
    for name in row.get("providers", []):
        provider = members[name].organization.provider
        arrangements.assign_provider(session, admin, request.id, provider.id)
    when = (to_local(utcnow()) + dt.timedelta(days=6)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    arrangements.schedule(
        session, admin, request.id, {"visit_at": when.isoformat(), "place": row["place"]}
    )
    if row["state"] != "reported":
        return
    report = reports.file_report(
        session, expert.user, request.id, {**row["report"], "submit": True}
    )
    for index in row.get("adopt", []):
        reports.draft_demand(session, owner, report.recommendations[index].id)
    # The visit took place last week: move its date and the report's into the past.
    request.visit_at -= dt.timedelta(days=13)
    report.submitted_at = request.visit_at + dt.timedelta(days=2)
    for event in session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "diagnosis",
            AuditEvent.subject_id == request.id,
            AuditEvent.action.in_(("diagnosis.reported", "diagnosis.demand_drafted")),
        )
    ):
        event.created_at = report.submitted_at


def _contacts(session: Session, members: Mapping[str, User], people: Mapping[str, User]) -> None:
    """The machine-tool maker contacts two people about its structural need; one is hired."""
    owner = members["重庆凤凰湖数控机床有限公司"]
    need = next(n for n, _total, _acc in needs.own_needs(session, owner) if "结构" in n.title)
    for email, hire in (("designer02@example.cn", True), ("designer07@example.cn", False)):
        person = people[email]
        profile = profiles.own_profile(session, person)
        contact = contacts.send(
            session,
            owner,
            profile.id,
            {"need_id": need.id, "message": "您好，我们在永川招聘机床防护结构设计，欢迎交流。"},
        )
        if hire:
            contacts.accept(session, person, contact.id)
            contacts.hire(session, owner, contact.id)


def _meeting(session: Session, admin: User, members: Mapping[str, User], backend) -> None:
    """A diagnostic meeting for smart equipment in Yongchuan, two slots, one booked."""
    starts = (to_local(utcnow()) + dt.timedelta(days=20)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    meeting = meetings.create_meeting(
        session,
        admin,
        {
            "kind": "diagnosis",
            "title": "永川区智能装备行业设计诊断服务对接会",
            "cluster": "smart-equipment",
            "region": "yongchuan",
            "starts_at": starts,
            "place": "永川区科技创新中心三楼会议室",
            "description": "专家与企业一对一诊断产品设计问题，每个时段 30 分钟。",
        },
    )
    suggested = meeting_slots.suggested_experts(session, backend, admin, meeting.id, k=2)
    for i, match in enumerate(suggested):
        slot = meeting_slots.add_slot(
            session,
            admin,
            meeting.id,
            {"expert_id": match.record.id, "starts_at": (starts + dt.timedelta(minutes=30 * i))},
        )
        if i == 0:
            company = members["重庆捷运智能物流装备有限公司"].organization_id
            if not experts.has_conflict(session, match.record.id, company):
                meeting_slots.book(session, admin, meeting.id, slot.id, company)


def _guide(session: Session, admin: User) -> None:
    today = utcnow().date()
    guide = guides.create_draft(
        session,
        admin,
        {
            "title": f"{today.year}年工业设计紧缺人才供需指南",
            "period_start": dt.date(today.year, 1, 1).isoformat(),
            "period_end": today.isoformat(),
            "commentary": "模具设计、交互设计和UI设计岗位空缺多于可用人才；"
            "外观、结构、包装与CMF设计人才供给基本满足需求。",
        },
        kind="talent",
    )
    guides.publish(session, admin, guide.id)


def load(
    session: Session,
    backend: SearchBackend,
    admin: User,
    password: str,
    password_hash: str,
    members: Mapping[str, User],
    lines,
) -> dict[str, int]:
    """``members``: a user of each demo organisation by its name; ``lines``: the demo file
    reader. Returns what was loaded."""
    people = {row["email"]: _designer(session, row, password_hash) for row in lines("talent.jsonl")}
    for row in lines("talent_needs.jsonl"):
        owner = members[row.pop("organization")]
        needs.create_need(session, owner, row)
    _contacts(session, members, people)
    by_email = {}
    for row in lines("experts.jsonl"):
        expert = _expert(session, admin, row, people, password)
        by_email[row.get("email") or row["from_talent"]] = expert
    commit(session)  # suggestions below read the expert pool's index
    indexing.deliver_pending(session, backend)
    backend.refresh()
    visits = lines("diagnosis.jsonl")
    for row in visits:
        _visit(session, admin, row, members, by_email)
    _meeting(session, admin, members, backend)
    _guide(session, admin)
    return {
        "designers": len(people),
        "talent_needs": len(lines("talent_needs.jsonl")),
        "experts": len(by_email),
        "diagnoses": len(visits),
    }
