"""Registration tells a stranger nothing about who is registered (docs/security.md, P8).

Whatever e-mail, credit code or name is typed, the answer is the same "check your e-mail"
page, and the registrant is signed in to a new account waiting for its confirmation; only
the owner of the address learns more, by e-mail (a real SMTP server on loopback here). An
account registered over a taken address signs in and drafts like any other but is never
confirmed, and is closed after a week. A credit code or name already held goes to the
administrators as a claim, which they merge into the holder or reject.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Demand, Notification, Organization, User, utcnow
from matchmaker.services import accounts, demands, registration
from tests.factories import PASSWORD, credit_code
from tests.web.pages import CONFIRMED, REGISTRATION, login, page

FORM = REGISTRATION
DESIGNER_OVER_TAKEN = {
    "email": "owner@example.cn",
    "password": "long-enough-pw",
    "confirm": "long-enough-pw",
    "name": "钱多多",
    "phone": "13912345678",
}


@pytest.fixture
def sink(mail_sink):
    return mail_sink


def _answer(client, **changes) -> str:
    response = client.post("/register", data={**FORM, **changes})
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    html = page(client.get("/register/sent"))
    return re.sub(r'name="(csrf_token|next)"[^>]*>', "", html)


def _link(text: str) -> str:
    return re.search(r"http://localhost(/register/confirm/\S+)", text).group(1)


def _outside_view(app, **changes) -> tuple:
    """What a stranger sees of one registration from a fresh browser: the answer's status,
    headers (cookie names and attributes, not their random values) and the page it leads
    to, with what the registrant typed taken out."""
    client = app.test_client()
    data = {**FORM, **changes}
    response = client.post("/register", data=data)
    cookies = sorted(
        re.sub(r"^([^=]+)=[^;]*", r"\1", value) for value in response.headers.getlist("Set-Cookie")
    )
    headers = sorted(
        (name, value)
        for name, value in response.headers.items()
        if name not in ("Set-Cookie", "X-Request-ID", "Date")
    )
    typed = (data["email"].lower(), data["organization_name"], data["contact_name"])

    def seen(path: str) -> str:
        html = re.sub(r'name="(csrf_token|next)"[^>]*>', "", page(client.get(path)))
        for text in typed:
            html = html.replace(text, "TYPED")
        return html

    # the answer, and what the new account may do next
    return (
        response.status_code,
        headers,
        cookies,
        seen(response.headers["Location"]),
        seen("/demands/mine"),
    )


def test_the_answer_is_the_same_whoever_is_registered(app, sink, make):
    """Status, headers, cookies, the page and what the signed-in registrant may do next are
    the same for a free address, a taken one, a taken credit code and a taken name."""
    holder = make.enterprise(name="重庆已登记机械有限公司", email="owner@example.cn")
    views = {
        "new": _outside_view(app),
        "taken e-mail": _outside_view(
            app, email="OWNER@example.cn", credit_code=credit_code(910002)
        ),
        "taken credit code": _outside_view(
            app, email="x@example.cn", credit_code=holder.organization.credit_code
        ),
        "taken name": _outside_view(
            app,
            email="y@example.cn",
            credit_code=credit_code(910003),
            organization_name="重庆已登记机械有限公司",
        ),
    }
    first = views["new"]
    for case, view in views.items():
        assert view[:3] == first[:3], case
        assert view[3] == first[3], case
        assert view[4] == first[4], case
    assert "请查收邮件" in first[3] and "您已登录" in first[3]
    for leak in ("已注册", "owner@example.cn"):
        assert leak not in first[3] and leak not in first[4]


def test_the_owner_of_the_address_learns_the_rest_by_email(sink, client, make):
    owner = make.enterprise(email="owner@example.cn")
    _answer(client, email="owner@example.cn")
    (notice,) = sink.bodies("owner@example.cn")
    assert "已有账号" in notice and "/login" in notice and "/register/confirm/" not in notice
    db.session.expire_all()
    assert db.session.get(User, owner.id).organization_id == owner.organization_id
    client.post("/logout")

    _answer(client)
    (confirmation,) = sink.bodies("zhang@example.cn")
    assert "重庆永川精密机械有限公司" in confirmation
    client.post("/logout")
    response = client.get(_link(confirmation))
    assert response.status_code == 302 and response.headers["Location"] == "/demands/mine"
    assert client.get("/account/team").status_code == 200  # signed in
    client.post("/logout")
    response = client.get(_link(confirmation))  # a second time it no longer signs in
    assert response.headers["Location"] == "/login"
    assert client.get("/account/team").status_code == 302


def _sign_in(client, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password})


def test_registering_then_signing_in_works_alike_for_a_free_and_a_taken_address(app, sink, make):
    """Register-then-sign-in cannot tell a taken address from a free one: both sign in,
    page and API, into the account just registered, which waits for its confirmation.
    The owner of the taken address still signs in to their own account."""
    owner = make.enterprise(name="重庆已登记机械有限公司", email="owner@example.cn")
    for email in ("owner@example.cn", "fresh@example.cn"):
        browser = app.test_client()
        _answer(browser, email=email, credit_code=credit_code(920000 + len(email)))
        browser.post("/logout")
        response = _sign_in(browser, email.upper(), "long-enough-pw")
        assert response.status_code == 302 and response.headers["Location"] == "/demands/mine"
        html = page(browser.get("/demands/mine"))
        assert "重庆永川精密机械有限公司" in html and "重庆已登记机械有限公司" not in html
        assert 'id="unconfirmed"' in html and "重新发送确认邮件" in html
        token = browser.post(
            "/api/v1/auth/token", json={"email": email, "password": "long-enough-pw"}
        )
        assert token.status_code == 200
    owners_browser = app.test_client()
    assert _sign_in(owners_browser, "owner@example.cn", PASSWORD).status_code == 302
    html = page(owners_browser.get("/demands/mine"))
    assert "重庆已登记机械有限公司" in html and 'id="unconfirmed"' not in html
    assert owner.email_confirmed_at is not None


def test_a_failed_sign_in_costs_the_same_whatever_accounts_the_address_has(
    monkeypatch, sink, client, make
):
    """Timing cannot tell either: a wrong password is checked against the same number of
    hashes (real or dummy) whether the address has no account, a confirmed one, or a
    confirmed one and registrations waiting beside it."""
    checks = []
    real = accounts._password_matches
    monkeypatch.setattr(accounts, "_password_matches", lambda h, p: checks.append(1) or real(h, p))

    def cost(email: str) -> int:
        checks.clear()
        assert accounts.authenticate(db.session, email, "wrong-password-1") is None
        return len(checks)

    nobody = cost("nobody@example.cn")
    make.enterprise(email="owner@example.cn")
    assert cost("owner@example.cn") == nobody
    for n in range(3):
        _answer(client, email="owner@example.cn", credit_code=credit_code(930000 + n))
        client.post("/logout")
        assert cost("owner@example.cn") == nobody
    _answer(client, email="waiting@example.cn", credit_code=credit_code(930009))
    assert cost("waiting@example.cn") == nobody == 1 + accounts.PENDING_SIGN_INS


def test_an_account_over_a_taken_address_is_never_confirmed(sink, client, auth, make):
    owner = make.enterprise(email="owner@example.cn")
    admin = make.admin()
    _answer(client, email="owner@example.cn")
    shadow = db.session.scalar(
        select(User).where(User.email == "owner@example.cn", User.id != owner.id)
    )
    assert shadow.email_confirmed_at is None
    # the banner's button sends nothing: the owner was told once
    sink.messages.clear()
    response = client.post(
        "/account/confirmation/resend", data={"next": "/demands/mine"}, follow_redirects=True
    )
    assert response.status_code == 200 and "确认邮件已发送" in page(response)
    assert sink.bodies("owner@example.cn") == []
    # a password reset of the address is the owner's, and confirms nobody else
    client.post("/logout")
    client.post("/password/forgot", data={"email": "owner@example.cn"})
    (reset_mail,) = sink.bodies("owner@example.cn")
    token = re.search(r"/password/reset/(\S+)", reset_mail).group(1)
    from matchmaker.services import password_reset

    assert password_reset.user_for(db.session, token, client.application.secret_key, 60).id == (
        owner.id
    )
    # an administrator cannot confirm it either
    login(auth, admin)
    client.post(f"/admin/organizations/{shadow.organization_id}/confirm")
    db.session.expire_all()
    assert db.session.get(User, shadow.id).email_confirmed_at is None


def test_confirming_an_unconfirmable_account_says_why_and_changes_nothing(client, auth, make, app):
    """The administrators' 确认账号 button on a registration over a taken address (an
    organisation's, or an individual designer's) says why it cannot be, and changes nothing;
    with one confirmable account beside it, that one is confirmed and the other named."""
    owner = make.enterprise(email="owner@example.cn")
    admin = make.admin()
    _answer(client, email="owner@example.cn")
    shadow = db.session.scalar(
        select(User).where(User.email == "owner@example.cn", User.id != owner.id)
    )
    client.post("/logout")
    assert client.post("/register/designer", data=DESIGNER_OVER_TAKEN).status_code == 302
    designer = db.session.scalar(
        select(User).where(User.email == "owner@example.cn", User.role == "designer")
    )
    client.post("/logout")
    events = db.session.scalar(select(func.count(AuditEvent.id)))
    login(auth, admin)
    organization_id = shadow.organization_id
    listed = page(client.get("/admin/organizations?type=pending"))
    assert f"/admin/organizations/{organization_id}/confirm" in listed
    response = client.post(
        f"/admin/organizations/{organization_id}/confirm",
        data={"type": "pending"},
        follow_redirects=True,
    )
    html = page(response)
    assert response.status_code == 200 and "已确认 " not in html
    assert "不能确认 owner@example.cn：该邮箱已属于另一个已确认的账号" in html
    assert "7 天后自动关闭" in html
    response = client.post(f"/admin/designers/{designer.id}/confirm", follow_redirects=True)
    html = page(response)
    assert response.status_code == 200 and "不能确认 owner@example.cn" in html
    db.session.expire_all()
    assert db.session.get(User, shadow.id).email_confirmed_at is None
    assert db.session.get(User, designer.id).email_confirmed_at is None
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events  # nothing happened

    # a colleague of the organisation with a free address is confirmed, the other named
    colleague = accounts.new_account(
        db.session, "colleague@example.cn", PASSWORD, "enterprise", "李", None
    )
    colleague.organization_id = organization_id
    db.session.commit()
    html = page(
        client.post(f"/admin/organizations/{organization_id}/confirm", follow_redirects=True)
    )
    assert "已确认 1 个账号" in html and "owner@example.cn 不能确认" in html
    db.session.expire_all()
    assert db.session.get(User, colleague.id).email_confirmed_at is not None
    assert db.session.get(User, shadow.id).email_confirmed_at is None
    # nobody is left waiting who could be confirmed: the button says so too
    html = page(
        client.post(f"/admin/organizations/{organization_id}/confirm", follow_redirects=True)
    )
    assert "不能确认 owner@example.cn" in html


def test_two_registrations_of_a_free_address_the_first_link_opened_wins(sink, app):
    first, second = app.test_client(), app.test_client()
    _answer(first, credit_code=credit_code(940001))
    _answer(second, credit_code=credit_code(940002), organization_name="另一家机械有限公司")
    link_a, link_b = (_link(body) for body in sink.bodies("zhang@example.cn"))
    assert first.get(link_b).status_code == 302
    assert second.get(link_a).status_code == 404  # the address is taken now
    confirmed = db.session.scalars(
        select(User).where(User.email == "zhang@example.cn", User.email_confirmed_at.is_not(None))
    ).all()
    assert len(confirmed) == 1


def test_unconfirmable_registrations_are_closed_after_a_week(sink, client, make):
    owner = make.enterprise(email="owner@example.cn")
    _answer(client, email="owner@example.cn", role="provider", kind="design-firm")
    shadow = db.session.scalar(
        select(User).where(User.email == "owner@example.cn", User.id != owner.id)
    )
    from matchmaker.services import providers

    providers.create_provider(
        db.session,
        shadow,
        {
            "name": shadow.organization.name,
            "kind": "design-firm",
            "region": "yongchuan",
            "clusters": ["nev-ice"],
            "services": ["appearance-design"],
            "description": "冒名的服务方",
        },
    )
    db.session.commit()
    client.post("/logout")
    _answer(client, email="waiting@example.cn", credit_code=credit_code(950001))
    waiting = db.session.scalar(select(User).where(User.email == "waiting@example.cn"))
    assert registration.close_unconfirmable(db.session) == 0  # not a week yet
    later = utcnow() + dt.timedelta(days=registration.CONFIRMATION_DAYS, hours=1)
    assert registration.close_unconfirmable(db.session, later) == 1
    db.session.commit()
    db.session.expire_all()
    closed = db.session.get(User, shadow.id)
    assert not closed.active and closed.email != "owner@example.cn"
    assert closed.organization.provider is None
    assert db.session.get(User, waiting.id).active  # a free address waits as long as it likes
    assert db.session.get(User, owner.id).active
    assert accounts.authenticate(db.session, "owner@example.cn", "long-enough-pw") is None


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
