"""Registration tells a stranger nothing about who is registered (docs/security.md, P8).

Whatever e-mail, credit code or name is typed, the answer is the same "check your e-mail"
page; only the owner of the address learns more, by e-mail (a real SMTP server on loopback
here). An account signs in once its address is confirmed, and until then a sign-in fails
like a wrong password. A credit code or name already held goes to the administrators as a
claim, which they merge into the holder or reject.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Demand, Notification, Organization, User
from matchmaker.services import demands
from tests.factories import credit_code
from tests.web.pages import CONFIRMED, REGISTRATION, login, page

FORM = REGISTRATION


@pytest.fixture
def sink(mail_sink):
    return mail_sink


def _answer(client, **changes) -> str:
    response = client.post("/register", data={**FORM, **changes})
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    html = page(client.get("/register/sent"))
    return re.sub(r'name="csrf_token"[^>]*>', "", html)


def _link(text: str) -> str:
    return re.search(r"http://localhost(/register/confirm/\S+)", text).group(1)


def test_the_answer_is_the_same_whoever_is_registered(sink, client, make):
    holder = make.enterprise(name="重庆已登记机械有限公司", email="owner@example.cn")
    answers = {
        "new": _answer(client),
        "taken e-mail": _answer(client, email="OWNER@example.cn", credit_code=credit_code(910002)),
        "taken credit code": _answer(
            client, email="x@example.cn", credit_code=holder.organization.credit_code
        ),
        "taken name": _answer(
            client,
            email="y@example.cn",
            credit_code=credit_code(910003),
            organization_name="重庆已登记机械有限公司",
        ),
    }
    assert len(set(answers.values())) == 1, answers.keys()
    assert "请查收邮件" in answers["new"]
    for leak in ("已注册", "重庆已登记机械有限公司", "owner@example.cn"):
        assert leak not in answers["new"]


def test_the_owner_of_the_address_learns_the_rest_by_email(sink, client, make):
    owner = make.enterprise(email="owner@example.cn")
    _answer(client, email="owner@example.cn")
    (notice,) = sink.bodies("owner@example.cn")
    assert "已有账号" in notice and "/login" in notice
    db.session.expire_all()
    assert db.session.get(User, owner.id).organization_id == owner.organization_id
    assert db.session.scalar(select(func.count(User.id))) == 1  # nothing created

    _answer(client)
    (confirmation,) = sink.bodies("zhang@example.cn")
    assert "重庆永川精密机械有限公司" in confirmation
    response = client.get(_link(confirmation))
    assert response.status_code == 302 and response.headers["Location"] == "/demands/mine"
    assert client.get("/account/team").status_code == 200  # signed in
    client.post("/logout")
    response = client.get(_link(confirmation))  # a second time it no longer signs in
    assert response.headers["Location"] == "/login"
    assert client.get("/account/team").status_code == 302


def test_unconfirmed_accounts_fail_to_sign_in_like_a_wrong_password(sink, client):
    _answer(client)
    wrong = page(client.post("/login", data={"email": "nobody@example.cn", "password": "x"}))
    unconfirmed = page(
        client.post("/login", data={"email": "zhang@example.cn", "password": "long-enough-pw"})
    )
    assert "邮箱或密码不正确" in unconfirmed
    assert client.get("/account/team").status_code == 302
    token = client.post(
        "/api/v1/auth/token", json={"email": "zhang@example.cn", "password": "long-enough-pw"}
    )
    assert token.status_code == 401
    assert re.sub(r'value="[^"]*"', "", wrong) == re.sub(r'value="[^"]*"', "", unconfirmed)


def test_a_forged_host_header_cannot_redirect_the_confirmation_link(app, sink, client):
    """Someone registering another person's address with Host: evil.test must not get the
    confirmation link sent to evil.test (and so confirm an account under that address)."""
    app.config.update(SERVER_NAME="mm.example.cn", PREFERRED_URL_SCHEME="https")
    response = client.post("/register", data=FORM, headers={"Host": "evil.test"})
    assert response.status_code == 302
    (body,) = sink.bodies("zhang@example.cn")
    assert "https://mm.example.cn/register/confirm/" in body and "evil.test" not in body


def test_a_forged_or_stale_link_is_refused(client):
    response = client.get("/register/confirm/not-a-real-token")
    assert response.status_code == 404 and "链接无效" in page(response)


def test_a_claimed_credit_code_goes_to_the_administrators(sink, client, auth, make):
    holder = make.enterprise(name="重庆已登记机械有限公司")
    admin = make.admin()
    _answer(client, credit_code=holder.organization.credit_code)
    client.get(_link(sink.bodies("zhang@example.cn")[0]))  # the registrant goes on as usual
    assert client.get("/demands/mine").status_code == 200
    client.post("/logout")
    claimant = db.session.scalar(select(Organization).where(Organization.claim_of_id.is_not(None)))
    assert claimant.claim_of_id == holder.organization_id and claimant.credit_code is None
    assert db.session.scalar(
        select(Notification).where(
            Notification.user_id == admin.id, Notification.kind == "organization_claim"
        )
    )
    login(auth, admin)
    html = page(client.get("/admin/organizations?type=pending"))
    assert "申领待核实" in html and "重庆已登记机械有限公司" in html
    assert "重庆永川精密机械有限公司" in html
    verify = client.post(f"/admin/organizations/{claimant.id}/verify", data=CONFIRMED)
    assert verify.status_code == 409
    asked = client.post(f"/admin/organizations/{claimant.id}/merge")  # asks first, does nothing
    assert asked.status_code == 200 and "合并不能撤销" in page(asked)
    assert db.session.get(Organization, claimant.id) is not None
    response = client.post(f"/admin/organizations/{claimant.id}/merge", data=CONFIRMED)
    assert response.status_code == 302
    # an organisation without a pending claim is not asked about
    not_a_claim = client.post(f"/admin/organizations/{holder.organization_id}/merge")
    assert not_a_claim.status_code == 409
    db.session.expire_all()
    member = db.session.scalar(select(User).where(User.email == "zhang@example.cn"))
    assert member.organization_id == holder.organization_id
    assert db.session.get(Organization, claimant.id) is None


def test_a_rejected_claim_switches_the_accounts_off(sink, client, auth, make):
    holder = make.enterprise(name="重庆已登记机械有限公司")
    admin = make.admin()
    _answer(client, organization_name="重庆已登记机械有限公司")
    client.get(_link(sink.bodies("zhang@example.cn")[0]))
    claimant_user = db.session.scalar(select(User).where(User.email == "zhang@example.cn"))
    demands.create_demand(
        db.session,
        claimant_user,
        {
            "title": "冒名需求",
            "description": "说明",
            "cluster": "nev-ice",
            "services": ["appearance-design"],
            "region": "yongchuan",
        },
        status="draft",
    )
    db.session.commit()
    client.post("/logout")
    login(auth, admin)
    client.post(f"/admin/organizations/{claimant_user.organization_id}/reject", data=CONFIRMED)
    db.session.expire_all()
    assert not db.session.get(User, claimant_user.id).active
    assert db.session.scalar(select(Demand.organization_id)) != holder.organization_id
    auth.logout()
    response = client.post(
        "/login", data={"email": "zhang@example.cn", "password": "long-enough-pw"}
    )
    assert response.status_code == 200 and "邮箱或密码不正确" in page(response)


def test_without_mail_administrators_confirm_the_account(client, auth, make):
    admin = make.admin()
    _answer(client)
    assert "未开通邮件发送" in page(client.get("/register/sent"))
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == admin.id, Notification.kind == "registration_unconfirmed"
        )
    )
    assert note is not None
    user = db.session.scalar(select(User).where(User.email == "zhang@example.cn"))
    login(auth, admin)
    html = page(client.get("/admin/organizations?type=pending"))
    assert "邮箱未确认" in html and "zhang@example.cn" in html
    client.post(f"/admin/organizations/{user.organization_id}/confirm")
    auth.logout()
    response = client.post(
        "/login", data={"email": "zhang@example.cn", "password": "long-enough-pw"}
    )
    assert response.status_code == 302
