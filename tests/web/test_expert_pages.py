"""Expert pool pages: administrators admit and keep experts; an expert sees their own page
and none of the platform's other records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Expert, ExpertConflict, Role
from matchmaker.services.talent import profiles
from tests.factories import PASSWORD
from tests.web.pages import errors_of, login, page

FORM = {
    "name": "刘工",
    "title": "高级工程师",
    "clusters": ["smart-equipment"],
    "services": ["structural-design"],
    "professional_title": "associate-senior",
    "years_experience": "15",
    "region": "yongchuan",
}


def test_direct_admission_then_sign_in_as_the_expert(client, auth, admin):
    bad = client.post("/admin/experts/new", data={"name": "", "password": "short"})
    assert bad.status_code == 422
    html = page(bad)
    for field in ("name", "email", "password", "clusters", "services"):
        assert errors_of(html, field), field
    made = client.post(
        "/admin/experts/new", data={**FORM, "email": "liu@example.cn", "password": PASSWORD}
    )
    assert made.status_code == 302
    assert "刘工" in page(client.get("/admin/experts"))
    auth.logout()
    signed_in = auth.login("liu@example.cn")
    assert signed_in.headers["Location"].endswith("/expert")
    assert "我的任务" in page(client.get("/expert"))


def test_admission_from_the_talent_card_and_a_conflict(client, admin, make):
    employer = make.enterprise(name="永川精工机械有限公司")
    person = make.designer(name="周敏", employer_id=employer.organization_id)
    profile = profiles.own_profile(db.session, person)
    card = page(client.get(f"/talent/{profile.id}"))
    assert "周敏" in card and f"/admin/experts/from-talent/{profile.id}" in card
    form = page(client.get(f"/admin/experts/from-talent/{profile.id}"))
    assert 'value="周敏"' in form and "永川精工机械有限公司" in form
    admitted = client.post(
        f"/admin/experts/from-talent/{profile.id}", data={**FORM, "name": "周敏"}
    )
    assert admitted.status_code == 302
    expert = db.session.scalar(select(Expert))
    assert expert.user.role == Role.EXPERT and expert.conflicts[0].relation == "employer"

    other = make.provider(name="渝州设计有限公司")
    unknown = client.post(
        f"/admin/experts/{expert.id}/conflicts",
        data={"conflict-organization": "不存在的单位", "conflict-relation": "client"},
    )
    assert unknown.status_code == 422 and errors_of(page(unknown), "conflict-organization")
    added = client.post(
        f"/admin/experts/{expert.id}/conflicts",
        data={"conflict-organization": other.organization.name, "conflict-relation": "partner"},
    )
    assert added.status_code == 302
    assert db.session.scalar(
        select(ExpertConflict).where(ExpertConflict.organization_id == other.organization_id)
    )


@pytest.fixture
def expert_user(make):
    from matchmaker.services import experts

    admin = make.admin()
    body = {**FORM, "years_experience": 15, "email": "exp@example.cn", "password": PASSWORD}
    expert = experts.admit_directly(db.session, admin, body)
    db.session.commit()
    return expert.user


@pytest.mark.parametrize(
    "url",
    [
        "/demands/mine",
        "/demands/leads",
        "/talent-needs",
        "/talent-needs/mine",
        "/talent/openings",
        "/admin",
        "/admin/experts",
        "/statistics",
        "/meetings",
        "/archive",
    ],
)
def test_an_expert_sees_nothing_but_their_own_page(client, auth, expert_user, url):
    login(auth, expert_user)
    assert client.get(url).status_code in (403, 404)
