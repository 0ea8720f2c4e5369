"""Tokens, 401s, the rate limit, and the public endpoints."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.services import api_tokens
from tests.factories import PASSWORD

from .conftest import error_of


def test_token_for_right_credentials_opens_the_api(api, make):
    user = make.enterprise(email="Boss@Example.cn")
    response = api.post("/auth/token", json={"email": "boss@example.cn", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    assert body["expires_at"].endswith("Z")
    assert response.headers["Cache-Control"] == "no-store"
    me = api.get(
        f"/demands/{make.demand(user).id}", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert me.status_code == 200


def test_wrong_password_and_unknown_email_are_401(api, make):
    user = make.provider()
    for body in (
        {"email": user.email, "password": "wrong-password"},
        {"email": "nobody@example.cn", "password": PASSWORD},
    ):
        error = error_of(api.post("/auth/token", json=body), 401, "unauthorized")
        assert "fields" not in error


def test_token_request_is_validated(api):
    error = error_of(api.post("/auth/token", json={"email": "a@b.cn"}), 422, "validation_error")
    assert "password" in error["fields"]
    error_of(
        api.post("/auth/token", data="email=a", content_type="application/x-www-form-urlencoded"),
        400,
        "bad_request",
    )


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-token", "Token abc"]
)
def test_missing_or_invalid_token_is_401(api, make, header):
    make.enterprise()
    headers = {"Authorization": header} if header is not None else {}
    response = api.get("/providers", headers=headers)
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(api, make):
    user = make.enterprise()
    token, _ = api_tokens.issue(db.session, user, -1)
    db.session.commit()
    error_of(
        api.get("/providers", headers={"Authorization": f"Bearer {token}"}), 401, "unauthorized"
    )


def test_inactive_user_token_is_401(api, make):
    user = make.enterprise()
    headers = api.headers(user)
    user.active = False
    db.session.commit()
    error_of(api.get("/providers", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize("path", ["/taxonomy", "/openapi.json"])
def test_taxonomy_and_openapi_need_no_token(api, path):
    assert api.get(path).status_code == 200


def test_taxonomy_lists_every_vocabulary_with_labels(api):
    body = api.get("/taxonomy").get_json()
    assert set(body) >= {"clusters", "services", "regions", "provider_kinds", "provider_levels"}
    for items in body.values():
        assert items
        for item in items:
            assert {"code", "zh", "en"} <= set(item)
    assert "nev-ice" in {c["code"] for c in body["clusters"]}


def test_chinese_is_sent_as_utf8(api):
    raw = api.get("/taxonomy").get_data()
    assert "智能网联新能源汽车".encode() in raw
    assert b"\\u" not in raw


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_repeated_failures_are_429(self, api, make):
        user = make.enterprise()
        wrong = {"email": user.email, "password": "wrong-password"}
        for _ in range(3):
            error_of(api.post("/auth/token", json=wrong), 401, "unauthorized")
        response = api.post("/auth/token", json=wrong)
        error_of(response, 429, "rate_limited")
        assert 0 < int(response.headers["Retry-After"]) <= 60
        # once limited, even the right password waits for the window
        error_of(
            api.post("/auth/token", json={"email": user.email, "password": PASSWORD}),
            429,
            "rate_limited",
        )

    def test_successes_do_not_count(self, api, make):
        user = make.enterprise()
        for _ in range(5):
            assert (
                api.post(
                    "/auth/token", json={"email": user.email, "password": PASSWORD}
                ).status_code
                == 200
            )


# --- a user's own tokens ------------------------------------------------------------------


def test_a_user_lists_its_live_tokens_and_sees_which_is_current(api, make):
    user, other = make.enterprise(), make.enterprise()
    current = api.headers(user)
    second = api.post("/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()
    api_tokens.issue(db.session, user, -1)  # expired: not listed
    api_tokens.issue(db.session, other, 1)  # someone else's: not listed
    db.session.commit()
    response = api.get("/auth/tokens", headers=current)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    items = response.get_json()["items"]
    assert len(items) == 2
    assert [i["current"] for i in items].count(True) == 1
    assert {"id", "created_at", "expires_at", "current"} == set(items[0])
    assert all("token" not in i for i in items)  # only digests are stored
    assert second["token"] not in response.get_data(as_text=True)


def test_a_user_revokes_its_token_and_it_stops_working(api, make):
    user = make.enterprise()
    keep = api.headers(user)
    body = api.post("/auth/token", json={"email": user.email, "password": PASSWORD}).get_json()
    doomed = {"Authorization": f"Bearer {body['token']}"}
    listed = api.get("/auth/tokens", headers=doomed).get_json()["items"]
    doomed_id = next(i["id"] for i in listed if i["current"])
    assert api.delete(f"/auth/tokens/{doomed_id}", headers=keep).status_code == 204
    error_of(api.get("/auth/tokens", headers=doomed), 401, "unauthorized")
    assert api.get("/auth/tokens", headers=keep).status_code == 200


def test_another_users_token_does_not_exist_for_you(api, make):
    user, other = make.enterprise(), make.provider()
    api.headers(other)
    theirs = api.get("/auth/tokens", user=other).get_json()["items"][0]["id"]
    error_of(api.delete(f"/auth/tokens/{theirs}", user), 404, "not_found")
    assert api.get("/auth/tokens", user=other).status_code == 200


@pytest.mark.parametrize("through", ["api", "page"])
def test_every_sign_in_deletes_everyones_expired_sessions_and_tokens(api, client, make, through):
    import datetime as dt

    from matchmaker.models import ApiToken, LoginSession
    from matchmaker.services import login_sessions

    someone, another, user = make.enterprise(), make.provider(), make.enterprise()
    api_tokens.issue(db.session, another, 1)
    login_sessions.start(db.session, someone, True, dt.timedelta(days=1))
    api_tokens.issue(db.session, someone, -1)  # expired
    login_sessions.start(db.session, another, False, dt.timedelta(seconds=-1))  # expired
    db.session.commit()
    credentials = {"email": user.email, "password": PASSWORD}
    if through == "api":
        assert api.post("/auth/token", json=credentials).status_code == 200
    else:
        assert client.post("/login", data=credentials).status_code == 302
    db.session.expire_all()
    tokens = db.session.query(ApiToken).all()
    sessions = db.session.query(LoginSession).all()
    assert all(row.expires_at > row.created_at for row in tokens + sessions)  # live ones only
    assert {row.user_id for row in tokens} == {another.id} | (
        {user.id} if through == "api" else set()
    )
    assert {row.user_id for row in sessions} == {someone.id} | (
        {user.id} if through == "page" else set()
    )


def test_a_token_whose_password_check_came_before_a_password_change_is_refused(api, make):
    """The interleaving a real race produces: the token request checked the old password, the
    change committed (in another connection), then the token was written. It must not work."""
    from sqlalchemy.orm import Session

    from matchmaker.models import User
    from matchmaker.services import accounts

    user = make.enterprise()
    db.session.commit()
    checked = db.session.get(User, user.id)
    assert checked.sign_in_version == 0  # what the token request read with the password
    with Session(db.engine) as other:
        accounts.change_password(other, other.get(User, user.id), PASSWORD, "brand-new-pass-1")
        other.commit()
    token, _ = api_tokens.issue(db.session, checked, 1)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    error_of(api.get("/auth/tokens", headers=headers), 401, "unauthorized")
