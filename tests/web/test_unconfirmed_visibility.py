"""What an unconfirmed sign-up drafted stays out of everything public until an address is
confirmed, and drops out again when nobody confirmed vouches for it (docs/security.md, P58).

A provider registered through the page drafts its profile; before the link is opened it is in
no search (pages, API, both backends' index), not in the directory or the sitemap, its profile
and case images are 404 for everyone but its own people and administrators, the matcher pairs
it with nothing either way and nobody can invite it. Opening the link makes it public at once
(the commit delivers the index change); switching its only confirmed member off hides it
again. An individual designer's talent card and an organisation's open talent needs follow
the same rule.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import Interest
from matchmaker.schemas import DesignerRegistrationIn
from matchmaker.search_engine import get_search
from matchmaker.services import accounts, matching, providers, registration
from matchmaker.services.talent import matching as talent_matching
from matchmaker.services.talent import profiles as talent_profiles
from matchmaker.transaction import commit
from search import OPENINGS, PROVIDERS, TALENT, SearchQuery
from tests.api.conftest import Api
from tests.conftest import both_search_backends
from tests.factories import PASSWORD
from tests.web.pages import CONFIRMED, REGISTRATION, login, page

NAME = "重庆钛影工业设计有限公司"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WORD = "钛合金骑行头盔"
DESIGNER_PASSWORD = (
    "liang-design-2026"  # in the profile only: a search for it finds this provider or nobody
)


def _register_provider(client):
    """Register through the page and draft the profile: the browser is signed in, unconfirmed."""
    response = client.post(
        "/register",
        data={
            **REGISTRATION,
            "role": "provider",
            "organization_name": NAME,
            "email": "tiying@example.cn",
            "kind": "design-firm",
        },
    )
    assert response.status_code == 302
    user = accounts.find_user(db.session, "tiying@example.cn")
    assert user.email_confirmed_at is None
    body = {
        "name": NAME,
        "kind": "design-firm",
        "level": "none",
        "region": "yongchuan",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
        "description": f"专注{WORD}与新能源整车外观设计",
        "cases": [{"title": f"{WORD}造型", "description": "外观与结构", "cluster": "nev-ice"}],
    }
    provider = providers.create_provider(db.session, user, body)
    commit()
    client.post("/logout")
    return user, provider


def _open_the_link(client, user) -> None:
    """The registrant opens the link of the confirmation mail (it signs in: sign out again)."""
    token = registration.confirmation_token(user, client.application.secret_key)
    assert client.get(f"/register/confirm/{token}").status_code == 302
    client.post("/logout")


def _switch_off(client, auth, admin, user) -> None:
    login(auth, admin)
    assert client.post(f"/admin/users/{user.id}/deactivate", data=CONFIRMED).status_code == 302
    client.post("/logout")


def _found(app, api: Api, enterprise, owner_demand_id: int, provider_id: int) -> dict[str, bool]:
    """Where the provider shows up for others right now. Test clients share the test's ``g``
    (and with it the signed-in user): anonymous requests come first, after a sign-out."""
    get_search().refresh()
    browser = app.test_client()
    browser.post("/logout")
    profile = f"/providers/{provider_id}"
    found = {
        "directory": NAME in page(browser.get(f"/directory?q={WORD}")),
        "sitemap": f"{profile}<" in page(browser.get("/sitemap.xml")),
        "profile (anonymous)": browser.get(profile).status_code == 200,
        "api reviews": api.get(f"{profile}/reviews").status_code == 200,
    }
    assert browser.get(profile).status_code in (200, 404)  # never 403: it does not exist
    browser.post("/login", data={"email": enterprise.email, "password": PASSWORD})
    api_search = api.get(f"/providers?q={WORD}", user=enterprise).get_json()
    matches = matching.recommended_providers(
        db.session, get_search(), enterprise, owner_demand_id, record_exposure=False
    )
    index_hits = get_search().search(SearchQuery(index=PROVIDERS, text=WORD)).hits
    found |= {
        "index": any(h.id == provider_id for h in index_hits),
        "browse page": NAME in page(browser.get(f"/providers?q={WORD}")),
        "api search": any(item["id"] == provider_id for item in api_search["items"]),
        "profile (enterprise)": browser.get(profile).status_code == 200,
        "api profile": api.get(profile, user=enterprise).status_code == 200,
        "matches": any(m.record.id == provider_id for m in matches),
    }
    browser.post("/logout")
    return found


@both_search_backends
def test_an_unconfirmed_provider_is_public_only_once_confirmed(app, client, auth, make):
    admin = make.admin()
    enterprise = make.enterprise()
    demand = make.demand(enterprise, admin=admin, title=f"{WORD}外观设计", description=WORD)
    user, provider = _register_provider(client)
    accounts.set_organization_verified(db.session, admin, user.organization_id, True)
    commit()  # verified, so the directory and the sitemap would list it if it were public
    api = Api(app.test_client())

    hidden = _found(app, api, enterprise, demand.id, provider.id)
    assert not any(hidden.values()), hidden
    # nobody can invite it; the matcher gives it no leads either
    login(auth, enterprise)
    assert client.post(f"/demands/{demand.id}/invite/{provider.id}").status_code == 404
    client.post("/logout")
    assert matching.leads_for(db.session, get_search(), user) == []
    # its own people and administrators still read the profile
    for reader, password in ((user, REGISTRATION["password"]), (admin, PASSWORD)):
        assert auth.login(reader.email, password).status_code == 302
        html = page(client.get(f"/providers/{provider.id}"))
        assert NAME in html and "此档案尚未公开" in html  # and they are told it is not public
        client.post("/logout")
    assert auth.login(user.email, REGISTRATION["password"]).status_code == 302
    assert "确认邮箱后，贵单位的档案才会公开" in page(client.get("/providers/profile"))
    client.post("/logout")

    # the registrant opens the link: public at once, through the commit's index delivery
    _open_the_link(client, user)
    shown = _found(app, api, enterprise, demand.id, provider.id)
    assert all(shown.values()), shown
    assert auth.login(user.email, REGISTRATION["password"]).status_code == 302
    assert "此档案尚未公开" not in page(client.get(f"/providers/{provider.id}"))
    assert "档案才会公开" not in page(client.get("/providers/profile"))
    client.post("/logout")
    assert [m.record.id for m in matching.leads_for(db.session, get_search(), user)] == [demand.id]

    # its only confirmed member is switched off: hidden again, without a reindex
    _switch_off(client, auth, admin, user)
    hidden_again = _found(app, api, enterprise, demand.id, provider.id)
    assert not any(hidden_again.values()), hidden_again


def test_case_images_are_seen_by_whoever_sees_the_profile(app, client, auth):
    user, provider = _register_provider(client)
    auth.login(user.email, REGISTRATION["password"])  # unconfirmed, it keeps its portfolio
    response = client.post(
        "/providers/profile/cases/new",
        content_type="multipart/form-data",
        data={
            "title": "头盔造型",
            "description": "外观",
            "cluster": "nev-ice",
            "year": "2024",
            "images": [(io.BytesIO(PNG), "front.png")],
        },
    )
    assert response.status_code == 302
    case = next(c for c in provider.cases if c.title == "头盔造型")
    path = f"/providers/cases/{case.id}/images/{case.images[0].id}"

    def status() -> int:
        response = client.get(path)
        response.close()
        return response.status_code

    assert status() == 200  # its own people see it
    client.post("/logout")
    assert status() == 404  # a stranger does not, before the address is confirmed
    _open_the_link(client, user)
    assert status() == 200


# --- the talent pool ---------------------------------------------------------------------------


def _register_designer(app):
    user = registration.register_designer(
        db.session,
        DesignerRegistrationIn(
            email="liang@example.cn", password=DESIGNER_PASSWORD, name="梁设计", phone="13912345678"
        ),
        {},
        "http://matchmaker.test",
        app.secret_key,
    )
    profile = talent_profiles.create_profile(
        db.session,
        user,
        {
            "specialities": ["appearance-design"],
            "clusters": ["smart-equipment"],
            "years_experience": 6,
            "professional_title": "intermediate",
            "region": "yongchuan",
            "availability": "available",
        },
    )
    commit()
    return user, profile


def _card_found(app, api: Api, organization_user, need_id: int, profile_id: int) -> dict:
    get_search().refresh()
    anonymous = app.test_client()
    anonymous.post("/logout")  # test clients share the signed-in user of the test's ``g``
    pool = api.get("/talent?speciality=appearance-design").get_json()
    people = talent_matching.recommended_people(
        db.session, get_search(), organization_user, need_id
    )
    return {
        "index": any(
            h.id == profile_id for h in get_search().search(SearchQuery(index=TALENT, text="")).hits
        ),
        "card page": anonymous.get(f"/talent/{profile_id}").status_code == 200,
        "api card": api.get(f"/talent/{profile_id}").status_code == 200,
        "api pool": any(item["id"] == profile_id for item in pool["items"]),
        "pool page": f'/talent/{profile_id}"' in page(anonymous.get("/talent")),
        "recommended": any(m.record.id == profile_id for m in people),
    }


@both_search_backends
def test_an_unconfirmed_designer_has_no_public_card_until_confirmed(app, client, auth, make):
    admin = make.admin()
    employer = make.enterprise()
    need = make.talent_need(employer)
    user, profile = _register_designer(app)
    api = Api(app.test_client())

    hidden = _card_found(app, api, employer, need.id, profile.id)
    assert not any(hidden.values()), hidden
    # the person still reads and edits their own profile
    assert auth.login(user.email, DESIGNER_PASSWORD).status_code == 302
    html = page(client.get("/talent/profile"))
    assert "梁设计" in html and "确认邮箱后，您的匿名名片才会出现在人才库中" in html
    client.post("/logout")

    _open_the_link(client, user)
    shown = _card_found(app, api, employer, need.id, profile.id)
    assert all(shown.values()), shown

    _switch_off(client, auth, admin, user)
    hidden_again = _card_found(app, api, employer, need.id, profile.id)
    assert not any(hidden_again.values()), hidden_again


@both_search_backends
def test_an_unconfirmed_organisation_posts_no_public_talent_need(app, client, make):
    """Its open need reaches no designer until someone of it confirmed an address."""
    designer = make.designer()
    client.post("/register", data=REGISTRATION)
    owner = accounts.find_user(db.session, REGISTRATION["email"])
    need = make.talent_need(owner, title="结构设计师")
    get_search().refresh()

    def listed() -> bool:
        get_search().refresh()
        hits = get_search().search(SearchQuery(index=OPENINGS, text="")).hits
        openings = talent_matching.recommended_openings(db.session, get_search(), designer)
        return any(h.id == need.id for h in hits) or any(m.record.id == need.id for m in openings)

    assert not listed()
    login_page = Api(app.test_client())
    assert login_page.get(f"/talent-needs/{need.id}", user=designer).status_code == 404
    _open_the_link(client, owner)
    assert listed()
    assert login_page.get(f"/talent-needs/{need.id}", user=designer).status_code == 200


@pytest.mark.parametrize("claim", ["credit_code", "organization_name"])
def test_a_registration_claiming_an_organisation_stays_private_while_it_waits(
    app, client, make, claim
):
    """A confirmed address does not make a claim public: administrators merge it first."""
    holder = make.provider(name=NAME)
    changes = {
        "credit_code": {"credit_code": holder.organization.credit_code},
        "organization_name": {"organization_name": NAME},
    }[claim]
    client.post(
        "/register",
        data={**REGISTRATION, "role": "provider", "kind": "design-firm", **changes},
    )
    claimant = accounts.find_user(db.session, REGISTRATION["email"])
    assert claimant.organization.claim_pending
    _open_the_link(client, claimant)
    provider = providers.create_provider(
        db.session,
        claimant,
        {
            "name": claimant.organization.name,
            "kind": "design-firm",
            "level": "none",
            "region": "yongchuan",
            "clusters": ["nev-ice"],
            "services": ["appearance-design"],
            "description": WORD,
        },
    )
    commit()
    get_search().refresh()
    client.post("/logout")
    assert client.get(f"/providers/{provider.id}").status_code == 404
    hits = get_search().search(SearchQuery(index=PROVIDERS, text=WORD)).hits
    assert provider.id not in [h.id for h in hits]
    # nor does it reach an enterprise, which could not read whom it hears from
    demand = make.demand(make.enterprise())
    body = {"message": "我们有经验", "price": 100000, "timeline_days": 30}
    response = Api(client).post(f"/demands/{demand.id}/interests", user=claimant, json=body)
    assert response.status_code == 403
    assert "申领尚待管理员核实" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Interest.id))) == 0
