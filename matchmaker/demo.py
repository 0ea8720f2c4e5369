"""The demo data set: believable enterprises, providers, demands in every state, interests;
then the talent pool, experts and diagnostic visits (``demo_talent``), design-centre
accreditation (``demo_recognition``), the good-design selection (``demo_showcase``) and a
cluster common need (``demo_common_needs``).

Everything goes through the services, so the demo is audited and indexed like real data.
Every demo account's password is DEMO_PASSWORD; the administrator is DEMO_ADMIN.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from importlib import resources

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from search import SearchBackend

from . import demo_common_needs, demo_recognition, demo_showcase, demo_talent
from .models import AuditEvent, Organization, OrgType, Recommendation, Role, User, utcnow
from .services import accounts, demands, files, guides, indexing, interests, matching, providers
from .transaction import commit

DEMO_ADMIN = "admin@demo.matchmaker.cn"
DEMO_PASSWORD = "matchmaker-demo"


def _lines(name: str) -> list[dict]:
    text = resources.files("matchmaker.data").joinpath("demo", name).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count(User.id)))


def _member(
    session: Session, organization: Organization, role: str, contact: dict, password_hash: str
) -> User:
    organization.contact_name = contact["name"]
    organization.phone = contact["phone"]
    organization.email = contact["email"]
    user = User(
        email=contact["email"],
        password_hash=password_hash,
        role=role,
        organization=organization,
        name=contact["name"],
        phone=contact["phone"],
        email_confirmed_at=utcnow(),
    )
    session.add(user)
    return user


def _spread_history(session: Session, demand_rows: list, provider_users: list[User]) -> None:
    """Backdate the demo's history over the past year, so statistics and guides have a past.

    Everything was just written within seconds; each demand's events (and its interests and
    recommendations) keep their order but move to a start date of their own, spaced a few
    days apart. Deterministic, so every demo looks the same.
    """
    now = utcnow()
    rng = random.Random(2026)
    for user in provider_users:
        start = now - dt.timedelta(days=rng.randint(200, 400))
        provider = user.organization.provider
        provider.created_at = start
        for event in session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == "provider", AuditEvent.subject_id == provider.id
            )
        ):
            event.created_at = start
    for demand in demand_rows:
        start = now - dt.timedelta(days=rng.randint(20, 330))
        step = dt.timedelta(hours=rng.randint(12, 72))
        demand.created_at = start
        interest_ids = [i.id for i in demand.interests]
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(
                    or_(
                        (AuditEvent.subject_type == "demand")
                        & (AuditEvent.subject_id == demand.id),
                        (AuditEvent.subject_type == "interest")
                        & AuditEvent.subject_id.in_(interest_ids),
                    )
                )
                .order_by(AuditEvent.id)
            )
        )
        for n, event in enumerate(events):
            event.created_at = min(start + n * step, now)
            if event.action == "demand.published":
                demand.published_at = event.created_at
            if event.action == "interest.created":
                interest = next(i for i in demand.interests if i.id == event.subject_id)
                interest.created_at = event.created_at
        for recommendation in session.scalars(
            select(Recommendation).where(Recommendation.demand_id == demand.id)
        ):
            recommendation.created_at = demand.published_at or start


def _publish_guide(session: Session, admin: User) -> None:
    """One published edition of the supply–demand guide for the current quarter."""
    today = utcnow().date()
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = dt.date(today.year, first_month, 1)
    end = dt.date(
        today.year + (first_month == 10), (first_month + 3 - 1) % 12 + 1, 1
    ) - dt.timedelta(days=1)
    quarter = "一二三四"[(first_month - 1) // 3]
    guide = guides.create_draft(
        session,
        admin,
        {
            "title": f"{today.year}年第{quarter}季度工业设计供需指南",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "commentary": "本季度汽摩、电子信息和智能装备集群的设计需求最为集中，"
            "外观与结构设计仍是主要服务类型。"
            "\n\n食品及农产品加工集群的包装与品牌设计需求增长较快，但经认证的本地服务方偏少，"
            "建议在下次对接会中重点邀请相关设计机构。",
        },
    )
    guides.publish(session, admin, guide.id)


def load_demo(session: Session, backend: SearchBackend) -> dict[str, int]:
    admin = accounts.create_user(session, DEMO_ADMIN, DEMO_PASSWORD, Role.ADMIN)
    password_hash = accounts.hash_password(DEMO_PASSWORD)  # one hash for every demo account
    provider_users: dict[str, User] = {}
    for row in _lines("providers.jsonl"):
        contact, credit_code = row.pop("contact"), row.pop("credit_code")
        provider = providers.create_provider(session, admin, row)
        provider.organization.credit_code = credit_code
        provider_users[row["external_id"]] = _member(
            session, provider.organization, Role.PROVIDER, contact, password_hash
        )

    enterprise_users: dict[str, User] = {}
    for row in _lines("enterprises.jsonl"):
        organization = Organization(
            type=OrgType.ENTERPRISE,
            name=row["name"],
            region=row["region"],
            credit_code=row["credit_code"],
            verified=True,
        )
        session.add(organization)
        enterprise_users[row["name"]] = _member(
            session, organization, Role.ENTERPRISE, row["contact"], password_hash
        )
    session.flush()

    by_external_id = {}
    states: dict[str, str] = {}
    for row in _lines("demands.jsonl"):
        state, note = row.pop("demo_state"), row.pop("review_note", None)
        row.pop("status", None)
        owner = enterprise_users[row.pop("organization")["name"]]
        external_id = row.pop("external_id")
        # A survey's overdue demand is recorded as it was (nobody may post one today), so
        # that expiry below closes it.
        overdue = row.get("deadline") and dt.date.fromisoformat(row["deadline"]) < dt.date.today()
        demand = demands.create_demand(
            session,
            owner,
            {**row, "deadline": None} if overdue else row,
            status="draft" if state == "draft" else "in_review",
        )
        demand.external_id = external_id  # the survey's number, as the survey import sets it
        if overdue:
            demand.deadline = dt.date.fromisoformat(row["deadline"])
        if state == "rejected":
            demands.reject(session, admin, demand.id, note or "信息不完整")
        elif state not in ("draft", "in_review"):
            demands.approve(session, admin, demand.id)
        by_external_id[external_id] = demand
        states[external_id] = state

    # Owners look at their matches before anyone answers: the exposure the funnel starts from.
    commit(session)
    indexing.deliver_pending(session, backend)
    for external_id, demand in by_external_id.items():
        if states[external_id] in ("published", "in_negotiation", "closed_won", "closed_withdrawn"):
            matching.recommended_providers(
                session, backend, enterprise_users[demand.organization.name], demand.id, k=5
            )

    for row in _lines("interests.jsonl"):
        demand = by_external_id[row["demand"]]
        interest = interests.express(
            session,
            provider_users[row["provider"]],
            demand.id,
            {
                "message": row["message"],
                "price": row["price"],
                "timeline_days": row["timeline_days"],
            },
        )
        owner = enterprise_users[demand.organization.name]
        if row["status"] == "accepted":
            interests.accept(session, owner, interest.id)
        elif row["status"] == "declined":
            interests.decline(session, owner, interest.id)

    for external_id, state in states.items():
        demand = by_external_id[external_id]
        owner = enterprise_users[demand.organization.name]
        if state == "closed_won":
            demands.mark_won(session, owner, demand.id)
        elif state == "closed_withdrawn":
            demands.withdraw(session, owner, demand.id)
    expired = demands.expire_overdue(session)
    _spread_history(session, list(by_external_id.values()), list(provider_users.values()))
    _publish_guide(session, admin)
    members = {
        u.organization.name: u for u in [*provider_users.values(), *enterprise_users.values()]
    }
    talent = demo_talent.load(
        session, backend, admin, DEMO_PASSWORD, password_hash, members, _lines
    )
    storage = files.Storage(
        current_app.config["UPLOAD_FOLDER"], current_app.config["UPLOAD_QUOTA_BYTES"]
    )
    recognition = demo_recognition.load(session, admin, members, storage)
    good_design = demo_showcase.load(session, admin, members, storage)
    commit(session)
    indexing.deliver_pending(session, backend)
    backend.refresh()
    common = demo_common_needs.load(session, backend, admin)
    indexing.deliver_pending(session, backend)
    return {
        "providers": len(provider_users),
        "enterprises": len(enterprise_users),
        "demands": len(by_external_id),
        "expired": expired,
        "interests": len(_lines("interests.jsonl")),
        **talent,
        **recognition,
        **good_design,
        **common,
    }
