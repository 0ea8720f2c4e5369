"""API test helpers: bearer headers per user, and a JSON client that sends them."""

from __future__ import annotations

import pytest

from matchmaker.extensions import db
from matchmaker.models import User
from matchmaker.services import api_tokens

BASE = "/api/v1"


class Api:
    """``api.get(path, user=..., lang=...)``: a request to /api/v1 as ``user`` (or anonymous)."""

    def __init__(self, client):
        self.client = client
        self._tokens: dict[int, str] = {}

    def token(self, user: User) -> str:
        if user.id not in self._tokens:
            token, _ = api_tokens.issue(db.session, user, 1)
            db.session.commit()
            self._tokens[user.id] = token
        return self._tokens[user.id]

    def headers(self, user: User | None = None, lang: str | None = None) -> dict[str, str]:
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        if lang:
            headers["Accept-Language"] = lang
        return headers

    def request(
        self, method: str, path: str, user: User | None = None, lang: str | None = None, **kwargs
    ):
        headers = {**self.headers(user, lang), **kwargs.pop("headers", {})}
        return self.client.open(BASE + path, method=method, headers=headers, **kwargs)

    def get(self, path, user=None, **kw):
        return self.request("GET", path, user, **kw)

    def post(self, path, user=None, **kw):
        return self.request("POST", path, user, **kw)

    def patch(self, path, user=None, **kw):
        return self.request("PATCH", path, user, **kw)

    def put(self, path, user=None, **kw):
        return self.request("PUT", path, user, **kw)

    def delete(self, path, user=None, **kw):
        return self.request("DELETE", path, user, **kw)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def error_of(response, status: int, code: str) -> dict:
    """Assert the contract's error shape and return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def provider_body(**fields) -> dict:
    body = {
        "name": "山城工业设计有限公司",
        "kind": "design-firm",
        "level": "municipal",
        "region": "yongchuan",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
        "description": "整车外观与内饰设计",
        "team_size": 25,
        "price_min": 50000,
        "price_max": 300000,
        "cases": [
            {
                "title": "电动皮卡外观设计",
                "description": "量产车型",
                "cluster": "nev-ice",
                "year": 2024,
            }
        ],
        "verified": True,
        "external_id": "survey-2026-0042",
    }
    body.update(fields)
    return body


def demand_body(**fields) -> dict:
    body = {
        "title": "电动摩托车外观设计",
        "description": "为新款电动摩托车设计外观造型与配色方案",
        "cluster": "nev-ice",
        "services": ["appearance-design"],
        "budget_min": 100000,
        "budget_max": 400000,
        "deadline": "2030-03-31",
        "region": "yongchuan",
    }
    body.update(fields)
    return body
