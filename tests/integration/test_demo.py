"""The demo data set loads through the services into every state, and is searchable."""

from collections import Counter

from sqlalchemy import select

from matchmaker.demo import DEMO_ADMIN, DEMO_PASSWORD, database_is_empty, load_demo
from matchmaker.extensions import db
from matchmaker.models import Demand, Guide, Interest, Provider
from matchmaker.search_engine import get_search
from matchmaker.services import accounts, indexing
from search import DEMANDS, SearchQuery


def test_demo_covers_every_state_and_is_indexed(app):
    assert database_is_empty(db.session)
    summary = load_demo(db.session, get_search())
    assert not database_is_empty(db.session)
    assert summary["providers"] >= 30 and summary["enterprises"] >= 30 and summary["demands"] >= 60
    states = Counter((d.status, d.close_reason) for d in db.session.scalars(select(Demand)))
    for state in [
        ("draft", None),
        ("in_review", None),
        ("rejected", None),
        ("published", None),
        ("in_negotiation", None),
        ("closed", "won"),
        ("closed", "withdrawn"),
        ("closed", "expired"),
    ]:
        assert states[state] > 0, state
    assert Counter(i.status for i in db.session.scalars(select(Interest)))["accepted"] > 0
    assert accounts.authenticate(db.session, DEMO_ADMIN, DEMO_PASSWORD) is not None
    assert indexing.pending_count(db.session) == 0
    assert [g.status for g in db.session.scalars(select(Guide))] == ["published"]
    backend = get_search()
    backend.refresh()
    published = backend.search(SearchQuery(index=DEMANDS, filters={"status": ["published"]}))
    assert published.total == states[("published", None)]
    assert {s.documents for s in backend.status() if s.index == "providers"} == {
        len(db.session.scalars(select(Provider)).all())
    }
