"""Two colleagues saving one demand: the second save no longer reverts the first."""

from __future__ import annotations

import re

from matchmaker.extensions import db
from matchmaker.models import Demand, User
from matchmaker.services import accounts
from tests.conftest import at_once
from tests.factories import PASSWORD
from tests.web.pages import DEMAND_FORM

from .conftest import statuses

ROUNDS = 6


def colleague_of(user: User) -> User:
    """A second member of the user's organisation (as `matchmaker users create` makes one)."""
    colleague = accounts.create_user(
        db.session,
        f"colleague{user.id}@example.cn",
        PASSWORD,
        user.role,
        organization_name=user.organization.name,
    )
    db.session.commit()
    return colleague


def test_concurrent_patches_from_one_version_one_wins(live, make):
    owner = make.enterprise()
    tokens = [live.token(owner), live.token(colleague_of(owner))]
    demand_id = make.demand(owner, status="draft").id

    for round_ in range(ROUNDS):
        version = live.api("GET", f"/demands/{demand_id}", tokens[0]).json()["version"]
        titles = [f"第{round_}轮·甲", f"第{round_}轮·乙"]
        bodies = [{"title": title, "version": version} for title in titles]
        responses = at_once(
            [
                lambda t=t, body=body: live.api("PATCH", f"/demands/{demand_id}", t, json=body)
                for t, body in zip(tokens, bodies, strict=True)
            ]
        )
        assert sorted(statuses(responses)) == [200, 409]
        winner = titles[statuses(responses).index(200)]
        db.session.expire_all()
        assert db.session.get(Demand, demand_id).title == winner


def _signed_in(live, user):
    browser = live.browser()
    assert (
        browser.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    )
    return browser


def test_the_second_save_of_an_edit_page_is_refused_and_keeps_the_input(live, make):
    owner = make.enterprise()
    demand_id = make.demand(owner, status="draft", title="原标题").id
    mine, theirs = _signed_in(live, owner), _signed_in(live, colleague_of(owner))

    def version_on(page: str) -> str:
        return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)

    my_version = version_on(mine.get(f"/demands/{demand_id}/edit").text)
    their_version = version_on(theirs.get(f"/demands/{demand_id}/edit").text)
    saved = theirs.post(
        f"/demands/{demand_id}/edit",
        data={**DEMAND_FORM, "title": "同事的标题", "action": "draft", "version": their_version},
    )
    assert saved.status_code == 302
    refused = mine.post(
        f"/demands/{demand_id}/edit",
        data={**DEMAND_FORM, "title": "我的标题", "action": "draft", "version": my_version},
    )
    assert refused.status_code == 409
    assert "已被他人修改" in refused.text and "我的标题" in refused.text  # nothing typed is lost
    db.session.expire_all()
    assert db.session.get(Demand, demand_id).title == "同事的标题"


def test_a_provider_profile_saved_from_an_old_page_is_refused(live, make):
    user = make.provider()
    mine, theirs = _signed_in(live, user), _signed_in(live, colleague_of(user))
    profile = {
        "kind": "design-firm",
        "level": "none",
        "region": "yongchuan",
        "clusters": ["nev-ice"],
        "services": ["appearance-design"],
    }

    def version_on(page: str) -> str:
        return re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)

    my_version = version_on(mine.get("/providers/profile").text)
    their_version = version_on(theirs.get("/providers/profile").text)
    saved = theirs.post(
        "/providers/profile", data={**profile, "team_size": "12", "version": their_version}
    )
    assert saved.status_code == 302
    refused = mine.post(
        "/providers/profile", data={**profile, "team_size": "30", "version": my_version}
    )
    assert refused.status_code == 409 and "已被他人修改" in refused.text
    db.session.expire_all()
    assert db.session.get(User, user.id).organization.provider.team_size == 12
