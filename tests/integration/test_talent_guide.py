"""The scarce-talent guide's figures against values counted by hand (see the comments)."""

from __future__ import annotations

import datetime as dt

import pytest

from matchmaker import china_time
from matchmaker.extensions import db
from matchmaker.services.guides import talent_snapshot
from matchmaker.services.talent import contacts, needs, profiles
from matchmaker.transaction import commit

S, A, UI, CMF = "structural-design", "appearance-design", "ui-design", "cmf-design"


@pytest.fixture
def market(make):
    """Needs N1–N4 and people P1–P5:

    N1 structural+appearance, smart-equipment, 3 places, one hire → 2 open places
    N2 structural, nev-ice, 2 places
    N3 ui, electronics, 1 place
    N4 appearance, smart-equipment, withdrawn → not demand
    P1 structural, smart-equipment, available      (hired for N1, still looking)
    P2 appearance+cmf, smart-equipment, open to offers
    P3 appearance, nev-ice, available
    P4 ui, electronics, not looking                 → not supply
    P5 structural, nev-ice, card not listed          → not supply
    """
    owner = make.enterprise()
    n1 = make.talent_need(owner, specialities=[S, A], clusters=["smart-equipment"], headcount=3)
    make.talent_need(owner, specialities=[S], clusters=["nev-ice"], headcount=2)
    make.talent_need(owner, specialities=[UI], clusters=["electronics"], headcount=1)
    n4 = make.talent_need(owner, specialities=[A], clusters=["smart-equipment"])
    needs.withdraw(db.session, owner, n4.id)
    p1 = make.designer(specialities=[S], clusters=["smart-equipment"], availability="available")
    make.designer(specialities=[A, CMF], clusters=["smart-equipment"], availability="open")
    make.designer(specialities=[A], clusters=["nev-ice"], availability="available")
    make.designer(specialities=[UI], clusters=["electronics"], availability="unavailable")
    make.designer(specialities=[S], clusters=["nev-ice"], listed=False)
    profile = profiles.own_profile(db.session, p1)
    contact = contacts.send(db.session, owner, profile.id, {"need_id": n1.id, "message": "您好"})
    contacts.accept(db.session, p1, contact.id)
    contacts.hire(db.session, owner, contact.id)
    commit()
    return owner


def _build():
    today = china_time.today()
    return talent_snapshot.build(db.session, today - dt.timedelta(days=30), today)


def _row(rows, code):
    return next(r for r in rows if r["code"] == code)


def test_figures_per_speciality_and_cluster(market):
    content = _build()
    rows = content["specialities"]
    # structural: places 2 (N1) + 2 (N2) = 4 in 2 needs; people P1 only (P5 unlisted)
    assert _row(rows, S) == {
        "code": S,
        "places": 4,
        "needs": 2,
        "people": 1,
        "gap": 3,
        "ratio": 4.0,
        "scarce": True,
    }
    # appearance: 2 places (N1; N4 withdrawn); people P2, P3
    assert _row(rows, A) == {
        "code": A,
        "places": 2,
        "needs": 1,
        "people": 2,
        "gap": 0,
        "ratio": 1.0,
        "scarce": False,
    }
    # ui: 1 place; nobody (P4 is not looking): no ratio
    assert _row(rows, UI) == {
        "code": UI,
        "places": 1,
        "needs": 1,
        "people": 0,
        "gap": 1,
        "ratio": None,
        "scarce": True,
    }
    # cmf: P2 offers it, nobody asks
    assert _row(rows, CMF)["gap"] == -1 and not _row(rows, CMF)["scarce"]
    assert content["scarcity"]["specialities"] == [S, UI]

    clusters = content["clusters"]
    assert (
        _row(clusters, "smart-equipment")["places"],
        _row(clusters, "smart-equipment")["people"],
    ) == (2, 2)
    assert (_row(clusters, "nev-ice")["places"], _row(clusters, "nev-ice")["people"]) == (2, 1)
    assert (_row(clusters, "electronics")["places"], _row(clusters, "electronics")["people"]) == (
        1,
        0,
    )
    # nev-ice and electronics both short by one: more places first
    assert content["scarcity"]["clusters"] == ["nev-ice", "electronics"]

    assert content["totals"] == {
        "open_needs": 3,
        "open_places": 5,
        "people": 3,
        "available_now": 2,
        "needs_posted": 4,
        "placements": 1,
        "scarce_specialities": 2,
    }


def test_a_cluster_filter_keeps_needs_and_people_of_those_clusters(market):
    today = china_time.today()
    content = talent_snapshot.build(db.session, today, today, ["nev-ice"])
    # N2 only; P3 only
    assert content["totals"]["open_places"] == 2 and content["totals"]["people"] == 1
    assert [r["code"] for r in content["clusters"]] == ["nev-ice"]
    assert content["scarcity"]["specialities"] == [S]


def test_changes_against_the_previous_edition(market, make):
    before = _build()
    make.talent_need(market, specialities=[A], clusters=["smart-equipment"], headcount=3)
    after = _build()
    change = talent_snapshot.changes(before, {"previous_edition": 1}, after)
    # appearance: 2 places → 5, people 2 → 2: gap 0 → 3, newly scarce
    assert _row(change["specialities"], A) == {
        "code": A,
        "places": [2, 5],
        "people": [2, 2],
        "gap": [0, 3],
        "delta_gap": 3,
    }
    assert _row(change["specialities"], S)["delta_gap"] == 0
    assert change["newly_scarce"] == [A] and change["eased"] == []
    assert change["previous_edition"] == 1


def test_editions_of_each_kind_are_numbered_and_compared_apart(market, make, app):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from matchmaker.services import guides
    from matchmaker.services.guides import files

    admin = make.admin()
    today = china_time.today()
    body = {
        "title": "紧缺人才供需指南（一）",
        "period_start": today.isoformat(),
        "period_end": today.isoformat(),
    }
    design = guides.create_draft(db.session, admin, {**body, "title": "设计供需指南"})
    guides.publish(db.session, admin, design.id)
    first = guides.create_draft(db.session, admin, body, kind="talent")
    guides.publish(db.session, admin, first.id)
    commit()
    assert (design.edition, first.edition) == (1, 1)  # each kind numbers its own editions
    assert first.content["changes"] is None

    make.talent_need(market, specialities=[A], clusters=["smart-equipment"], headcount=3)
    second = guides.create_draft(
        db.session, admin, {**body, "title": "紧缺人才供需指南（二）"}, kind="talent"
    )
    guides.publish(db.session, admin, second.id)
    commit()
    assert second.edition == 2 and second.previous_id == first.id
    assert second.content["changes"]["newly_scarce"] == [A]
    assert [p["open_places"] for p in second.content["trend"]] == [5, 8]
    assert [g.id for g in guides.list_published(db.session, "talent")] == [second.id, first.id]
    assert [g.id for g in guides.list_published(db.session)] == [design.id]

    pdf = files.render(db.session, second, app.config, "pdf", "zh")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "紧缺专长排行" in text and "结构设计" in text
    workbook = load_workbook(io.BytesIO(files.render(db.session, second, app.config, "xlsx", "zh")))
    scarcity = workbook["紧缺专长排行"]
    # appearance and structural are both short by 3; appearance has more places (5 > 4)
    rows = [[c.value for c in row][:6] for row in scarcity.iter_rows(min_row=2)]
    assert rows == [
        [1, "外观设计", 5, 2, 2, 3],
        [2, "结构设计", 4, 2, 1, 3],
        [3, "UI设计", 1, 1, 0, 1],
    ]
