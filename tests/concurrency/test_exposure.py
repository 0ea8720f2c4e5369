"""Concurrent first views of a demand's matches: every read answers, exposure is recorded and
counted once."""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import IndexOutbox, Provider, ProviderExposure, Recommendation
from tests.conftest import at_once

from .conftest import statuses

VIEWERS = 8
DEMANDS = 6


def test_concurrent_first_views_all_answer_and_record_exposure_once(live, make):
    owner = make.enterprise()
    for n in range(8):
        make.provider(name=f"并发设计公司{n}", clusters=["nev-ice"])
    demands = [make.demand(owner, title=f"并发需求{n}") for n in range(DEMANDS)]
    versions = dict(db.session.execute(select(Provider.id, Provider.index_version)).all())
    token = live.token(owner)

    for demand in demands:
        demand_id = demand.id
        responses = at_once(
            [
                lambda d=demand_id: live.api("GET", f"/demands/{d}/matches?limit=10", token)
                for _ in range(VIEWERS)
            ]
        )
        assert statuses(responses) == [200] * VIEWERS
        shown = {item["provider"]["id"] for item in responses[0].json()["items"]}
        assert shown
        db.session.expire_all()
        recorded = list(
            db.session.scalars(
                select(Recommendation.provider_id).where(Recommendation.demand_id == demand_id)
            )
        )
        assert sorted(recorded) == sorted(shown)  # each first showing once, none twice

    # Each provider's count (kept by the database for the damping) is its rows, none twice.
    db.session.expire_all()
    rows = db.session.execute(
        select(Recommendation.provider_id, func.count()).group_by(Recommendation.provider_id)
    ).all()
    counted = db.session.execute(
        select(ProviderExposure.provider_id, ProviderExposure.recommended).where(
            ProviderExposure.recommended > 0
        )
    ).all()
    assert dict(counted) == dict(rows) and sum(dict(rows).values()) >= DEMANDS

    # Reading matches re-indexes nobody: no provider changed, nothing waits in the outbox.
    assert dict(db.session.execute(select(Provider.id, Provider.index_version)).all()) == versions
    assert db.session.scalar(select(func.count(IndexOutbox.id))) == 0
