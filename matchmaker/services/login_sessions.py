"""Signed-in browsers: started at sign-in, checked on every request, ended on purpose.

Flask's session cookie is signed but kept by the browser, so without a record on the server a
copied cookie would keep working after logout and a password change could not reach other
browsers. Each sign-in therefore creates a ``LoginSession``; the session and remember-me
cookies hold its random key (only the key's SHA-256 is stored), and every request loads the
user through it. Logout ends one; a password change, "sign out everywhere" and deactivation
end them all, and move the user's ``sign_in_version``: a session works only while the version
it was started with is still the user's, so a sign-in whose password check came a moment
before such a change, and whose row was written after, does not survive it either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import LoginSession, User, utcnow


def current_for(user: User, version: int) -> bool:
    """Whether a credential stamped with ``version`` still signs ``user`` in."""
    return user.active and version == user.sign_in_version


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(
    session: Session, user: User, remember: bool, lifetime: dt.timedelta, user_agent: str = ""
) -> str:
    """Record a new signed-in browser for ``user``; returns its key (also set on the user)."""
    key = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user.id,
            key_hash=_digest(key),
            remember=remember,
            user_agent=(user_agent or "")[:200],
            user_version=user.sign_in_version,
            expires_at=utcnow() + lifetime,
        )
    )
    user.login_key = key
    return key


def _row(session: Session, key: str | None) -> LoginSession | None:
    if not key:
        return None
    return session.scalar(select(LoginSession).where(LoginSession.key_hash == _digest(key)))


def user_for(session: Session, key: str) -> User | None:
    """The user of a live session key; None once it was ended, expired, outdated by a password
    change or the like, or the user deactivated."""
    row = _row(session, key)
    if row is None or row.expires_at <= utcnow() or not current_for(row.user, row.user_version):
        return None
    row.user.login_key = key
    return row.user


def current(session: Session, user: User) -> LoginSession | None:
    """The record of the browser ``user`` was loaded through."""
    return _row(session, user.login_key)


def of_user(session: Session, user: User) -> list[LoginSession]:
    """The user's live sessions, newest first."""
    return list(
        session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.expires_at > utcnow())
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        )
    )


def end(session: Session, key: str | None) -> None:
    if key:
        session.execute(delete(LoginSession).where(LoginSession.key_hash == _digest(key)))


def end_one(session: Session, user: User, session_id: int) -> bool:
    """End one of the user's own sessions (another browser); False if there is no such one."""
    result = session.execute(
        delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user.id)
    )
    return bool(result.rowcount)


def end_all(session: Session, user: User) -> None:
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def purge_expired(session: Session) -> None:
    session.execute(delete(LoginSession).where(LoginSession.expires_at <= utcnow()))
