"""Password reset by e-mail: a signed link that expires and works once.

Anyone may ask for a link for any address and reads the same answer; only the owner of a
registered, active address gets a mail. The link is signed (itsdangerous), expires after
``PASSWORD_RESET_MINUTES`` and carries a fingerprint of the password hash it was made for:
once the password changes — through this link or any other way — every link made before
stops working, so a link is single-use without storing it. A reset ends every other sign-in
(browsers and API tokens). Opening the link proves the address, so an account still waiting
for its confirmation is confirmed too.

An administrator can force a reset: the password is replaced by a random one nobody knows,
every sign-in ends, and the owner gets a link to choose a new one.
"""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..models import User, utcnow
from . import audit, mail, passwords
from .accounts import address_taken_by_another, end_every_sign_in, find_user, hash_password
from .errors import Forbidden, NotFound

_SALT = "matchmaker-password-reset"


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def token_for(user: User, secret: str) -> str:
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps(
        {"user": user.id, "fp": _fingerprint(user)}
    )


def _mail_link(session: Session, user: User, base_url: str, secret: str, minutes: int) -> None:
    link = f"{base_url}/password/reset/{token_for(user, secret)}"
    mail.queue(
        session,
        user.email,
        _("【工业设计供需对接平台】重置密码"),
        _(
            "%(name)s，您好：\n\n请在 %(minutes)s 分钟内打开下面的链接设置新密码"
            "（链接只能使用一次）：\n\n%(link)s\n\n"
            "设置新密码后，您在其他浏览器和 API 令牌上的登录都将失效。"
            "如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n",
            name=user.name or user.email,
            minutes=minutes,
            link=link,
        ),
    )


def request_link(session: Session, email: str, base_url: str, secret: str, minutes: int) -> None:
    """Mail a reset link to the address if it belongs to an active account; nothing else
    differs, so the caller answers everyone alike."""
    user = find_user(session, email)
    if user is None or not user.active:
        return
    _mail_link(session, user, base_url, secret, minutes)
    audit.log_event(session, None, "user.password_reset_requested", "user", user.id)


def user_for(session: Session, token: str, secret: str, minutes: int) -> User | None:
    """The user a link is for, while it is valid: signed here, not expired, made for the
    current password, the account active. None otherwise."""
    try:
        payload = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=minutes * 60)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int):
        return None
    user = session.get(User, payload["user"])
    if user is None or not user.active or payload.get("fp") != _fingerprint(user):
        return None
    return user


def reset(session: Session, token: str, password: str, secret: str, minutes: int) -> User:
    """Set the new password through a valid link; every other sign-in ends."""
    user = user_for(session, token, secret, minutes)
    if user is None:
        raise NotFound(_("重置链接无效、已使用或已过期，请重新申请"))
    organization = user.organization.name if user.organization else None
    passwords.require("password", password, (user.email, user.name, organization))
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None and not address_taken_by_another(session, user):
        user.email_confirmed_at = utcnow()  # the link proved the address
    end_every_sign_in(session, user)
    audit.log_event(session, user, "user.password_reset", "user", user.id)
    return user


def force(
    session: Session, actor: User, user_id: int, base_url: str, secret: str, minutes: int
) -> User:
    """An administrator makes the owner choose a new password (e.g. after a leak)."""
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在"))
    user.password_hash = hash_password(secrets.token_urlsafe(32))  # nobody knows it
    end_every_sign_in(session, user)
    _mail_link(session, user, base_url, secret, minutes)
    audit.log_event(session, actor, "user.password_reset_forced", "user", user.id)
    return user
