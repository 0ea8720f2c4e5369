"""The good-design showcase: a won deal or a case submitted with before/after images, scored
by experts on the shared rubric machinery (never one in conflict), shortlisted, winners
announced; the public showcase by cluster, service and district; winners cited in guides."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from matchmaker.china_time import today as local_today
from matchmaker.extensions import db
from matchmaker.models import AuditEvent, Notification
from matchmaker.services import (
    experts,
    files,
    guides,
    providers,
    statistics,
    statistics_recognition,
)
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.services.showcase import entries, gallery, selection
from matchmaker.transaction import commit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def entry_body(year_id: int, **fields) -> dict:
    return {
        "year_id": year_id,
        "title": "电动三轮车整车造型",
        "services": ["appearance-design"],
        "problem": "老款车型外观陈旧，经销商反映难卖",
        "design": "重新设计前脸和货箱，统一家族化造型",
        "results": "上市半年销量提升，模具费下降",
        "sales_change_pct": 35,
        "cost_change_pct": -12,
        "awards": "2026年红点设计奖",
        **fields,
    }


@pytest.fixture
def cast(make, app):
    admin = make.admin()
    designer = make.provider(name="渝西工业设计有限公司", region="yongchuan")
    rival = make.provider(name="江津设计工作室", region="jiangjin")
    owner = make.enterprise(name="宗申三轮车有限公司", region="jiangjin")
    demand = make.demand(owner, title="电动三轮车外观", cluster="motorcycle", region="jiangjin")
    interest = make.won_deal(designer, owner, demand)
    case = providers.add_case(
        db.session,
        rival,
        rival.organization.provider.id,
        {"title": "储能柜外观", "description": "户外储能柜", "cluster": "new-energy-storage"},
    )
    jia = make.expert("甲专家", "jia@x.cn", admin)
    yi = make.expert("乙专家", "yi@x.cn", admin)
    commit()
    experts.add_conflict(
        db.session, admin, yi.id, {"organization_id": rival.organization_id, "relation": "client"}
    )
    year = selection.create_year(
        db.session,
        admin,
        {
            "year": 2026,
            "title": "2026“重庆好设计”评选",
            "criteria": [{"name": "创新性", "weight": 40}, {"name": "市场成效", "weight": 60}],
            "min_reviewers": 1,
            "closes_on": (local_today() + dt.timedelta(days=20)).isoformat(),
        },
    )
    commit()
    return {
        "admin": admin,
        "designer": designer,
        "rival": rival,
        "owner": owner,
        "interest": interest,
        "case": case,
        "jia": jia,
        "yi": yi,
        "year": year,
        "storage": files.Storage(app.config["UPLOAD_FOLDER"], app.config["UPLOAD_QUOTA_BYTES"]),
    }


def submitted(cast):
    deal = entries.submit(
        db.session,
        cast["designer"],
        entry_body(cast["year"].id, source="deal", interest_id=cast["interest"].id),
    )
    case = entries.submit(
        db.session,
        cast["rival"],
        entry_body(cast["year"].id, source="case", case_id=cast["case"].id, title="储能柜外观"),
    )
    commit()
    return deal, case


def announced(cast):
    """Both entries submitted; the deal scored by 甲, shortlisted and announced the winner."""
    deal, case = submitted(cast)
    admin = cast["admin"]
    selection.assign_reviewer(db.session, admin, deal.id, cast["jia"].id)
    selection.score(db.session, cast["jia"].user, deal.id, {"scores": {"c1": 9, "c2": 8}})
    selection.shortlist(db.session, admin, cast["year"].id, {"entry_ids": [deal.id]})
    selection.announce(db.session, admin, cast["year"].id, {"entry_ids": [deal.id]})
    commit()
    return deal, case


def test_entries_come_from_the_providers_own_won_deals_and_cases(cast, make):
    deal, case = submitted(cast)
    # the deal's demand gives cluster and district; the case its own cluster, the provider's
    assert (deal.cluster, deal.region) == ("motorcycle", "jiangjin")
    assert (case.cluster, case.region) == ("new-energy-storage", "jiangjin")
    body = entry_body(cast["year"].id, source="deal", interest_id=cast["interest"].id)
    with pytest.raises(Conflict):  # once per year
        entries.submit(db.session, cast["designer"], body)
    with pytest.raises(ValidationFailed) as caught:  # not its deal
        entries.submit(db.session, cast["rival"], body)
    assert "interest_id" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:  # not its case
        entries.submit(
            db.session,
            cast["designer"],
            entry_body(cast["year"].id, source="case", case_id=cast["case"].id),
        )
    assert "case_id" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        entries.submit(db.session, cast["designer"], entry_body(cast["year"].id, source="deal"))
    assert "interest_id" in caught.value.fields
    with pytest.raises(Forbidden):
        entries.submit(db.session, cast["owner"], body)
    pending = make.interest(cast["designer"], make.demand(cast["owner"]))
    with pytest.raises(ValidationFailed):  # an interest not won is no achievement
        entries.submit(
            db.session,
            cast["designer"],
            entry_body(cast["year"].id, source="deal", interest_id=pending.id),
        )


def test_images_before_and_after(cast):
    deal, _case = submitted(cast)
    before = [files.Upload("旧款.png", "png", PNG)]
    after = [files.Upload("新款.png", "png", PNG), files.Upload("新款侧面.png", "png", PNG)]
    entries.add_images(db.session, cast["designer"], deal.id, before, after, cast["storage"])
    commit()
    assert [a.filename for a in entries.images_of(deal, "before")] == ["旧款.png"]
    assert [a.filename for a in entries.images_of(deal, "after")] == ["新款.png", "新款侧面.png"]
    with pytest.raises(NotFound):  # the rival does not see an entry before the announcement
        entries.add_images(db.session, cast["rival"], deal.id, before, [], cast["storage"])


def test_scoring_shortlist_winners_and_the_public_showcase(cast):
    deal, case = submitted(cast)
    admin = cast["admin"]
    with pytest.raises(Conflict):  # 乙 works for the rival's client: never on its panel
        selection.assign_reviewer(db.session, admin, case.id, cast["yi"].id)
    for entry in (deal, case):
        selection.assign_reviewer(db.session, admin, entry.id, cast["jia"].id)
    commit()
    with pytest.raises(Conflict):  # nobody scored yet
        selection.shortlist(db.session, admin, cast["year"].id, {"entry_ids": [deal.id]})
    selection.score(db.session, cast["jia"].user, deal.id, {"scores": {"c1": 9, "c2": 9}})
    selection.score(db.session, cast["jia"].user, case.id, {"scores": {"c1": 6, "c2": 5}})
    commit()
    ranked = selection.ranking(db.session, admin, cast["year"].id)
    assert [(r.entry.id, r.panel.score) for r in ranked] == [(deal.id, 90.0), (case.id, 54.0)]
    selection.shortlist(db.session, admin, cast["year"].id, {"entry_ids": [deal.id, case.id]})
    commit()
    # not public before the announcement
    with pytest.raises(NotFound):
        entries.read(db.session, None, deal.id)
    assert gallery.search(db.session) == []
    with pytest.raises(ValidationFailed):  # only the year's entries
        selection.announce(db.session, admin, cast["year"].id, {"entry_ids": [987]})
    selection.announce(db.session, admin, cast["year"].id, {"entry_ids": [deal.id]})
    commit()
    assert (deal.status, case.status) == ("winner", "not_selected")
    assert entries.read(db.session, None, deal.id).id == deal.id
    with pytest.raises(NotFound):
        entries.read(db.session, None, case.id)
    with pytest.raises(Conflict):  # the year is over
        selection.score(db.session, cast["jia"].user, deal.id, {"scores": {"c1": 1, "c2": 1}})
    assert gallery.search(db.session, cluster="motorcycle") == [deal]
    assert gallery.search(db.session, service="appearance-design", region="jiangjin") == [deal]
    assert gallery.search(db.session, region="yongchuan") == []
    assert gallery.search(db.session, service="structural-design") == []
    assert gallery.of_provider(db.session, cast["designer"].organization.provider.id) == [deal]
    cited = gallery.guide_briefs(db.session, {"motorcycle"})
    assert [(c["title"], c["provider"], c["year"]) for c in cited] == [
        ("电动三轮车整车造型", "渝西工业设计有限公司", 2026)
    ]
    assert gallery.guide_briefs(db.session, {"nev-ice"}) == []
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert {"showcase_won", "showcase_not_selected", "showcase_review_assigned"} <= kinds
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "showcase.year_opened",
        "showcase.submitted",
        "showcase.reviewer_assigned",
        "showcase.scored",
        "showcase.shortlisted",
        "showcase.won",
        "showcase.announced",
    } <= actions


def test_winners_must_be_shortlisted_and_a_panel_reads_what_it_may(cast):
    deal, case = submitted(cast)
    admin = cast["admin"]
    selection.assign_reviewer(db.session, admin, deal.id, cast["jia"].id)
    selection.score(db.session, cast["jia"].user, deal.id, {"scores": {"c1": 8, "c2": 8}})
    commit()
    with pytest.raises(ValidationFailed):
        selection.announce(db.session, admin, cast["year"].id, {"entry_ids": [deal.id]})
    shown, panel = selection.panel_shown_to(cast["designer"], deal)
    assert shown == [] and panel is None  # not before the announcement
    shown, panel = selection.panel_shown_to(cast["jia"].user, deal)
    assert len(shown) == 1 and panel is None
    with pytest.raises(NotFound):  # an expert not on its panel
        entries.read(db.session, cast["yi"].user, deal.id)
    with pytest.raises(Forbidden):
        selection.score(db.session, cast["designer"], deal.id, {"scores": {"c1": 9, "c2": 9}})


def test_statistics_count_entries_and_winners(cast):
    deal, case = announced(cast)
    figures = statistics_recognition.showcase(db.session, statistics.default_filters())
    assert (figures.entries, figures.winners) == (2, 1)
    storage = statistics.make_filters(None, None, cluster="new-energy-storage")
    assert statistics_recognition.showcase(db.session, storage).winners == 0
    assert statistics_recognition.showcase(db.session, storage).entries == 1
    elsewhere = statistics.make_filters(None, None, region="yongchuan")
    assert statistics_recognition.showcase(db.session, elsewhere).entries == 0


def test_a_guide_edition_cites_the_winners_of_its_clusters(cast, client):
    deal, _case = announced(cast)
    admin = cast["admin"]
    today = local_today()
    period = {
        "period_start": (today - dt.timedelta(days=90)).isoformat(),
        "period_end": today.isoformat(),
    }
    guide = guides.create_draft(db.session, admin, {"title": "2026年第四季度供需指南", **period})
    other = guides.create_draft(
        db.session, admin, {"title": "汽车集群专刊", "clusters": ["nev-ice"], **period}
    )
    guides.publish(db.session, admin, guide.id)
    commit()
    assert [e["title"] for e in guide.content["good_design"]] == ["电动三轮车整车造型"]
    assert other.content["good_design"] == []
    page = client.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "重庆好设计获奖作品" in page and "电动三轮车整车造型" in page
