"""Contact through the platform: an organisation asks a person of the pool, about one of its
open talent needs, to get in touch; the person accepts or declines.

Before the person accepts, the organisation knows the card only, and the person knows the
need and who posted it. Once accepted, each side sees the other's name and contact details
(``details``). An accepted contact can be marked hired: a placement, counted on the need
(which closes as filled when every place is taken) and in the statistics.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import (
    TalentContact,
    TalentContactStatus,
    TalentNeed,
    TalentNeedStatus,
    TalentProfile,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit
from ..access import (
    TALENT_CONTACT_POLICY,
    TALENT_PROFILE_POLICY,
    is_confirmed,
    require_confirmed,
    require_role,
)
from ..errors import Conflict, field_error
from ..notifications import notify, notify_organization
from . import needs as need_service
from .inputs import ContactIn
from .profiles import HOLDERS, own_profile

S = TalentContactStatus


def send(session: Session, actor: User, profile_id: int, body: Any) -> TalentContact:
    profile = TALENT_PROFILE_POLICY.require(
        actor, "contact", session.get(TalentProfile, profile_id)
    )
    require_confirmed(actor)
    data = validate(ContactIn, body)
    need = session.get(TalentNeed, data.need_id)
    if need is None or need.organization_id != actor.organization_id:
        raise field_error("need_id", _("请选择本单位的岗位"))
    if need.status != TalentNeedStatus.OPEN:
        raise field_error("need_id", _("岗位已关闭"))
    exists = session.scalar(
        select(TalentContact.id).where(
            TalentContact.need_id == need.id, TalentContact.profile_id == profile.id
        )
    )
    if exists is not None:
        raise Conflict(_("已就该岗位联系过此人"))
    contact = TalentContact(need=need, profile=profile, sent_by_id=actor.id, message=data.message)
    audit.log_added(
        session,
        actor,
        contact,
        "talent.contacted",
        "talent_contact",
        need_id=need.id,
        specialities=list(need.specialities),
    )
    notify(
        session,
        [profile.user],
        "talent_contacted",
        "/talent/contacts",
        title=need.title,
        organization=need.organization.name,
    )
    return contact


def answerable(session: Session, actor: User, contact_id: int) -> TalentContact:
    """A contact request the actor (its person) may answer."""
    return TALENT_CONTACT_POLICY.require(actor, "answer", session.get(TalentContact, contact_id))


def hireable(session: Session, actor: User, contact_id: int) -> TalentContact:
    """A contact request whose need the actor's organisation posted."""
    return TALENT_CONTACT_POLICY.require(actor, "hire", session.get(TalentContact, contact_id))


def _answer(session: Session, actor: User, contact_id: int, accept: bool) -> TalentContact:
    contact = answerable(session, actor, contact_id)
    require_confirmed(actor)
    if contact.status != S.PENDING:
        raise Conflict(_("该联系请求已答复"))
    contact.status = S.ACCEPTED if accept else S.DECLINED
    contact.decided_at = utcnow()
    action = "talent.contact_accepted" if accept else "talent.contact_declined"
    audit.log_event(session, actor, action, "talent_contact", contact.id, need_id=contact.need_id)
    # The organisation hears the answer, never the person's name in the notification itself.
    notify_organization(
        session,
        contact.need.organization,
        "talent_contact_accepted" if accept else "talent_contact_declined",
        f"/talent-needs/{contact.need_id}",
        title=contact.need.title,
    )
    return contact


def accept(session: Session, actor: User, contact_id: int) -> TalentContact:
    return _answer(session, actor, contact_id, True)


def decline(session: Session, actor: User, contact_id: int) -> TalentContact:
    return _answer(session, actor, contact_id, False)


def hire(session: Session, actor: User, contact_id: int) -> TalentContact:
    """A placement: the organisation hired the person it contacted for the need."""
    contact = hireable(session, actor, contact_id)
    if contact.status != S.ACCEPTED:
        raise Conflict(_("只有对方已接受的联系才能登记录用"))
    need = contact.need
    if need.status != TalentNeedStatus.OPEN:
        raise Conflict(_("岗位已关闭"))
    contact.status = S.HIRED
    need.filled += 1
    audit.log_event(
        session,
        actor,
        "talent.placed",
        "talent_contact",
        contact.id,
        need_id=need.id,
        specialities=list(need.specialities),
        clusters=list(need.clusters),
        region=need.region,
    )
    notify(session, [contact.profile.user], "talent_hired", "/talent/contacts", title=need.title)
    if need.filled >= need.headcount:
        need_service.close(session, actor, need, need_service.FILLED)
    return contact


def received(session: Session, actor: User) -> list[TalentContact]:
    """The contact requests the acting person received, newest first."""
    require_role(actor, *HOLDERS)
    profile = own_profile(session, actor)
    if profile is None:
        return []
    return list(
        session.scalars(
            select(TalentContact)
            .where(TalentContact.profile_id == profile.id)
            .options(selectinload(TalentContact.need).selectinload(TalentNeed.organization))
            .order_by(TalentContact.created_at.desc(), TalentContact.id.desc())
        )
    )


def for_need(session: Session, actor: User, need_id: int) -> list[TalentContact]:
    need = need_service.managed_need(session, actor, need_id)
    return list(
        session.scalars(
            select(TalentContact)
            .where(TalentContact.need_id == need.id)
            .order_by(TalentContact.created_at.desc(), TalentContact.id.desc())
        )
    )


def contacted_profiles(session: Session, need_id: int) -> set[int]:
    return set(
        session.scalars(select(TalentContact.profile_id).where(TalentContact.need_id == need_id))
    )


def details(contact: TalentContact, reader: User | None) -> dict[str, dict[str, str | None]] | None:
    """Both sides' names and contact details, only once the person accepted, and only for a
    reader whose own address is confirmed."""
    if contact.status not in (S.ACCEPTED, S.HIRED) or not is_confirmed(reader):
        return None
    person = contact.profile.user
    organization = contact.need.organization
    return {
        "person": {"name": person.name, "email": person.email, "phone": person.phone},
        "organization": {
            "name": organization.contact_name or organization.name,
            "organization": organization.name,
            "email": organization.email,
            "phone": organization.phone,
        },
    }
