"""Colleagues: invited by e-mail, they set their own password; owners remove them.

A member invites a colleague by name and e-mail address. The invitation is a signed link
(valid for a week, used once) that only the mailbox's owner can open, where the colleague
chooses its own password: nobody passes on an initial password any more. What the inviter
sees is the same whether or not the address already has an account — the owner of that
address learns it from the e-mail, so inviting tells nobody who is registered.

An organisation's owner is its earliest active member (the one who registered it). Owners
remove colleagues: the account is switched off and every way it is signed in ends.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import EmailStr, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ColleagueInvitation, Organization, OrgType, Role, User, utcnow
from ..schemas import Mobile, Strict, validate
from . import audit, mail, passwords
from .access import require_confirmed
from .accounts import confirmed_user, hash_password
from .errors import Conflict, Forbidden, NotFound

VALID_DAYS = 7
_SALT = "matchmaker-colleague-invitation"


class InvitationIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    email: EmailStr


class AcceptIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    phone: Mobile | None = None
    password: Annotated[str, Field(min_length=1, max_length=200)]


def owner_of(organization: Organization) -> User | None:
    """The organisation's owner: its earliest active member."""
    active = [u for u in organization.users if u.active]
    return min(active, key=lambda u: (u.created_at, u.id), default=None)


def is_owner(user: User) -> bool:
    owner = owner_of(user.organization) if user.organization is not None else None
    return owner is not None and owner.id == user.id


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def token_for(invitation: ColleagueInvitation, secret: str) -> str:
    return _serializer(secret).dumps({"invitation": invitation.id, "email": invitation.email})


def invite(
    session: Session, actor: User, body: Any, base_url: str, secret: str
) -> ColleagueInvitation:
    """Invite a colleague by e-mail; the same answer whether or not the address is taken."""
    if actor.organization is None or actor.role == Role.ADMIN:
        raise Forbidden(_("只有单位成员可以邀请同事"))
    require_confirmed(actor)
    data = validate(InvitationIn, body)
    email = str(data.email).strip().lower()
    invitation = ColleagueInvitation(
        organization_id=actor.organization_id, email=email, name=data.name, invited_by_id=actor.id
    )
    session.add(invitation)
    session.flush()
    audit.log_event(
        session,
        actor,
        "colleague.invited",
        "organization",
        actor.organization_id,
        invitation_id=invitation.id,
    )
    if confirmed_user(session, email) is None:
        link = f"{base_url}/invitations/{token_for(invitation, secret)}"
        subject = _(
            "【工业设计供需对接平台】%(name)s 邀请您加入“%(organization)s”",
            name=actor.name or actor.email,
            organization=actor.organization.name,
        )
        body_text = _(
            "%(invitee)s，您好：\n\n%(name)s 邀请您作为同事加入“%(organization)s”在工业设计供需"
            "对接平台的账号。请在 %(days)s 天内打开下面的链接，设置您自己的密码：\n\n%(link)s\n\n"
            "如果您不认识邀请人，请忽略本邮件。\n",
            invitee=data.name,
            name=actor.name or actor.email,
            organization=actor.organization.name,
            days=VALID_DAYS,
            link=link,
        )
    else:
        subject = _("【工业设计供需对接平台】同事邀请")
        body_text = _(
            "您好：\n\n“%(organization)s”的成员邀请本邮箱加入其平台账号，但本邮箱已有账号，"
            "一个邮箱只能属于一个单位，因此邀请无法接受。如需加入，请联系平台管理员。\n",
            organization=actor.organization.name,
        )
    mail.queue(session, email, subject, body_text)
    return invitation


def pending(session: Session, organization: Organization) -> list[ColleagueInvitation]:
    cutoff = utcnow() - dt.timedelta(days=VALID_DAYS)
    return list(
        session.scalars(
            select(ColleagueInvitation)
            .where(
                ColleagueInvitation.organization_id == organization.id,
                ColleagueInvitation.accepted_at.is_(None),
                ColleagueInvitation.revoked_at.is_(None),
                ColleagueInvitation.created_at > cutoff,
            )
            .order_by(ColleagueInvitation.created_at.desc())
        )
    )


def revoke(session: Session, actor: User, invitation_id: int) -> ColleagueInvitation:
    invitation = session.get(ColleagueInvitation, invitation_id)
    if invitation is None or invitation.organization_id != actor.organization_id:
        raise NotFound(_("邀请不存在"))
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.log_event(
            session,
            actor,
            "colleague.invitation_revoked",
            "organization",
            invitation.organization_id,
            invitation_id=invitation.id,
        )
    return invitation


def opened(session: Session, token: str, secret: str) -> ColleagueInvitation | None:
    """The invitation a link stands for, while it can still be accepted; else None (forged,
    expired, revoked, used, or the address has an account meanwhile)."""
    try:
        payload = _serializer(secret).loads(token, max_age=VALID_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    invitation = session.get(ColleagueInvitation, payload.get("invitation"))
    if (
        invitation is None
        or invitation.email != payload.get("email")
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or confirmed_user(session, invitation.email) is not None
    ):
        return None
    return invitation


def accept(session: Session, token: str, body: Any, secret: str) -> User:
    """The invitee sets its password: a confirmed account of the organisation (the link
    proved the address), with the role of the organisation's kind."""
    invitation = opened(session, token, secret)
    if invitation is None:
        raise NotFound(_("邀请链接无效或已过期"))
    data = validate(AcceptIn, body)
    organization = invitation.organization
    passwords.require("password", data.password, (invitation.email, data.name, organization.name))
    role = Role.PROVIDER if organization.type == OrgType.PROVIDER else Role.ENTERPRISE
    user = User(
        email=invitation.email,
        password_hash=hash_password(data.password),
        role=role,
        organization=organization,
        name=data.name,
        phone=data.phone,
        email_confirmed_at=utcnow(),  # the link in the mail proved the address
    )
    session.add(user)
    invitation.accepted_at = utcnow()
    session.flush()
    audit.log_event(
        session, user, "colleague.joined", "user", user.id, organization_id=organization.id
    )
    return user


def remove(session: Session, actor: User, user_id: int) -> User:
    """An owner removes a colleague: switched off, signed out everywhere."""
    colleague = session.get(User, user_id)
    if colleague is None or colleague.organization_id != actor.organization_id:
        raise NotFound(_("成员不存在"))
    if not is_owner(actor):
        raise Forbidden(_("只有单位负责人（最早注册的成员）可以移除同事"))
    if colleague.id == actor.id:
        raise Conflict(_("不能移除自己"))
    colleague.active = False
    audit.log_event(
        session,
        actor,
        "colleague.removed",
        "user",
        colleague.id,
        organization_id=actor.organization_id,
    )
    return colleague
