"""Cluster common needs: alike open demands of different enterprises proposed as a group at
the administrator's threshold, a project with a shared brief, enterprises appearing only once
they opt in, providers ranked for the whole group, invited, one chosen, the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Notification
from matchmaker.search_engine import get_search
from matchmaker.services import guides, statistics, statistics_recognition
from matchmaker.services.common_needs import answers, detection, projects
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit

HELMETS = [
    ("电动摩托车头盔外观设计", "为电动摩托车配套头盔做外观造型和配色，要求轻量、通风"),
    ("摩托车头盔造型升级", "现有头盔外观老旧，需要重新设计造型和涂装配色，兼顾通风"),
    ("骑行头盔新款外观", "新款骑行头盔的外观设计与配色方案，轻量化外壳"),
]


@pytest.fixture
def cast(make):
    admin = make.admin()
    owners = [make.enterprise(name=f"头盔厂{n}") for n in range(3)]
    helmets = [
        make.demand(
            owner,
            title=title,
            description=text,
            cluster="motorcycle",
            services=["appearance-design", "cmf-design"],
        )
        for owner, (title, text) in zip(owners, HELMETS, strict=True)
    ]
    engine = make.demand(
        owners[0],
        title="摩托车发动机散热结构优化",
        description="缸体散热片结构仿真与优化，降低温升",
        cluster="motorcycle",
        services=["structural-design"],
    )
    good = make.provider(
        name="摩托车造型设计公司",
        clusters=["motorcycle"],
        services=["appearance-design", "cmf-design"],
        description="专注摩托车及头盔外观造型、配色涂装设计",
    )
    other = make.provider(
        name="食品包装设计公司", clusters=["food-agri"], services=["packaging-design"]
    )
    get_search().refresh()
    return {"admin": admin, "owners": owners, "helmets": helmets, "engine": engine,
            "good": good, "other": other}  # fmt: skip


def project(cast):
    need = projects.create(
        db.session,
        cast["admin"],
        {
            "demand_ids": [d.id for d in cast["helmets"]],
            "title": "摩托车头盔外观共性设计",
            "brief": "三家头盔企业共同委托一套轻量化头盔外观与配色方案",
            "threshold": 0.85,
        },
    )
    commit()
    return need


def test_the_group_is_proposed_and_the_threshold_decides(cast):
    proposals = detection.proposals(db.session, cast["admin"])
    assert [sorted(d.id for d in p.demands) for p in proposals] == [
        sorted(d.id for d in cast["helmets"])
    ]
    assert cast["engine"].id not in {d.id for p in proposals for d in p.demands}
    assert detection.proposals(db.session, cast["admin"], threshold=0.999) == []
    with pytest.raises(ValidationFailed):
        detection.proposals(db.session, cast["admin"], threshold=1.5)
    with pytest.raises(Forbidden):
        detection.proposals(db.session, cast["owners"][0])
    project(cast)  # demands in a project are no longer proposed
    assert detection.proposals(db.session, cast["admin"]) == []


def test_an_enterprise_appears_only_after_opting_in(cast):
    need = project(cast)
    first, second, third = cast["owners"]
    good = cast["good"]
    assert [m.status for m in need.members] == ["invited"] * 3
    # nobody joined yet: no enterprise appears to another, and no provider can be invited
    assert projects.participants(first, need) == []
    with pytest.raises(Conflict):
        answers.invite(db.session, cast["admin"], need.id, good.organization.provider.id)
    projects.respond(db.session, first, need.id, {"join": True})
    projects.respond(db.session, second, need.id, {"join": False})
    commit()
    assert [m.organization_id for m in projects.participants(first, need)] == [
        first.organization_id
    ]
    # the demand of an enterprise that did not join is not part of the group's brief either
    assert cast["helmets"][1].title not in answers.need_record(need)["description"]
    assert cast["helmets"][0].title in answers.need_record(need)["description"]
    ranked = answers.suggested(db.session, get_search(), cast["admin"], need.id)
    assert ranked[0].record.id == good.organization.provider.id
    invitation = answers.invite(db.session, cast["admin"], need.id, ranked[0].record.id)
    commit()
    # an invited provider sees the brief, never who takes part until chosen
    assert projects.read(db.session, good, need.id).id == need.id
    assert projects.participants(good, need) == []
    with pytest.raises(NotFound):
        projects.read(db.session, cast["other"], need.id)
    projects.respond(db.session, third, need.id, {"join": True})
    answers.answer(db.session, good, need.id, {"interested": True, "note": "可两周内出方案"})
    commit()
    with pytest.raises(ValidationFailed):  # only a provider that said yes
        answers.choose(db.session, cast["admin"], need.id, cast["other"].organization.provider.id)
    answers.choose(db.session, cast["admin"], need.id, invitation.provider_id)
    commit()
    assert {m.organization_id for m in projects.participants(good, need)} == {
        first.organization_id,
        third.organization_id,
    }
    with pytest.raises(ValidationFailed):
        answers.record_outcome(db.session, cast["admin"], need.id, {"won": True})
    answers.record_outcome(
        db.session, cast["admin"], need.id, {"won": True, "contract_value": 360000}
    )
    commit()
    assert need.status == "won" and need.contract_value == 360000
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"common_need.created", "common_need.joined", "common_need.declined",
            "common_need.provider_invited", "common_need.answered", "common_need.matched",
            "common_need.won"} <= actions  # fmt: skip
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"common_need_asked", "common_need_invited", "common_need_chosen"} <= kinds
    # a provider's notifications never name an enterprise
    for note in db.session.scalars(select(Notification).where(Notification.user_id == good.id)):
        assert "头盔厂" not in str(note.params)


def test_a_project_needs_open_demands_of_different_enterprises_in_one_cluster(cast, make):
    helmets = cast["helmets"]
    body = {"title": "t", "brief": "b", "threshold": 0.85}
    same_org = make.demand(cast["owners"][0], cluster="motorcycle")
    elsewhere = make.demand(cast["owners"][1], cluster="nev-ice")
    for ids in ([helmets[0].id, same_org.id], [helmets[0].id, elsewhere.id], [helmets[0].id]):
        with pytest.raises(ValidationFailed) as caught:
            projects.create(db.session, cast["admin"], {**body, "demand_ids": ids})
        assert "demand_ids" in caught.value.fields
    with pytest.raises(Forbidden):  # only administrators form projects
        projects.create(
            db.session, cast["owners"][0], {**body, "demand_ids": [h.id for h in helmets]}
        )


def test_statistics_count_groups_formed_joined_and_won(cast):
    need = project(cast)
    projects.respond(db.session, cast["owners"][0], need.id, {"join": True})
    good = cast["good"]
    answers.invite(db.session, cast["admin"], need.id, good.organization.provider.id)
    answers.answer(db.session, good, need.id, {"interested": True})
    answers.choose(db.session, cast["admin"], need.id, good.organization.provider.id)
    answers.record_outcome(db.session, cast["admin"], need.id, {"won": True, "contract_value": 5})
    commit()
    figures = statistics_recognition.common_needs(db.session, statistics.default_filters())
    assert (figures.formed, figures.joined, figures.won, figures.contracted) == (1, 1, 1, 5)
    other = statistics.make_filters(None, None, cluster="nev-ice")
    assert statistics_recognition.common_needs(db.session, other).formed == 0


def test_guide_editions_list_common_needs_per_cluster_without_the_enterprises(cast, client):
    need = project(cast)
    projects.respond(db.session, cast["owners"][0], need.id, {"join": True})
    today = local_today()
    guide = guides.create_draft(
        db.session,
        cast["admin"],
        {
            "title": "2026年第四季度供需指南",
            "period_start": (today - dt.timedelta(days=90)).isoformat(),
            "period_end": today.isoformat(),
        },
    )
    guides.publish(db.session, cast["admin"], guide.id)
    commit()
    listed = guide.content["common_needs"]
    assert [(n["title"], n["cluster"], n["joined"]) for n in listed] == [
        ("摩托车头盔外观共性设计", "motorcycle", 1)
    ]
    html = client.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "摩托车头盔外观共性设计" in html and "头盔厂" not in html


def test_the_outcome_is_tracked_from_formed_to_won_or_closed(cast, make):
    """formed → providers invited → one chosen → won with its value; or closed at any point
    before, never twice; every step in the audit trail with its date."""
    need = project(cast)
    admin, good = cast["admin"], cast["good"]
    assert need.status == "open" and need.provider is None
    projects.respond(db.session, cast["owners"][0], need.id, {"join": True})
    answers.invite(db.session, admin, need.id, good.organization.provider.id)
    with pytest.raises(Conflict):  # won needs a chosen provider
        answers.record_outcome(db.session, admin, need.id, {"won": True, "contract_value": 1})
    answers.answer(db.session, good, need.id, {"interested": True})
    answers.choose(db.session, admin, need.id, good.organization.provider.id)
    commit()
    assert need.status == "matched"
    with pytest.raises(ValidationFailed) as caught:  # won with no value
        answers.record_outcome(db.session, admin, need.id, {"won": True})
    assert "contract_value" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        answers.record_outcome(db.session, admin, need.id, {"won": True, "contract_value": -1})
    assert "contract_value" in caught.value.fields
    with pytest.raises(Forbidden):
        answers.record_outcome(db.session, good, need.id, {"won": True, "contract_value": 1})
    answers.record_outcome(
        db.session, admin, need.id, {"won": True, "contract_value": 480000, "note": "签约两年"}
    )
    commit()
    assert (need.status, need.contract_value, need.outcome_note) == ("won", 480000, "签约两年")
    with pytest.raises(Conflict):  # an outcome is recorded once
        answers.record_outcome(db.session, admin, need.id, {"won": False})
    steps = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject_id == need.id).order_by(AuditEvent.id)
        )
        if e.action.startswith("common_need.")
    ]
    assert steps == ["common_need.created", "common_need.joined", "common_need.provider_invited",
                     "common_need.answered", "common_need.matched", "common_need.won"]  # fmt: skip

    # another group closes before any provider is chosen, without a value
    other = make.enterprise(name="头盔厂乙")
    helmets = [cast["engine"], make.demand(other, cluster="motorcycle", title="发动机散热改进")]
    closed = projects.create(
        db.session, admin,
        {"demand_ids": [d.id for d in helmets], "title": "散热", "brief": "散热结构",
         "threshold": 0.7},
    )  # fmt: skip
    answers.record_outcome(
        db.session, admin, closed.id, {"won": False, "contract_value": 9, "note": "需求取消"}
    )
    commit()
    assert (closed.status, closed.contract_value) == ("closed", None)
    with pytest.raises(Conflict):  # a closed project takes no provider any more
        answers.invite(db.session, admin, closed.id, good.organization.provider.id)
    figures = statistics_recognition.common_needs(db.session, statistics.default_filters())
    assert (figures.formed, figures.won, figures.contracted) == (2, 1, 480000)
