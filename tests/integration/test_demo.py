"""The demo data set loads through the services into every state, and is searchable."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from matchmaker import create_app
from matchmaker.demo import DEMO_ADMIN, DEMO_PASSWORD, database_is_empty, load_demo
from matchmaker.extensions import db
from matchmaker.models import (
    Accreditation,
    AccreditationRound,
    CommonNeed,
    Demand,
    DiagnosisRequest,
    Expert,
    Guide,
    Interest,
    Meeting,
    Provider,
    ShowcaseEntry,
    TalentContact,
    TalentNeed,
    TalentProfile,
    utcnow,
)
from matchmaker.search_engine import get_search
from matchmaker.services import accounts, indexing
from matchmaker.services.accreditation import recognitions
from matchmaker.services.common_needs import conversation
from matchmaker.services.showcase import gallery
from search import DEMANDS, TALENT, SearchQuery
from tests.conftest import _serving, base_config


@pytest.fixture(scope="module")
def loaded_demo(database_url, tmp_path_factory):
    """The demo, loaded once for the tests below that only read it (loading takes seconds):
    an app of their own, so the tests of other modules never see it."""
    app = create_app(base_config(database_url, tmp_path_factory.mktemp("demo")))
    with _serving(app):
        load_demo(db.session, get_search())
        yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def demo(loaded_demo):
    """The loaded demo; whatever a test leaves unsaved (a read receipt) is rolled back."""
    yield loaded_demo
    db.session.rollback()


def test_demo_covers_every_state_and_is_indexed(app):
    assert database_is_empty(db.session)
    summary = load_demo(db.session, get_search())
    assert not database_is_empty(db.session)
    assert summary["providers"] >= 30 and summary["enterprises"] >= 30 and summary["demands"] >= 60
    assert summary["common_needs"] == 1
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
    guides = [(g.kind, g.status) for g in db.session.scalars(select(Guide).order_by(Guide.id))]
    assert guides == [("design", "published"), ("talent", "published")]
    backend = get_search()
    backend.refresh()
    published = backend.search(SearchQuery(index=DEMANDS, filters={"status": ["published"]}))
    assert published.total == states[("published", None)]
    assert {s.documents for s in backend.status() if s.index == "providers"} == {
        len(db.session.scalars(select(Provider)).all())
    }


def test_demo_has_talent_needs_experts_and_a_completed_visit(demo):
    assert db.session.scalar(select(func.count(TalentProfile.id))) >= 10
    assert db.session.scalar(select(func.count(TalentNeed.id))) >= 5
    experts = list(db.session.scalars(select(Expert)))
    assert (
        len(experts) >= 5
        and any(e.profile_id for e in experts)
        and any(e.conflicts for e in experts)
    )
    done = db.session.scalar(select(DiagnosisRequest).where(DiagnosisRequest.status == "reported"))
    assert done.report.submitted_at is not None and done.visit_at < utcnow()
    drafted = [r.demand for r in done.report.recommendations if r.demand_id]
    assert drafted and drafted[0].status == "draft"
    assert (
        db.session.scalar(
            select(func.count(TalentContact.id)).where(TalentContact.status == "hired")
        )
        == 1
    )
    meeting = db.session.scalar(select(Meeting).where(Meeting.kind == "diagnosis"))
    assert meeting.slots and any(s.organization_id for s in meeting.slots)
    # the pool's cards and the expert pool are in the index
    backend = get_search()
    backend.refresh()
    listed = db.session.scalar(select(func.count(TalentProfile.id)).where(TalentProfile.listed))
    assert backend.search(SearchQuery(index=TALENT)).total == listed


def test_demo_has_an_accreditation_round_in_every_state(demo):
    round_ = db.session.scalar(select(AccreditationRound))
    states = dict(
        db.session.execute(
            select(Accreditation.status, func.count(Accreditation.id))
            .where(Accreditation.round_id == round_.id)
            .group_by(Accreditation.status)
        ).all()
    )
    assert states == {"approved": 1, "in_review": 1, "incomplete": 1}
    approved = db.session.scalar(
        select(Accreditation).where(
            Accreditation.round_id == round_.id, Accreditation.status == "approved"
        )
    )
    assert approved.organization.level == "district" and len(approved.reviews) == 2
    assert round_.rubric is not None and round_.criteria == round_.rubric.criteria
    register = recognitions.register(db.session)
    assert {r.level for r in register} == {"national", "municipal", "district"}


def test_demo_has_a_showcase_year_with_winners(demo):
    winners = gallery.search(db.session)
    assert len(winners) == 2 and all(len(e.images) == 2 for e in winners)
    statuses = Counter(e.status for e in db.session.scalars(select(ShowcaseEntry)))
    assert statuses["winner"] == 2 and statuses["not_selected"] == 2


def test_demo_has_a_common_need_project(demo):
    assert db.session.scalar(select(func.count(CommonNeed.id))) == 1
    need = db.session.scalar(select(CommonNeed))
    assert len(need.members) >= 2 and all(m.status == "joined" for m in need.members)
    assert len({m.organization_id for m in need.members}) == len(need.members)
    assert need.status == "matched" and need.provider is not None
    talk = conversation.read(db.session, need.provider.organization.users[0], need.id)
    assert {m.side for m in talk.messages} == {"admin", "enterprise", "provider"}
