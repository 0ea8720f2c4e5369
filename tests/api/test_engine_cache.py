"""The engine's answers are kept per process under the index's stamp: asked again only when
something that can change them changed — a provider edited or added, the demand edited, a
provider damped — and the rows shown are still read from the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import IndexStamp
from matchmaker.search_engine import get_search
from matchmaker.services import engine_cache, matching
from matchmaker.transaction import commit
from search import PROVIDERS


@pytest.fixture
def settled(monkeypatch):
    """The embedded index shows a write at once: no need to wait for it to settle."""
    monkeypatch.setattr(engine_cache, "SETTLE", dt.timedelta(0))


@pytest.fixture
def asked(monkeypatch):
    """The questions that reached the engine."""
    backend, calls = get_search(), []
    for name in ("match_providers", "search"):
        real = getattr(backend, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(backend, name, spy)
    return calls


@pytest.fixture
def market(make):
    owner = make.enterprise()
    demand = make.demand(owner, title="新能源汽车外观设计", services=["appearance-design"])
    first = make.provider(
        name="第一设计", services=["appearance-design"], description="新能源汽车整车外观设计"
    )
    return {"owner": owner, "demand": demand, "first": first}


def matched(api, market) -> list[str]:
    response = api.get(f"/demands/{market['demand'].id}/matches", market["owner"])
    assert response.status_code == 200, response.get_json()
    return [item["provider"]["name"] for item in response.get_json()["items"]]


def test_the_same_question_is_answered_once(api, market, settled, asked):
    first = matched(api, market)
    assert matched(api, market) == first == ["第一设计"]
    assert asked == ["match_providers"]
    query = "/providers?q=外观设计"
    pages = [api.get(query, market["owner"]).get_json() for _ in range(2)]
    assert pages[0] == pages[1] and pages[0]["total"] == 1
    assert asked == ["match_providers", "search"]


def test_a_new_provider_is_in_the_next_answer(api, market, settled, asked, make):
    matched(api, market)
    make.provider(name="第二设计", services=["appearance-design"], description="新能源汽车外观设计")
    assert set(matched(api, market)) == {"第一设计", "第二设计"}
    assert asked == ["match_providers", "match_providers"]


def test_an_edited_provider_is_answered_anew(api, market, settled, asked):
    before = api.get("/providers?q=结构", market["owner"]).get_json()
    assert before["total"] == 0
    provider_id = market["first"].organization.provider.id
    response = api.patch(
        f"/providers/{provider_id}", market["first"], json={"description": "汽车结构设计"}
    )
    assert response.status_code == 200, response.get_json()
    after = api.get("/providers?q=结构", market["owner"]).get_json()
    assert [p["name"] for p in after["items"]] == ["第一设计"]


def test_an_edited_demand_is_answered_anew(api, market, settled, asked, make):
    matched(api, market)
    demand_id = market["demand"].id
    # an administrator's edit keeps the demand published
    response = api.patch(f"/demands/{demand_id}", make.admin(), json={"title": "汽车外观方案"})
    assert response.status_code == 200, response.get_json()
    matched(api, market)
    assert asked == ["match_providers", "match_providers"]


def test_a_damped_provider_changes_the_question(api, market, settled, asked, monkeypatch):
    matched(api, market)
    provider_id = market["first"].organization.provider.id
    monkeypatch.setattr(matching, "damped_providers", lambda session: {provider_id})
    matched(api, market)
    assert asked == ["match_providers", "match_providers"]


def test_a_deleted_provider_is_not_shown_from_a_kept_answer(api, market, settled, make):
    second = make.provider(
        name="第二设计", services=["appearance-design"], description="新能源汽车外观设计"
    )
    assert set(matched(api, market)) == {"第一设计", "第二设计"}
    # the row goes while the index still holds it (e.g. the engine is down)
    provider = second.organization.provider
    db.session.delete(provider)
    db.session.commit()
    assert matched(api, market) == ["第一设计"]


def test_another_worker_delivering_a_change_makes_the_kept_answer_unused(
    api, market, settled, asked
):
    matched(api, market)
    engine_cache.stamp_changed(db.session, [PROVIDERS])  # as a delivery in any process does
    commit()
    matched(api, market)
    assert asked == ["match_providers", "match_providers"]


def test_nothing_is_kept_while_an_index_settles_or_before_it_has_a_stamp(api, market, asked):
    matched(api, market)
    matched(api, market)  # its stamp changed a moment ago: Elasticsearch may not show it yet
    assert asked == ["match_providers"] * 2
    db.session.execute(IndexStamp.__table__.delete())
    commit()
    matched(api, market)
    assert asked == ["match_providers"] * 3
    assert db.session.scalar(select(IndexStamp.kind)) is None
