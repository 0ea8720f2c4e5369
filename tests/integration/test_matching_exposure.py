"""Exposure fairness: damped providers come from counts the database keeps per provider, and
reading matches writes no index."""

from __future__ import annotations

from sqlalchemy import delete, event, func, select, update

from matchmaker.extensions import db
from matchmaker.models import Demand, IndexOutbox, Interest, ProviderExposure, Recommendation
from matchmaker.search_engine import get_search
from matchmaker.services import matching
from matchmaker.transaction import commit
from search.scoring import DAMPING


def _shown(provider_id: int, demands: list) -> None:
    for n, demand in enumerate(demands, start=1):
        db.session.add(
            Recommendation(demand_id=demand.id, provider_id=provider_id, rank=n, score=0.5)
        )
    db.session.commit()


def test_damped_providers_from_the_kept_counts(app, make):
    owner = make.enterprise()
    silent = make.provider_profile(make.provider())
    answering = make.provider_profile(make.provider())
    new = make.provider_profile(make.provider())
    few = make.provider_profile(make.provider())
    needs = [make.demand(owner, title=f"需求{i}") for i in range(20)]
    _shown(silent.id, needs)  # 20 shown, 1 answer: 5 %
    _shown(answering.id, needs)  # 20 shown, 2 answers: 10 %
    _shown(few.id, needs[:19])  # 19 shown, never answers: too few to judge
    make.interest(silent.organization.users[0], needs[0])
    for demand in needs[:2]:
        make.interest(answering.organization.users[0], demand)
    assert matching.damped_providers(db.session) == {silent.id}
    assert new.id not in matching.damped_providers(db.session)


def test_a_damped_provider_ranks_lower_and_reading_writes_no_index(app, make):
    owner = make.enterprise()
    providers = [make.provider_profile(make.provider()) for _ in range(2)]
    demand = make.demand(owner)
    needs = [make.demand(owner, title=f"其他需求{i}") for i in range(20)]
    backend = get_search(app)
    backend.refresh()
    shown = matching.recommended_providers(
        db.session, backend, owner, demand.id, record_exposure=False
    )
    before = {m.record.id: m.hit.score for m in shown}
    assert before[providers[0].id] == before[providers[1].id]
    _shown(providers[0].id, needs)
    outbox = db.session.scalar(select(func.count(IndexOutbox.id)))
    after = {
        m.record.id: m.hit.score
        for m in matching.recommended_providers(db.session, backend, owner, demand.id)
    }
    commit()
    assert after[providers[0].id] == round(DAMPING * before[providers[0].id], 6)
    assert after[providers[1].id] == before[providers[1].id]
    # Exposure was recorded for this demand, and nothing was queued for the index.
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == outbox
    recorded = select(func.count(Recommendation.id)).where(Recommendation.demand_id == demand.id)
    assert db.session.scalar(recorded) == 2


def test_a_second_reading_writes_nothing_and_keeps_the_first_rank(app, make):
    owner = make.enterprise()
    providers = [make.provider_profile(make.provider()) for _ in range(3)]
    demand = make.demand(owner)
    backend = get_search(app)
    backend.refresh()
    first = matching.recommended_providers(db.session, backend, owner, demand.id)
    commit()
    assert {m.record.id for m in first} == {p.id for p in providers}
    ranks = dict(
        db.session.execute(
            select(Recommendation.provider_id, Recommendation.rank).where(
                Recommendation.demand_id == demand.id
            )
        ).all()
    )
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        again = matching.recommended_providers(db.session, backend, owner, demand.id)
        commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert [m.record.id for m in again] == [m.record.id for m in first]
    # Everything shown was recorded already: no INSERT, so no write lock is taken.
    assert statements and not [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    after = select(Recommendation.provider_id, Recommendation.rank).where(
        Recommendation.demand_id == demand.id
    )
    assert dict(db.session.execute(after).all()) == ranks


def _counted() -> dict[int, tuple[int, int]]:
    """What the database's counts say, per provider with anything counted."""
    db.session.expire_all()
    return {
        row.provider_id: (row.recommended, row.answered)
        for row in db.session.scalars(select(ProviderExposure))
        if row.recommended or row.answered
    }


def _counted_from_rows() -> dict[int, tuple[int, int]]:
    """The same counts taken from the rows themselves."""
    shown = dict(
        db.session.execute(
            select(Recommendation.provider_id, func.count()).group_by(Recommendation.provider_id)
        ).all()
    )
    answered = dict(
        db.session.execute(
            select(Interest.provider_id, func.count()).group_by(Interest.provider_id)
        ).all()
    )
    return {p: (shown.get(p, 0), answered.get(p, 0)) for p in shown.keys() | answered.keys()}


def test_the_counts_follow_every_row_in_and_out(app, make):
    owner = make.enterprise()
    first, second = (make.provider_profile(make.provider()) for _ in range(2))
    needs = [make.demand(owner, title=f"计数需求{i}") for i in range(4)]
    _shown(first.id, needs)
    _shown(second.id, needs[:2])
    make.interest(first.organization.users[0], needs[0])
    make.interest(second.organization.users[0], needs[1])
    assert _counted() == {first.id: (4, 1), second.id: (2, 1)}
    # An interest withdrawn from the table, a demand deleted (its interests go with it, and on
    # PostgreSQL its recommendations too), a recommendation moved to another provider.
    db.session.execute(delete(Interest).where(Interest.provider_id == first.id))
    db.session.delete(db.session.get(Demand, needs[1].id))
    db.session.execute(
        update(Recommendation)
        .where(Recommendation.demand_id == needs[3].id, Recommendation.provider_id == first.id)
        .values(provider_id=second.id)
    )
    db.session.commit()
    assert _counted() == _counted_from_rows()
    assert _counted()[first.id][1] == 0


def test_damping_applies_from_the_twentieth_showing_not_before(app, make):
    owner = make.enterprise()
    silent = make.provider_profile(make.provider())
    demand = make.demand(owner)
    needs = [make.demand(owner, title=f"其他需求{i}") for i in range(19)]
    backend = get_search(app)
    backend.refresh()
    _shown(silent.id, needs)
    assert matching.damped_providers(db.session) == set()
    # The 20th first showing, recorded by reading matches, counts at the next reading.
    matching.recommended_providers(db.session, backend, owner, demand.id)
    commit()
    assert _counted()[silent.id] == (20, 0)
    assert matching.damped_providers(db.session) == {silent.id}
    make.interest(silent.organization.users[0], needs[0])
    assert matching.damped_providers(db.session) == {silent.id}  # 1 in 20: 5 %
    make.interest(silent.organization.users[0], needs[1])
    assert matching.damped_providers(db.session) == set()  # 2 in 20: 10 %
