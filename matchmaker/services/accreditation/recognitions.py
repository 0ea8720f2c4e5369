"""Decisions and recognitions: approval grants a recognition valid for a period, which sets
the organisation's level and badge; recognitions are reminded of before they end, expire, and
are re-reviewed by a renewal application; the public register lists the valid ones.

An organisation's level is the highest of its valid recognitions once it holds one: granting
never lowers a level it already had, and when a recognition expires the level falls to the
highest one still valid (未认定 when none is). The verified badge vouches for the level only
while a valid recognition stands behind it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ...china_time import today as local_today
from ...models import (
    Accreditation,
    AccreditationStatus,
    Organization,
    Recognition,
    RecognitionStatus,
    User,
    utcnow,
)
from ...schemas import validate
from ...taxonomy import get_taxonomy
from .. import audit
from ..access import ACCREDITATION_POLICY
from ..errors import Conflict, field_error
from ..indexing import enqueue_provider
from ..notifications import notify_organization
from ..vouching import organization_vouched_sql
from .applications import SUBJECT, link
from .inputs import DecisionIn
from .reviews import result

S, R = AccreditationStatus, RecognitionStatus
REMIND_DAYS = 90  # the organisation is told this long before its recognition ends
LEVEL = "level"  # in Organization.verified_scope


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- the decision --------------------------------------------------------------------------------


def decide(session: Session, actor: User, accreditation_id: int, body: Any) -> Accreditation:
    """Approve (granting the recognition) or reject, with reasons. An application in a round
    needs the round's number of submitted scores; rejecting, or approving below the pass
    mark, needs a reason."""
    accreditation = ACCREDITATION_POLICY.require(
        actor, "administer", session.get(Accreditation, accreditation_id)
    )
    if accreditation.status != S.IN_REVIEW:
        raise Conflict(_("只有通过材料审查的申请可以作出决定"))
    data = validate(DecisionIn, body if isinstance(body, dict) else {})
    score = None
    if accreditation.kind == "apply":
        panel, round_ = result(accreditation), accreditation.round
        if panel.submitted < round_.min_reviewers:
            raise Conflict(
                _(
                    "至少需要 %(n)s 位专家提交评分（已有 %(done)s 位）",
                    n=round_.min_reviewers,
                    done=panel.submitted,
                )
            )
        score = panel.score
        if data.approve and not panel.passes(round_.pass_mark) and not data.reason:
            raise field_error("reason", _("评分低于通过线，批准时请说明理由"))
    if not data.approve and not data.reason:
        raise field_error("reason", _("请填写不予认定的理由"))
    accreditation.status = S.APPROVED if data.approve else S.REJECTED
    accreditation.decision_reason = data.reason
    accreditation.decided_at = accreditation.updated_at = utcnow()
    organization = accreditation.organization
    audit.log_event(
        session,
        actor,
        "accreditation.decided",
        SUBJECT,
        accreditation.id,
        approved=data.approve,
        score=score,
        level=accreditation.level,
        region=organization.region,
    )
    if data.approve:
        _grant(session, actor, accreditation)
    notify_organization(
        session,
        organization,
        "accreditation_approved" if data.approve else "accreditation_rejected",
        link(accreditation),
        level=accreditation.level,
        reason=data.reason,
    )
    return accreditation


def _grant(session: Session, actor: User, accreditation: Accreditation) -> Recognition:
    today = local_today()
    renewed = accreditation.renewal_of
    start = max(today, renewed.valid_until) if renewed is not None else today
    if accreditation.kind == "apply":
        valid_until = years_after(start, accreditation.round.valid_years)
    else:
        valid_until = accreditation.valid_until
    recognition = Recognition(
        organization=accreditation.organization,
        level=accreditation.level,
        granted_on=today,
        valid_until=valid_until,
    )
    session.add(recognition)
    if renewed is not None and renewed.status == R.ACTIVE:
        renewed.status, renewed.ended_at = R.RENEWED, utcnow()
    session.flush()
    accreditation.recognition = recognition
    audit.log_event(
        session,
        actor,
        "recognition.granted",
        "recognition",
        recognition.id,
        organization_id=recognition.organization_id,
        level=recognition.level,
        valid_until=valid_until.isoformat(),
        renewal_of=renewed.id if renewed is not None else None,
    )
    settle_level(session, actor, accreditation.organization, granted=recognition.level)
    return recognition


# --- level and badge -----------------------------------------------------------------------------


def active_for(session: Session, organization_id: int) -> list[Recognition]:
    return list(
        session.scalars(
            select(Recognition)
            .where(Recognition.organization_id == organization_id, Recognition.status == R.ACTIVE)
            .order_by(Recognition.valid_until.desc())
        )
    )


def settle_level(
    session: Session, actor: User | None, organization: Organization, granted: str | None = None
) -> None:
    """The organisation's level from its valid recognitions (see the module's docstring)."""
    rank = get_taxonomy().level_rank
    held = [r.level for r in active_for(session, organization.id)]
    if granted is not None:
        held.append(organization.level)
    level = max(held, key=rank, default="none")
    old = organization.level
    organization.level = level
    scope = [s for s in organization.verified_scope or [] if s != LEVEL]
    if organization.verified and level != "none":
        scope.append(LEVEL)
    organization.verified_scope = scope
    if old != level:
        audit.log_event(
            session,
            actor,
            "organization.identity_changed",
            "organization",
            organization.id,
            field="level",
            old=old,
            new=level,
            source="recognition",
        )
    if organization.provider is not None:
        enqueue_provider(session, organization.provider)


# --- time ----------------------------------------------------------------------------------------


def expire_due(session: Session, today: dt.date | None = None) -> list[Recognition]:
    """Recognitions past their last valid day end; their organisations' levels follow."""
    today = today or local_today()
    ended = list(
        session.scalars(
            select(Recognition)
            .options(joinedload(Recognition.organization))
            .where(Recognition.status == R.ACTIVE, Recognition.valid_until < today)
            .order_by(Recognition.id)
        )
    )
    for recognition in ended:
        recognition.status, recognition.ended_at = R.EXPIRED, utcnow()
        audit.log_event(
            session,
            None,
            "recognition.expired",
            "recognition",
            recognition.id,
            organization_id=recognition.organization_id,
            level=recognition.level,
        )
        session.flush()
        settle_level(session, None, recognition.organization)
        notify_organization(
            session,
            recognition.organization,
            "recognition_expired",
            "/accreditation",
            level=recognition.level,
        )
    return ended


def remind_due(session: Session, today: dt.date | None = None) -> list[Recognition]:
    """Recognitions ending within ``REMIND_DAYS``: the organisation is told once to apply
    for re-review."""
    today = today or local_today()
    due = list(
        session.scalars(
            select(Recognition)
            .options(joinedload(Recognition.organization))
            .where(
                Recognition.status == R.ACTIVE,
                Recognition.reminded_at.is_(None),
                Recognition.valid_until <= today + dt.timedelta(days=REMIND_DAYS),
            )
            .order_by(Recognition.id)
        )
    )
    for recognition in due:
        recognition.reminded_at = utcnow()
        audit.log_event(
            session,
            None,
            "recognition.renewal_due",
            "recognition",
            recognition.id,
            organization_id=recognition.organization_id,
        )
        notify_organization(
            session,
            recognition.organization,
            "recognition_expiring",
            "/accreditation",
            level=recognition.level,
            valid_until=recognition.valid_until.isoformat(),
        )
    return due


# --- the public register -------------------------------------------------------------------------


def register(
    session: Session, level: str | None = None, region: str | None = None
) -> list[Recognition]:
    """Valid recognitions of organisations whose profiles are public (``vouching``), highest
    level first, then by district and name."""
    query = (
        select(Recognition)
        .join(Organization)
        .options(joinedload(Recognition.organization).joinedload(Organization.provider))
        .where(Recognition.status == R.ACTIVE, organization_vouched_sql())
    )
    if level:
        query = query.where(Recognition.level == level)
    if region:
        query = query.where(Organization.region == region)
    rank = get_taxonomy().level_rank
    rows = list(session.scalars(query.order_by(Organization.region, Organization.name)))
    return sorted(rows, key=lambda r: -rank(r.level))


def renewable(session: Session, organization_id: int) -> list[Recognition]:
    """Valid recognitions within the reminder window, without a renewal in progress."""
    horizon = local_today() + dt.timedelta(days=REMIND_DAYS)
    in_progress = set(
        session.scalars(
            select(Accreditation.renewal_of_id).where(
                Accreditation.organization_id == organization_id,
                Accreditation.status.in_(S.OPEN),
            )
        )
    )
    return [
        r
        for r in active_for(session, organization_id)
        if r.valid_until <= horizon and r.id not in in_progress
    ]
