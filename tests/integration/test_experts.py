"""The expert pool: admission from the talent pool or directly, conflicts of interest, what an
expert may see, and suggestions that never include an expert in conflict."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import Role
from matchmaker.search_engine import get_search
from matchmaker.services import accounts, experts
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.services.talent import profiles
from matchmaker.transaction import commit
from tests.conftest import both_search_backends
from tests.factories import PASSWORD

NEED = {
    "title": "数控机床产品线诊断",
    "description": "外观老旧，钣金结构成本高，希望改进外观和结构",
    "specialities": ["appearance-design", "structural-design"],
    "clusters": ["smart-equipment"],
    "region": "yongchuan",
}


def expert_body(**fields) -> dict:
    body = {
        "name": "陈教授",
        "title": "教授级高级工程师",
        "affiliation": "重庆某大学",
        "clusters": ["smart-equipment"],
        "services": ["appearance-design", "structural-design"],
        "professional_title": "senior",
        "years_experience": 20,
        "region": "yongchuan",
        "bio": "装备外观与结构设计评审",
    }
    body.update(fields)
    return body


def test_admission_from_the_pool_keeps_the_profile_and_records_the_employer(make):
    admin = make.admin()
    employer = make.provider(name="渝西设计有限公司")
    person = make.designer(employer_id=employer.organization_id, professional_title="senior")
    profile = profiles.own_profile(db.session, person)
    start = experts.admission_from_pool(db.session, admin, profile.id)
    assert start["affiliation"] == "渝西设计有限公司" and start["services"] == profile.specialities

    expert = experts.admit_from_pool(db.session, admin, profile.id, {"title": "高级工业设计师"})
    commit()
    assert person.role == Role.EXPERT and expert.user is person and expert.profile is profile
    assert [(c.organization_id, c.relation) for c in expert.conflicts] == [
        (employer.organization_id, "employer")
    ]
    assert profiles.own_profile(db.session, person) is profile  # the profile is still theirs
    with pytest.raises(Conflict):
        experts.admit_from_pool(db.session, admin, profile.id, {})
    db.session.rollback()
    with pytest.raises(Forbidden):
        experts.admit_from_pool(db.session, make.enterprise(), profile.id, {})


def test_direct_admission_creates_an_expert_account(make):
    admin = make.admin()
    expert = experts.admit_directly(
        db.session, admin, expert_body(email="chen@example.cn", password=PASSWORD)
    )
    commit()
    signed_in = accounts.authenticate(db.session, "chen@example.cn", PASSWORD)
    assert signed_in is expert.user and signed_in.role == Role.EXPERT
    assert signed_in.organization_id is None
    with pytest.raises(ValidationFailed) as bad:
        experts.admit_directly(
            db.session, admin, expert_body(email="not-an-address", password="short", clusters=[])
        )
    assert {"email", "password", "clusters"} <= set(bad.value.fields)


def test_an_expert_sees_their_own_record_only(make):
    admin = make.admin()
    one = experts.admit_directly(db.session, admin, expert_body(email="a@x.cn", password=PASSWORD))
    two = experts.admit_directly(db.session, admin, expert_body(email="b@x.cn", password=PASSWORD))
    commit()
    assert experts.get_expert(db.session, one.user, one.id) is one
    with pytest.raises(NotFound):
        experts.get_expert(db.session, one.user, two.id)
    with pytest.raises(NotFound):
        experts.get_expert(db.session, make.enterprise(), one.id)
    with pytest.raises(Forbidden):
        experts.list_experts(db.session, one.user)
    with pytest.raises(Forbidden):
        experts.update_expert(db.session, one.user, one.id, {"title": "自封"})


@both_search_backends
def test_suggestions_never_include_an_expert_in_conflict(app_config, make):
    admin = make.admin()
    factory = make.enterprise(name="永川数控机床有限公司")
    other = make.enterprise(name="璧山农机有限公司")
    close = experts.admit_directly(
        db.session, admin, expert_body(name="甲", email="jia@x.cn", password=PASSWORD)
    )
    free = experts.admit_directly(
        db.session, admin, expert_body(name="乙", email="yi@x.cn", password=PASSWORD)
    )
    retired = experts.admit_directly(
        db.session, admin, expert_body(name="丙", email="bing@x.cn", password=PASSWORD)
    )
    commit()
    experts.add_conflict(
        db.session,
        admin,
        close.id,
        {"organization_id": factory.organization_id, "relation": "client"},
    )
    experts.set_active(db.session, admin, retired.id, False)
    commit()
    get_search().refresh()

    for_factory = experts.suggest(db.session, get_search(), NEED, factory.organization_id)
    assert [m.record.id for m in for_factory] == [free.id]
    assert {r.code for r in for_factory[0].hit.reasons} >= {"speciality", "cluster"}
    for_other = experts.suggest(db.session, get_search(), NEED, other.organization_id)
    assert sorted(m.record.id for m in for_other) == sorted([close.id, free.id])
    assert not accounts.authenticate(db.session, "bing@x.cn", PASSWORD)  # retired: no sign-in
    with pytest.raises(Conflict):
        experts.add_conflict(
            db.session,
            admin,
            close.id,
            {"organization_id": factory.organization_id, "relation": "partner"},
        )
