"""Sign-in, registration, password change, team members, CSRF and cookie flags."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Organization, User
from matchmaker.services import accounts, registration
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from tests.web.pages import REGISTRATION, errors_of, page

VALID = REGISTRATION


# --- login / logout -----------------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in page(response) and 'name="password"' in page(response)


def test_login_success_redirects_to_role_home(client, auth, make):
    user = make.enterprise()
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demands/mine")
    assert db.session.get(User, user.id).last_login_at is not None


def test_login_admin_goes_to_admin(client, auth, make):
    admin = make.admin()
    assert auth.login(admin.email).headers["Location"].endswith("/admin")


@pytest.mark.parametrize(
    "email,password", [("nobody@example.cn", PASSWORD), (None, "wrong-password-1")]
)
def test_login_wrong_credentials_has_one_generic_message(client, make, email, password):
    user = make.enterprise()
    response = client.post("/login", data={"email": email or user.email, "password": password})
    assert response.status_code == 200
    assert "邮箱或密码不正确" in page(response)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_login_inactive_user_rejected(client, make):
    user = make.enterprise()
    user.active = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert "邮箱或密码不正确" in page(response)


def test_login_follows_local_next_only(client, make):
    user = make.enterprise()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": "/notifications"}
    )
    assert response.headers["Location"] == "/notifications"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "next": evil}
        )
        assert "evil" not in response.headers["Location"]
        client.post("/logout")


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = page(client.get(response.headers["Location"]))
    assert 'value="/account/password"' in login_page


def test_logout(client, auth, make):
    user = make.enterprise()
    auth.login(user.email)
    assert client.get("/account/password").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 302


def test_logout_needs_post(client):
    assert client.get("/logout").status_code == 405


def test_remember_me_sets_secure_cookie_flags(client, make):
    user = make.enterprise()
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


# --- registration -------------------------------------------------------------------------


def test_register_page_lists_taxonomy_in_current_language(client):
    html = page(client.get("/register"))
    assert "永川区" in html and "工业设计企业" in html and "统一社会信用代码" in html
    client.post("/language", data={"locale": "en", "next": "/register"})
    refresh()  # the tests share one app context, where Flask-Babel caches the locale
    html = page(client.get("/register"))
    assert "Yongchuan District" in html and "Industrial Design Firm" in html


def test_register_preselects_role_from_query(client):
    html = page(client.get("/register?role=provider"))
    assert re.search(r'value="provider"[^>]*checked|checked[^>]*value="provider"', html)


def test_register_enterprise_creates_org_and_user_waiting_for_the_email(client):
    response = client.post("/register", data=VALID)
    assert response.status_code == 302 and response.headers["Location"] == "/register/sent"
    user = db.session.scalar(select(User).where(User.email == "zhang@example.cn"))
    assert user.role == "enterprise" and user.organization.credit_code == VALID["credit_code"]
    assert user.organization.region == "yongchuan" and not user.organization.verified
    assert user.email_confirmed_at is None
    html = page(client.get("/account/team"))  # signed in, waiting for the confirmation
    assert "重新发送确认邮件" in html


def test_register_provider_with_kind_and_level(client):
    data = {
        **VALID,
        "role": "provider",
        "kind": "design-firm",
        "level": "municipal",
        "organization_name": "渝设计工作室",
    }
    assert client.post("/register", data=data).status_code == 302
    org = db.session.scalar(select(Organization).where(Organization.name == "渝设计工作室"))
    assert (org.type, org.kind, org.level) == ("provider", "design-firm", "municipal")


def _register_errors(client, **changes) -> str:
    response = client.post("/register", data={**VALID, **changes})
    assert response.status_code == 200
    return page(response)


def test_register_bad_credit_code_check_digit(client):
    good = VALID["credit_code"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    html = _register_errors(client, credit_code=bad)
    assert errors_of(html, "credit_code") == ["统一社会信用代码无效（应为18位且校验位正确）"]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_bad_mobile(client):
    assert errors_of(_register_errors(client, phone="12345"), "phone") == ["手机号码无效"]


def test_register_bad_email(client):
    assert errors_of(_register_errors(client, email="not-an-email"), "email") == [
        "电子邮箱地址无效"
    ]


def test_register_short_password(client):
    html = _register_errors(client, password="short", confirm="short")
    assert errors_of(html, "password") == ["至少 10 个字符"]


def test_register_mismatched_confirmation(client):
    html = _register_errors(client, confirm="something-else")
    assert errors_of(html, "confirm") == ["两次输入的密码不一致"]
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_register_provider_needs_kind(client):
    html = _register_errors(client, role="provider", kind="")
    assert errors_of(html, "kind") == ["必填"]


def test_register_missing_fields_show_required_once(client):
    html = _register_errors(client, contact_name="", region="")
    assert errors_of(html, "contact_name") == ["必填"]
    assert errors_of(html, "region") == ["必填"]


def test_register_keeps_entered_values_but_not_password(client):
    html = _register_errors(client, phone="12345")
    assert "重庆永川精密机械有限公司" in html
    assert "long-enough-pw" not in html


def test_registered_name_with_markup_is_escaped(client, app):
    client.post("/register", data={**VALID, "organization_name": "<script>alert(1)</script>公司"})
    user = db.session.scalar(select(User))
    client.get(f"/register/confirm/{registration.confirmation_token(user, app.secret_key)}")
    html = page(client.get("/account/team"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;公司" in html


# --- password -----------------------------------------------------------------------------


def change_password(client, current=PASSWORD, new="brand-new-pass-1", confirm=None, **options):
    """The change-password form posted (its confirmation repeats ``new`` unless given)."""
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return client.post("/account/password", data=data, **options)


def test_change_password_wrong_current(client, auth, make):
    user = make.enterprise()
    auth.login(user.email)
    response = change_password(client, current="not-my-password")
    assert response.status_code == 200
    assert errors_of(page(response), "current_password") == ["当前密码不正确"]


def test_change_password_then_login_with_new(client, auth, make):
    user = make.enterprise()
    auth.login(user.email)
    response = change_password(client, follow_redirects=True)
    assert "密码已修改" in page(response)
    auth.logout()
    assert "邮箱或密码不正确" in page(auth.login(user.email, PASSWORD))
    assert auth.login(user.email, "brand-new-pass-1").status_code == 302


def test_change_password_confirmation_must_match(client, auth, make):
    user = make.enterprise()
    auth.login(user.email)
    response = change_password(client, confirm="brand-new-pass-2")
    assert errors_of(page(response), "confirm") == ["两次输入的密码不一致"]


# --- team ---------------------------------------------------------------------------------


def test_team_is_not_for_admins_without_organisation(client, auth, make):
    admin = make.admin()
    auth.login(admin.email)
    assert client.get("/account/team").status_code == 403


# --- CSRF ---------------------------------------------------------------------------------


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_post_without_token_is_rejected_and_changes_nothing(self, client, make):
        user = make.enterprise()
        token = csrf_token_from(page(client.get("/login")))
        assert (
            client.post(
                "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
            ).status_code
            == 302
        )
        events = db.session.scalar(select(func.count(AuditEvent.id)))
        response = change_password(client)
        assert response.status_code == 400
        assert "表单已过期" in page(response)
        db.session.expire_all()
        assert db.session.scalar(select(func.count(AuditEvent.id))) == events
        assert (
            accounts.authenticate(db.session, user.email, PASSWORD) is not None
        )  # password unchanged

    def test_login_without_token_is_rejected(self, client, make):
        user = make.enterprise()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        with client.session_transaction() as session:
            assert "_user_id" not in session

    def test_register_without_token_creates_nothing(self, client):
        assert client.post("/register", data=VALID).status_code == 400
        assert db.session.scalar(select(func.count(Organization.id))) == 0
