"""Matchmaking meetings through the service: plan, propose, edit, invite, answer, outcomes."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from matchmaker import china_time
from matchmaker.extensions import db
from matchmaker.models import (
    AuditEvent,
    Meeting,
    MeetingInvitee,
    MeetingPair,
    Notification,
    Recommendation,
    utcnow,
)
from matchmaker.search_engine import get_search
from matchmaker.services import meeting_papers, meetings
from matchmaker.services import statistics as stats
from matchmaker.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matchmaker.transaction import commit

FUTURE = dt.datetime(2031, 5, 6, 9, 30)  # China time, as a form gives it


def actions(subject_id: int | None = None) -> list[str]:
    statement = (
        select(AuditEvent.action)
        .where(AuditEvent.subject_type == "meeting")
        .order_by(AuditEvent.id)
    )
    if subject_id is not None:
        statement = statement.where(AuditEvent.subject_id == subject_id)
    return list(db.session.scalars(statement))


@pytest.fixture
def world(make):
    """Two enterprises with open nev-ice demands in Yongchuan, a motorcycle demand elsewhere,
    three providers."""
    admin = make.admin()
    first_owner, second_owner = (
        make.enterprise(name="永川汽车零部件厂"),
        make.enterprise(name="永川新能源车企"),
    )
    providers = [make.provider(name=f"汽车设计公司{n}", clusters=["nev-ice"]) for n in (1, 2, 3)]
    d1 = make.demand(first_owner, title="座舱人机交互设计")
    d2 = make.demand(second_owner, title="轮毂外观设计")
    other = make.demand(
        second_owner, title="摩托车油箱造型", cluster="motorcycle", region="jiulongpo"
    )
    return {
        "admin": admin,
        "owners": (first_owner, second_owner),
        "providers": providers,
        "demands": (d1, d2),
        "other": other,
    }


def new_meeting(admin, **body) -> Meeting:
    meeting = meetings.create_meeting(
        db.session,
        admin,
        {
            "title": "新能源汽车对接会",
            "cluster": "nev-ice",
            "region": "yongchuan",
            "starts_at": FUTURE,
            "place": "永川科技馆",
            **body,
        },
    )
    commit()
    return meeting


def test_create_stores_utc_and_audits(app, make):
    admin = make.admin()
    meeting = new_meeting(admin, region=None, description="  欢迎参加  ")
    assert meeting.starts_at == dt.datetime(2031, 5, 6, 1, 30)  # 09:30 in Chongqing is 01:30 UTC
    assert (meeting.cluster, meeting.region, meeting.status, meeting.description) == (
        "nev-ice",
        None,
        "planning",
        "欢迎参加",
    )
    assert actions() == ["meeting.created"]


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"title": " ", "place": ""}, {"title", "place"}),
        ({"cluster": None, "region": None}, {"cluster"}),
        ({"cluster": "flying-cars"}, {"cluster"}),
        ({"region": "atlantis"}, {"region"}),
        ({"starts_at": "tomorrow"}, {"starts_at"}),
        ({"starts_at": dt.datetime(2020, 1, 1, 9, 0)}, {"starts_at"}),
        ({"title": "会" * 201}, {"title"}),
    ],
)
def test_create_rejects_bad_input(app, make, body, fields):
    admin = make.admin()
    with pytest.raises(ValidationFailed) as caught:
        new_meeting(admin, **body)
    assert set(caught.value.fields) == fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(Meeting.id))) == 0


def test_only_admins_run_meetings(app, world):
    owner = world["owners"][0]
    with pytest.raises(Forbidden):
        meetings.create_meeting(
            db.session,
            owner,
            {"title": "x", "cluster": "nev-ice", "starts_at": FUTURE, "place": "x"},
        )
    meeting = new_meeting(world["admin"])
    for call in (
        lambda: meetings.overview(db.session, owner, meeting.id),
        lambda: meetings.propose(db.session, get_search(), owner, meeting.id),
        lambda: meetings.send_invitations(db.session, owner, meeting.id),
        lambda: meetings.list_meetings(db.session, owner),
    ):
        with pytest.raises(Forbidden):
            call()


def test_proposal_pairs_open_demands_in_scope_ranked_both_ways(app, world):
    admin = world["admin"]
    meeting = new_meeting(admin)
    added = meetings.propose(db.session, get_search(), admin, meeting.id, per_demand=2)
    commit()
    d1, d2 = world["demands"]
    # Two in-scope demands × their two best providers;
    # the motorcycle demand in another district is out.
    assert added == 4
    view = meetings.overview(db.session, admin, meeting.id)
    assert {demand.id for demand, _pairs in view.by_demand} == {d1.id, d2.id}
    for _demand, pairs in view.by_demand:
        assert [p.rank for p in pairs] == [1, 2]
        assert pairs[0].score >= pairs[1].score > 0
    for side in view.by_provider:
        assert [p.score for p in side.pairs] == sorted((p.score for p in side.pairs), reverse=True)
    best = [max(p.score for p in pairs) for _d, pairs in view.by_demand]
    assert best == sorted(best, reverse=True)
    # The proposal is for the administrator's eyes only: no exposure yet.
    assert db.session.scalar(select(func.count(Recommendation.id))) == 0
    # Proposing again keeps what is there.
    excluded = view.by_demand[0][1][0]
    meetings.set_included(db.session, admin, meeting.id, excluded.id, False)
    assert meetings.propose(db.session, get_search(), admin, meeting.id, per_demand=2) == 0
    commit()
    assert db.session.get(MeetingPair, excluded.id).included is False
    assert actions(meeting.id) == [
        "meeting.created",
        "meeting.proposed",
        "meeting.pair_excluded",
        "meeting.proposed",
    ]


def test_add_pair_by_hand(app, world):
    admin = world["admin"]
    meeting = new_meeting(admin)
    provider = world["providers"][2].organization.provider
    d1 = world["demands"][0]
    pair = meetings.add_pair(db.session, admin, meeting.id, d1.id, provider.id)
    commit()
    assert (pair.score, pair.rank, pair.included) == (0.0, 1, True)
    with pytest.raises(Conflict) as caught:
        meetings.add_pair(db.session, admin, meeting.id, d1.id, provider.id)
    assert "provider_id" in caught.value.fields
    with pytest.raises(
        ValidationFailed
    ) as caught:  # out of the meeting's scope, and no such provider
        meetings.add_pair(db.session, admin, meeting.id, world["other"].id, 999_999)
    assert set(caught.value.fields) == {"demand_id", "provider_id"}
    with pytest.raises(ValidationFailed):
        meetings.add_pair(db.session, admin, meeting.id, "1; drop table", provider.id)
    db.session.rollback()
    assert "meeting.pair_added" in actions(meeting.id)


def test_pairs_of_another_meeting_are_not_found(app, world):
    admin = world["admin"]
    first, second = new_meeting(admin), new_meeting(admin, title="第二场")
    pair = meetings.add_pair(
        db.session,
        admin,
        first.id,
        world["demands"][0].id,
        world["providers"][0].organization.provider.id,
    )
    commit()
    with pytest.raises(NotFound):
        meetings.set_included(db.session, admin, second.id, pair.id, False)


def test_invitations_notify_each_organisation_once_and_record_exposure(app, world):
    admin = world["admin"]
    meeting = new_meeting(admin)
    meetings.propose(db.session, get_search(), admin, meeting.id, per_demand=3)
    commit()
    with pytest.raises(ValidationFailed):  # nothing included
        for pair in list(meeting.pairs):
            meetings.set_included(db.session, admin, meeting.id, pair.id, False)
        meetings.send_invitations(db.session, admin, meeting.id)
    db.session.rollback()

    dropped = meeting.pairs[0]
    meetings.set_included(db.session, admin, meeting.id, dropped.id, False)
    assert (
        meetings.send_invitations(db.session, admin, meeting.id) == 5
    )  # 2 enterprises + 3 providers
    commit()
    assert meeting.status == "invited"
    invited = set(db.session.scalars(select(MeetingInvitee.organization_id)))
    expected = {o.organization_id for o in world["owners"]} | {
        p.organization_id for p in world["providers"]
    }
    assert invited == expected
    notes = list(
        db.session.scalars(select(Notification).where(Notification.kind == "meeting_invited"))
    )
    assert len(notes) == 5 and notes[0].link == "/meetings/invitations"
    assert (
        notes[0].params["title"] == "新能源汽车对接会" and notes[0].params["place"] == "永川科技馆"
    )
    # Every included pair was shown to both sides: 6 pairs − 1 excluded.
    assert db.session.scalar(select(func.count(Recommendation.id))) == 5
    assert not db.session.scalar(
        select(Recommendation.id).where(
            Recommendation.demand_id == dropped.demand_id,
            Recommendation.provider_id == dropped.provider_id,
        )
    )
    # Sending again invites nobody twice; an organisation added later is invited then.
    assert meetings.send_invitations(db.session, admin, meeting.id) == 0
    commit()
    assert (
        db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "meeting_invited")
        )
        == 5
    )
    assert actions(meeting.id).count("meeting.invitations_sent") == 2


def test_invitations_by_email_after_the_commit(app, world, mail_sink):
    app.config.update(SERVER_NAME="mm.test")  # e-mailed links point at the public address
    sink = mail_sink
    admin = world["admin"]
    meeting = _paired_meeting(world)
    meetings.send_invitations(db.session, admin, meeting.id)
    assert sink.messages == []  # nothing before the commit
    commit()
    recipients = sorted(r for m in sink.messages for r in m.rcpt_tos)
    assert recipients == sorted([world["owners"][0].email, world["providers"][0].email])
    message = email.message_from_bytes(sink.messages[0].content, policy=policy.default)
    assert "新能源汽车对接会" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert (
        "2031-05-06 09:30" in body
        and "永川科技馆" in body
        and "http://mm.test/meetings/invitations" in body
    )
    # the invitation carries the meeting as a calendar event
    (calendar,) = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == f"meeting-{meeting.id}.ics"
    (event,) = Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2031, 5, 6, 1, 30, tzinfo=dt.UTC)
    assert str(event["uid"]) == f"meeting-{meeting.id}@mm.test" and event["sequence"] == 0


def test_rsvp_by_invitees_only_and_until_the_start(app, world):
    admin = world["admin"]
    owner, stranger = world["owners"][0], world["owners"][1]
    meeting = _invited_meeting(world)
    invitations = meetings.invitations_for(db.session, owner)
    assert [i.meeting.id for i in invitations] == [meeting.id] and invitations[0].open
    assert [p.demand.id for p in invitations[0].pairs] == [world["demands"][0].id]
    assert meetings.invitations_for(db.session, stranger) == []
    with pytest.raises(Forbidden):
        meetings.invitations_for(db.session, admin)

    invitee = meetings.rsvp(db.session, owner, meeting.id, "maybe")
    commit()
    assert invitee.rsvp == "maybe" and invitee.responded_at is not None
    with pytest.raises(ValidationFailed):
        meetings.rsvp(db.session, owner, meeting.id, "perhaps")
    with pytest.raises(NotFound):
        meetings.rsvp(db.session, stranger, meeting.id, "yes")
    meetings.rsvp(db.session, world["providers"][0], meeting.id, "yes")
    commit()
    assert meetings.overview(db.session, admin, meeting.id).rsvp_counts == {
        "pending": 0,
        "yes": 1,
        "no": 0,
        "maybe": 1,
    }
    meeting.starts_at = utcnow() - dt.timedelta(hours=1)
    commit()
    with pytest.raises(Conflict):
        meetings.rsvp(db.session, owner, meeting.id, "no")
    assert not meetings.invitations_for(db.session, owner)[0].open
    assert actions(meeting.id).count("meeting.rsvp") == 2


def test_outcomes_after_the_start_and_signed_contracts_feed_statistics(app, world):
    admin = world["admin"]
    meeting = new_meeting(admin)
    provider = world["providers"][0].organization.provider
    d1 = world["demands"][0]
    pair = meetings.add_pair(db.session, admin, meeting.id, d1.id, provider.id)
    other = meetings.add_pair(db.session, admin, meeting.id, world["demands"][1].id, provider.id)
    commit()
    with pytest.raises(Conflict):  # not yet
        meetings.record_outcome(db.session, admin, meeting.id, pair.id, "talked")
    meeting.starts_at = utcnow() - dt.timedelta(hours=3)
    meetings.set_included(db.session, admin, meeting.id, other.id, False)
    commit()
    for outcome, value, field in [
        ("great", None, "outcome"),
        ("talked", 5000, "contract_value"),
        ("contract_signed", -1, "contract_value"),
        ("contract_signed", "十万", "contract_value"),
        ("contract_signed", 2_000_000_001, "contract_value"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            meetings.record_outcome(db.session, admin, meeting.id, pair.id, outcome, value)
        assert field in caught.value.fields
    with pytest.raises(Conflict):  # excluded pairs have no outcome
        meetings.record_outcome(db.session, admin, meeting.id, other.id, "talked")
    db.session.rollback()

    meetings.record_outcome(
        db.session, admin, meeting.id, pair.id, "contract_signed", 380_000, " 首期款已付 "
    )
    commit()
    assert (pair.outcome, pair.contract_value, pair.notes, meeting.status) == (
        "contract_signed",
        380_000,
        "首期款已付",
        "held",
    )
    signed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "meeting.contract_signed")
    )
    assert signed.data == {
        "pair_id": pair.id,
        "demand_id": d1.id,
        "provider_id": provider.id,
        "contract_value": 380_000,
        "cluster": "nev-ice",
        "region": "yongchuan",
    }
    funnel = stats.compute(db.session, stats.default_filters()).funnel
    assert (funnel.signed, funnel.signed_at_meetings, funnel.contract_value) == (1, 1, 380_000)

    meetings.record_outcome(db.session, admin, meeting.id, pair.id, "follow_up")  # taken back
    commit()
    funnel = stats.compute(db.session, stats.default_filters()).funnel
    assert (funnel.signed, funnel.contract_value) == (0, 0)
    assert actions(meeting.id)[-5:] == [
        "meeting.outcome_recorded",
        "meeting.contract_signed",
        "meeting.held",
        "meeting.outcome_recorded",
        "meeting.contract_cancelled",
    ]
    # Once held, the list is final.
    with pytest.raises(Conflict):
        meetings.set_included(db.session, admin, meeting.id, other.id, True)


def _paired_meeting(world) -> Meeting:
    """A new meeting pairing the first demand with the first provider."""
    admin = world["admin"]
    meeting = new_meeting(admin)
    provider = world["providers"][0].organization.provider
    meetings.add_pair(db.session, admin, meeting.id, world["demands"][0].id, provider.id)
    return meeting


def _invited_meeting(world) -> Meeting:
    meeting = _paired_meeting(world)
    meetings.send_invitations(db.session, world["admin"], meeting.id)
    commit()
    return meeting


def _notes(kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_a_meeting_is_edited_and_invitees_hear_of_a_new_time(app, world):
    admin = world["admin"]
    meeting = _invited_meeting(world)
    before = meetings.calendar_file(meeting, db.session, "http://mm.test")
    body = {**meetings.meeting_input(meeting), "place": "永川会展中心"}
    body["starts_at"] = FUTURE + dt.timedelta(days=1)
    meetings.update_meeting(db.session, admin, meeting.id, body)
    commit()
    assert (meeting.place, china_time.to_local(meeting.starts_at)) == (
        "永川会展中心",
        body["starts_at"],
    )
    changed = _notes("meeting_changed")
    assert len(changed) == 2 and changed[0].params["place"] == "永川会展中心"
    assert actions(meeting.id)[-1] == "meeting.updated"
    # the calendar event is the same one, at a later revision and the new time
    (old,) = Calendar.from_ical(before).walk("VEVENT")
    (new,) = Calendar.from_ical(meetings.calendar_file(meeting, db.session, "http://mm.test")).walk(
        "VEVENT"
    )
    assert new["uid"] == old["uid"] and new["sequence"] == old["sequence"] + 1 == 1
    assert new.decoded("dtstart") - old.decoded("dtstart") == dt.timedelta(days=1)
    assert str(new["location"]) == "永川会展中心" and str(new["status"]) == "CONFIRMED"
    # nothing changed: no notice; the scope is fixed once invitations are out; bad input
    meetings.update_meeting(db.session, admin, meeting.id, body)
    assert len(_notes("meeting_changed")) == 2
    with pytest.raises(ValidationFailed) as raised:
        meetings.update_meeting(db.session, admin, meeting.id, {**body, "region": "jiulongpo"})
    assert set(raised.value.fields) == {"cluster"}
    with pytest.raises(ValidationFailed) as raised:
        meetings.update_meeting(db.session, admin, meeting.id, {**body, "title": "", "place": ""})
    assert set(raised.value.fields) == {"title", "place"}
    with pytest.raises(Forbidden):
        meetings.update_meeting(db.session, world["owners"][0], meeting.id, body)


def test_cancelling_tells_every_invitee_and_freezes_the_meeting(app, world, mail_sink):
    admin = world["admin"]
    meeting = _invited_meeting(world)
    mail_sink.messages.clear()  # the invitations
    meetings.cancel_meeting(db.session, admin, meeting.id)
    assert mail_sink.messages == []  # nothing before the commit
    commit()
    assert meeting.status == "cancelled"
    cancelled = _notes("meeting_cancelled")
    invited_users = {u.id for i in meeting.invitees for u in i.organization.users}
    assert {n.user_id for n in cancelled} == invited_users and len(invited_users) == 2
    # each invited user is e-mailed a calendar file that removes the event
    invited_emails = {u.email for i in meeting.invitees for u in i.organization.users}
    assert {r for m in mail_sink.messages for r in m.rcpt_tos} == invited_emails
    message = email.message_from_bytes(mail_sink.messages[0].content, policy=policy.default)
    assert "取消" in message["Subject"]
    (attached,) = list(message.iter_attachments())
    (mailed,) = Calendar.from_ical(attached.get_content()).walk("VEVENT")
    assert str(mailed["status"]) == "CANCELLED" and mailed["sequence"] == 1
    assert actions(meeting.id)[-1] == "meeting.cancelled"
    (event,) = Calendar.from_ical(meetings.calendar_file(meeting, db.session, "")).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and event["sequence"] == 1
    for change in (
        lambda: meetings.cancel_meeting(db.session, admin, meeting.id),
        lambda: meetings.update_meeting(
            db.session, admin, meeting.id, meetings.meeting_input(meeting)
        ),
        lambda: meetings.send_invitations(db.session, admin, meeting.id),
    ):
        with pytest.raises(Conflict):
            change()
    # answers are closed too
    with pytest.raises(Conflict):
        meetings.rsvp(db.session, world["owners"][0], meeting.id, "yes")


def test_a_meeting_that_has_started_cannot_be_called_off(app, world):
    meeting = _invited_meeting(world)
    meeting.starts_at = utcnow() - dt.timedelta(minutes=5)
    commit()
    with pytest.raises(Conflict):
        meetings.cancel_meeting(db.session, world["admin"], meeting.id)


def test_the_calendar_file_is_for_invitees_and_administrators(app, world, make):
    meeting = _invited_meeting(world)
    owner = world["owners"][0]
    got, data = meetings.calendar_for(db.session, owner, meeting.id, "http://mm.test")
    assert got is meeting and b"BEGIN:VEVENT" in data
    assert meetings.calendar_for(db.session, world["admin"], meeting.id, "")[1]
    for outsider in (world["owners"][1], make.provider()):
        with pytest.raises(NotFound):
            meetings.calendar_for(db.session, outsider, meeting.id, "")
    with pytest.raises(NotFound):
        meetings.calendar_for(db.session, owner, 424242, "")


def test_the_agenda_never_seats_anyone_at_two_tables_at_once(app, world, make):
    """One provider paired with every demand, and an enterprise with two demands: the default
    agenda gives each organisation one talk per round."""
    admin, (_first_owner, second_owner) = world["admin"], world["owners"]
    shared, *others = world["providers"]
    third = make.demand(second_owner, title="电池包外壳设计")
    meeting = new_meeting(admin)
    demands = (*world["demands"], third)
    for demand in demands:  # the shared provider is everyone's first choice
        meetings.add_pair(db.session, admin, meeting.id, demand.id, shared.organization.provider.id)
    for demand, provider in zip(demands, (*others, others[0]), strict=True):
        meetings.add_pair(
            db.session, admin, meeting.id, demand.id, provider.organization.provider.id
        )
    commit()
    meeting = db.session.get(Meeting, meeting.id)
    slots = meeting_papers.talk_slots(meeting.pairs)
    assert len(slots) == 6
    for side in ("provider", "demand"):
        seen = set()
        for pair, slot in slots.items():
            owner = getattr(pair, side).organization_id
            assert (owner, slot) not in seen, (side, pair.id, slot)
            seen.add((owner, slot))
    # each demand meets its first choice as early as the others allow
    assert sorted(slots[p] for p in meeting.pairs if p.rank == 1) == [0, 1, 2]
    text = "\n".join(str(cell) for row in meeting_papers.agenda(meeting).rows for cell in row)
    for slot in (0, 1, 2):
        time = FUTURE + meeting_papers.OPENING + slot * meeting_papers.TALK
        assert text.count(f"{time:%H:%M} {shared.organization.name}") == 1, time
