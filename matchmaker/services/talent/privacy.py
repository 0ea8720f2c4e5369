"""A person's own data: everything exported in one file, or everything deleted.

Export: the account, the profile with its works, every contact request received (with the
need and the organisation that asked) and the person's notifications, as JSON.

Deletion: the profile, its works and the contact requests about it are deleted, and the
index forgets the card (through the outbox, like every index change). For an individual
designer the account exists for the profile only, so it is closed as well: the row stays,
because the audit trail refers to it, but it no longer holds an address, a name, a phone
number or a usable password, and its sign-ins, tokens, notifications and subscriptions are
deleted.
The audit trail itself never held personal data of the person (``profiles._facts``).
An expert deleting their profile keeps their expert account, which administrators manage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ...models import (
    Expert,
    Notification,
    Role,
    TalentContact,
    TalentProfile,
    User,
    utcnow,
)
from .. import audit
from ..access import require_role
from ..accounts import close_account
from ..indexing import enqueue_talent
from .profiles import HOLDERS, own_profile, works_of


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _profile(profile: TalentProfile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "specialities": list(profile.specialities),
        "clusters": list(profile.clusters),
        "years_experience": profile.years_experience,
        "professional_title": profile.professional_title,
        "education": profile.education,
        "region": profile.region,
        "employer": (
            {"id": profile.employer.id, "name": profile.employer.name} if profile.employer else None
        ),
        "bio": profile.bio,
        "availability": profile.availability,
        "listed": profile.listed,
        "works": works_of(profile),
        "created_at": _iso(profile.created_at),
        "updated_at": _iso(profile.updated_at),
    }


def _contact(contact: TalentContact) -> dict[str, Any]:
    need = contact.need
    return {
        "id": contact.id,
        "need": {"id": need.id, "title": need.title, "organization": need.organization.name},
        "message": contact.message,
        "status": contact.status,
        "created_at": _iso(contact.created_at),
        "decided_at": _iso(contact.decided_at),
    }


def export_data(session: Session, actor: User) -> dict[str, Any]:
    """Everything the platform holds about the acting person, as one JSON-ready object."""
    require_role(actor, *HOLDERS)
    profile = own_profile(session, actor)
    contacts = (
        list(
            session.scalars(
                select(TalentContact)
                .where(TalentContact.profile_id == profile.id)
                .order_by(TalentContact.id)
            )
        )
        if profile is not None
        else []
    )
    notifications = session.scalars(
        select(Notification).where(Notification.user_id == actor.id).order_by(Notification.id)
    )
    expert = session.scalar(select(Expert).where(Expert.user_id == actor.id))
    return {
        "exported_at": _iso(utcnow()),
        "account": {
            "email": actor.email,
            "name": actor.name,
            "phone": actor.phone,
            "role": actor.role,
            "created_at": _iso(actor.created_at),
            "last_login_at": _iso(actor.last_login_at),
        },
        "profile": _profile(profile) if profile is not None else None,
        "contacts": [_contact(c) for c in contacts],
        "notifications": [
            {"kind": n.kind, "params": n.params, "created_at": _iso(n.created_at)}
            for n in notifications
        ],
        "expert": (
            {
                "name": expert.name,
                "title": expert.title,
                "affiliation": expert.affiliation,
                "clusters": list(expert.clusters),
                "services": list(expert.services),
                "admitted_at": _iso(expert.admitted_at),
            }
            if expert is not None
            else None
        ),
    }


def delete_data(session: Session, actor: User) -> None:
    """Delete the acting person's profile and everything about it (see the module)."""
    require_role(actor, *HOLDERS)
    profile = own_profile(session, actor)
    if profile is not None:
        session.execute(delete(TalentContact).where(TalentContact.profile_id == profile.id))
        session.execute(
            update(Expert).where(Expert.profile_id == profile.id).values(profile_id=None)
        )
        enqueue_talent(session, profile)  # the card leaves the index
        audit.log_event(session, actor, "talent.deleted", "talent", profile.id)
        session.delete(profile)
    if actor.role == Role.DESIGNER:
        close_account(session, actor)
    session.flush()
