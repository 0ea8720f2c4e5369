"""Providers' ratings from the enterprises' public reviews, and when a review is public.

Kept apart from ``deals`` (which closes demands) so that indexing can read ratings without an
import cycle: the rating travels in each provider's search record, where the matcher may use
it as a signal once its effect is measured (it does not rank today).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Interest, Review, Side, utcnow

REVEAL_AFTER = dt.timedelta(days=14)


def public_condition(now: dt.datetime):
    """SQL: a review that is public — not hidden, and both sides reviewed or the deal is
    older than REVEAL_AFTER."""
    return _public(now - REVEAL_AFTER)


def _public(won_before):
    other = aliased(Review)
    both_written = (
        select(other.id)
        .where(other.interest_id == Review.interest_id, other.side != Review.side)
        .exists()
    )
    deal_old = (
        select(Interest.id)
        .where(Interest.id == Review.interest_id, Interest.won_at <= won_before)
        .exists()
    )
    return and_(Review.hidden_at.is_(None), or_(both_written, deal_old))


@cache
def _ratings_statement():
    """Built once: every page of providers asks, and building it cost more than running it."""
    overall = (Review.quality + Review.communication + Review.timeliness) / 3.0
    return (
        select(Review.provider_id, func.avg(overall), func.count(Review.id))
        .where(
            Review.provider_id.in_(bindparam("ids", expanding=True)),
            Review.side == Side.ENTERPRISE,
            _public(bindparam("won_before")),
        )
        .group_by(Review.provider_id)
    )


def ratings(session: Session, provider_ids: Iterable[int]) -> dict[int, tuple[float, int]]:
    """{provider id: (rating 1–5, number of reviews)} from the enterprises' public reviews;
    the rating is the mean of the three aspects. Providers without one are left out."""
    ids = list(provider_ids)
    if not ids:
        return {}
    rows = session.execute(
        _ratings_statement(), {"ids": ids, "won_before": utcnow() - REVEAL_AFTER}
    )
    return {pid: (round(float(avg), 1), count) for pid, avg, count in rows}
