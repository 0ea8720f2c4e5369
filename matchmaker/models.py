"""Database models: the source of truth. Search indices are derived from these rows."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> dt.datetime:
    """Naive UTC, the same on SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class LabelledStatus(StrEnum):
    """A state kept in a string column as its plain value (so rows need no migration), with
    the words people read for it: ``member.label``, or ``labels()`` for a page."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {member.value: str(member.label) for member in cls}


class GuideStatus(LabelledStatus):
    DRAFT = "draft", _l("草稿")
    PUBLISHED = "published", _l("已发布")


class MeetingStatus(LabelledStatus):
    PLANNING = "planning", _l("筹备中")
    INVITED = "invited", _l("已邀请")
    HELD = "held", _l("已举行")
    CANCELLED = "cancelled", _l("已取消")


# invitations may still be sent, answered and the programme changed
MEETING_EDITABLE = (MeetingStatus.PLANNING, MeetingStatus.INVITED)


class Rsvp(LabelledStatus):
    """An invited organisation's answer to a meeting invitation."""

    PENDING = "pending", _l("未回复")
    YES = "yes", _l("参加")
    NO = "no", _l("不参加")
    MAYBE = "maybe", _l("待定")


class ImportStatus(LabelledStatus):
    """A survey import: previewed (checked, waiting for the commit), running, done or failed."""

    PREVIEWED = "previewed", _l("待提交")
    RUNNING = "running", _l("导入中")
    DONE = "done", _l("已导入")
    FAILED = "failed", _l("失败，未导入")


class Role:
    ADMIN = "admin"
    ENTERPRISE = "enterprise"
    PROVIDER = "provider"
    DESIGNER = "designer"  # an individual of the talent pool (人才库), no organisation
    EXPERT = "expert"  # an admitted expert (专家库): sees what they are assigned to, nothing else
    ALL = (ADMIN, ENTERPRISE, PROVIDER, DESIGNER, EXPERT)


class OrgType:
    ENTERPRISE = "enterprise"
    PROVIDER = "provider"


class DemandStatus:
    """A demand's states and their named sets; the moves between them are the table in
    ``services/demand_lifecycle.py``. Code asks "is it OPEN?", never lists statuses itself."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    PUBLISHED = "published"
    IN_NEGOTIATION = "in_negotiation"
    CLOSED = "closed"
    ALL = (DRAFT, IN_REVIEW, REJECTED, PUBLISHED, IN_NEGOTIATION, CLOSED)
    # offered to providers as leads: lead search, recommended leads, saved-search digests
    LISTED = (PUBLISHED,)
    # accepting interests and invitations, with recommended providers and meeting pairs
    OPEN = (PUBLISHED, IN_NEGOTIATION)
    # seen by providers (without the enterprise until an accepted interest) and in the index
    PUBLIC = (PUBLISHED, IN_NEGOTIATION, CLOSED)
    # the owner may send it to review
    SUBMITTABLE = (DRAFT, REJECTED)
    # the owner may still change the text (a published one goes back to review)
    EDITABLE = (DRAFT, IN_REVIEW, REJECTED, PUBLISHED)
    # the owner may withdraw it (a draft is deleted instead)
    WITHDRAWABLE = (DRAFT, IN_REVIEW, REJECTED, PUBLISHED, IN_NEGOTIATION)
    # closed automatically once its deadline has passed
    EXPIRABLE = (IN_REVIEW, PUBLISHED)


class CloseReason:
    WON = "won"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ALL = (WON, WITHDRAWN, EXPIRED)


class InterestStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        # One organisation per type and name, except registrations that claim an existing
        # organisation's name or credit code: those wait for an administrator (claim_of_id).
        Index(
            "uq_organizations_type_name_unclaimed",
            "type",
            "name",
            unique=True,
            sqlite_where=text("claim_of_id IS NULL"),
            postgresql_where=text("claim_of_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    region: Mapped[str] = mapped_column(String(32), default="other")
    kind: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20), default="none")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # what the badge vouches for: "licence" (营业执照), "level" (the design-centre level)
    verified_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # A registration with the credit code or name of an existing organisation is kept as a
    # claim on it (the code itself waits in claimed_credit_code) until an administrator
    # merges it into that organisation or rejects it.
    claim_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    claimed_credit_code: Mapped[str | None] = mapped_column(String(18))
    claim_rejected_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    users: Mapped[list[User]] = relationship(back_populates="organization")
    provider: Mapped[Provider | None] = relationship(back_populates="organization", uselist=False)
    claim_of: Mapped[Organization | None] = relationship(remote_side=[id])

    @property
    def claim_pending(self) -> bool:
        return self.claim_of_id is not None and self.claim_rejected_at is None

    @property
    def is_provider(self) -> bool:
        return self.type == OrgType.PROVIDER


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # An address belongs to one confirmed account. Registrations still waiting for their
        # confirmation may share it, so that registering over a registered address looks like
        # any other registration (docs/security.md, P8); such an account can never be
        # confirmed and is purged (services/registration.py).
        Index(
            "uq_users_confirmed_email",
            "email",
            unique=True,
            sqlite_where=text("email_confirmed_at IS NOT NULL"),
            postgresql_where=text("email_confirmed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set once the link sent to this address was opened (or an administrator confirmed the
    # account); users added by a colleague or an administrator are confirmed when created.
    # Until then the account signs in and drafts, but does nothing that reaches others.
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization | None] = relationship(back_populates="users")

    # Moved by a password change, "sign out everywhere" and deactivation. Sessions and API
    # tokens carry the value read when the password was checked and work only while it is
    # still the user's: a sign-in that checked the old password a moment before the change
    # committed cannot outlive it.
    sign_in_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # The key of the signed-in browser's LoginSession, set at sign-in and when a request loads
    # the user. Flask-Login keeps what get_id returns in the session and remember-me cookies,
    # so those cookies name a record the server can end, not just the user.
    login_key = None

    def get_id(self) -> str | None:
        return self.login_key

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class LoginSession(db.Model):
    """A signed-in browser. Its cookies hold a random key; only the key's digest is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    user_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Provider(db.Model):
    """A provider organisation's capability profile (服务能力)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    clusters: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    team_size: Mapped[int | None] = mapped_column(Integer)
    price_min: Mapped[int | None] = mapped_column(Integer)
    price_max: Mapped[int | None] = mapped_column(Integer)
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    index_version: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    # Every UPDATE of the row is "… WHERE version = <read>" and moves the version: an edit made
    # from an old copy fails instead of silently undoing someone else's (StaleDataError).
    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization] = relationship(back_populates="provider")
    cases: Mapped[list[Case]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="Case.year.desc()"
    )

    @property
    def name(self) -> str:
        return self.organization.name


class PortfolioItem:
    """What a portfolio item says, whoever's portfolio it is: a provider's case (案例) or a
    person's work (作品) in the talent pool."""

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cluster: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)


class Case(PortfolioItem, db.Model):
    """A portfolio case (案例) of a provider."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )

    provider: Mapped[Provider] = relationship(back_populates="cases")
    images: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")


class Demand(db.Model):
    """A design need (设计需求) posted by an enterprise."""

    __tablename__ = "demands"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    cluster: Mapped[str] = mapped_column(String(40), index=True)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_min: Mapped[int | None] = mapped_column(Integer)
    budget_max: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(32), index=True)
    contact_preference: Mapped[str] = mapped_column(String(16), default="platform")
    status: Mapped[str] = mapped_column(String(20), default=DemandStatus.DRAFT, index=True)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    review_note: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    index_version: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}  # as for Provider: stale edits fail

    organization: Mapped[Organization] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")
    interests: Mapped[list[Interest]] = relationship(
        back_populates="demand", cascade="all, delete-orphan"
    )


class Attachment(db.Model):
    """An uploaded file; the bytes live in UPLOAD_FOLDER, not in the database."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int | None] = mapped_column(
        ForeignKey("demands.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_revisions.id", ondelete="CASCADE"), index=True
    )
    verification_id: Mapped[int | None] = mapped_column(
        ForeignKey("verification_requests.id", ondelete="CASCADE"), index=True
    )
    accreditation_id: Mapped[int | None] = mapped_column(
        ForeignKey("accreditations.id", ondelete="CASCADE"), index=True
    )
    showcase_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("showcase_entries.id", ondelete="CASCADE"), index=True
    )
    # evidence: licence | level; a showcase entry's images: before | after
    purpose: Mapped[str | None] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Interest(db.Model):
    """A provider's expression of interest (with a short proposal) in a demand."""

    __tablename__ = "interests"
    __table_args__ = (
        UniqueConstraint("demand_id", "provider_id", name="uq_interests_demand_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text)
    price: Mapped[int | None] = mapped_column(Integer)
    timeline_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=InterestStatus.PENDING)
    invited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # the deal, once the enterprise marked it won (标记为已成交)
    won_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    contract_value: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)

    demand: Mapped[Demand] = relationship(back_populates="interests")
    provider: Mapped[Provider] = relationship()
    revisions: Mapped[list[ProposalRevision]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalRevision.number"
    )


class Invitation(db.Model):
    """An enterprise asks a recommended provider to look at its demand."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("demand_id", "provider_id", name="uq_invitations_demand_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    demand: Mapped[Demand] = relationship()
    provider: Mapped[Provider] = relationship()


class VerificationRequest(db.Model):
    """An organisation's evidence for the verified badge: its business licence (营业执照) and,
    for a provider, the proof of its design-centre level; decided by an administrator."""

    __tablename__ = "verification_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    registered_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    level: Mapped[str] = mapped_column(String(20), default="none")
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")


class ColleagueInvitation(db.Model):
    """A member invites a colleague by e-mail; the colleague sets its own password."""

    __tablename__ = "colleague_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(100))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()


class Side:
    """The two sides of an interest: the demand's enterprise and the provider."""

    ENTERPRISE = "enterprise"
    PROVIDER = "provider"
    ALL = (ENTERPRISE, PROVIDER)


class ProposalRevision(db.Model):
    """One version of an interest's proposal; the interest itself holds the latest."""

    __tablename__ = "proposal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    price: Mapped[int | None] = mapped_column(Integer)
    timeline_days: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")


class Message(db.Model):
    """A message of a conversation (站内沟通): between the two sides of an interest, or among
    the participants of a common-need project; with a price and timeline it is a
    counter-offer. ``body`` is stored as shown: masked when sent before acceptance (before a
    provider is chosen, for a project)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int | None] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    common_need_id: Mapped[int | None] = mapped_column(
        ForeignKey("common_needs.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(16))  # enterprise | provider | admin (projects)
    # the writing organisation of a project message (whose quota its files count against;
    # None for an administrator); an interest's message has its side's organisation
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    masked: Mapped[bool] = mapped_column(Boolean, default=False)
    price: Mapped[int | None] = mapped_column(Integer)
    timeline_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    interest: Mapped[Interest | None] = relationship()
    common_need: Mapped[CommonNeed | None] = relationship()
    author: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")


class ConversationRead(db.Model):
    """How far one user has read (and been mailed about) one conversation."""

    __tablename__ = "conversation_reads"
    __table_args__ = (
        UniqueConstraint("interest_id", "user_id", name="uq_conversation_reads_interest_user"),
        UniqueConstraint("common_need_id", "user_id", name="uq_conversation_reads_need_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int | None] = mapped_column(ForeignKey("interests.id", ondelete="CASCADE"))
    common_need_id: Mapped[int | None] = mapped_column(
        ForeignKey("common_needs.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[int] = mapped_column(Integer, default=0)
    mailed_up_to: Mapped[int] = mapped_column(Integer, default=0)


class ConversationReport(db.Model):
    """A participant asks the administrators to look at a conversation; while the report on an
    interest's conversation is open (and only then) administrators may read it (they take
    part in a project's anyway)."""

    __tablename__ = "conversation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int | None] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    common_need_id: Mapped[int | None] = mapped_column(
        ForeignKey("common_needs.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    interest: Mapped[Interest | None] = relationship()
    common_need: Mapped[CommonNeed | None] = relationship()
    reporter: Mapped[User | None] = relationship()


class Review(db.Model):
    """One side's review of the other after a deal: ``side`` is the author's side, so the
    enterprise's reviews (side "enterprise") are the provider's rating."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("interest_id", "side", name="uq_reviews_interest_side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    quality: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    timeliness: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    report_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # When the review was first seen public by the reveal job (services/ratings.py), which
    # then re-indexes the provider: a review that turns public by the passage of time alone
    # changes the provider's rating in its search record too.
    revealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    interest: Mapped[Interest] = relationship()


class Recommendation(db.Model):
    """First time a provider was shown as a match for a demand: exposure and funnel source."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("demand_id", "provider_id", name="uq_recommendations_demand_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(db.Float)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProviderExposure(db.Model):
    """How often a provider was recommended and how many demands it answered: kept by the
    database's own triggers on ``recommendations`` and ``interests`` (migration
    ``b7e3c1a9d2f4``), so the matcher reads who is damped as a look-up instead of counting
    every recommendation at each reading of matches, and no writer can forget to count."""

    __tablename__ = "provider_exposure"

    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True
    )
    recommended: Mapped[int] = mapped_column(Integer, server_default="0", index=True)
    answered: Mapped[int] = mapped_column(Integer, server_default="0")


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(255))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class AuditEvent(db.Model):
    """Who did what when: the only source for statistics."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class IndexOutbox(db.Model):
    """Pending index work, written in the same transaction as the change it reflects."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class IndexStamp(db.Model):
    """What an index holds now, as a token that every change delivered to it replaces: the
    engine's answers are kept per process under it (``services/engine_cache.py``)."""

    __tablename__ = "index_stamps"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class JobRun(db.Model):
    """One background job (a Huey task) as administrators see it: queued → running → done,
    or failed with its error; a failed one can be retried. Written by the job queue's
    signals, outside the job's own transaction."""

    __tablename__ = "job_runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the task's id
    name: Mapped[str] = mapped_column(String(64), index=True)
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(100))
    enqueued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SavedSearch(db.Model):
    """A provider's saved lead search, alerting on new matching demands."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    unsubscribe_token: Mapped[str] = mapped_column(String(64), unique=True)
    last_alerted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class ImportJob(db.Model):
    """A survey file being imported: previewed first, then committed all or nothing."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # providers | demands
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.PREVIEWED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # renewed per chunk
    file_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ImportUndo(db.Model):
    """What one committed chunk of a running import changed, to undo it if the import fails."""

    __tablename__ = "import_undo"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("import_jobs.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    notes: Mapped[dict[str, Any]] = mapped_column(JSON)


class Guide(db.Model):
    """An edition of the supply–demand guide (供需指南) or of the scarce-talent guide
    (紧缺人才供需指南, ``kind`` talent); frozen once published. Each kind numbers its editions."""

    __tablename__ = "guides"
    __table_args__ = (UniqueConstraint("kind", "edition", name="uq_guides_kind_edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="design", server_default="design")
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    clusters: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=GuideStatus.DRAFT)
    edition: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    commentary: Mapped[str] = mapped_column(Text, default="")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("guides.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class GuideSubscription(db.Model):
    __tablename__ = "guide_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Meeting(db.Model):
    """A matchmaking meeting (对接会) for a cluster and/or district. A diagnostic meeting
    (``kind`` diagnosis, 诊断服务对接会) seats enterprises with experts in time slots instead
    of pairing demands with providers."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(
        String(16), default="matchmaking", server_default="matchmaking"
    )  # matchmaking | diagnosis
    title: Mapped[str] = mapped_column(String(200))
    cluster: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNING)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    pairs: Mapped[list[MeetingPair]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingPair.rank"
    )
    invitees: Mapped[list[MeetingInvitee]] = relationship(cascade="all, delete-orphan")
    slots: Mapped[list[MeetingExpertSlot]] = relationship(
        back_populates="meeting",
        cascade="all, delete-orphan",
        order_by="(MeetingExpertSlot.starts_at, MeetingExpertSlot.id)",
    )


class MeetingPair(db.Model):
    """A suggested (demand, provider) pair for a meeting, and its outcome afterwards."""

    __tablename__ = "meeting_pairs"
    __table_args__ = (
        UniqueConstraint("meeting_id", "demand_id", "provider_id", name="uq_meeting_pairs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    demand_id: Mapped[int] = mapped_column(ForeignKey("demands.id", ondelete="CASCADE"))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(db.Float, default=0.0)
    rank: Mapped[int] = mapped_column(Integer, default=0)
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str | None] = mapped_column(
        String(20)
    )  # talked|follow_up|contract_signed|no_show
    contract_value: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    demand: Mapped[Demand] = relationship()
    provider: Mapped[Provider] = relationship()


class MeetingInvitee(db.Model):
    __tablename__ = "meeting_invitees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "organization_id", name="uq_meeting_invitees"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    rsvp: Mapped[str] = mapped_column(String(12), default=Rsvp.PENDING)
    invited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()


# --- talent pool (人才库) and talent needs (岗位) -------------------------------------------


class TalentProfile(db.Model):
    """A person's profile in the talent pool. Private: others see the anonymised card only
    (specialities, clusters, seniority, district); contact goes through the platform."""

    __tablename__ = "talent_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    specialities: Mapped[list[str]] = mapped_column(JSON, default=list)  # service codes
    clusters: Mapped[list[str]] = mapped_column(JSON, default=list)
    years_experience: Mapped[int] = mapped_column(Integer, default=0)
    professional_title: Mapped[str] = mapped_column(String(24), default="none")
    education: Mapped[str | None] = mapped_column(String(24))
    region: Mapped[str] = mapped_column(String(32), default="other")
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    availability: Mapped[str] = mapped_column(String(16), default="open")
    listed: Mapped[bool] = mapped_column(Boolean, default=True)  # the card is in the pool
    index_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
    employer: Mapped[Organization | None] = relationship()
    works: Mapped[list[TalentWork]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="TalentWork.id"
    )


class TalentWork(PortfolioItem, db.Model):
    """A portfolio item (作品) of a talent profile."""

    __tablename__ = "talent_works"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("talent_profiles.id", ondelete="CASCADE"), index=True
    )

    profile: Mapped[TalentProfile] = relationship(back_populates="works")


class TalentNeedStatus:
    OPEN = "open"
    CLOSED = "closed"
    ALL = (OPEN, CLOSED)


class TalentNeed(db.Model):
    """A talent need (岗位) posted by an enterprise or a provider organisation."""

    __tablename__ = "talent_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    specialities: Mapped[list[str]] = mapped_column(JSON, default=list)
    clusters: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_title: Mapped[str] = mapped_column(String(24), default="none")
    min_years: Mapped[int] = mapped_column(Integer, default=0)
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    region: Mapped[str] = mapped_column(String(32))
    salary_min: Mapped[int | None] = mapped_column(Integer)  # monthly CNY
    salary_max: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=TalentNeedStatus.OPEN, index=True)
    close_reason: Mapped[str | None] = mapped_column(String(16))  # filled | withdrawn
    filled: Mapped[int] = mapped_column(Integer, default=0)
    index_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()


class TalentContactStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    HIRED = "hired"  # a placement: the organisation hired the person for the need


class TalentContact(db.Model):
    """An organisation asks a person of the pool, about one of its needs, to get in touch.
    Names and contact details are exchanged only once the person accepts."""

    __tablename__ = "talent_contacts"
    __table_args__ = (
        UniqueConstraint("need_id", "profile_id", name="uq_talent_contacts_need_profile"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("talent_needs.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("talent_profiles.id", ondelete="CASCADE"), index=True
    )
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TalentContactStatus.PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    need: Mapped[TalentNeed] = relationship()
    profile: Mapped[TalentProfile] = relationship()


# --- expert pool (专家库) ------------------------------------------------------------------


class Expert(db.Model):
    """An expert admitted by an administrator, from the talent pool or directly.

    The expert signs in with ``user`` (role ``expert``) and sees only their assignments.
    """

    __tablename__ = "experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("talent_profiles.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")  # e.g. 教授级高级工程师
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    clusters: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields of expertise
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    professional_title: Mapped[str] = mapped_column(String(24), default="none")
    years_experience: Mapped[int] = mapped_column(Integer, default=0)
    region: Mapped[str] = mapped_column(String(32), default="other")
    bio: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    index_version: Mapped[int] = mapped_column(Integer, default=1)
    admitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    admitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    profile: Mapped[TalentProfile | None] = relationship()
    conflicts: Mapped[list[ExpertConflict]] = relationship(
        back_populates="expert", cascade="all, delete-orphan", order_by="ExpertConflict.id"
    )


class ExpertConflict(db.Model):
    """A conflict of interest: an organisation the expert works for or with. The expert is
    never suggested for, nor assigned to, that organisation's requests."""

    __tablename__ = "expert_conflicts"
    __table_args__ = (UniqueConstraint("expert_id", "organization_id", name="uq_expert_conflicts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))  # employer | client | partner | other
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    expert: Mapped[Expert] = relationship(back_populates="conflicts")
    organization: Mapped[Organization] = relationship()


# --- diagnostic visits (诊断服务、上门服务) ----------------------------------------------------


class DiagnosisStatus:
    REQUESTED = "requested"  # waiting for experts
    ASSIGNED = "assigned"  # experts (and providers) assigned, no visit date yet
    SCHEDULED = "scheduled"  # the visit has a date and place
    REPORTED = "reported"  # the expert filed the report
    CANCELLED = "cancelled"
    OPEN = (REQUESTED, ASSIGNED, SCHEDULED)


class DiagnosisRequest(db.Model):
    """A design diagnosis an enterprise asked for, or an administrator proposed after a survey."""

    __tablename__ = "diagnosis_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin: Mapped[str] = mapped_column(String(16), default="enterprise")  # enterprise | admin
    cluster: Mapped[str] = mapped_column(String(40))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)  # of interest, optional
    product_line: Mapped[str] = mapped_column(String(200))
    problems: Mapped[str] = mapped_column(Text)
    preferred_dates: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates
    status: Mapped[str] = mapped_column(String(16), default=DiagnosisStatus.REQUESTED, index=True)
    visit_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # naive UTC
    place: Mapped[str] = mapped_column(String(200), default="")
    visit_note: Mapped[str] = mapped_column(Text, default="")
    schedule_version: Mapped[int] = mapped_column(Integer, default=0)  # calendar SEQUENCE
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    assignments: Mapped[list[DiagnosisAssignment]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DiagnosisAssignment.id"
    )
    report: Mapped[DiagnosisReport | None] = relationship(
        back_populates="request", cascade="all, delete-orphan", uselist=False
    )


class DiagnosisAssignment(db.Model):
    """An expert (or a provider, for an on-site visit) assigned to a diagnosis request."""

    __tablename__ = "diagnosis_assignments"
    __table_args__ = (
        UniqueConstraint("request_id", "expert_id", name="uq_diagnosis_assignments_expert"),
        UniqueConstraint("request_id", "provider_id", name="uq_diagnosis_assignments_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("diagnosis_requests.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[DiagnosisRequest] = relationship(back_populates="assignments")
    expert: Mapped[Expert | None] = relationship()
    provider: Mapped[Provider | None] = relationship()


class DiagnosisReport(db.Model):
    """The expert's structured report: a summary, the findings, and recommended design services
    with a priority each."""

    __tablename__ = "diagnosis_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("diagnosis_requests.id", ondelete="CASCADE"), unique=True
    )
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("experts.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    request: Mapped[DiagnosisRequest] = relationship(back_populates="report")
    expert: Mapped[Expert | None] = relationship()
    recommendations: Mapped[list[DiagnosisRecommendation]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        order_by="DiagnosisRecommendation.position",
    )


class DiagnosisRecommendation(db.Model):
    """One recommended design service; the enterprise turns it into a draft demand."""

    __tablename__ = "diagnosis_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("diagnosis_reports.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    service: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(8), default="medium")  # high | medium | low
    budget_min: Mapped[int | None] = mapped_column(Integer)
    budget_max: Mapped[int | None] = mapped_column(Integer)
    demand_id: Mapped[int | None] = mapped_column(
        ForeignKey("demands.id", ondelete="SET NULL"), index=True
    )

    report: Mapped[DiagnosisReport] = relationship(back_populates="recommendations")
    demand: Mapped[Demand | None] = relationship()


class MeetingExpertSlot(db.Model):
    """A diagnostic meeting's time with one expert, booked for one enterprise (or still free)."""

    __tablename__ = "meeting_expert_slots"
    __table_args__ = (
        UniqueConstraint("meeting_id", "expert_id", "starts_at", name="uq_meeting_expert_slots"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="slots")
    expert: Mapped[Expert] = relationship()
    organization: Mapped[Organization | None] = relationship()


# --- design-centre accreditation (工业设计中心认定) ------------------------------------------


class Rubric(db.Model):
    """A rubric of the library (评分标准库): criteria with weights adding up to 100, each scored
    0..``scale``, defined once and used by accreditation rounds and showcase years. A version
    used by a selection that has scores is never changed: revising it makes the next version
    of its ``family`` (the first version's id), and the old one stays with its selections."""

    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("family_id", "version", name="uq_rubrics_family_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(120))
    scale: Mapped[int] = mapped_column(Integer, default=10)  # each criterion scored 0..scale
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # a newer version exists
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AccreditationRound(db.Model):
    """A call for district-level design-centre applications, with the rubric its expert
    reviewers score against (``criteria``: [{"code", "name", "weight"}], weights sum to 100)."""

    __tablename__ = "accreditation_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(20), default="district")
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)  # of 100
    min_reviewers: Mapped[int] = mapped_column(Integer, default=2)
    valid_years: Mapped[int] = mapped_column(Integer, default=3)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    rubric: Mapped[Rubric | None] = relationship()


class AccreditationStatus:
    SUBMITTED = "submitted"  # waiting for the completeness check
    INCOMPLETE = "incomplete"  # returned: materials missing, the applicant completes them
    IN_REVIEW = "in_review"  # complete; reviewers score it (a recorded recognition: decided)
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = (SUBMITTED, INCOMPLETE, IN_REVIEW, APPROVED, REJECTED)
    OPEN = (SUBMITTED, INCOMPLETE, IN_REVIEW)


class Accreditation(db.Model):
    """An organisation's application for a design-centre recognition: a district-level one in
    a round (``kind`` apply, scored by experts), or a municipal or national one it already
    holds (``kind`` record, checked against its certificate)."""

    __tablename__ = "accreditations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("accreditation_rounds.id", ondelete="SET NULL"), index=True
    )
    # the recognition this application re-reviews, and the one its approval granted
    renewal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("recognitions.id", ondelete="SET NULL")
    )
    recognition_id: Mapped[int | None] = mapped_column(
        ForeignKey("recognitions.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(8), default="apply")  # apply | record
    level: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(
        String(16), default=AccreditationStatus.SUBMITTED, index=True
    )
    team_size: Mapped[int | None] = mapped_column(Integer)
    designers: Mapped[int | None] = mapped_column(Integer)
    investment: Mapped[int | None] = mapped_column(Integer)  # CNY of design spending a year
    achievements: Mapped[str] = mapped_column(Text, default="")
    case_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    certificate_no: Mapped[str] = mapped_column(String(100), default="")
    valid_until: Mapped[dt.date | None] = mapped_column(Date)  # a recorded certificate's
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)  # from the last check
    check_note: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    round: Mapped[AccreditationRound | None] = relationship()
    renewal_of: Mapped[Recognition | None] = relationship(foreign_keys=[renewal_of_id])
    recognition: Mapped[Recognition | None] = relationship(foreign_keys=[recognition_id])
    attachments: Mapped[list[Attachment]] = relationship(cascade="all, delete-orphan")
    reviews: Mapped[list[ExpertReview]] = relationship(
        primaryjoin="and_(foreign(ExpertReview.subject_id) == Accreditation.id, "
        "ExpertReview.subject_type == 'accreditation')",
        order_by="ExpertReview.id",
        viewonly=True,
    )


class ExpertReview(db.Model):
    """One expert's scores for one subject (an accreditation, a showcase entry) against its
    rubric; ``submitted_at`` is None while the expert is assigned but has not scored."""

    __tablename__ = "expert_reviews"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "expert_id", name="uq_expert_reviews"),
        Index("ix_expert_reviews_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    expert_id: Mapped[int] = mapped_column(ForeignKey("experts.id", ondelete="CASCADE"), index=True)
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # criterion → 0..10
    total: Mapped[float | None] = mapped_column(Float)  # 0..100, weighted
    comment: Mapped[str] = mapped_column(Text, default="")
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    expert: Mapped[Expert] = relationship()


class RecognitionStatus:
    ACTIVE = "active"
    EXPIRED = "expired"
    RENEWED = "renewed"  # replaced by the recognition its re-review granted


class Recognition(db.Model):
    """A design-centre recognition an organisation holds, valid until a date: the source of
    its level and of the public register."""

    __tablename__ = "recognitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(20))
    granted_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default=RecognitionStatus.ACTIVE, index=True)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # re-review reminder
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    organization: Mapped[Organization] = relationship()


# --- the good-design showcase (重庆好设计) ----------------------------------------------------


class ShowcaseYear(db.Model):
    """One year's good-design selection: a call for submissions until ``closes_on``, expert
    scoring against the rubric (``criteria``, as for accreditation), a shortlist, winners."""

    __tablename__ = "showcase_years"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    min_reviewers: Mapped[int] = mapped_column(Integer, default=2)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    announced_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # winners public
    rubric_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    rubric: Mapped[Rubric | None] = relationship()


class ShowcaseStatus:
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    WINNER = "winner"
    NOT_SELECTED = "not_selected"
    ALL = (SUBMITTED, SHORTLISTED, WINNER, NOT_SELECTED)


class ShowcaseEntry(db.Model):
    """A design achievement (设计成果) a provider submits to a year's selection: a won deal or
    a portfolio case, with the problem, the design, measured results and before/after images."""

    __tablename__ = "showcase_entries"
    __table_args__ = (
        UniqueConstraint("year_id", "interest_id", name="uq_showcase_entries_deal"),
        UniqueConstraint("year_id", "case_id", name="uq_showcase_entries_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(
        ForeignKey("showcase_years.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    interest_id: Mapped[int | None] = mapped_column(
        ForeignKey("interests.id", ondelete="SET NULL")
    )  # a won deal
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    cluster: Mapped[str] = mapped_column(String(40), index=True)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str] = mapped_column(String(32), index=True)
    problem: Mapped[str] = mapped_column(Text)
    design: Mapped[str] = mapped_column(Text)
    results: Mapped[str] = mapped_column(Text, default="")
    sales_change_pct: Mapped[int | None] = mapped_column(Integer)
    cost_change_pct: Mapped[int | None] = mapped_column(Integer)
    awards: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default=ShowcaseStatus.SUBMITTED, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    year: Mapped[ShowcaseYear] = relationship()
    provider: Mapped[Provider] = relationship()
    images: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", order_by="Attachment.id"
    )
    reviews: Mapped[list[ExpertReview]] = relationship(
        primaryjoin="and_(foreign(ExpertReview.subject_id) == ShowcaseEntry.id, "
        "ExpertReview.subject_type == 'showcase')",
        order_by="ExpertReview.id",
        viewonly=True,
    )


# --- cluster common needs (集群共性需求) ---------------------------------------------------


class CommonNeedStatus:
    OPEN = "open"  # enterprises opt in, providers are invited
    MATCHED = "matched"  # a provider was chosen for the group
    WON = "won"  # the joint project was contracted
    CLOSED = "closed"  # ended without a contract
    ALL = (OPEN, MATCHED, WON, CLOSED)


class CommonNeed(db.Model):
    """A common-need project: similar demands of several enterprises of one cluster, turned by
    an administrator into one shared brief that design providers answer together."""

    __tablename__ = "common_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    brief: Mapped[str] = mapped_column(Text)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    threshold: Mapped[float] = mapped_column(Float)  # the similarity the group was found at
    similarity: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default=CommonNeedStatus.OPEN, index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL")
    )  # the provider chosen for the group
    contract_value: Mapped[int | None] = mapped_column(Integer)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    provider: Mapped[Provider | None] = relationship()
    members: Mapped[list[CommonNeedMember]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="CommonNeedMember.id"
    )
    invitations: Mapped[list[CommonNeedInvitation]] = relationship(
        back_populates="need", cascade="all, delete-orphan", order_by="CommonNeedInvitation.id"
    )


class CommonNeedMember(db.Model):
    """An enterprise asked to join a common need with one of its demands; it takes part only
    once it opted in (``joined``)."""

    __tablename__ = "common_need_members"
    __table_args__ = (
        UniqueConstraint("need_id", "organization_id", name="uq_common_need_members"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("common_needs.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("demands.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="invited")  # joined | declined
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    need: Mapped[CommonNeed] = relationship(back_populates="members")
    organization: Mapped[Organization] = relationship()
    demand: Mapped[Demand | None] = relationship()


class CommonNeedInvitation(db.Model):
    """A provider invited to answer a common need, ranked by the matcher for the whole group."""

    __tablename__ = "common_need_invitations"
    __table_args__ = (
        UniqueConstraint("need_id", "provider_id", name="uq_common_need_invitations"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("common_needs.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), default="invited")  # interested | declined
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    responded_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    need: Mapped[CommonNeed] = relationship(back_populates="invitations")
    provider: Mapped[Provider] = relationship()
