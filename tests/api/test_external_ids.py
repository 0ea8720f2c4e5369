"""External ids belong to surveys (docs/security.md, P5): only administrators and the survey
import set them, and a clash never tells anyone else that an id is taken or by whom."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.models import Demand, Provider
from matchmaker.services import providers

from .conftest import demand_body, error_of

SURVEY_ID = "survey-2026-0042"


def _forbidden_field(response) -> None:
    error = error_of(response, 403, "forbidden")
    assert set(error["fields"]) == {"external_id"}


def test_providers_and_enterprises_cannot_set_external_ids(api, make):
    provider, enterprise = make.provider(), make.enterprise()
    profile = provider.organization.provider
    _forbidden_field(api.patch(f"/providers/{profile.id}", provider, json={"external_id": "x-1"}))
    _forbidden_field(api.post("/demands", enterprise, json=demand_body(external_id="x-2")))
    demand = api.post("/demands", enterprise, json=demand_body()).get_json()
    _forbidden_field(api.patch(f"/demands/{demand['id']}", enterprise, json={"external_id": "x"}))
    db.session.expire_all()
    assert db.session.scalar(select(Provider.external_id)) is None
    assert db.session.scalar(select(Demand.external_id)) is None


def test_administrators_set_them_and_owners_may_send_them_back_unchanged(api, make):
    provider, admin = make.provider(), make.admin()
    profile = provider.organization.provider
    response = api.patch(f"/providers/{profile.id}", admin, json={"external_id": SURVEY_ID})
    assert response.status_code == 200 and response.get_json()["external_id"] == SURVEY_ID
    mine = api.get(f"/providers/{profile.id}", provider).get_json()
    body = {k: mine[k] for k in ("name", "description", "external_id")}
    assert api.patch(f"/providers/{profile.id}", provider, json=body).status_code == 200


def test_a_clash_does_not_reveal_whose_id_it_is(api, make):
    owner = make.provider(name="重庆真实设计有限公司")
    providers.update_provider(
        db.session, make.admin(), owner.organization.provider.id, {"external_id": SURVEY_ID}
    )
    db.session.commit()
    intruder = make.provider()
    response = api.patch(
        f"/providers/{intruder.organization.provider.id}", intruder, json={"external_id": SURVEY_ID}
    )
    _forbidden_field(response)
    text = response.get_data(as_text=True)
    assert "已存在" not in text and "重庆真实设计有限公司" not in text
