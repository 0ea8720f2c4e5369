"""One definition per figure: the home page's live counts agree with the guide's snapshot and
the statistics' funnel on the same data, and every page names a figure the same way."""

from __future__ import annotations

import datetime as dt

from matchmaker import china_time
from matchmaker.extensions import db
from matchmaker.models import utcnow
from matchmaker.services import demands, figures, guides, interests, meetings
from matchmaker.services import statistics as stats
from matchmaker.services.guides import snapshot
from matchmaker.transaction import commit
from tests.web.pages import figures_of, page


def _activity(make):
    """Open demands in two states, a closed and a draft one; a deal signed at a meeting, a
    demand won without a meeting, and an accepted interest that is no deal (yet)."""
    admin = make.admin()
    owner = make.enterprise()
    first, second, third = make.provider(), make.provider(), make.provider()
    published = make.demand(owner, title="已发布")
    negotiating = make.demand(owner, title="洽谈中")
    won = make.demand(owner, title="已成交")
    make.demand(owner, title="草稿", status="draft")
    withdrawn = make.demand(owner, title="已撤回")
    for demand, provider in ((negotiating, first), (won, second)):
        interest = make.interest(provider, demand)
        interests.accept(db.session, owner, interest.id)
    demands.mark_won(db.session, owner, won.id)
    demands.withdraw(db.session, owner, withdrawn.id)
    commit()
    meeting = meetings.create_meeting(
        db.session,
        admin,
        {
            "title": "对接会",
            "region": "yongchuan",
            "starts_at": dt.datetime(2031, 1, 1, 9),
            "place": "永川",
        },
    )
    pair = meetings.add_pair(
        db.session, admin, meeting.id, published.id, third.organization.provider.id
    )
    commit()
    meeting.starts_at = utcnow() - dt.timedelta(hours=1)
    meetings.record_outcome(db.session, admin, meeting.id, pair.id, "contract_signed", 90_000)
    commit()
    return admin


def test_live_counts_count_what_their_definitions_say(make):
    assert figures.live(db.session) == dict.fromkeys(
        ("providers", "verified_providers", "enterprises", "open_demands", "accepted_interests",
         "deals"),
        0,
    )  # fmt: skip
    owner, other = make.enterprise(), make.enterprise()
    first, second = make.provider(), make.provider()
    make.provider(profile=False)  # an organisation without a profile is no provider yet
    second.organization.verified = True
    open_demand = make.demand(owner)
    make.demand(owner, status="draft")
    make.demand(other)
    interest = make.interest(first, open_demand)
    make.interest(second, open_demand)
    interests.accept(db.session, owner, interest.id)  # in negotiation: still open
    db.session.commit()
    assert figures.live(db.session) == {
        "providers": 2,
        "verified_providers": 1,
        "enterprises": 2,
        "open_demands": 2,
        "accepted_interests": 1,
        "deals": 0,  # an accepted interest is no deal yet
    }


def test_live_counts_follow_the_guide_and_the_statistics(app, make):
    _activity(make)
    live = figures.live(db.session)
    assert live["open_demands"] == 2  # published and in negotiation, as in the guide
    today = china_time.today()
    guide = snapshot.build(db.session, today - dt.timedelta(days=30), today)
    assert live["open_demands"] == guide["totals"]["open_demands"]
    assert live["verified_providers"] == guide["totals"]["verified_providers"]
    # a deal: the meeting's contract plus the demand won without one; the accepted interest
    # on the demand in negotiation is not a deal
    assert live["deals"] == 2 and live["accepted_interests"] == 2
    all_time = stats.Filters(dt.date(2000, 1, 1), today)
    funnel = stats.compute(db.session, all_time).funnel
    assert live["deals"] == funnel.signed
    assert live["accepted_interests"] == funnel.accepted


def test_every_page_names_a_figure_the_same_way_with_its_definition(app, client, auth, make):
    admin = _activity(make)
    today = china_time.today()
    guide = guides.create_draft(
        db.session,
        admin,
        {
            "title": "指南",
            "period_start": (today - dt.timedelta(days=30)).isoformat(),
            "period_end": today.isoformat(),
        },
    )
    commit()
    home = page(client.get("/"))
    auth.login(admin.email)
    shown = {
        "home": figures_of(home),
        "admin": figures_of(page(client.get("/admin"))),
        "guide": figures_of(page(client.get(f"/guides/{guide.id}"))),
        "statistics": figures_of(page(client.get("/admin/statistics"))),
    }
    open_name, deals_name = "开放需求", "成功对接"
    assert shown["home"][open_name] == shown["admin"][open_name] == shown["guide"][open_name]
    assert shown["home"][open_name] == "2"
    assert shown["home"][deals_name] == shown["admin"][deals_name] == "2"
    assert "其中已认证" not in home and "已认证服务方" in shown["home"]
    # each name carries its definition, the same text on every page
    definition = str(figures.FIGURES["open_demands"].definition)
    assert definition in home and definition in page(client.get(f"/guides/{guide.id}"))
    stats_page = page(client.get("/admin/statistics"))
    assert str(figures.FIGURES["deals"].definition) in stats_page
    assert ">成功对接<" in stats_page  # the funnel's last stage
