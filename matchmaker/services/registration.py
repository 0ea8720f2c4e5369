"""Self-service registration that tells a stranger nothing about who is registered.

Every valid registration is recorded the same way — a new account waiting for its address
to be confirmed (and, for organisations, a new organisation) — and the caller signs the
registrant into it: it may draft at once, but nothing it does reaches anyone else until the
address is confirmed (``access.require_confirmed``). What differs goes by e-mail to the owner
of the address, who alone can read it:

- a free address: a confirmation link (signed, valid for a week); opening it confirms the
  account. Without MAIL_SERVER nothing is mailed and the administrators confirm it instead.
- an address another account already holds confirmed: "someone tried to register with your
  address" and no link. The new account can never be confirmed (an address belongs to one
  confirmed account: a partial unique index), can only draft, and is closed after
  CONFIRMATION_DAYS (``close_unconfirmable``).

So registering and then signing in with the password just chosen works in both cases, and
neither the answer, the sign-in nor what the new account may do tells whether the address
was free (docs/security.md, P8). Sign-in tries the address's confirmed account first, then
its newest waiting registrations (``accounts.authenticate``).

Individual designers of the talent pool register the same way (``register_designer``): an
account without an organisation; without MAIL_SERVER an administrator confirms it on the
expert pool's page.

A credit code or name another organisation already holds is not refused — that would tell a
stranger who is registered. The organisation is created as a *claim* on the holder
(``Organization.claim_of_id``; a claimed credit code waits in ``claimed_credit_code``); the
administrators see it in the organisation list and merge it into the holder (once its
accounts are confirmed) or reject it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import Demand, DemandStatus, Organization, OrgType, Role, User, utcnow
from ..schemas import DesignerRegistrationIn, RegistrationIn
from . import audit, mail, passwords
from .access import require_role
from .accounts import address_taken_by_another, close_account, find_user, new_account
from .errors import Conflict, NotFound
from .indexing import enqueue_demand, enqueue_provider
from .notifications import notify

CONFIRMATION_DAYS = 7
_SALT = "matchmaker-confirm-email"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def confirmation_token(user: User, secret: str) -> str:
    return _serializer(secret).dumps({"user": user.id, "email": user.email})


def _administrators(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True))))


def _holder(session: Session, org_type: str, data: RegistrationIn) -> Organization | None:
    """The registered organisation this registration's credit code (or else name) names."""
    by_code = session.scalar(
        select(Organization).where(Organization.credit_code == data.credit_code)
    )
    return by_code or session.scalar(
        select(Organization).where(
            Organization.type == org_type,
            Organization.name == data.organization_name,
            Organization.claim_of_id.is_(None),
        )
    )


def register(
    session: Session, data: RegistrationIn, config: Mapping, base_url: str, secret: str
) -> User:
    """Record a registration and return its new account, waiting for confirmation; the
    caller signs it in and shows the same page whatever was registered before."""
    passwords.require(
        "password", data.password, (data.email, data.contact_name, data.organization_name)
    )
    org_type = OrgType.PROVIDER if data.role == Role.PROVIDER else OrgType.ENTERPRISE
    holder = _holder(session, org_type, data)
    code_taken = holder is not None and holder.credit_code == data.credit_code
    organization = Organization(
        type=org_type,
        name=data.organization_name,
        credit_code=None if code_taken else data.credit_code,
        claimed_credit_code=data.credit_code if code_taken else None,
        claim_of_id=holder.id if holder is not None else None,
        contact_name=data.contact_name,
        phone=data.phone,
        email=data.email,
        region=data.region,
        kind=data.kind if org_type == OrgType.PROVIDER else None,
        level=data.level if org_type == OrgType.PROVIDER else "none",
    )
    user = new_account(session, data.email, data.password, data.role, data.contact_name, data.phone)
    user.organization = organization
    audit.log_added(
        session, user, organization, "organization.registered", "organization", type=org_type
    )
    if _address_taken(session, user, config, base_url):
        return user
    admins = _administrators(session)
    if holder is not None:
        audit.log_event(
            session,
            user,
            "organization.claim_registered",
            "organization",
            organization.id,
            holder_id=holder.id,
            credit_code=code_taken,
        )
        notify(
            session,
            admins,
            "organization_claim",
            "/admin/organizations?type=pending",
            organization=organization.name,
            holder=holder.name,
        )
    if not _mail(session, config, user.email, lambda: _confirmation_mail(user, base_url, secret)):
        notify(
            session,
            admins,
            "registration_unconfirmed",
            "/admin/organizations?type=pending",
            organization=organization.name,
        )
    return user


def register_designer(
    session: Session, data: DesignerRegistrationIn, config: Mapping, base_url: str, secret: str
) -> User:
    """An individual designer's account (no organisation), recorded like ``register``."""
    passwords.require("password", data.password, (data.email, data.name))
    user = new_account(session, data.email, data.password, Role.DESIGNER, data.name, data.phone)
    session.flush()
    audit.log_event(session, user, "user.registered", "user", user.id, role=Role.DESIGNER)
    if _address_taken(session, user, config, base_url):
        return user
    if not _mail(session, config, user.email, lambda: _confirmation_mail(user, base_url, secret)):
        notify(
            session,
            _administrators(session),
            "registration_unconfirmed",
            "/admin/experts",
            organization=user.name,
        )
    return user


def _address_taken(session: Session, user: User, config: Mapping, base_url: str) -> bool:
    """When another account holds the address confirmed, its owner is told by e-mail that
    someone tried (and nobody else is told anything): True. False for a free address."""
    if not address_taken_by_another(session, user):
        return False
    _mail(session, config, user.email, lambda: _someone_tried_mail(base_url))
    audit.log_event(session, None, "user.registration_repeated", "user", user.id)
    return True


def unconfirmed_designers(session: Session, actor: User) -> list[User]:
    """Individual designers waiting for their address to be confirmed, oldest first."""
    require_role(actor, Role.ADMIN)
    return list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.DESIGNER,
                User.email_confirmed_at.is_(None),
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def confirm_designer(session: Session, actor: User, user_id: int) -> User:
    """An administrator confirms an individual designer's account (e.g. without e-mail)."""
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None or user.role != Role.DESIGNER or user.email_confirmed_at is not None:
        raise NotFound(_("账号不存在"))
    if address_taken_by_another(session, user):
        raise Conflict(_unconfirmable([user]))
    _confirm(session, actor, user)
    return user


def _mail(
    session: Session, config: Mapping, to: str, compose: Callable[[], tuple[str, str]]
) -> bool:
    """Compose (in the current language) and send after the commit, only when e-mail is
    configured; says whether it was."""
    if not mail.enabled(config):
        return False
    mail.queue(session, to, *compose())
    return True


def _confirmation_mail(user: User, base_url: str, secret: str) -> tuple[str, str]:
    link = f"{base_url}/register/confirm/{confirmation_token(user, secret)}"
    subject = _("【工业设计供需对接平台】请确认邮箱，完成注册")
    if user.organization is None:  # an individual designer of the talent pool
        return subject, _(
            "%(name)s，您好：\n\n您正在以个人设计师身份注册工业设计供需对接平台的人才库。"
            "请在 %(days)s 天内打开下面的链接确认邮箱，完成注册并登录：\n\n%(link)s\n\n"
            "如果这不是您本人的操作，请忽略本邮件。\n",
            name=user.name or user.email,
            days=CONFIRMATION_DAYS,
            link=link,
        )
    body = _(
        "%(name)s，您好：\n\n您正在为“%(organization)s”注册工业设计供需对接平台。请在 %(days)s 天内"
        "打开下面的链接确认邮箱，完成注册并登录：\n\n%(link)s\n\n如果这不是您本人的操作，请忽略本邮件。\n",
        name=user.name or user.email,
        organization=user.organization.name,
        days=CONFIRMATION_DAYS,
        link=link,
    )
    return subject, body


def _someone_tried_mail(base_url: str) -> tuple[str, str]:
    subject = _("【工业设计供需对接平台】有人用您的邮箱申请注册")
    body = _(
        "您好：\n\n有人用本邮箱申请注册工业设计供需对接平台，而本邮箱已有账号，因此没有创建新账号。\n"
        "如果是您本人，请直接登录：%(link)s\n忘记密码请联系平台管理员。"
        "如果这不是您本人的操作，请忽略本邮件。\n",
        link=f"{base_url}/login",
    )
    return subject, body


def resend_confirmation(
    session: Session, email: str, config: Mapping, base_url: str, secret: str
) -> None:
    """Mail the confirmation link again to the address's registration still waiting for it;
    nothing happens for any other address, and the caller answers every address alike."""
    user = find_user(session, email)
    if user is not None:
        resend_to(session, user, config, base_url, secret)


def resend_to(session: Session, user: User, config: Mapping, base_url: str, secret: str) -> None:
    """A signed-in account waiting for confirmation asks for its link again. Nothing is sent
    for an account that can never be confirmed: the address's owner was told once."""
    if not user.active or user.email_confirmed_at is not None:
        return
    if user.organization is None and user.role != Role.DESIGNER:
        return
    if address_taken_by_another(session, user):
        return
    _mail(session, config, user.email, lambda: _confirmation_mail(user, base_url, secret))
    audit.log_event(session, None, "user.confirmation_resent", "user", user.id)


def close_unconfirmable(session: Session, now: dt.datetime | None = None) -> int:
    """Close the accounts that can never be confirmed (another account holds their address)
    CONFIRMATION_DAYS after they registered; when nobody active is left in their
    organisation, its drafts and its provider profile go too. Returns how many closed."""
    cutoff = (now or utcnow()) - dt.timedelta(days=CONFIRMATION_DAYS)
    holder = aliased(User)
    held = (
        select(holder.id)
        .where(holder.email == User.email, holder.email_confirmed_at.is_not(None))
        .exists()
    )
    closing = list(
        session.scalars(
            select(User).where(
                User.email_confirmed_at.is_(None),
                User.active.is_(True),
                User.created_at < cutoff,
                held,
            )
        )
    )
    for user in closing:
        organization = user.organization
        close_account(session, user)
        if organization is not None and not any(u.active for u in organization.users):
            _drop_drafts(session, organization)
    return len(closing)


def _drop_drafts(session: Session, organization: Organization) -> None:
    for demand in session.scalars(
        select(Demand).where(
            Demand.organization_id == organization.id, Demand.status == DemandStatus.DRAFT
        )
    ):
        enqueue_demand(session, demand)
        audit.log_event(session, None, "demand.deleted", "demand", demand.id)
        session.delete(demand)
    if organization.provider is not None:
        enqueue_provider(session, organization.provider)  # its record leaves the index
        audit.log_event(session, None, "provider.deleted", "provider", organization.provider.id)
        session.delete(organization.provider)
    session.flush()


def confirm_email(session: Session, token: str, secret: str) -> tuple[str, User | None]:
    """Open a confirmation link: ("confirmed", user) the first time, ("already", user) after
    that — the link signs in only once —, ("invalid", None) if forged, stale or expired."""
    try:
        payload = _serializer(secret).loads(token, max_age=CONFIRMATION_DAYS * 86400)
    except BadSignature:
        return "invalid", None
    user = session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or user.email != payload.get("email") or not user.active:
        return "invalid", None
    if user.email_confirmed_at is not None:
        return "already", user
    if address_taken_by_another(session, user):  # another registration was confirmed first
        return "invalid", None
    _confirm(session, None, user)
    return "confirmed", user


def _confirm(session: Session, actor: User | None, user: User) -> None:
    user.email_confirmed_at = utcnow()
    audit.log_event(session, actor or user, "user.email_confirmed", "user", user.id)


def confirm_members(session: Session, actor: User, organization_id: int) -> tuple[int, list[str]]:
    """An administrator confirms an organisation's waiting accounts (e.g. without e-mail).

    Returns how many were confirmed and the addresses of those that can never be (another
    confirmed account holds the address: they are closed after CONFIRMATION_DAYS). Conflict,
    saying why, when none could be: the administrator must not believe it worked."""
    organization = _organization(session, actor, organization_id)
    waiting = [u for u in organization.users if u.email_confirmed_at is None and u.active]
    if not waiting:
        raise Conflict(_("该单位没有等待确认的账号"))
    refused = [u for u in waiting if address_taken_by_another(session, u)]
    if len(refused) == len(waiting):
        raise Conflict(_unconfirmable(refused))
    for user in waiting:
        if user not in refused:
            _confirm(session, actor, user)
    return len(waiting) - len(refused), [u.email for u in refused]


def _unconfirmable(users: list[User]) -> str:
    return _(
        "不能确认 %(emails)s：该邮箱已属于另一个已确认的账号（一个邮箱只能有一个已确认的账号）。"
        "此注册只能保存草稿，%(days)s 天后自动关闭。",
        emails="、".join(u.email for u in users),
        days=CONFIRMATION_DAYS,
    )


def _organization(session: Session, actor: User, organization_id: int) -> Organization:
    require_role(actor, Role.ADMIN)
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound(_("单位不存在"))
    return organization


def pending_claim(session: Session, actor: User, organization_id: int) -> Organization:
    """An organisation whose claim waits for an administrator (Conflict if none waits)."""
    organization = _organization(session, actor, organization_id)
    if not organization.claim_pending:
        raise Conflict(_("该单位没有待处理的申领"))
    return organization


def merge_claim(session: Session, actor: User, organization_id: int) -> Organization:
    """The registrants are the holder's people: their users and demands join the holder, and
    the claiming organisation goes. Returns the holder."""
    claimant = pending_claim(session, actor, organization_id)
    holder = claimant.claim_of
    if claimant.provider is not None and holder.provider is not None:
        raise Conflict(_("两家单位都有服务能力档案：请先删除申领单位的档案，再合并"))
    if claimant.type != holder.type:
        raise Conflict(_("申领单位与原单位类型不同，不能合并"))
    if any(u.active and u.email_confirmed_at is None for u in claimant.users):
        # Unconfirmed accounts would read the holder's drafts: they join once confirmed.
        raise Conflict(_("申领单位还有邮箱未确认的账号：确认后才能合并"))
    moved_users = [u.id for u in claimant.users]
    for user in list(claimant.users):
        user.organization = holder
    for demand in session.scalars(select(Demand).where(Demand.organization_id == claimant.id)):
        demand.organization = holder
        enqueue_demand(session, demand)
    if claimant.provider is not None:
        claimant.provider.organization = holder
        enqueue_provider(session, claimant.provider)
    audit.log_event(
        session,
        actor,
        "organization.claim_merged",
        "organization",
        holder.id,
        claimant_id=claimant.id,
        users=moved_users,
    )
    session.flush()
    session.delete(claimant)
    session.flush()
    return holder


def reject_claim(session: Session, actor: User, organization_id: int) -> Organization:
    """The registrants are not who they claimed to be: their accounts are switched off."""
    claimant = pending_claim(session, actor, organization_id)
    claimant.claim_rejected_at = utcnow()
    for user in claimant.users:
        user.active = False
    audit.log_event(
        session,
        actor,
        "organization.claim_rejected",
        "organization",
        claimant.id,
        holder_id=claimant.claim_of_id,
    )
    return claimant
