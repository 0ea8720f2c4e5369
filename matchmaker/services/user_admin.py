"""Administrators manage users: find them, switch accounts off and on, end their sign-ins,
force a password reset, and read what each user did and what was done to it.

Switching an account off ends every way it is signed in at once (browsers and API tokens);
switching it on again does not sign anyone in. An administrator cannot switch off itself, so
that the platform keeps someone able to switch accounts on.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, Organization, User
from . import audit
from .accounts import deactivate, end_every_sign_in
from .errors import Conflict, Forbidden, NotFound

TRAIL_LIMIT = 200


def _require_admin(actor: User) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))


def search(
    session: Session, actor: User, text: str = "", page: int = 1, per_page: int = 30
) -> tuple[list[User], int]:
    """Users whose e-mail, name, phone or organisation contains ``text``, newest first."""
    _require_admin(actor)
    query = select(User).outerjoin(Organization, User.organization_id == Organization.id)
    text = text.strip()
    if text:
        columns = (User.email, User.name, User.phone, Organization.name)
        query = query.where(or_(*(c.icontains(text, autoescape=True) for c in columns)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(User.created_at.desc(), User.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def get(session: Session, actor: User, user_id: int) -> User:
    _require_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在"))
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = get(session, actor, user_id)
    if not active and user.id == actor.id:
        raise Conflict(_("不能停用自己的账号"))
    if user.active == active:
        return user
    if active:
        user.active = True
        audit.log_event(session, actor, "user.reactivated", "user", user.id)
    else:
        deactivate(session, actor, user)
    return user


def revoke_sign_ins(session: Session, actor: User, user_id: int) -> User:
    """Every browser and API token of the user stops working; it may sign in again."""
    user = get(session, actor, user_id)
    end_every_sign_in(session, user)
    audit.log_event(session, actor, "user.sign_ins_revoked", "user", user.id)
    return user


def trail(session: Session, actor: User, user_id: int) -> list[AuditEvent]:
    """What the user did and what was done to it, newest first."""
    user = get(session, actor, user_id)
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    AuditEvent.actor_id == user.id,
                    (AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user.id),
                )
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(TRAIL_LIMIT)
        )
    )
