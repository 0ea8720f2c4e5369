"""Admin pages: permissions (who may open them: test_admin_only_pages.py), review queue,
organisation verification, overview."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Notification, Organization
from tests.web.pages import CONFIRMED, errors_of, page


def test_dashboard_counts(client, admin, make):
    owner = make.enterprise()
    make.demand(owner, status="in_review")
    make.demand(owner, status="in_review", title="第二个需求")
    make.provider()
    html = page(client.get("/admin"))
    assert "待审核需求" in html and "待认证单位" in html
    assert '<span class="stat-value">2</span>' in html


def test_review_queue_lists_only_demands_in_review(client, admin, make):
    owner = make.enterprise(name="永川机械厂")
    make.demand(owner, status="in_review", title="电动摩托车外观设计")
    make.demand(owner, status="published", title="已经发布的需求")
    make.demand(owner, status="draft", title="还是草稿的需求")
    html = page(client.get("/admin/review"))
    assert "电动摩托车外观设计" in html and "永川机械厂" in html
    assert "已经发布的需求" not in html and "还是草稿的需求" not in html
    assert "智能网联新能源汽车" in html  # cluster label, not code


def test_review_queue_empty(client, admin):
    assert "没有待审核的需求" in page(client.get("/admin/review"))


def test_approve_publishes_and_notifies(client, admin, make):
    owner = make.enterprise()
    demand = make.demand(owner, status="in_review")
    response = client.post(f"/admin/review/{demand.id}/approve")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/review")
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).status == "published"
    assert (
        db.session.scalar(select(Notification.kind).where(Notification.user_id == owner.id))
        == "demand_approved"
    )
    assert "已通过并发布" in page(client.get("/admin/review"))


def test_reject_requires_reason(client, admin, make):
    owner = make.enterprise()
    demand = make.demand(owner, status="in_review")
    others = [make.demand(owner, status="in_review") for _ in range(2)]
    response = client.post(
        "/admin/review", data={"demand": demand.id, f"d{demand.id}-reason": "  "}
    )
    assert response.status_code == 422
    html = page(response)
    assert errors_of(html, f"d{demand.id}-reason") == ["请填写驳回原因"]
    # the same queue page, its forms posting to it; the failed card's reason has the focus
    # (the browser scrolls to it) and no other card has
    assert 'action="/admin/review"' in html
    assert html.count("autofocus") == 1
    assert re.search(rf'<textarea[^>]*autofocus[^>]*id="d{demand.id}-reason"', html) or re.search(
        rf'<textarea[^>]*id="d{demand.id}-reason"[^>]*autofocus', html
    )
    assert all(f'id="demand-{d.id}"' in html for d in others)
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).status == "in_review"


def test_reject_with_reason_is_shown_to_enterprise(client, auth, admin, make):
    owner = make.enterprise()
    demand = make.demand(owner, status="in_review", title="包装设计")
    response = client.post(
        "/admin/review", data={"demand": demand.id, f"d{demand.id}-reason": "预算范围不清楚"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Demand, demand.id).status == "rejected"
    auth.logout()
    auth.login(owner.email)
    html = page(client.get("/notifications"))
    assert "未通过审核" in html and "预算范围不清楚" in html and "包装设计" in html


def test_approving_twice_is_a_conflict(client, admin, make):
    owner = make.enterprise()
    demand = make.demand(owner, status="in_review")
    client.post(f"/admin/review/{demand.id}/approve")
    response = client.post(f"/admin/review/{demand.id}/approve")
    assert response.status_code == 409


def test_unknown_demand_is_404(client, admin):
    assert client.post("/admin/review/999999/approve").status_code == 404


def test_organisations_filter_by_type(client, admin, make):
    make.enterprise(name="制造甲")
    make.provider(name="设计乙")
    html = page(client.get("/admin/organizations"))
    assert "制造甲" in html and "设计乙" in html
    html = page(client.get("/admin/organizations?type=provider"))
    assert "设计乙" in html and "制造甲" not in html
    html = page(client.get("/admin/organizations?type=enterprise"))
    assert "制造甲" in html and "设计乙" not in html
    html = page(client.get("/admin/organizations?type=bogus"))
    assert "制造甲" in html and "设计乙" in html


def test_verify_and_unverify(client, admin, make):
    user = make.provider(name="设计丙")
    org_id = user.organization_id
    # asked first: what verifying means and whose credit code to check; nothing changes yet
    response = client.post(f"/admin/organizations/{org_id}/verify", data={"type": "provider"})
    assert response.status_code == 200 and "认证“设计丙”？" in page(response)
    assert user.organization.credit_code in page(response) and "匹配推荐中将更靠前" in page(
        response
    )
    assert 'name="confirmed" value="1"' in page(response)
    db.session.expire_all()
    assert not db.session.get(Organization, org_id).verified
    response = client.post(
        f"/admin/organizations/{org_id}/verify", data={"type": "provider", "confirmed": "1"}
    )
    assert response.status_code == 302 and "type=provider" in response.headers["Location"]
    db.session.expire_all()
    org = db.session.get(Organization, org_id)
    assert org.verified and org.verified_at is not None
    html = page(client.get("/admin/organizations?type=unverified"))
    assert ">设计丙</a></strong>" not in html
    assert ">设计丙</a></strong>" in page(client.get("/admin/organizations?type=provider"))
    client.post(f"/admin/organizations/{org_id}/unverify")
    db.session.expire_all()
    assert not db.session.get(Organization, org_id).verified
    actions = set(
        db.session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.subject_id == org_id, AuditEvent.subject_type == "organization"
            )
        )
    )
    assert {"organization.verified", "organization.unverified"} <= actions


def test_verify_unknown_organisation_is_404(client, admin):
    assert client.post("/admin/organizations/999999/verify").status_code == 404
    assert client.post("/admin/organizations/999999/verify", data=CONFIRMED).status_code == 404


def test_organisation_name_is_escaped(client, admin, make):
    make.enterprise(name="<script>alert('x')</script>厂")
    html = page(client.get("/admin/organizations"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;厂" in html


# ---------- the read-only lists behind these pages (services/admin_lists) ----------


@pytest.mark.parametrize("role", ["enterprise", "provider"])
def test_admin_lists_are_for_admins_only(make, role):
    from matchmaker.services import admin_lists
    from matchmaker.services.errors import Forbidden

    user = getattr(make, role)()
    for call in (
        lambda a: admin_lists.review_queue(db.session, a),
        lambda a: admin_lists.organizations(db.session, a),
        lambda a: admin_lists.dashboard_counts(db.session, a),
    ):
        with pytest.raises(Forbidden):
            call(user)
        with pytest.raises(Forbidden):
            call(None)


def test_admin_lists_queue_order_and_organisation_pages(make):
    from matchmaker.services import admin_lists

    admin_user = make.admin()
    owner = make.enterprise(name="制造丁")
    first = make.demand(owner, status="in_review", title="先提交的")
    second = make.demand(owner, status="in_review", title="后提交的")
    make.demand(owner, status="published")
    assert [d.id for d in admin_lists.review_queue(db.session, admin_user)] == [first.id, second.id]
    for n in range(3):
        make.provider(name=f"设计{n}")
    rows, total = admin_lists.organizations(db.session, admin_user, "provider", page=1, per_page=2)
    assert total == 3 and len(rows) == 2 and all(o.type == "provider" for o in rows)
    rows, total = admin_lists.organizations(db.session, admin_user, "provider", page=2, per_page=2)
    assert total == 3 and len(rows) == 1
    assert admin_lists.organizations(db.session, admin_user, "all")[1] == 4
    counts = admin_lists.dashboard_counts(db.session, admin_user)
    assert counts["in_review"] == 2 and counts["published"] == 1
    assert counts["enterprises"] == 1 and counts["providers"] == 3 and counts["unverified"] == 4


def test_organisations_can_be_searched_and_opened(client, admin, make):
    buyer = make.enterprise(name="永川摩托车配件厂")
    make.demand(buyer, title="油箱外观设计")
    designer = make.provider(name="山城工业设计")
    html = page(client.get("/admin/organizations", query_string={"q": "摩托"}))
    assert "永川摩托车配件厂" in html and "山城工业设计" not in html
    assert f'href="/admin/organizations/{buyer.organization_id}"' in html
    code = designer.organization.credit_code
    html = page(client.get("/admin/organizations", query_string={"q": code[-6:]}))
    assert "山城工业设计" in html and "永川摩托车配件厂" not in html
    # LIKE wildcards are taken literally
    assert "共 0 个单位" in page(client.get("/admin/organizations", query_string={"q": "%"}))
    html = page(client.get(f"/admin/organizations/{buyer.organization_id}"))
    assert "永川摩托车配件厂" in html and "油箱外观设计" in html and buyer.email in html
    html = page(client.get(f"/admin/organizations/{designer.organization_id}"))
    provider_id = designer.organization.provider.id
    assert f'href="/providers/{provider_id}"' in html and "data-confirm-title=" in html
    assert client.get("/admin/organizations/999999").status_code == 404
