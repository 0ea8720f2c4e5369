"""Exposure: the first time a provider is shown for a demand (the funnel's first step).

Recording it must never fail the page or call that shows the match: it is one
insert-or-ignore on the (demand, provider) pair, so concurrent first views cannot collide on
the unique constraint, and it changes no provider (nothing is re-indexed because of a read).
Pairs already recorded are looked up first and not written again: most readings of matches
show nothing new, and on SQLite every write, even one that inserts nothing, takes the
database's single write lock that all workers queue for.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from ..models import Recommendation, utcnow
from .insert_or_ignore import insert_or_ignore


class Shown(NamedTuple):
    demand_id: int
    provider_id: int
    rank: int
    score: float


@cache
def _recorded_statement() -> Select:
    """The pairs among these demands and providers recorded already; built once per process
    (the ids are parameters), as every reading of matches asks."""
    return select(Recommendation.demand_id, Recommendation.provider_id).where(
        Recommendation.demand_id.in_(bindparam("demands", expanding=True)),
        Recommendation.provider_id.in_(bindparam("providers", expanding=True)),
    )


def record(session: Session, shown: Iterable[Shown]) -> None:
    """Remember each first showing; pairs already recorded keep their first rank and score."""
    shown = list(shown)
    if not shown:
        return
    recorded = set(
        session.execute(
            _recorded_statement(),
            {
                "demands": sorted({item.demand_id for item in shown}),
                "providers": sorted({item.provider_id for item in shown}),
            },
        ).tuples()
    )
    now = utcnow()
    # In provider order: each new row adds one to its provider's count (``ProviderExposure``,
    # a trigger), which locks that count until commit; two first views taking those locks in
    # the same order wait for each other instead of deadlocking on PostgreSQL.
    rows = [
        {**item._asdict(), "created_at": now}
        for item in sorted(shown, key=lambda item: (item.provider_id, item.demand_id))
        if (item.demand_id, item.provider_id) not in recorded
    ]
    if not rows:
        return
    insert_or_ignore(session, Recommendation, rows, ["demand_id", "provider_id"])
