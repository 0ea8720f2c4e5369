"""Matchmaking meetings (对接会): plan, propose pairs, invite, RSVP, record outcomes.

planning → invited (invitations sent; sending again invites organisations added since)
→ held (the first outcome is recorded after the start). An administrator runs every step;
users of invited organisations see their invitations and answer yes / no / maybe.

Proposal: open demands (published or in negotiation) in the meeting's cluster and/or
district, each with its top providers from the matcher, stored as pairs with the matcher's
score and the provider's rank for that demand (1 = best). The proposal itself records no
exposure: only an administrator sees it. When invitations go out, each included pair is
shown to both sides, so it is recorded then as a ``Recommendation`` (first showing only),
which keeps the statistics' "recommended" stage and exposure spread honest.

Times are stored as naive UTC like every other timestamp; forms speak China time.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from search import SearchBackend

from ..china_time import to_local, to_utc
from ..models import (
    MEETING_EDITABLE,
    AuditEvent,
    Demand,
    DemandStatus,
    Meeting,
    MeetingInvitee,
    MeetingPair,
    MeetingStatus,
    Organization,
    Provider,
    Role,
    Rsvp,
    User,
    utcnow,
)
from ..taxonomy import get_taxonomy
from . import audit, exposure, mail, meeting_calendar
from .access import DEMAND_POLICY, require_role
from .errors import Conflict, Forbidden, NotFound, ValidationFailed, field_error
from .indexing import demand_record
from .lead_shape import Lead, shown_to
from .notifications import notify
from .unit_of_work import after_commit
from .vouching import organization_vouched_sql, provider_vouched_sql


class Outcome:
    TALKED = "talked"
    FOLLOW_UP = "follow_up"
    CONTRACT_SIGNED = "contract_signed"
    NO_SHOW = "no_show"
    ALL = (TALKED, FOLLOW_UP, CONTRACT_SIGNED, NO_SHOW)


RSVP_ANSWERS = (Rsvp.YES, Rsvp.NO, Rsvp.MAYBE)
KIND_MATCHMAKING, KIND_DIAGNOSIS = "matchmaking", "diagnosis"
KINDS = (KIND_MATCHMAKING, KIND_DIAGNOSIS)
DEFAULT_PER_DEMAND = 3
MAX_DEMANDS = 200
MAX_CONTRACT_VALUE = 2_000_000_000  # fits the 32-bit column


# --- reading -----------------------------------------------------------------------------------


def get_meeting(session: Session, actor: User, meeting_id: int) -> Meeting:
    require_role(actor, Role.ADMIN)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_("对接会不存在"))
    return meeting


def list_meetings(session: Session, actor: User) -> list[tuple[Meeting, int, int]]:
    """Every meeting, upcoming first then past, with (included pairs, invited organisations)."""
    require_role(actor, Role.ADMIN)
    meetings = list(
        session.scalars(
            select(Meeting)
            .options(selectinload(Meeting.pairs), selectinload(Meeting.invitees))
            .order_by(Meeting.starts_at.desc())
        )
    )
    now = utcnow()
    upcoming = sorted((m for m in meetings if m.starts_at >= now), key=lambda m: m.starts_at)
    past = [m for m in meetings if m.starts_at < now]
    return [(m, sum(1 for p in m.pairs if p.included), len(m.invitees)) for m in upcoming + past]


@dataclass
class ProviderSide:
    """One provider's pairs in a meeting, best first: the proposal ranked the other way."""

    provider: Provider
    pairs: list[MeetingPair] = field(default_factory=list)

    @property
    def best_score(self) -> float:
        return max((p.score for p in self.pairs), default=0.0)


@dataclass
class Overview:
    meeting: Meeting
    by_demand: list[tuple[Demand, list[MeetingPair]]]
    by_provider: list[ProviderSide]
    invitees: list[MeetingInvitee]
    rsvp_counts: dict[str, int]
    included: int
    uninvited: int  # organisations in included pairs that have no invitation yet
    started: bool


def overview(session: Session, actor: User, meeting_id: int) -> Overview:
    meeting = get_meeting(session, actor, meeting_id)
    pairs = list(
        session.scalars(
            select(MeetingPair)
            .where(MeetingPair.meeting_id == meeting.id)
            .options(
                selectinload(MeetingPair.demand).selectinload(Demand.organization),
                selectinload(MeetingPair.provider).selectinload(Provider.organization),
            )
        )
    )
    by_demand: dict[int, list[MeetingPair]] = defaultdict(list)
    by_provider: dict[int, ProviderSide] = {}
    for pair in pairs:
        by_demand[pair.demand_id].append(pair)
        by_provider.setdefault(pair.provider_id, ProviderSide(pair.provider)).pairs.append(pair)
    demand_rows = []
    for group in by_demand.values():
        group.sort(key=lambda p: (p.rank, -p.score, p.id))
        demand_rows.append((group[0].demand, group))
    # Enterprise side: demands whose best pair scores highest first.
    demand_rows.sort(key=lambda row: (-max(p.score for p in row[1]), row[0].id))
    sides = list(by_provider.values())
    for side in sides:
        side.pairs.sort(key=lambda p: (-p.score, p.rank, p.id))
    sides.sort(key=lambda s: (-s.best_score, s.provider.id))
    invitees = sorted(meeting.invitees, key=lambda i: (i.organization.type, i.organization.name))
    counts = dict.fromkeys((Rsvp.PENDING, *RSVP_ANSWERS), 0)
    for invitee in invitees:
        counts[invitee.rsvp] = counts.get(invitee.rsvp, 0) + 1
    return Overview(
        meeting,
        demand_rows,
        sides,
        invitees,
        counts,
        sum(1 for p in pairs if p.included),
        len(_uninvited(meeting)),
        meeting.starts_at <= utcnow(),
    )


def pair_choices(
    session: Session, actor: User, meeting_id: int
) -> tuple[list[Demand], list[Provider]]:
    """What an administrator may pair by hand: open demands in scope, and every public
    provider."""
    meeting = get_meeting(session, actor, meeting_id)
    demands = _open_demands(session, meeting)
    providers = list(
        session.scalars(
            select(Provider)
            .join(Provider.organization)
            .where(organization_vouched_sql())  # public profiles only
            .options(selectinload(Provider.organization))
            .order_by(Organization.name)
        )
    )
    return demands, providers


# --- creating and proposing --------------------------------------------------------------------


def _text(body: Mapping, name: str, limit: int, required: bool, errors: dict) -> str:
    value = body.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors.setdefault(name, []).append(_("必填"))
    elif len(value) > limit:
        errors.setdefault(name, []).append(_("最多 %(n)s 个字符", n=limit))
    return value


def _code(body: Mapping, name: str, vocabulary: str, errors: dict) -> str | None:
    value = body.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in get_taxonomy().vocabulary(vocabulary):
        errors.setdefault(name, []).append(_("无效的选项"))
        return None
    return value


def _checked(body: Mapping[str, Any], now: dt.datetime | None) -> dict[str, Any]:
    """A meeting's fields from ``body`` (title, cluster and/or region, starts_at in naive China
    time and in the future, place, description), or ValidationFailed naming every problem."""
    errors: dict[str, list[str]] = {}
    fields = {
        "title": _text(body, "title", 200, True, errors),
        "place": _text(body, "place", 200, True, errors),
        "description": _text(body, "description", 5000, False, errors),
        "cluster": _code(body, "cluster", "clusters", errors),
        "region": _code(body, "region", "regions", errors),
        "kind": body.get("kind") or KIND_MATCHMAKING,
    }
    if fields["kind"] not in KINDS:
        errors.setdefault("kind", []).append(_("无效的选项"))
    if (
        fields["cluster"] is None
        and fields["region"] is None
        and not errors.keys()
        & {
            "cluster",
            "region",
        }
    ):
        errors.setdefault("cluster", []).append(_("产业集群与区县至少选择一项"))
    starts_local = body.get("starts_at")
    if not isinstance(starts_local, dt.datetime):
        errors.setdefault("starts_at", []).append(_("请填写有效的日期和时间"))
    else:
        fields["starts_at"] = to_utc(starts_local.replace(tzinfo=None, second=0, microsecond=0))
        if fields["starts_at"] <= (now or utcnow()):
            errors.setdefault("starts_at", []).append(_("会议时间必须晚于现在"))
    if errors:
        raise ValidationFailed(_("提交的数据有误"), errors)
    return fields


def create_meeting(
    session: Session, actor: User, body: Mapping[str, Any], now: dt.datetime | None = None
) -> Meeting:
    """``body``: title, cluster and/or region (at least one), starts_at (naive China time, in
    the future), place, description (optional), kind (matchmaking, the default, or
    diagnosis: enterprises meet experts in slots, ``meeting_slots``)."""
    require_role(actor, Role.ADMIN)
    fields = _checked(body, now)
    meeting = Meeting(**fields, status=MeetingStatus.PLANNING, created_by_id=actor.id)
    return audit.log_added(
        session,
        actor,
        meeting,
        "meeting.created",
        "meeting",
        kind=meeting.kind,
        cluster=meeting.cluster,
        region=meeting.region,
        starts_at=meeting.starts_at.isoformat(),
    )


def meeting_input(meeting: Meeting) -> dict[str, Any]:
    """The meeting as its form shows it (China time)."""
    return {
        "kind": meeting.kind,
        "title": meeting.title,
        "cluster": meeting.cluster,
        "region": meeting.region,
        "starts_at": to_local(meeting.starts_at),
        "place": meeting.place,
        "description": meeting.description,
    }


def update_meeting(
    session: Session,
    actor: User,
    meeting_id: int,
    body: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Meeting:
    """Change a meeting that has not started. Once invitations are out its scope (cluster,
    district) stays, and a new time or place is sent to every invitee with a new calendar
    file."""
    meeting = get_meeting(session, actor, meeting_id)
    _require_upcoming(meeting, now)
    fields = _checked(body, now)
    if fields["kind"] != meeting.kind:
        raise field_error("kind", _("对接会的类型不能更改"))
    if meeting.invitees and (fields["cluster"], fields["region"]) != (
        meeting.cluster,
        meeting.region,
    ):
        raise field_error("cluster", _("邀请已发出，不能再改变对接会的范围"))
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, fields[name])
    audit.log_event(session, actor, "meeting.updated", "meeting", meeting.id, fields=changed)
    if meeting.invitees and {"starts_at", "place", "title"} & set(changed):
        _tell_invitees(session, meeting, "meeting_changed")
    return meeting


def cancel_meeting(
    session: Session,
    actor: User,
    meeting_id: int,
    now: dt.datetime | None = None,
) -> Meeting:
    """Call off a meeting that has not started: every invited organisation hears of it (in the
    app, by e-mail with a calendar file that removes the event). It cannot be undone."""
    meeting = get_meeting(session, actor, meeting_id)
    _require_upcoming(meeting, now)
    meeting.status = MeetingStatus.CANCELLED
    audit.log_event(
        session,
        actor,
        "meeting.cancelled",
        "meeting",
        meeting.id,
        organization_ids=[i.organization_id for i in meeting.invitees],
    )
    if meeting.invitees:
        _tell_invitees(session, meeting, "meeting_cancelled")
    return meeting


def _require_editable(meeting: Meeting) -> None:
    if meeting.status not in MEETING_EDITABLE:
        raise Conflict(_("对接会已举行或已取消，不能再修改配对"))


def _require_upcoming(meeting: Meeting, now: dt.datetime | None = None) -> None:
    """Changing or calling off: only before the start, and not once called off."""
    if meeting.status not in MEETING_EDITABLE or meeting.starts_at <= (now or utcnow()):
        raise Conflict(_("对接会已开始、已举行或已取消，不能再修改"))


def _open_demands(session: Session, meeting: Meeting) -> list[Demand]:
    statement = (
        select(Demand)
        .where(Demand.status.in_(DemandStatus.OPEN))
        .options(selectinload(Demand.organization))
    )
    if meeting.cluster:
        statement = statement.where(Demand.cluster == meeting.cluster)
    if meeting.region:
        statement = statement.where(Demand.region == meeting.region)
    return list(
        session.scalars(
            statement.order_by(Demand.published_at.desc(), Demand.id.desc()).limit(MAX_DEMANDS)
        )
    )


def propose(
    session: Session,
    backend: SearchBackend,
    actor: User,
    meeting_id: int,
    per_demand: int = DEFAULT_PER_DEMAND,
) -> int:
    """(Re)build the proposal from the matcher. Existing pairs keep their included flag and
    outcome and get the fresh score and rank; pairs added by hand stay. Returns new pairs."""
    meeting = get_meeting(session, actor, meeting_id)
    _require_editable(meeting)
    existing = {(p.demand_id, p.provider_id): p for p in meeting.pairs}
    added = 0
    demands = _open_demands(session, meeting)
    for demand in demands:
        hits = backend.match_providers(demand_record(demand), per_demand)
        known = set(
            session.scalars(
                select(Provider.id).where(
                    Provider.id.in_([h.id for h in hits]), provider_vouched_sql()
                )
            )
        )
        for rank, hit in enumerate((h for h in hits if h.id in known), start=1):
            pair = existing.get((demand.id, hit.id))
            if pair is None:
                pair = MeetingPair(meeting_id=meeting.id, demand_id=demand.id, provider_id=hit.id)
                session.add(pair)
                meeting.pairs.append(pair)
                existing[(demand.id, hit.id)] = pair
                added += 1
            pair.score, pair.rank = round(float(hit.score), 4), rank
    session.flush()
    audit.log_event(
        session,
        actor,
        "meeting.proposed",
        "meeting",
        meeting.id,
        demands=len(demands),
        added=added,
        per_demand=per_demand,
    )
    return added


def add_pair(
    session: Session, actor: User, meeting_id: int, demand_id: Any, provider_id: Any
) -> MeetingPair:
    """An administrator's own pair: an open demand (in the meeting's scope) and any provider."""
    meeting = get_meeting(session, actor, meeting_id)
    _require_editable(meeting)
    errors: dict[str, list[str]] = {}
    demand = session.get(Demand, demand_id) if isinstance(demand_id, int) else None
    if (
        demand is None
        or demand.status not in DemandStatus.OPEN
        or (meeting.cluster and demand.cluster != meeting.cluster)
        or (meeting.region and demand.region != meeting.region)
    ):
        errors["demand_id"] = [_("请选择本场对接会范围内进行中的需求")]
    provider = session.get(Provider, provider_id) if isinstance(provider_id, int) else None
    if provider is None:
        errors["provider_id"] = [_("请选择服务方")]
    if errors:
        raise ValidationFailed(_("提交的数据有误"), errors)
    if any(p.demand_id == demand.id and p.provider_id == provider.id for p in meeting.pairs):
        raise Conflict(_("该配对已在名单中"), {"provider_id": [_("该配对已在名单中")]})
    rank = max((p.rank for p in meeting.pairs if p.demand_id == demand.id), default=0) + 1
    pair = MeetingPair(
        meeting_id=meeting.id, demand=demand, provider=provider, score=0.0, rank=rank, included=True
    )
    session.add(pair)
    meeting.pairs.append(pair)
    session.flush()
    audit.log_event(
        session,
        actor,
        "meeting.pair_added",
        "meeting",
        meeting.id,
        pair_id=pair.id,
        demand_id=demand.id,
        provider_id=provider.id,
    )
    return pair


def _pair(session: Session, actor: User, meeting_id: int, pair_id: int) -> MeetingPair:
    meeting = get_meeting(session, actor, meeting_id)
    pair = session.get(MeetingPair, pair_id)
    if pair is None or pair.meeting_id != meeting.id:
        raise NotFound(_("配对不存在"))
    return pair


def set_included(
    session: Session, actor: User, meeting_id: int, pair_id: int, included: bool
) -> MeetingPair:
    pair = _pair(session, actor, meeting_id, pair_id)
    meeting = session.get(Meeting, meeting_id)
    _require_editable(meeting)
    if pair.included != included:
        pair.included = included
        audit.log_event(
            session,
            actor,
            "meeting.pair_included" if included else "meeting.pair_excluded",
            "meeting",
            meeting.id,
            pair_id=pair.id,
            demand_id=pair.demand_id,
            provider_id=pair.provider_id,
        )
    return pair


# --- invitations and answers -------------------------------------------------------------------


MAIL_WORK = "meeting_mail"  # after-commit work: (meeting_id, organization ids, kind)


def _organizations_of(pairs) -> list[Organization]:
    seen: dict[int, Organization] = {}
    for pair in pairs:
        for org in (pair.demand.organization, pair.provider.organization):
            seen.setdefault(org.id, org)
    return list(seen.values())


def _sendable(meeting: Meeting) -> list[MeetingPair]:
    """Included pairs whose demand is still open: the proposal may be older than a demand's
    withdrawal or return to review, and such a pair is not sent out."""
    return [p for p in meeting.pairs if p.included and p.demand.status in DemandStatus.OPEN]


def _booked(meeting: Meeting) -> list[Organization]:
    """A diagnostic meeting's enterprises, each seated with an expert in a slot."""
    seen: dict[int, Organization] = {}
    for slot in meeting.slots:
        if slot.organization is not None:
            seen.setdefault(slot.organization_id, slot.organization)
    return list(seen.values())


def _uninvited(meeting: Meeting) -> list[Organization]:
    """Organisations of the pairs to send (and of the booked expert slots) that have no
    invitation yet: whom sending invites."""
    invited = {i.organization_id for i in meeting.invitees}
    wanted = _organizations_of(_sendable(meeting)) + _booked(meeting)
    return list({org.id: org for org in wanted if org.id not in invited}.values())


def uninvited(session: Session, actor: User, meeting_id: int) -> list[Organization]:
    return _uninvited(get_meeting(session, actor, meeting_id))


def _mail_body(
    meeting: Meeting, organization: Organization, base_url: str, kind: str
) -> tuple[str, str]:
    """The e-mail for one organisation: an invitation, a change of time or place, or a
    cancellation; the calendar file goes with it."""
    facts = {
        "organization": organization.name,
        "title": meeting.title,
        "when": to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": meeting.place,
        "link": f"{base_url}/meetings/invitations",
    }
    if kind == "meeting_cancelled":
        return _("【工业设计供需对接平台】对接会取消：%(title)s", title=meeting.title), _(
            "%(organization)s：\n\n原定于 %(when)s（北京时间）在 %(place)s 举行的对接会"
            "“%(title)s”已取消。附件中的日历文件可将它从日历中移除。\n\n详情：%(link)s\n",
            **facts,
        )
    if kind == "meeting_changed":
        return _("【工业设计供需对接平台】对接会变更：%(title)s", title=meeting.title), _(
            "%(organization)s：\n\n对接会“%(title)s”有变更，请以此为准。\n时间：%(when)s（北京时间）"
            "\n地点：%(place)s\n\n附件是更新后的日历文件。详情与回复：%(link)s\n",
            **facts,
        )
    return _("【工业设计供需对接平台】对接会邀请：%(title)s", title=meeting.title), _(
        "%(organization)s：\n\n诚邀贵单位参加对接会“%(title)s”。\n时间：%(when)s（北京时间）\n地点：%(place)s\n\n"
        "请登录平台回复是否参加：%(link)s\n",
        **facts,
    )


def _sequence(session: Session, meeting: Meeting) -> int:
    """The calendar event's revision: one more for every change and for the cancellation."""
    updates = session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.subject_type == "meeting",
            AuditEvent.subject_id == meeting.id,
            AuditEvent.action == "meeting.updated",
        )
    )
    return (updates or 0) + int(meeting.status == MeetingStatus.CANCELLED)


def calendar_file(meeting: Meeting, session: Session, base_url: str) -> bytes:
    """The meeting as a calendar event, at its current revision."""
    return meeting_calendar.ics(meeting, _sequence(session, meeting), base_url)


def calendar_for(
    session: Session, actor: User, meeting_id: int, base_url: str
) -> tuple[Meeting, bytes]:
    """The calendar file, for administrators and the users of an invited organisation."""
    meeting = session.get(Meeting, meeting_id)
    organization_id = getattr(actor, "organization_id", None)
    invited = meeting is not None and (
        getattr(actor, "is_admin", False)
        or any(i.organization_id == organization_id for i in meeting.invitees)
    )
    if not invited:
        raise NotFound(_("没有找到该对接会的邀请"))
    return meeting, calendar_file(meeting, session, base_url)


def _notify(session: Session, meeting: Meeting, organizations: list[Organization], kind: str):
    """Each active user of each organisation: an in-app notification now and, after the
    commit, an e-mail (``MAIL_WORK``: a job calls ``mail_organizations``)."""
    params = {
        "meeting_id": meeting.id,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "place": meeting.place,
    }
    for org in organizations:
        notify(session, [u for u in org.users if u.active], kind, "/meetings/invitations", **params)
    if organizations:
        after_commit(session, MAIL_WORK, meeting.id, tuple(o.id for o in organizations), kind)


def _tell_experts(session: Session, meeting: Meeting, organization_ids: set[int]) -> None:
    """Experts of the slots booked by the newly invited enterprises hear of their slots."""
    for slot in meeting.slots:
        if slot.organization_id in organization_ids:
            notify(
                session,
                [slot.expert.user],
                "meeting_slot",
                "/expert",
                title=meeting.title,
                starts_at=slot.starts_at.isoformat(),
                place=meeting.place,
                organization=slot.organization.name,
            )


def _tell_invitees(session: Session, meeting: Meeting, kind: str) -> None:
    _notify(session, meeting, [i.organization for i in meeting.invitees], kind)


def send_invitations(session: Session, actor: User, meeting_id: int) -> int:
    """Invite every organisation of an included pair that is not invited yet (in-app now, by
    e-mail after the commit). Returns how many organisations were newly invited."""
    meeting = get_meeting(session, actor, meeting_id)
    _require_editable(meeting)
    now = utcnow()
    if meeting.starts_at <= now:
        raise Conflict(_("对接会已开始，不能再发送邀请"))
    included = _sendable(meeting)
    if meeting.kind == KIND_DIAGNOSIS and not _booked(meeting):
        raise ValidationFailed(_("还没有企业预约专家时段，请先安排时段"))
    if meeting.kind != KIND_DIAGNOSIS and not included:
        raise ValidationFailed(_("名单中没有入选的配对，请先生成或添加配对"))
    new_orgs = _uninvited(meeting)
    for org in new_orgs:
        invitee = MeetingInvitee(meeting_id=meeting.id, organization_id=org.id, invited_at=now)
        session.add(invitee)
        meeting.invitees.append(invitee)
    _notify(session, meeting, new_orgs, "meeting_invited")
    _tell_experts(session, meeting, {o.id for o in new_orgs})
    # Each pair is now shown to both sides: the first showing is a recommendation.
    exposure.record(
        session, (exposure.Shown(p.demand_id, p.provider_id, p.rank, p.score) for p in included)
    )
    meeting.status = MeetingStatus.INVITED
    session.flush()
    audit.log_event(
        session,
        actor,
        "meeting.invitations_sent",
        "meeting",
        meeting.id,
        organization_ids=[o.id for o in new_orgs],
        pairs=len(included),
    )
    return len(new_orgs)


def mail_organizations(
    session: Session, meeting_id: int, organization_ids: Iterable[int], kind: str, base_url: str
) -> int:
    """Queue the e-mail of ``kind`` (an invitation, a change, a cancellation) to every active
    user of these invited organisations, each in the user's language, with the meeting's
    calendar file as it is now; returns how many."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return 0
    calendar = calendar_file(meeting, session, base_url).decode()
    attachment = (meeting_calendar.filename(meeting), meeting_calendar.MIMETYPE, calendar)
    wanted = set(organization_ids)
    queued = 0
    for invitee in meeting.invitees:
        if invitee.organization_id not in wanted:
            continue
        for user in invitee.organization.users:
            if not user.active:
                continue
            with force_locale(user.locale or "zh"):
                subject, body = _mail_body(meeting, invitee.organization, base_url, kind)
            mail.queue(session, user.email, subject, body, attachments=(attachment,))
            queued += 1
    return queued


@dataclass
class ArrangedPair:
    """One talk arranged for the reader: the demand in the reader's shape (a provider reads a
    Lead, without the enterprise), and whether the demand is the reader's own."""

    demand: Demand | Lead
    provider: Provider
    own_demand: bool


@dataclass
class ReceivedInvitation:
    invitee: MeetingInvitee
    meeting: Meeting
    pairs: list[ArrangedPair]  # the organisation's included pairs: whom it will meet about what
    open: bool  # answers are accepted until the meeting starts
    slots: list = field(default_factory=list)  # a diagnostic meeting: its times with experts


def invitations_for(session: Session, actor: User) -> list[ReceivedInvitation]:
    """The actor's organisation's invitations, upcoming first."""
    if (
        actor is None
        or actor.organization_id is None
        or actor.role not in (Role.ENTERPRISE, Role.PROVIDER)
    ):
        raise Forbidden(_("仅受邀单位的用户可以查看对接会邀请"))
    invitees = list(
        session.scalars(
            select(MeetingInvitee)
            .where(MeetingInvitee.organization_id == actor.organization_id)
            .options(selectinload(MeetingInvitee.organization))
        )
    )
    now = utcnow()
    result = []
    for invitee in invitees:
        meeting = session.get(Meeting, invitee.meeting_id)
        mine = [
            p
            for p in meeting.pairs
            if p.included
            and actor.organization_id in (p.demand.organization_id, p.provider.organization_id)
            and DEMAND_POLICY.can(actor, "see", p.demand)  # not one withdrawn or back in review
        ]
        mine.sort(key=lambda p: (-p.score, p.rank, p.id))
        result.append(
            ReceivedInvitation(
                invitee,
                meeting,
                [
                    ArrangedPair(
                        shown_to(actor, p.demand),
                        p.provider,
                        p.demand.organization_id == actor.organization_id,
                    )
                    for p in mine
                ],
                meeting.starts_at > now and meeting.status in MEETING_EDITABLE,
                [slot for slot in meeting.slots if slot.organization_id == actor.organization_id],
            )
        )
    upcoming = sorted((i for i in result if i.open), key=lambda i: i.meeting.starts_at)
    past = sorted(
        (i for i in result if not i.open), key=lambda i: i.meeting.starts_at, reverse=True
    )
    return upcoming + past


def rsvp(session: Session, actor: User, meeting_id: int, answer: Any) -> MeetingInvitee:
    if actor is None or actor.organization_id is None:
        raise Forbidden(_("仅受邀单位的用户可以回复"))
    invitee = session.scalar(
        select(MeetingInvitee).where(
            MeetingInvitee.meeting_id == meeting_id,
            MeetingInvitee.organization_id == actor.organization_id,
        )
    )
    if invitee is None:
        raise NotFound(_("没有找到该对接会的邀请"))
    if answer not in RSVP_ANSWERS:
        raise field_error("answer", _("请选择参加、不参加或待定"))
    meeting = session.get(Meeting, meeting_id)
    if meeting.starts_at <= utcnow() or meeting.status not in MEETING_EDITABLE:
        raise Conflict(_("对接会已开始，不能再回复"))
    if invitee.rsvp != answer:
        invitee.rsvp, invitee.responded_at = answer, utcnow()
        audit.log_event(
            session,
            actor,
            "meeting.rsvp",
            "meeting",
            meeting.id,
            organization_id=invitee.organization_id,
            answer=answer,
        )
    return invitee


# --- outcomes ----------------------------------------------------------------------------------


def record_outcome(
    session: Session,
    actor: User,
    meeting_id: int,
    pair_id: int,
    outcome: Any,
    contract_value: Any = None,
    notes: Any = None,
) -> MeetingPair:
    """After the start, per included pair: talked / follow_up / contract_signed / no_show, a
    contract value in CNY (only for a signed contract) and notes. A signature is the audit
    event ``meeting.contract_signed``; taking it back is ``meeting.contract_cancelled``."""
    pair = _pair(session, actor, meeting_id, pair_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict(_("对接会已取消"))
    if meeting.starts_at > utcnow():
        raise Conflict(_("对接会开始后才能记录结果"))
    if not pair.included:
        raise Conflict(_("该配对未入选，不能记录结果"))
    errors: dict[str, list[str]] = {}
    if outcome not in Outcome.ALL:
        errors["outcome"] = [_("请选择对接结果")]
    value = None
    if contract_value not in (None, ""):
        if outcome != Outcome.CONTRACT_SIGNED:
            errors["contract_value"] = [_("只有签约时才填写合同金额")]
        elif (
            not isinstance(contract_value, int)
            or isinstance(contract_value, bool)
            or not 0 <= contract_value <= MAX_CONTRACT_VALUE
        ):
            errors["contract_value"] = [
                _("请填写 0 到 %(n)s 之间的整数（元）", n=MAX_CONTRACT_VALUE)
            ]
        else:
            value = contract_value
    notes = notes.strip() if isinstance(notes, str) else ""
    if len(notes) > 2000:
        errors["notes"] = [_("最多 %(n)s 个字符", n=2000)]
    if errors:
        raise ValidationFailed(_("提交的数据有误"), errors)
    was_signed = pair.outcome == Outcome.CONTRACT_SIGNED
    old_value = pair.contract_value
    pair.outcome, pair.contract_value, pair.notes = outcome, value, notes or None
    subject = {"pair_id": pair.id, "demand_id": pair.demand_id, "provider_id": pair.provider_id}
    audit.log_event(
        session,
        actor,
        "meeting.outcome_recorded",
        "meeting",
        meeting.id,
        outcome=outcome,
        contract_value=value,
        **subject,
    )
    is_signed = outcome == Outcome.CONTRACT_SIGNED
    if is_signed and (not was_signed or old_value != value):
        audit.log_event(
            session,
            actor,
            "meeting.contract_signed",
            "meeting",
            meeting.id,
            contract_value=value,
            cluster=pair.demand.cluster,
            region=pair.demand.region,
            **subject,
        )
    elif was_signed and not is_signed:
        audit.log_event(
            session, actor, "meeting.contract_cancelled", "meeting", meeting.id, **subject
        )
    if meeting.status != MeetingStatus.HELD:
        meeting.status = MeetingStatus.HELD
        audit.log_event(session, actor, "meeting.held", "meeting", meeting.id)
    return pair
