"""Audit trail: every state change, the source of all statistics."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from ..models import AuditEvent, User

Row = TypeVar("Row")


def log_event(
    session: Session, actor: User | None, action: str, subject_type: str, subject_id: int, **data
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=data,
    )
    session.add(event)
    return event


def log_added(
    session: Session, actor: User | None, row: Row, action: str, subject_type: str, **data
) -> Row:
    """Add a new ``row`` and log ``action`` on it (flushed first: the event names its id)."""
    session.add(row)
    session.flush()
    log_event(session, actor, action, subject_type, row.id, **data)
    return row
