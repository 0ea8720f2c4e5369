"""A review that turns public by the passage of time alone (14 days after the deal) changes
the provider's rating: the hourly job notices it, and the provider's new record reaches the
search engine after its commit, without waiting for a reindex."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker.extensions import db
from matchmaker.jobs import tasks
from matchmaker.models import Review, utcnow
from matchmaker.search_engine import get_search
from matchmaker.services import deals, indexing

REVIEW = {"quality": 5, "communication": 4, "timeliness": 3, "text": "方案扎实"}


@pytest.fixture
def delivered(monkeypatch):
    """The provider records handed to the search engine from now on."""
    engine = get_search()
    records: list[dict] = []
    real = engine.index

    def index(kind, batch):
        batch = list(batch)
        records.extend(r for r in batch if kind == "providers")
        return real(kind, batch)

    monkeypatch.setattr(engine, "index", index)
    return records


def test_a_review_public_after_fourteen_days_reaches_the_index(make, delivered):
    owner, provider = make.enterprise(), make.provider()
    interest = make.won_deal(provider, owner, make.demand(owner), 180000, "2027-01-15")
    review_id = deals.write_review(db.session, owner, interest.id, REVIEW).id
    make._commit()
    provider_id = interest.provider_id
    delivered.clear()
    tasks.reveal_public_reviews.call_local()  # one side wrote, the deal is new: not public
    assert db.session.get(Review, review_id).revealed_at is None and delivered == []

    # two weeks later: no request touches the provider, the job does
    interest.won_at = utcnow() - dt.timedelta(days=15)
    make._commit()
    tasks.reveal_public_reviews.call_local()
    db.session.expire_all()
    assert indexing.pending_count(db.session) == 0  # delivered after the job's commit
    (record,) = [r for r in delivered if r["id"] == provider_id]
    assert (record["rating"], record["review_count"]) == (4.0, 1)
    assert db.session.get(Review, review_id).revealed_at is not None

    delivered.clear()
    assert deals.reveal_public_reviews(db.session) == 0  # once only
    db.session.commit()
    assert delivered == []
