"""Exposure: the first time a provider is shown for a demand (the funnel's first step).

Recording it must never fail the page or call that shows the match: it is one
insert-or-ignore on the (demand, provider) pair, so concurrent first views cannot collide on
the unique constraint, and it changes no provider (nothing is re-indexed because of a read).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy.orm import Session

from ..models import Recommendation, utcnow
from .insert_or_ignore import insert_or_ignore


class Shown(NamedTuple):
    demand_id: int
    provider_id: int
    rank: int
    score: float


def record(session: Session, shown: Iterable[Shown]) -> None:
    """Remember each first showing; pairs already recorded keep their first rank and score."""
    now = utcnow()
    rows = [{**item._asdict(), "created_at": now} for item in shown]
    if not rows:
        return
    insert_or_ignore(session, Recommendation, rows, ["demand_id", "provider_id"])
