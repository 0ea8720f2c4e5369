"""A person's own profile in the talent pool: create, read, change, list or unlist."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Organization, Role, TalentProfile, TalentWork, User
from ...schemas import validate
from .. import audit
from ..access import TALENT_PROFILE_POLICY, require_role
from ..errors import Conflict, field_error
from ..indexing import enqueue_talent
from .cards import TalentCard, card_of, shown_to
from .inputs import TalentProfileIn

# Who keeps a profile: individual designers, and experts admitted from the pool keep theirs.
HOLDERS = (Role.DESIGNER, Role.EXPERT)


def own_profile(session: Session, actor: User) -> TalentProfile | None:
    require_role(actor, *HOLDERS)
    return session.scalar(select(TalentProfile).where(TalentProfile.user_id == actor.id))


def read_profile(
    session: Session, actor: User | None, profile_id: int
) -> TalentProfile | TalentCard:
    """The profile for its person and administrators, the card for everyone else; an
    unlisted profile is NotFound for them."""
    profile = TALENT_PROFILE_POLICY.visible(actor, session.get(TalentProfile, profile_id))
    return shown_to(actor, profile)


def read_card(session: Session, profile_id: int) -> TalentCard:
    """The public card of a listed profile (NotFound for an unlisted or deleted one)."""
    return card_of(TALENT_PROFILE_POLICY.visible(None, session.get(TalentProfile, profile_id)))


# A profile's own answers besides its works: TalentProfileIn's fields, in the columns' names.
ANSWERS = (
    "specialities",
    "clusters",
    "years_experience",
    "professional_title",
    "education",
    "region",
    "employer_id",
    "bio",
    "availability",
    "listed",
)


def works_of(profile: TalentProfile) -> list[dict[str, Any]]:
    return [
        {"title": w.title, "description": w.description, "cluster": w.cluster, "year": w.year}
        for w in profile.works
    ]


def profile_input(profile: TalentProfile) -> dict[str, Any]:
    """The stored profile in TalentProfileIn's shape, so partial updates merge onto it."""
    return {
        **{name: getattr(profile, name) for name in ANSWERS},
        "specialities": list(profile.specialities),
        "clusters": list(profile.clusters),
        "works": works_of(profile),
    }


def _apply(session: Session, profile: TalentProfile, data: TalentProfileIn) -> None:
    if data.employer_id is not None and session.get(Organization, data.employer_id) is None:
        raise field_error("employer_id", _("单位不存在"))
    for name in ANSWERS:
        setattr(profile, name, getattr(data, name))
    profile.works = [TalentWork(**w.model_dump()) for w in data.works]


def _facts(profile: TalentProfile) -> dict[str, Any]:
    """What the audit trail keeps of a profile: card fields only, never personal data."""
    return {
        "specialities": list(profile.specialities),
        "clusters": list(profile.clusters),
        "region": profile.region,
        "listed": profile.listed,
    }


def create_profile(session: Session, actor: User, body: Any) -> TalentProfile:
    require_role(actor, *HOLDERS)
    data = validate(TalentProfileIn, body)
    if own_profile(session, actor) is not None:
        raise Conflict(_("已有人才档案，请修改现有档案"))
    profile = TalentProfile(user_id=actor.id)
    session.add(profile)
    _apply(session, profile, data)
    session.flush()
    audit.log_event(session, actor, "talent.created", "talent", profile.id, **_facts(profile))
    enqueue_talent(session, profile)
    return profile


def update_profile(session: Session, actor: User, profile_id: int, patch: Any) -> TalentProfile:
    """Any subset of the fields; ``works``, when given, replaces the list."""
    profile = TALENT_PROFILE_POLICY.require(actor, "manage", session.get(TalentProfile, profile_id))
    if not isinstance(patch, dict):
        patch = {}
    data = validate(TalentProfileIn, {**profile_input(profile), **patch})
    _apply(session, profile, data)
    audit.log_event(
        session,
        actor,
        "talent.updated",
        "talent",
        profile.id,
        fields=sorted(patch),
        **_facts(profile),
    )
    enqueue_talent(session, profile)
    return profile
