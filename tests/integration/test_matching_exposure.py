"""Exposure fairness: damped providers come from the database, reading matches writes no index."""

from __future__ import annotations

from sqlalchemy import event, func, select

from matchmaker.extensions import db
from matchmaker.models import IndexOutbox, Recommendation
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


def test_damped_providers_from_one_aggregate(app, make):
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
