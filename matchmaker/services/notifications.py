"""In-app notifications (one row per recipient) with an unread count."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Notification, Organization, User, utcnow


def notify(
    session: Session, users: Iterable[User], kind: str, link: str | None = None, **params
) -> None:
    for user in users:
        session.add(Notification(user_id=user.id, kind=kind, params=params, link=link))


def notify_organization(
    session: Session, organization: Organization, kind: str, link: str | None = None, **params
) -> None:
    notify(session, [u for u in organization.users if u.active], kind, link, **params)


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def recent(session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(session: Session, user: User) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def mark_seen(session: Session, user: User, link: str) -> int:
    """The user has opened the page these notifications point to (an invitation's demand, …):
    they are read. Returns how many were unread."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.link == link,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
