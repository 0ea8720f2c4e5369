"""Conversations (站内沟通): messages, counter-offers, files, unread counts, reports.

A conversation belongs to an interest (its two sides) or to a common-need project (its
participants: ``common_needs.conversation`` says who they are and how they are named). The
storing, masking, files, read marks, unread counts and reports here serve both; the rest of
this module is the interest's rules.

Who reads an interest's conversation: the two sides only — the demand's organisation and the
provider's. Administrators are not a side; they may read a conversation while one side's
report on it is open, and each such reading is in the audit trail. For anyone else the
conversation (and the interest) does not exist (404).

Until the enterprise accepts the interest, contact details in a message are masked before it
is stored (``contact_details``): the provider must not learn who the enterprise is, and
neither side may take the talk off the platform before the enterprise chose. After acceptance
messages pass as written. A declined or withdrawn interest's conversation can be read, not
continued.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from ..models import (
    Attachment,
    ConversationRead,
    ConversationReport,
    Demand,
    Interest,
    InterestStatus,
    Message,
    ProposalRevision,
    Role,
    Side,
    User,
    utcnow,
)
from ..schemas import Money, Strict, validate
from . import audit, contact_details, files
from .access import DEMAND_POLICY, require_confirmed
from .errors import Conflict, Forbidden, NotFound
from .insert_or_ignore import insert_or_ignore
from .lead_shape import Lead, shown_to
from .notifications import notify, notify_organization

OPEN_STATUSES = (InterestStatus.PENDING, InterestStatus.ACCEPTED)


class MessageIn(Strict):
    """Body of POST /api/v1/interests/{id}/messages; price and timeline make a counter-offer."""

    body: Annotated[str, Field(min_length=1, max_length=5000)]
    price: Money | None = None
    timeline_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class ReportIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


def side_of(actor: User | None, interest: Interest) -> str | None:
    """The side ``actor`` is on in this interest, or None (administrators included)."""
    if actor is None or actor.organization_id is None:
        return None
    if actor.organization_id == interest.demand.organization_id:
        return Side.ENTERPRISE
    if actor.organization_id == interest.provider.organization_id:
        return Side.PROVIDER
    return None


def open_report(session: Session, interest: Interest) -> ConversationReport | None:
    return session.scalar(
        select(ConversationReport)
        .where(
            ConversationReport.interest_id == interest.id, ConversationReport.closed_at.is_(None)
        )
        .order_by(ConversationReport.id)
        .limit(1)
    )


@dataclass
class Conversation:
    """An interest as one reader sees its conversation."""

    interest: Interest
    side: str | None  # the reader's side; None for an administrator reading a report
    messages: list[Message]
    # the demand in the reader's shape: the row for its enterprise and administrators, a Lead
    # for the provider, None while the provider may not read it (back in review)
    demand: Demand | Lead | None

    @property
    def writable(self) -> bool:
        return self.side is not None and self.interest.status in OPEN_STATUSES

    @property
    def masks_contacts(self) -> bool:
        return self.interest.status != InterestStatus.ACCEPTED


def _interest(session: Session, interest_id: int) -> Interest:
    interest = session.get(Interest, interest_id)
    if interest is None:
        raise NotFound(_("意向不存在"))
    return interest


def readable(session: Session, actor: User | None, interest_id: int) -> tuple[Interest, str | None]:
    """The interest and the reader's side; NotFound for anyone who may not read it."""
    interest = _interest(session, interest_id)
    side = side_of(actor, interest)
    if side is None and not (
        actor is not None and actor.role == Role.ADMIN and open_report(session, interest)
    ):
        raise NotFound(_("意向不存在"))
    return interest, side


def messages_of(session: Session, interest: Interest) -> list[Message]:
    return messages_in(session, Thread("interest_id", interest.id))


def read(session: Session, actor: User, interest_id: int) -> Conversation:
    """Open a conversation: a side marks it read; an administrator's reading is audited."""
    interest, side = readable(session, actor, interest_id)
    items = messages_of(session, interest)
    if side is None:
        audit.log_event(session, actor, "conversation.read_by_admin", "interest", interest.id)
    else:
        _mark_read(session, actor, interest, items[-1].id if items else 0)
    demand = interest.demand
    shown = shown_to(actor, demand) if DEMAND_POLICY.can(actor, "see", demand) else None
    return Conversation(interest, side, items, shown)


def _writer(session: Session, actor: User, interest_id: int) -> tuple[Interest, str]:
    interest, side = readable(session, actor, interest_id)
    if side is None:
        raise Forbidden(_("管理员只能查看被举报的对话，不能发言"))
    require_confirmed(actor)
    if interest.status not in OPEN_STATUSES:
        raise Conflict(_("该意向已结束，对话不能继续"))
    return interest, side


def post(
    session: Session,
    actor: User,
    interest_id: int,
    body: Any,
    uploads: Iterable[files.Upload] = (),
    storage: files.Storage | None = None,
    notify_other: bool = True,
) -> tuple[Message, list[str]]:
    """Send a message (with a price and timeline: a counter-offer), masked before acceptance.

    ``uploads`` were checked with ``files.check`` (the limits of demand attachments). Returns
    the message and the stored names of its files, which the caller discards if its commit
    fails. ``notify_other`` is False when the caller's own notice already tells the other
    side (an answer to an invitation is announced as the interest it opens)."""
    interest, side = _writer(session, actor, interest_id)
    message, written = store(
        session,
        actor,
        Thread("interest_id", interest.id),
        side,
        body,
        mask=interest.status != InterestStatus.ACCEPTED,
        uploads=uploads,
        storage=storage,
    )
    if not notify_other:
        return message, written
    other = (
        interest.provider.organization if side == Side.ENTERPRISE else interest.demand.organization
    )
    notify_organization(
        session,
        other,
        "message_received",
        f"/interests/{interest.id}",
        interest_id=interest.id,
        demand_id=interest.demand_id,
        title=interest.demand.title,
    )
    return message, written


@dataclass(frozen=True)
class Thread:
    """Which conversation: the column of ``messages`` that names its owner, and the owner's id
    (``interest_id`` or ``common_need_id``)."""

    column: str
    id: int

    @property
    def subject(self) -> str:
        return self.column.removesuffix("_id")

    def of(self, model):
        """The condition "belongs to this conversation" on ``model``'s rows."""
        return getattr(model, self.column) == self.id


def store(
    session: Session,
    actor: User,
    thread: Thread,
    side: str,
    body: Any,
    mask: bool,
    uploads: Iterable[files.Upload] = (),
    storage: files.Storage | None = None,
    organization_id: int | None = None,
) -> tuple[Message, list[str]]:
    """Validate and keep one message of ``thread`` written by ``actor`` (the caller checked
    who writes), contact details masked when ``mask``; its files are counted against the
    writing side's organisation. Audited; the writer has read up to it."""
    data = validate(MessageIn, body)
    text, kinds = data.body, []
    if mask:
        text, kinds = contact_details.mask(text)
    message = Message(
        author_id=actor.id,
        side=side,
        organization_id=organization_id,
        body=text,
        masked=bool(kinds),
        price=data.price,
        timeline_days=data.timeline_days,
        **{thread.column: thread.id},
    )
    session.add(message)
    session.flush()
    written = files.attach_to_message(session, message, list(uploads), storage) if uploads else []
    audit.log_event(
        session,
        actor,
        "message.sent",
        thread.subject,
        thread.id,
        message_id=message.id,
        side=side,
        masked=kinds,
        offer=data.price is not None or data.timeline_days is not None,
    )
    mark_read(session, actor, thread, message.id)
    return message, written


def messages_in(session: Session, thread: Thread) -> list[Message]:
    return list(session.scalars(select(Message).where(thread.of(Message)).order_by(Message.id)))


def _mark_read(session: Session, user: User, interest: Interest, up_to: int) -> None:
    mark_read(session, user, Thread("interest_id", interest.id), up_to)


def mark_read(session: Session, user: User, thread: Thread, up_to: int) -> None:
    """Move the user's read mark forward; its row is made by an insert-or-ignore, so opening
    a conversation in two tabs (or sending from both) at once cannot collide on it."""
    key = {thread.column: thread.id, "user_id": user.id}
    insert_or_ignore(
        session,
        ConversationRead,
        [{**key, "last_read_id": 0, "mailed_up_to": 0}],
        list(key),
    )
    session.execute(
        update(ConversationRead)
        .where(thread.of(ConversationRead), ConversationRead.user_id == user.id)
        .values(
            last_read_id=_at_least(ConversationRead.last_read_id, up_to),
            mailed_up_to=_at_least(ConversationRead.mailed_up_to, up_to),
        )
        .execution_options(synchronize_session="fetch")
    )


def _at_least(column, value: int):
    return case((column < value, value), else_=column)


def unread_counts(session: Session, user: User, interests: Iterable[Interest]) -> dict[int, int]:
    """Messages from the other side that ``user`` has not opened, per interest id."""
    sides = {i.id: side_of(user, i) for i in interests}
    sides = {interest_id: side for interest_id, side in sides.items() if side is not None}
    return unread_in(
        session,
        user,
        "interest_id",
        sides,
        lambda interest_id, side, _organization_id: side == sides[interest_id],
    )


def unread_in(
    session: Session,
    user: User,
    column: str,
    ids: Iterable[int],
    own: Callable[[int, str, int | None], bool],
) -> dict[int, int]:
    """Messages after ``user``'s read mark in each conversation ``column`` = id of ``ids``,
    leaving out those ``own(id, side, organization_id)`` says the reader's own party wrote."""
    ids = list(ids)
    if not ids:
        return {}
    thread_id = getattr(Message, column)
    last_read = (
        select(ConversationRead.last_read_id)
        .where(getattr(ConversationRead, column) == thread_id, ConversationRead.user_id == user.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(thread_id, Message.side, Message.organization_id, func.count(Message.id))
        .where(thread_id.in_(ids), Message.id > func.coalesce(last_read, 0))
        .group_by(thread_id, Message.side, Message.organization_id)
    )
    counts = dict.fromkeys(ids, 0)
    for owner_id, side, organization_id, count in rows:
        if not own(owner_id, side, organization_id):
            counts[owner_id] += count
    return counts


def report(session: Session, actor: User, interest_id: int, body: Any) -> ConversationReport:
    """One side asks the administrators to read the conversation."""
    interest, side = readable(session, actor, interest_id)
    if side is None:
        raise Forbidden(_("只有对话双方可以举报"))
    return file_report(session, actor, Thread("interest_id", interest.id), side, body)


def file_report(
    session: Session, actor: User, thread: Thread, side: str, body: Any
) -> ConversationReport:
    """Keep a participant's report on ``thread`` and tell the administrators."""
    data = validate(ReportIn, body)
    row = ConversationReport(reporter_id=actor.id, reason=data.reason, **{thread.column: thread.id})
    session.add(row)
    session.flush()
    audit.log_event(session, actor, "conversation.reported", thread.subject, thread.id, side=side)
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    notify(session, admins, "conversation_reported", "/admin/reports", **{thread.column: thread.id})
    return row


def open_reports(session: Session, actor: User) -> list[ConversationReport]:
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))
    return list(
        session.scalars(
            select(ConversationReport)
            .where(ConversationReport.closed_at.is_(None))
            .order_by(ConversationReport.created_at)
        )
    )


def attachment(session: Session, actor: User, interest_id: int, attachment_id: int) -> Attachment:
    """A file of a message or of a proposal revision, for those who may read the conversation
    (else NotFound)."""
    interest, _side = readable(session, actor, interest_id)
    return attachment_in(session, Thread("interest_id", interest.id), attachment_id)


def attachment_in(session: Session, thread: Thread, attachment_id: int) -> Attachment:
    """A file of a message of ``thread`` (or of an interest's proposal revision), else
    NotFound; the caller checked who reads the conversation."""
    row = session.get(Attachment, attachment_id)
    owner = None
    if row is not None and row.message_id:
        owner = session.get(Message, row.message_id)
    elif row is not None and row.revision_id:
        owner = session.get(ProposalRevision, row.revision_id)
    if owner is None or getattr(owner, thread.column, None) != thread.id:
        raise NotFound(_("文件不存在"))
    return row


def close_report(session: Session, actor: User, report_id: int) -> ConversationReport:
    """The administrators are done: the conversation is private again."""
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))
    row = session.get(ConversationReport, report_id)
    if row is None or row.closed_at is not None:
        raise NotFound(_("举报不存在或已处理"))
    row.closed_at = utcnow()
    if row.interest_id is not None:
        audit.log_event(session, actor, "conversation.report_closed", "interest", row.interest_id)
    else:
        audit.log_event(
            session, actor, "conversation.report_closed", "common_need", row.common_need_id
        )
    return row
