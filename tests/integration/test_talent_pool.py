"""The talent pool: cards vs profiles, contact through the platform, placements, and a
person's export and deletion of their own data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.models import (
    AuditEvent,
    LoginSession,
    Notification,
    TalentContact,
    TalentNeedStatus,
    TalentProfile,
    User,
)
from matchmaker.search_engine import get_search
from matchmaker.services import login_sessions
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.services.talent import contacts, matching, needs, privacy, profiles
from matchmaker.services.talent.cards import TalentCard
from matchmaker.services.talent.records import talent_record
from matchmaker.transaction import commit
from search import TALENT, SearchQuery

PRIVATE = ("王晓雨", "13900001111", "wang@example.cn", "重庆某某装备有限公司", "十二年")


@pytest.fixture
def person(make):
    employer = make.enterprise(name=PRIVATE[3])
    user = make.designer(
        name=PRIVATE[0],
        specialities=["appearance-design", "structural-design"],
        clusters=["smart-equipment"],
        years_experience=12,
        professional_title="associate-senior",
        employer_id=employer.organization_id,
        bio=f"{PRIVATE[4]}装备外观与结构设计经验",
        works=[{"title": "数控机床防护罩", "description": "外观与钣金结构", "year": 2024}],
    )
    user.phone, user.email = PRIVATE[1], PRIVATE[2]
    commit()
    return user


def test_everyone_else_reads_the_card_and_nothing_personal(make, person):
    profile = profiles.own_profile(db.session, person)
    admin, enterprise, provider = make.admin(), make.enterprise(), make.provider()
    assert profiles.read_profile(db.session, person, profile.id) is profile
    assert profiles.read_profile(db.session, admin, profile.id) is profile
    for reader in (enterprise, provider, None):
        card = profiles.read_profile(db.session, reader, profile.id)
        assert isinstance(card, TalentCard)
        assert card == TalentCard(
            id=profile.id,
            specialities=("appearance-design", "structural-design"),
            clusters=("smart-equipment",),
            professional_title="associate-senior",
            seniority="veteran",  # 12 years: a band, not the number
            region="yongchuan",
            availability="available",
        )
        assert not any(secret in repr(card) for secret in PRIVATE)
    # Unlisted: the card is gone for everyone but the person and administrators.
    profiles.update_profile(db.session, person, profile.id, {"listed": False})
    commit()
    with pytest.raises(NotFound):
        profiles.read_profile(db.session, enterprise, profile.id)
    assert profiles.read_profile(db.session, admin, profile.id) is profile
    # Only the person changes it.
    with pytest.raises(Forbidden):
        profiles.update_profile(db.session, admin, profile.id, {"bio": "改写"})


def test_the_pool_and_its_index_hold_no_personal_data(make, person):
    get_search().refresh()
    profile = profiles.own_profile(db.session, person)
    results = matching.search_pool(db.session, get_search(), SearchQuery(index=TALENT))
    assert [card.id for card in results.rows] == [profile.id]
    assert isinstance(results.rows[0], TalentCard)
    # What the engine is given: no name, contact, employer or education…
    record = json.dumps(talent_record(profile), ensure_ascii=False)
    assert not any(secret in record for secret in PRIVATE[:4])
    assert "education" not in record and "employer" not in record
    # …and the words of the biography and works, which match needs but find nobody.
    for word in ("数控机床", "钣金"):
        assert get_search().search(SearchQuery(index=TALENT, text=word)).total == 0
    by_label = matching.search_pool(
        db.session, get_search(), SearchQuery(index=TALENT, text="结构设计")
    )
    assert by_label.page.total == 1


def test_contact_through_the_platform_then_hire(make, person):
    profile = profiles.own_profile(db.session, person)
    owner = make.enterprise()
    need = make.talent_need(
        owner,
        title="结构设计师",
        specialities=["structural-design"],
        min_title="intermediate",
        headcount=1,
    )
    get_search().refresh()
    recommended = matching.recommended_people(db.session, get_search(), owner, need.id)
    assert [m.record.id for m in recommended] == [profile.id]
    assert isinstance(recommended[0].record, TalentCard)
    codes = {r.code for r in recommended[0].hit.reasons}
    assert {"speciality", "cluster", "seniority"} <= codes

    contact = contacts.send(
        db.session, owner, profile.id, {"need_id": need.id, "message": "欢迎来聊"}
    )
    commit()
    assert contacts.details(contact, owner) is None  # nothing exchanged before acceptance
    note = db.session.scalar(select(Notification).where(Notification.user_id == person.id))
    assert note.kind == "talent_contacted" and note.params["title"] == "结构设计师"
    with pytest.raises(Conflict):
        contacts.send(db.session, owner, profile.id, {"need_id": need.id, "message": "再问一次"})
    db.session.rollback()
    # Contacted people drop out of the need's recommendations.
    assert matching.recommended_people(db.session, get_search(), owner, need.id) == []
    # Someone else's need cannot be used, nor can the organisation answer for the person.
    other = make.enterprise()
    with pytest.raises(ValidationFailed):
        contacts.send(db.session, other, profile.id, {"need_id": need.id, "message": "hi"})
    with pytest.raises(NotFound):
        contacts.accept(db.session, other, contact.id)
    with pytest.raises(Forbidden):
        contacts.accept(db.session, owner, contact.id)
    with pytest.raises(Conflict):
        contacts.hire(db.session, owner, contact.id)  # not accepted yet

    contacts.accept(db.session, person, contact.id)
    commit()
    shared = contacts.details(contact, owner)
    assert shared["person"] == {"name": PRIVATE[0], "email": PRIVATE[2], "phone": PRIVATE[1]}
    assert shared["organization"]["organization"] == owner.organization.name
    org_note = db.session.scalar(
        select(Notification).where(Notification.kind == "talent_contact_accepted")
    )
    assert PRIVATE[0] not in json.dumps(org_note.params, ensure_ascii=False)

    contacts.hire(db.session, owner, contact.id)
    commit()
    assert need.filled == 1 and need.status == TalentNeedStatus.CLOSED
    assert need.close_reason == "filled"
    placed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "talent.placed"))
    assert placed.data["specialities"] == ["structural-design"]


def test_needs_are_for_signed_in_members_and_managed_by_their_organisation(make):
    owner, other, designer = make.enterprise(), make.provider(), make.designer()
    need = make.talent_need(owner)
    assert needs.read_need(db.session, designer, need.id) is need
    assert needs.read_need(db.session, other, need.id) is need
    with pytest.raises(NotFound):
        needs.read_need(db.session, None, need.id)
    with pytest.raises(Forbidden):
        needs.update_need(db.session, other, need.id, {"headcount": 3})
    with pytest.raises(ValidationFailed) as bad:
        needs.update_need(db.session, owner, need.id, {"salary_min": 20000, "salary_max": 9000})
    assert "salary_max" in bad.value.fields
    needs.withdraw(db.session, owner, need.id)
    commit()
    with pytest.raises(NotFound):  # closed: only its organisation still sees it
        needs.read_need(db.session, designer, need.id)
    assert needs.read_need(db.session, owner, need.id) is need


def test_export_holds_everything_about_the_person(make, person):
    profile = profiles.own_profile(db.session, person)
    owner = make.enterprise()
    need = make.talent_need(owner, title="外观设计师")
    contacts.send(db.session, owner, profile.id, {"need_id": need.id, "message": "您好"})
    commit()
    data = privacy.export_data(db.session, person)
    json.dumps(data, ensure_ascii=False)  # one JSON document
    assert data["account"]["email"] == PRIVATE[2] and data["account"]["name"] == PRIVATE[0]
    assert data["profile"]["employer"]["name"] == PRIVATE[3]
    assert data["profile"]["works"][0]["title"] == "数控机床防护罩"
    assert data["profile"]["years_experience"] == 12
    assert [c["need"]["title"] for c in data["contacts"]] == ["外观设计师"]
    assert data["contacts"][0]["message"] == "您好"
    assert [n["kind"] for n in data["notifications"]] == ["talent_contacted"]
    with pytest.raises(Forbidden):
        privacy.export_data(db.session, owner)


def test_deletion_removes_the_profile_the_card_and_the_account(make, person):
    profile_id = profiles.own_profile(db.session, person).id
    owner = make.enterprise()
    need = make.talent_need(owner)
    contacts.send(db.session, owner, profile_id, {"need_id": need.id, "message": "您好"})
    login_sessions.start(db.session, person, True, dt.timedelta(days=30), "Firefox on Linux")
    commit()
    get_search().refresh()
    assert get_search().search(SearchQuery(index=TALENT)).total == 1

    privacy.delete_data(db.session, person)
    commit()
    get_search().refresh()
    assert db.session.get(TalentProfile, profile_id) is None
    assert db.session.scalar(select(func.count(TalentContact.id))) == 0
    assert get_search().search(SearchQuery(index=TALENT)).total == 0
    with pytest.raises(NotFound):
        profiles.read_profile(db.session, owner, profile_id)
    account = db.session.get(User, person.id)
    assert not account.active and account.name is None and account.phone is None
    assert account.email == f"deleted-{person.id}@invalid"
    signed_in = select(func.count(LoginSession.id)).where(LoginSession.user_id == person.id)
    assert db.session.scalar(signed_in) == 0  # no browser, device or time of sign-in is kept
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == person.id)
        )
        == 0
    )
    # Nothing personal was ever written to the audit trail.
    trail = json.dumps([e.data for e in db.session.scalars(select(AuditEvent))], ensure_ascii=False)
    assert not any(secret in trail for secret in PRIVATE)
