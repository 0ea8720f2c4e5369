"""Audit trail: every state change, the source of all statistics."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import AuditEvent, User


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
