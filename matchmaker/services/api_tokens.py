"""API bearer tokens: issued for e-mail and password, listed and revoked by their owner.

Only a token's SHA-256 is stored. Like a signed-in browser, a token carries the user's
``sign_in_version`` from when the password was checked and stops working once it moves.
Expired tokens, like expired sessions, are deleted at every sign-in (``accounts.authenticate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import Session, joinedload

from ..models import ApiToken, User, utcnow
from . import audit
from .errors import NotFound
from .login_sessions import current_for


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, ttl_hours: int) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + dt.timedelta(hours=ttl_hours)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_digest(token),
            user_version=user.sign_in_version,
            expires_at=expires_at,
        )
    )
    return token, expires_at


@cache
def _row_statement() -> Select:
    """Built once per process (the digest a parameter): SQLAlchemy then keeps its cache key."""
    return (
        select(ApiToken)
        .where(ApiToken.token_hash == bindparam("digest"))
        .options(joinedload(ApiToken.user, innerjoin=True))
    )


def row_for(session: Session, token: str) -> ApiToken | None:
    """The live token row (its user active, its version current), or None. Every API request
    asks, so the user comes in the same query."""
    row = session.scalar(_row_statement(), {"digest": _digest(token)})
    if row is None or row.expires_at < utcnow() or not current_for(row.user, row.user_version):
        return None
    return row


def user_for(session: Session, token: str) -> User | None:
    row = row_for(session, token)
    return row.user if row is not None else None


def of_user(session: Session, user: User) -> list[ApiToken]:
    """The user's live tokens, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.expires_at >= utcnow())
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(session: Session, actor: User, token_id: int) -> None:
    """The owner revokes one of its tokens; anyone else's token does not exist for it (404)."""
    result = session.execute(
        delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == actor.id)
    )
    if not result.rowcount:
        raise NotFound(_("令牌不存在"))
    audit.log_event(session, actor, "user.token_revoked", "user", actor.id, token_id=token_id)


def revoke_all(session: Session, user: User) -> None:
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def purge_expired(session: Session) -> None:
    session.execute(delete(ApiToken).where(ApiToken.expires_at < utcnow()))
