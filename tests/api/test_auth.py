"""Tokens, 401s, the rate limit, and the public endpoints."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.services import accounts
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
    token, _ = accounts.issue_token(db.session, user, -1)
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
        return {**app_config, "RATELIMIT_ENABLED": True, "API_TOKEN_RATE_LIMIT": "3 per minute"}

    def test_repeated_failures_are_429(self, api, make):
        user = make.enterprise()
        wrong = {"email": user.email, "password": "wrong-password"}
        for _ in range(3):
            error_of(api.post("/auth/token", json=wrong), 401, "unauthorized")
        error_of(api.post("/auth/token", json=wrong), 429, "rate_limited")
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
