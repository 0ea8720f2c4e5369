"""The verified badge vouches for who an organisation is (docs/security.md, P7).

A provider that changes its name, kind, level or certifications loses the badge until an
administrator checks it again, and each change is in the audit trail. Other edits keep it;
an administrator's own edit keeps it (the administrator is the one who checks).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Organization
from matchmaker.services import accounts
from tests.web.pages import login, page


@pytest.fixture
def verified(make):
    user = make.provider(
        name="山城工业设计有限公司", level="municipal", certifications=["市级工业设计中心"]
    )
    accounts.set_organization_verified(db.session, make.admin(), user.organization_id, True)
    db.session.commit()
    return user


def _events(organization_id: int) -> list[AuditEvent]:
    """The organisation's audit events since it was verified."""
    verified_at = db.session.scalar(
        select(func.max(AuditEvent.id)).where(AuditEvent.action == "organization.verified")
    )
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "organization")
            .where(AuditEvent.subject_id == organization_id, AuditEvent.id > verified_at)
            .order_by(AuditEvent.id)
        )
    )


def _is_verified(organization_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Organization, organization_id).verified


@pytest.mark.parametrize(
    "patch, field, old, new",
    [
        (
            {"name": "重庆长安汽车设计研究院"},
            "name",
            "山城工业设计有限公司",
            "重庆长安汽车设计研究院",
        ),
        ({"kind": "design-institute"}, "kind", "design-firm", "design-institute"),
        ({"level": "national"}, "level", "municipal", "national"),
        (
            {"certifications": ["国家级工业设计中心"]},
            "certifications",
            ["市级工业设计中心"],
            ["国家级工业设计中心"],
        ),
    ],
)
def test_changing_who_it_is_removes_the_badge(api, verified, patch, field, old, new):
    profile = verified.organization.provider
    response = api.patch(f"/providers/{profile.id}", verified, json=patch)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["verified"] is False
    assert not _is_verified(verified.organization_id)
    events = _events(verified.organization_id)
    changed = [e for e in events if e.action == "organization.identity_changed"]
    assert [(e.data["field"], e.data["old"], e.data["new"]) for e in changed] == [(field, old, new)]
    assert events[-1].action == "organization.unverified"
    assert events[-1].data["fields"] == [field] and events[-1].actor_id == verified.id


def test_other_edits_keep_the_badge(api, verified):
    profile = verified.organization.provider
    body = {"description": "新的介绍", "team_size": 40, "services": ["structural-design"]}
    response = api.patch(f"/providers/{profile.id}", verified, json=body)
    assert response.status_code == 200 and response.get_json()["verified"] is True
    actions = {e.action for e in _events(verified.organization_id)}
    assert not actions & {"organization.identity_changed", "organization.unverified"}


def test_an_administrators_edit_keeps_the_badge_and_is_audited(api, make, verified):
    profile = verified.organization.provider
    response = api.patch(f"/providers/{profile.id}", make.admin(), json={"name": "山城设计院"})
    assert response.status_code == 200 and response.get_json()["verified"] is True
    changed = [
        e for e in _events(verified.organization_id) if e.action == "organization.identity_changed"
    ]
    assert [e.data["field"] for e in changed] == ["name"]


def test_the_profile_form_says_so_and_removes_the_badge(client, auth, verified):
    login(auth, verified)
    html = page(client.get("/providers/profile"))
    assert "取消认证" in html  # the form warns before the change
    form = {
        "kind": "design-firm",
        "level": "municipal",
        "region": "yongchuan",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
        "description": "专业工业设计服务",
        "certifications": "市级工业设计中心\n红点奖",
    }
    response = client.post("/providers/profile", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert "重新审核" in page(response)
    assert not _is_verified(verified.organization_id)
