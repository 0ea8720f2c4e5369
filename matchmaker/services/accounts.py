"""Users, organisations, passwords, and ending every way a user is signed in."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import (
    ApiToken,
    GuideSubscription,
    LoginSession,
    Notification,
    Organization,
    OrgType,
    Role,
    SavedSearch,
    User,
    utcnow,
)
from . import api_tokens, audit, login_sessions, passwords
from .errors import Conflict, Forbidden, NotFound, field_error

_hasher = PasswordHasher()
_dummy_hash: str | None = None


def configure_hashing(time_cost: int, memory_kib: int, parallelism: int) -> None:
    """Argon2id cost (the library's RFC 9106 defaults unless configured; tests go cheaper)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
    _dummy_hash = None


def _spend_one_check(password: str) -> None:
    """Verify against a dummy hash when the e-mail is unknown, so both paths cost the same."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not-a-real-password")
    _password_matches(_dummy_hash, password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(user_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(user_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# How many registrations waiting for confirmation one address's password is tried against
# at sign-in, after its confirmed account: the newest ones (older ones sign in by their link).
PENDING_SIGN_INS = 2


def _by_address(email: str):
    return select(User).where(func.lower(User.email) == email.strip().lower())


def confirmed_user(session: Session, email: str) -> User | None:
    """The one confirmed account of an address, if any."""
    return session.scalar(_by_address(email).where(User.email_confirmed_at.is_not(None)))


def waiting_users(session: Session, email: str, limit: int | None = None) -> list[User]:
    """Active registrations of an address still waiting for confirmation, newest first."""
    query = _by_address(email).where(User.email_confirmed_at.is_(None), User.active.is_(True))
    return list(session.scalars(query.order_by(User.id.desc()).limit(limit)))


def find_user(session: Session, email: str) -> User | None:
    """The account an address names: its confirmed account, else its newest registration
    still waiting for confirmation."""
    return confirmed_user(session, email) or next(iter(waiting_users(session, email, 1)), None)


def address_taken_by_another(session: Session, user: User) -> bool:
    """Another account holds this user's address confirmed: this one can never be confirmed."""
    holder = confirmed_user(session, user.email)
    return holder is not None and holder.id != user.id


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The account whose password this is: the address's confirmed account first, then its
    newest registrations waiting for confirmation (they sign in and draft; P8).

    A failed attempt always costs 1 + PENDING_SIGN_INS password checks (dummy ones where
    there is no account), so the time it takes says nothing about which accounts exist.
    """
    candidates: list[User | None] = [confirmed_user(session, email)]
    candidates += waiting_users(session, email, PENDING_SIGN_INS)
    candidates += [None] * (1 + PENDING_SIGN_INS - len(candidates))
    user = None
    for candidate in candidates:
        if candidate is None:
            _spend_one_check(password)
        elif _password_matches(candidate.password_hash, password):
            user = candidate
            break
    # A switched-off account gets the same answer as a wrong password.
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    # Every sign-in, page or API, clears out everyone's expired sessions and tokens: dead
    # credentials do not linger in the database.
    login_sessions.purge_expired(session)
    api_tokens.purge_expired(session)
    return user


def new_account(
    session: Session, email: str, password: str, role: str, name: str | None, phone: str | None
) -> User:
    """A new account, its address not confirmed yet (the caller confirms or mails a link)."""
    user = User(
        email=email.strip().lower(),
        password_hash=hash_password(password),
        role=role,
        name=name,
        phone=phone,
    )
    session.add(user)
    return user


def _new_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    organization: Organization | None,
    name: str | None = None,
    phone: str | None = None,
) -> User:
    if confirmed_user(session, email) is not None:
        raise Conflict(_("该邮箱已注册"), {"email": [_("该邮箱已注册")]})
    user = new_account(session, email, password, role, name, phone)
    user.organization = organization
    user.email_confirmed_at = utcnow()  # vouched for by the colleague or administrator adding it
    session.flush()
    return user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not _password_matches(user.password_hash, current):
        raise field_error("current_password", _("当前密码不正确"))
    organization = user.organization.name if user.organization else None
    passwords.require("new_password", new, (user.email, user.name, organization))
    user.password_hash = hash_password(new)
    end_every_sign_in(session, user)
    audit.log_event(session, user, "user.password_changed", "user", user.id)


def organization_id_by_name(session: Session, name: str | None) -> int | None:
    """Forms name an organisation (an employer, a conflict of interest); records keep its id.
    None when no organisation on the platform has that exact name."""
    name = (name or "").strip()
    if not name:
        return None
    return session.scalar(
        select(Organization.id)
        .where(Organization.name == name, Organization.claim_of_id.is_(None))
        .order_by(Organization.id)
        .limit(1)
    )


def end_every_sign_in(session: Session, user: User) -> None:
    """Every browser (session and remember-me cookies) and every API token stop working,
    including one whose password check is under way right now (``sign_in_version``)."""
    user.sign_in_version = User.sign_in_version + 1  # in SQL: concurrent changes both count
    session.flush()
    login_sessions.end_all(session, user)
    api_tokens.revoke_all(session, user)


def close_account(session: Session, user: User) -> None:
    """The account keeps its id (records it wrote still point at it) but nothing personal:
    no address, name, phone or usable password, no sign-ins, tokens, notifications or
    subscriptions."""
    for model in (ApiToken, LoginSession, Notification, SavedSearch, GuideSubscription):
        session.execute(delete(model).where(model.user_id == user.id))
    user.email = f"deleted-{user.id}@invalid"
    user.name = None
    user.phone = None
    user.locale = None
    user.active = False
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    audit.log_event(session, None, "user.closed", "user", user.id)


def sign_out_everywhere(session: Session, user: User) -> None:
    end_every_sign_in(session, user)
    audit.log_event(session, user, "user.signed_out_everywhere", "user", user.id)


def deactivate(session: Session, actor: User | None, user: User) -> None:
    """The account can no longer sign in, and every way it is signed in ends now.

    ``actor`` is an administrator, or None on the command line.
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("仅管理员可以停用账号"))
    user.active = False
    end_every_sign_in(session, user)
    audit.log_event(session, actor, "user.deactivated", "user", user.id)


def get_or_create_organization(
    session: Session, org_type: str, name: str, region: str = "other", **fields
) -> Organization:
    """Reuse an organisation of that type by exact name, or create it."""
    organization = session.scalar(
        select(Organization).where(
            Organization.type == org_type,
            Organization.name == name,
            Organization.claim_of_id.is_(None),
        )
    )
    if organization is None:
        organization = Organization(type=org_type, name=name, region=region, **fields)
        session.add(organization)
        session.flush()
    return organization


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    organization_name: str | None = None,
    name: str | None = None,
) -> User:
    """The command-line path (API.md): --organization joins by exact name or creates.

    Enterprise and provider users belong to an organisation; administrators, individual
    designers and experts do not.
    """
    if role not in Role.ALL:
        raise field_error("role", _("取值无效"))
    passwords.require("password", password, (email, organization_name))
    organization = None
    if role in (Role.ENTERPRISE, Role.PROVIDER):
        if not organization_name:
            raise field_error("organization", _("必填"))
        org_type = OrgType.PROVIDER if role == Role.PROVIDER else OrgType.ENTERPRISE
        organization = get_or_create_organization(
            session, org_type, organization_name, email=email.strip().lower()
        )
    elif organization_name:
        raise field_error("organization", _("该角色不属于任何单位"))
    user = _new_user(session, email, password, role, organization, name=name)
    audit.log_event(session, None, "user.created", "user", user.id, role=role)
    return user


def set_organization_verified(
    session: Session, actor: User, organization_id: int, verified: bool
) -> Organization:
    if not actor.is_admin:
        raise Forbidden(_("仅管理员可以认证单位"))
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(_("单位不存在"))
    if verified and organization.claim_pending:
        raise Conflict(_("该单位的注册申领尚待处理：请先合并或驳回"))
    organization.verified = verified
    organization.verified_at = utcnow() if verified else None
    organization.verified_scope = []  # vouched for by an administrator, without evidence
    audit.log_event(
        session,
        actor,
        "organization.verified" if verified else "organization.unverified",
        "organization",
        organization.id,
    )
    if organization.provider is not None:
        from .indexing import enqueue_provider

        enqueue_provider(session, organization.provider)
    return organization
