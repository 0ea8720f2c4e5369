"""Closing a deal (标记为已成交) and the reviews both sides leave afterwards.

The enterprise marks an accepted interest won with the contract value and start date; the
demand closes as won. Each side then reviews the other once (quality, communication,
timeliness 1–5, and text). A review becomes public when both sides have written theirs or
14 days after the deal, whichever comes first, so that neither side writes in reaction to
the other's. The enterprise's visible reviews make the provider's rating, shown with search
results and on its profile, and handed to the matcher as a signal that does not rank yet.
Anyone signed in may report a review; administrators hide (or show again) reported ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Interest, InterestStatus, Provider, Review, Role, Side, User, utcnow
from ..schemas import Money, Strict, validate
from . import audit
from .conversations import ReportIn, readable, side_of
from .demands import mark_won
from .errors import Conflict, Forbidden, NotFound, field_error
from .indexing import enqueue_provider
from .notifications import notify, notify_organization
from .ratings import public_condition

ASPECTS = ("quality", "communication", "timeliness")

Stars = Annotated[int, Field(ge=1, le=5)]


class DealIn(Strict):
    contract_value: Money
    start_date: dt.date


class ReviewIn(Strict):
    """Body of POST /api/v1/interests/{id}/review."""

    quality: Stars
    communication: Stars
    timeliness: Stars
    text: Annotated[str, Field(max_length=2000)] = ""


def close(session: Session, actor: User, interest_id: int, body: Any) -> Interest:
    """The enterprise (or an administrator) records the deal on an accepted interest."""
    interest = _interest(session, actor, interest_id)
    if not (actor.is_admin or actor.organization_id == interest.demand.organization_id):
        raise Forbidden(_("只有需求方可以标记成交"))
    if interest.status != InterestStatus.ACCEPTED:
        raise Conflict(_("只有已接受的意向可以标记成交"))
    data = validate(DealIn, body)
    mark_won(session, actor, interest.demand_id)
    interest.won_at = utcnow()
    interest.contract_value, interest.start_date = data.contract_value, data.start_date
    audit.log_event(
        session,
        actor,
        "deal.closed",
        "interest",
        interest.id,
        demand_id=interest.demand_id,
        provider_id=interest.provider_id,
        contract_value=data.contract_value,
    )
    notify_organization(
        session,
        interest.provider.organization,
        "deal_closed",
        f"/interests/{interest.id}",
        interest_id=interest.id,
        title=interest.demand.title,
    )
    return interest


def _interest(session: Session, actor: User, interest_id: int) -> Interest:
    """The interest as one of its sides or an administrator sees it (NotFound otherwise)."""
    interest = session.get(Interest, interest_id)
    if interest is None or not (actor.is_admin or side_of(actor, interest)):
        raise NotFound(_("意向不存在"))
    return interest


def write_review(session: Session, actor: User, interest_id: int, body: Any) -> Review:
    """A side reviews the other once the deal is won; a second review by the same side is 409."""
    interest, side = readable(session, actor, interest_id)
    if side is None:
        raise Forbidden(_("只有交易双方可以评价"))
    if interest.won_at is None:
        raise Conflict(_("标记成交后才能评价"))
    data = validate(ReviewIn, body)
    if session.scalar(
        select(Review.id).where(Review.interest_id == interest.id, Review.side == side)
    ):
        raise Conflict(_("您已评价过这次合作"))
    review = Review(
        interest_id=interest.id,
        provider_id=interest.provider_id,
        side=side,
        author_id=actor.id,
        **data.model_dump(),
    )
    session.add(review)
    session.flush()
    enqueue_provider(session, interest.provider)  # its rating may have changed
    audit.log_event(
        session,
        actor,
        "review.written",
        "interest",
        interest.id,
        side=side,
        **{aspect: getattr(data, aspect) for aspect in ASPECTS},
    )
    other = (interest.provider if side == Side.ENTERPRISE else interest.demand).organization
    notify_organization(
        session,
        other,
        "review_received",
        f"/interests/{interest.id}",
        interest_id=interest.id,
        title=interest.demand.title,
    )
    return review


def is_public(session: Session, review: Review, now: dt.datetime | None = None) -> bool:
    return bool(
        session.scalar(
            select(func.count(Review.id)).where(
                Review.id == review.id, public_condition(now or utcnow())
            )
        )
    )


def reveal_public_reviews(session: Session, now: dt.datetime | None = None) -> int:
    """Mark the reviews that turned public since the last run — both sides wrote, or the
    deal is 14 days old, which no request notices — and re-index their providers, so the
    rating in each provider's search record follows after the commit. Returns how many."""
    now = now or utcnow()
    revealed = list(
        session.scalars(select(Review).where(Review.revealed_at.is_(None), public_condition(now)))
    )
    for review in revealed:
        review.revealed_at = now
    for provider_id in sorted({review.provider_id for review in revealed}):
        enqueue_provider(session, session.get(Provider, provider_id))
    return len(revealed)


@dataclass
class ProviderReviews:
    items: list[Review]
    average: dict[str, float]
    count: int


def of_provider(session: Session, provider_id: int) -> ProviderReviews:
    """The enterprises' public reviews of a provider, newest first, with their averages."""
    rows = list(
        session.scalars(
            select(Review)
            .where(
                Review.provider_id == provider_id,
                Review.side == Side.ENTERPRISE,
                public_condition(utcnow()),
            )
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
    )
    average = {
        aspect: round(sum(getattr(r, aspect) for r in rows) / len(rows), 2) if rows else 0.0
        for aspect in ASPECTS
    }
    return ProviderReviews(rows, average, len(rows))


def report_review(session: Session, actor: User, review_id: int, body: Any) -> Review:
    """Anyone signed in who can see a review may ask the administrators to look at it."""
    review = session.get(Review, review_id)
    if review is None or not (is_public(session, review) or side_of(actor, review.interest)):
        raise NotFound(_("评价不存在"))
    data = validate(ReportIn, body)
    review.reported_at, review.report_reason = utcnow(), data.reason
    audit.log_event(session, actor, "review.reported", "review", review.id)
    admins = session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True)))
    notify(session, admins, "review_reported", "/admin/reports", review_id=review.id)
    return review


def reported(session: Session, actor: User) -> list[Review]:
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))
    return list(
        session.scalars(
            select(Review).where(Review.reported_at.is_not(None)).order_by(Review.reported_at)
        )
    )


def set_hidden(
    session: Session, actor: User, review_id: int, hidden: bool, reason: str = ""
) -> Review:
    """An administrator hides a review (with a reason) or shows it again; either settles the
    report."""
    if not actor.is_admin:
        raise Forbidden(_("没有权限执行此操作"))
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(_("评价不存在"))
    if hidden and not reason.strip():
        raise field_error("reason", _("请填写隐藏原因"))
    review.hidden_at = utcnow() if hidden else None
    review.hidden_reason = reason.strip() if hidden else None
    review.reported_at, review.report_reason = None, None
    enqueue_provider(session, review.interest.provider)
    audit.log_event(
        session, actor, "review.hidden" if hidden else "review.shown", "review", review.id
    )
    return review
