"""The talent pool: people's own profiles, public cards, talent needs, contacts, matches."""

from __future__ import annotations

from functools import partial

from flask_babel import gettext as _

from search import OPENINGS, TALENT

from ..extensions import db
from ..models import TalentProfile, User
from ..search_engine import get_search
from ..services.errors import NotFound
from ..services.talent import contacts, matching, needs, privacy, profiles
from ..services.talent.inputs import ContactIn, TalentNeedIn, TalentProfileIn
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .faceted import page_out, search_query
from .routing import ID, current_api_user, route

TALENT_FACETS = tuple(out.TALENT_FACETS)
NEED_FACETS = ("speciality", "cluster", "region")
NEED_VOCABULARIES = {"speciality": "services", "cluster": "clusters", "region": "regions"}


def _own(user: User) -> TalentProfile:
    profile = profiles.own_profile(db.session, user)
    if profile is None:
        raise NotFound(_("还没有人才档案"))
    return profile


# --- the person's own profile -------------------------------------------------------------------


@route(
    "/talent/profile",
    "POST",
    summary="Create one's own talent profile",
    tag="talent",
    body=TalentProfileIn,
    response=s.TalentProfileOut,
    status=201,
    errors=(400, 401, 403, 409, 413, 422),
    description="Individual designers (role `designer`), one profile each (409 for a second). "
    "The profile is private: everyone else sees its anonymised card "
    "(`GET /talent/{id}`), and only while `listed` is true.",
)
def create_profile(body: dict) -> s.TalentProfileOut:
    profile = profiles.create_profile(db.session, current_api_user(), body)
    commit()
    return out.talent_profile(profile)


@route(
    "/talent/profile",
    "GET",
    summary="One's own talent profile",
    tag="talent",
    response=s.TalentProfileOut,
    errors=(401, 403, 404),
)
def get_profile() -> s.TalentProfileOut:
    return out.talent_profile(_own(current_api_user()))


@route(
    "/talent/profile",
    "PATCH",
    summary="Change one's own talent profile",
    tag="talent",
    body=TalentProfileIn,
    body_schema="TalentProfilePatch",
    response=s.TalentProfileOut,
    errors=(400, 401, 403, 404, 413, 422),
    description="Any subset of the creation fields; `works`, when given, replaces the list.",
)
def update_profile(body: dict) -> s.TalentProfileOut:
    user = current_api_user()
    profile = profiles.update_profile(db.session, user, _own(user).id, body)
    commit()
    return out.talent_profile(profile)


@route(
    "/talent/profile/export",
    "GET",
    summary="Export everything the platform holds about oneself",
    tag="talent",
    response=s.TalentExportOut,
    errors=(401, 403),
    description="The account, the profile with its works, the contact requests received and "
    "the notifications, as one JSON document.",
)
def export_profile() -> dict:
    return privacy.export_data(db.session, current_api_user())


@route(
    "/talent/profile",
    "DELETE",
    summary="Delete one's own data",
    tag="talent",
    status=204,
    errors=(401, 403),
    description="Deletes the profile, its works and the contact requests about it, and removes "
    "the card from search. For an individual designer the account is closed too: it keeps no "
    "address, name or phone number and cannot sign in again.",
)
def delete_profile() -> None:
    privacy.delete_data(db.session, current_api_user())
    commit()


@route(
    "/talent/profile/openings",
    "GET",
    summary="Open talent needs recommended for oneself",
    tag="talent",
    query=s.LimitParams,
    response=s.OpeningsOut,
    errors=(401, 403, 422, 503),
)
def openings(params: s.LimitParams) -> s.OpeningsOut:
    user = current_api_user()
    matches = matching.recommended_openings(db.session, get_search(), user, k=params.limit)
    return s.OpeningsOut(
        profile_id=_own(user).id,
        items=out.scored(matches, s.OpeningItem, "need", out.talent_need, out.talent_reasons),
    )


# --- the public pool ------------------------------------------------------------------------------


@route(
    "/talent",
    "GET",
    summary="Search the talent pool (anonymised cards)",
    tag="talent",
    auth=False,
    query=s.TalentSearchParams,
    response=s.TalentPage,
    errors=(422, 503),
    description="Public. Cards of listed profiles: specialities, clusters, professional title, "
    "seniority band, district, availability; never a name, contact, employer or the profile's "
    "own words. `q` matches taxonomy labels only.",
)
def search_pool(params: s.TalentSearchParams) -> s.TalentPage:
    query = search_query(TALENT, params, TALENT_FACETS)
    results = matching.search_pool(db.session, get_search(), query)
    items = [out.talent_card(card) for card in results.rows]
    return page_out(s.TalentPage, results, items, s.TalentFacets, out.TALENT_FACETS)


@route(
    f"/talent/<{ID}:talent_id>",
    "GET",
    summary="One anonymised talent card",
    tag="talent",
    auth=False,
    response=s.TalentCardOut,
    errors=(404,),
    description="Public; 404 for an unlisted or deleted profile, or one whose person has not "
    "confirmed an e-mail address (or whose account is switched off). The person reads the full "
    "profile at `GET /talent/profile`.",
)
def get_card(talent_id: int) -> s.TalentCardOut:
    return out.talent_card(profiles.read_card(db.session, talent_id))


# --- contacts -------------------------------------------------------------------------------------


@route(
    f"/talent/<{ID}:talent_id>/contacts",
    "POST",
    summary="Ask a person of the pool to get in touch",
    tag="talent",
    body=ContactIn,
    response=s.TalentContactOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Enterprise and provider users, about one of their organisation's open needs; "
    "once per need and person (409). The person is notified; names and contact details are "
    "exchanged only when the person accepts.",
)
def send_contact(talent_id: int, body: dict) -> s.TalentContactOut:
    contact = contacts.send(db.session, current_api_user(), talent_id, body)
    commit()
    return out.talent_contact(contact, current_api_user())


@route(
    "/talent/contacts",
    "GET",
    summary="Contact requests one received",
    tag="talent",
    response=s.TalentContactList,
    errors=(401, 403),
)
def received_contacts() -> s.TalentContactList:
    rows = contacts.received(db.session, current_api_user())
    return s.TalentContactList(items=[out.talent_contact(c, current_api_user()) for c in rows])


# The decisions on a contact request: no body, the answer is the request.
_decision = partial(
    route, method="POST", tag="talent", response=s.TalentContactOut, errors=(401, 403, 404, 409)
)
CONTACT = f"/talent-contacts/<{ID}:contact_id>"


def _decided(contact_id: int, act) -> s.TalentContactOut:
    contact = act(db.session, current_api_user(), contact_id)
    commit()
    return out.talent_contact(contact, current_api_user())


@_decision(f"{CONTACT}/accept", summary="Accept a contact request (the person)")
def accept_contact(contact_id: int) -> s.TalentContactOut:
    return _decided(contact_id, contacts.accept)


@_decision(f"{CONTACT}/decline", summary="Decline a contact request (the person)")
def decline_contact(contact_id: int) -> s.TalentContactOut:
    return _decided(contact_id, contacts.decline)


@_decision(
    f"{CONTACT}/hire",
    summary="Record a hire (a placement) for an accepted contact",
    description="The need's organisation. When every place is taken the need closes as filled.",
)
def hire(contact_id: int) -> s.TalentContactOut:
    return _decided(contact_id, contacts.hire)


# --- talent needs ---------------------------------------------------------------------------------


@route(
    "/talent-needs",
    "POST",
    summary="Post a talent need (岗位)",
    tag="talent-needs",
    body=TalentNeedIn,
    response=s.TalentNeedOut,
    status=201,
    errors=(400, 401, 403, 413, 422),
    description="Enterprise and provider users for their own organisation; admins name the "
    "organisation with `organization_id`.",
)
def create_need(body: dict) -> s.TalentNeedOut:
    need = needs.create_need(db.session, current_api_user(), body)
    commit()
    return out.talent_need(need)


@route(
    "/talent-needs",
    "GET",
    summary="Search open talent needs",
    tag="talent-needs",
    query=s.TalentNeedSearchParams,
    response=s.TalentNeedPage,
    errors=(401, 403, 422, 503),
    description="Signed-in enterprise, provider and designer users and admins (experts: 403).",
)
def search_needs(params: s.TalentNeedSearchParams) -> s.TalentNeedPage:
    query = search_query(OPENINGS, params, NEED_FACETS, sort=params.sort)
    results = matching.search_needs(db.session, get_search(), current_api_user(), query)
    items = [out.talent_need(n) for n in results.rows]
    return page_out(s.TalentNeedPage, results, items, s.TalentNeedFacets, NEED_VOCABULARIES)


@route(
    f"/talent-needs/<{ID}:need_id>",
    "GET",
    summary="One talent need",
    tag="talent-needs",
    response=s.TalentNeedOut,
    errors=(401, 404),
    description="Open needs for signed-in members; a closed one for its organisation and admins.",
)
def get_need(need_id: int) -> s.TalentNeedOut:
    return out.talent_need(needs.read_need(db.session, current_api_user(), need_id))


@route(
    f"/talent-needs/<{ID}:need_id>",
    "PATCH",
    summary="Change an open talent need",
    tag="talent-needs",
    body=TalentNeedIn,
    body_schema="TalentNeedPatch",
    response=s.TalentNeedOut,
    errors=(400, 401, 403, 404, 409, 413, 422),
)
def update_need(need_id: int, body: dict) -> s.TalentNeedOut:
    need = needs.update_need(db.session, current_api_user(), need_id, body)
    commit()
    return out.talent_need(need)


@route(
    f"/talent-needs/<{ID}:need_id>/close",
    "POST",
    summary="Withdraw a talent need",
    tag="talent-needs",
    response=s.TalentNeedOut,
    errors=(401, 403, 404, 409),
)
def close_need(need_id: int) -> s.TalentNeedOut:
    need = needs.withdraw(db.session, current_api_user(), need_id)
    commit()
    return out.talent_need(need)


@route(
    f"/talent-needs/<{ID}:need_id>",
    "DELETE",
    summary="Delete a talent need (admin)",
    tag="talent-needs",
    status=204,
    errors=(401, 403, 404),
)
def delete_need(need_id: int) -> None:
    needs.delete_need(db.session, current_api_user(), need_id)
    commit()


@route(
    f"/talent-needs/<{ID}:need_id>/matches",
    "GET",
    summary="People recommended for a talent need (anonymised cards)",
    tag="talent-needs",
    query=s.LimitParams,
    response=s.TalentMatchesOut,
    errors=(401, 403, 404, 409, 422, 503),
    description="The need's organisation and admins. People already contacted about the need "
    "are left out; reasons name specialities, clusters, seniority, district and availability.",
)
def need_matches(need_id: int, params: s.LimitParams) -> s.TalentMatchesOut:
    matches = matching.recommended_people(
        db.session, get_search(), current_api_user(), need_id, k=params.limit
    )
    return s.TalentMatchesOut(
        need_id=need_id,
        items=out.scored(matches, s.TalentMatchItem, "talent", out.talent_card, out.talent_reasons),
    )


@route(
    f"/talent-needs/<{ID}:need_id>/contacts",
    "GET",
    summary="Contact requests sent about a talent need",
    tag="talent-needs",
    response=s.TalentContactList,
    errors=(401, 403, 404),
)
def need_contacts(need_id: int) -> s.TalentContactList:
    rows = contacts.for_need(db.session, current_api_user(), need_id)
    return s.TalentContactList(items=[out.talent_contact(c, current_api_user()) for c in rows])
