"""Talent and diagnosis statistics from the audit trail, against values counted by hand."""

from __future__ import annotations

import datetime as dt

from matchmaker import china_time
from matchmaker.china_time import to_local
from matchmaker.extensions import db
from matchmaker.models import utcnow
from matchmaker.services import demands, experts, interests, statistics, statistics_talent
from matchmaker.services.diagnosis import arrangements, reports, requests
from matchmaker.services.talent import contacts, profiles
from matchmaker.transaction import commit
from tests.factories import PASSWORD

S, A = "structural-design", "appearance-design"


def _talent(make):
    """Needs: N1 (S, smart-equipment, 2 places), N2 (A, nev-ice, 1 place); people joined:
    P1 (S), P2 (S, A), P3 (A); one contact about N1, accepted, hired."""
    owner = make.enterprise()
    n1 = make.talent_need(owner, specialities=[S], clusters=["smart-equipment"], headcount=2)
    make.talent_need(owner, specialities=[A], clusters=["nev-ice"], region="jiulongpo")
    p1 = make.designer(specialities=[S])
    make.designer(specialities=[S, A])
    make.designer(specialities=[A], clusters=["nev-ice"])
    profile = profiles.own_profile(db.session, p1)
    contact = contacts.send(db.session, owner, profile.id, {"need_id": n1.id, "message": "你好"})
    contacts.accept(db.session, p1, contact.id)
    contacts.hire(db.session, owner, contact.id)
    commit()


def _diagnosis(make):
    """Two requests (one proposed by an administrator); one visit reported with two
    recommendations; one turned into a demand, which is then won."""
    admin = make.admin()
    factory = make.enterprise()
    expert = experts.admit_directly(
        db.session,
        admin,
        {
            "name": "专家",
            "email": "e@x.cn",
            "password": PASSWORD,
            "clusters": ["smart-equipment"],
            "services": [S],
        },
    )
    body = {"product_line": "机床", "problems": "外观差", "cluster": "smart-equipment"}
    request = requests.create_request(db.session, factory, body)
    requests.create_request(db.session, admin, {**body, "organization_id": factory.organization_id})
    arrangements.assign_expert(db.session, admin, request.id, expert.id)
    when = to_local(utcnow()) + dt.timedelta(days=2)
    arrangements.schedule(
        db.session, admin, request.id, {"visit_at": when.isoformat(), "place": "厂"}
    )
    report = reports.file_report(
        db.session,
        expert.user,
        request.id,
        {
            "summary": "需改型",
            "findings": "结构复杂",
            "recommendations": [
                {"service": S, "title": "结构优化", "budget_min": 100000, "budget_max": 200000},
                {"service": A, "title": "外观改型"},
            ],
            "submit": True,
        },
    )
    commit()
    demand = reports.draft_demand(db.session, factory, report.recommendations[0].id)
    commit()
    demands.submit(db.session, factory, demand.id)
    demands.approve(db.session, admin, demand.id)
    commit()
    interest = make.interest(make.provider(), demand)
    interests.accept(db.session, factory, interest.id)
    demands.mark_won(db.session, factory, demand.id)
    commit()


def test_talent_and_diagnosis_figures(make):
    _talent(make)
    _diagnosis(make)
    figures = statistics_talent.compute(db.session, statistics.default_filters())
    talent = figures.talent
    assert (talent.needs_posted, talent.places_posted) == (2, 3)
    assert (talent.contacts, talent.accepted, talent.placements) == (1, 1, 1)
    assert talent.people_joined == 3
    rows = {r.code: (r.places, r.people, r.placements, r.shortfall) for r in talent.by_speciality}
    # S: 2 places, people P1 and P2, one hire; A: 1 place, people P2 and P3
    assert rows == {S: (2, 2, 1, 0), A: (1, 2, 0, -1)}
    assert [r.code for r in talent.by_speciality] == [S, A]

    diagnosis = figures.diagnosis
    assert (diagnosis.requests, diagnosis.proposed) == (2, 1)
    assert (diagnosis.visits, diagnosis.recommendations) == (1, 2)
    assert (diagnosis.drafted, diagnosis.won) == (1, 1)
    assert diagnosis.adoption == 0.5


def test_filters_follow_the_need_and_the_request(make):
    _talent(make)
    _diagnosis(make)
    today = china_time.today()
    in_nev = statistics.make_filters(today, today, cluster="nev-ice")
    figures = statistics_talent.compute(db.session, in_nev)
    # N2 only; P3 only joined with nev-ice; no request in nev-ice
    assert (figures.talent.needs_posted, figures.talent.places_posted) == (1, 1)
    assert figures.talent.people_joined == 1 and figures.talent.placements == 0
    assert figures.diagnosis.requests == 0 and figures.diagnosis.won == 0
    last_year = statistics.make_filters(
        today - dt.timedelta(days=400), today - dt.timedelta(days=300)
    )
    empty = statistics_talent.compute(db.session, last_year)
    assert empty.talent.needs_posted == 0 and empty.diagnosis.requests == 0
