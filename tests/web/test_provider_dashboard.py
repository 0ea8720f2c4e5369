"""The provider's dashboard: invitations waiting, interests by status, unread messages, what
the profile lacks, recommended leads."""

from __future__ import annotations

from matchmaker.extensions import db
from matchmaker.services import conversations, interests
from matchmaker.services.provider_dashboard import completeness
from tests.web.pages import login, page


def test_dashboard_shows_what_waits_and_what_is_missing(client, auth, make):
    owner = make.enterprise()
    provider = make.provider(description="短")
    profile = provider.organization.provider
    answered = make.demand(owner, title="已回复的需求")
    invited = make.demand(owner, title="邀请您的需求")
    interest = make.interest(provider, answered)
    interests.invite(db.session, owner, invited.id, profile.id)
    interests.invite(db.session, owner, answered.id, profile.id)  # answered already: not waiting
    conversations.post(db.session, owner, interest.id, {"body": "请问何时可以开始？"})
    db.session.commit()

    login(auth, provider)
    html = page(client.get("/provider/dashboard"))
    assert "邀请您的需求" in html
    assert html.count("已回复的需求") == 1  # among the interests, not among the invitations
    assert "1 条未读" in html
    assert "补充案例（已有 0 个，建议至少 3 个）" in html
    assert "提交营业执照等材料，通过平台认证" in html
    gaps = {gap.code for gap in completeness(profile).gaps}
    assert gaps == {
        "description",
        "cases",
        "case_clusters",
        "case_images",
        "certifications",
        "price",
        "team",
        "verified",
    }
    assert f"档案完整度 {completeness(profile).percent}%" in html


def test_recommended_leads_leave_out_answered_demands_and_wait_for_a_public_profile(
    client, auth, make
):
    owner = make.enterprise()
    provider = make.provider()
    fitting = make.demand(owner, title="电动车外观造型设计")
    answered = make.demand(owner, title="已回复的外观设计")
    make.interest(provider, answered)
    login(auth, provider)
    html = page(client.get("/provider/dashboard"))
    recommended = html.split('id="leads-title"')[1]
    assert fitting.title in recommended and answered.title not in recommended
    client.post("/logout")

    provider.email_confirmed_at = None  # nobody confirmed vouches for the profile now
    db.session.commit()
    login(auth, provider)
    recommended = page(client.get("/provider/dashboard")).split('id="leads-title"')[1]
    assert fitting.title not in recommended
    assert "确认邮箱、档案公开后，这里会为您推荐需求。" in recommended


def test_only_providers_have_a_dashboard(client, auth, make):
    login(auth, make.enterprise())
    assert client.get("/provider/dashboard").status_code == 403
