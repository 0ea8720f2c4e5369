"""An administrator's verified badge vouches for who an organisation is.

What it vouches for is the organisation's identity: name, kind, unified social credit code,
level and certifications. Every change of one of them is in the audit trail
(``organization.identity_changed``, one event per field, old and new value). When anyone but
an administrator makes such a change, the badge goes (``organization.unverified``) until an
administrator checks again: otherwise a verified provider could rename itself to any company
and keep the badge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ..models import Organization, User
from . import audit
from .access import is_admin

IDENTITY_FIELDS = ("name", "kind", "credit_code", "level", "certifications")


def identity_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple]:
    """{field: (old, new)} for the identity fields present in both and different."""
    return {
        name: (before[name], after[name])
        for name in IDENTITY_FIELDS
        if name in before and name in after and before[name] != after[name]
    }


def record_identity_changes(
    session: Session, actor: User | None, organization: Organization, changes: Mapping[str, tuple]
) -> None:
    for name, (old, new) in changes.items():
        audit.log_event(
            session,
            actor,
            "organization.identity_changed",
            "organization",
            organization.id,
            field=name,
            old=old,
            new=new,
        )
    if changes and organization.verified and not is_admin(actor):
        organization.verified, organization.verified_at = False, None
        audit.log_event(
            session,
            actor,
            "organization.unverified",
            "organization",
            organization.id,
            fields=list(changes),
        )
