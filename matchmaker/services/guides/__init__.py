"""The supply–demand guide (供需指南): drafts, publishing, editions and subscriptions.

An administrator creates a draft for a period; its ``content`` is a snapshot of current data
(``snapshot.build``). A draft can be edited (title, period, cluster filter, commentary) and
regenerated. Publishing assigns the next edition number, links the previous edition, freezes
what changed since it (``diff.changes``) and the trend across editions, and notifies the
subscribers. A published edition is never recomputed or edited: every change is a 409.

Two kinds of edition share this machinery (``KINDS``): the supply–demand guide of design
services (``design``: ``snapshot``, ``diff``) and the scarce-talent supply–demand guide
(``talent``: ``talent_snapshot``). Each kind numbers its editions, compares with its own
previous edition and draws its own trend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from flask_babel import force_locale
from flask_babel import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ... import china_time
from ...models import Demand, Guide, GuideStatus, GuideSubscription, Role, User, utcnow
from ...schemas import ClusterCode, NotBelow, Strict, Text200, validate
from .. import audit, locks, mail
from ..access import require_role
from ..errors import Conflict, NotFound, field_error
from ..notifications import notify
from ..unit_of_work import after_commit
from . import diff, snapshot, talent_snapshot

PUBLISHED_WORK = "guide_published"  # after-commit work: (guide_id,)
MAX_COMMENTARY = 20_000


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _not_a_number(value: Any) -> Any:
    """A date is a date or an ISO string, not a number of seconds since 1970."""
    if isinstance(value, (int, float)):
        raise PydanticCustomError("date_type", "expected a date (YYYY-MM-DD)")
    return value


Day = Annotated[dt.date, BeforeValidator(_not_a_number)]


@dataclass(frozen=True)
class Kind:
    """What differs between the kinds of edition: how the content is computed, compared with
    the previous edition of the same kind, and summed up as a point of the trend."""

    build: Callable[[Session, dt.date, dt.date, list[str]], dict[str, Any]]
    changes: Callable[[Session, dict, dict, dict], dict[str, Any]]
    trend_point: Callable[[int | None, str, dict], dict[str, Any]]


KINDS: dict[str, Kind] = {
    "design": Kind(
        snapshot.build,
        lambda session, previous, meta, content: diff.changes(
            previous, meta, content, lambda ids: _statuses(session, ids)
        ),
        snapshot.trend_point,
    ),
    "talent": Kind(
        talent_snapshot.build,
        lambda _session, previous, meta, content: talent_snapshot.changes(previous, meta, content),
        talent_snapshot.trend_point,
    ),
}


class GuideIn(Strict):
    """Body of POST /api/v1/guides (and the admin form)."""

    title: Text200 = Field(examples=["2026年第四季度工业设计供需指南"])
    period_start: Day = Field(examples=["2026-10-01"])
    period_end: Day = Field(examples=["2026-12-31"], description="Not before period_start")
    clusters: Annotated[list[ClusterCode], Field(max_length=16), AfterValidator(_unique)] = Field(
        default_factory=list,
        description="Optional filter: only these clusters (codes, labels or aliases)",
    )
    commentary: Annotated[str, Field(max_length=MAX_COMMENTARY)] = Field(
        "", description="Editorial commentary (plain text; blank lines separate paragraphs)"
    )

    rules: ClassVar = (NotBelow("period_start", "period_end", dates=True),)


def guide_input(guide: Guide) -> dict[str, Any]:
    return {
        "title": guide.title,
        "period_start": guide.period_start,
        "period_end": guide.period_end,
        "clusters": list(guide.clusters or []),
        "commentary": guide.commentary or "",
    }


# --- reading ---------------------------------------------------------------------------------


def _get(session: Session, guide_id: int) -> Guide:
    guide = session.get(Guide, guide_id)
    if guide is None:
        raise NotFound(_("指南不存在"))
    return guide


def get_published(session: Session, guide_id: int) -> Guide:
    """A published edition, for anyone; drafts do not exist for the public."""
    guide = session.get(Guide, guide_id)
    if guide is None or guide.status != GuideStatus.PUBLISHED:
        raise NotFound(_("指南不存在"))
    return guide


def get_visible(session: Session, actor: User | None, guide_id: int) -> Guide:
    """Published editions for everyone; drafts for administrators (preview)."""
    if (
        actor is not None
        and getattr(actor, "is_authenticated", True)
        and getattr(actor, "is_admin", False)
    ):
        return _get(session, guide_id)
    return get_published(session, guide_id)


def require_kind(session: Session, guide_id: int, kind: str) -> None:
    """A guide of another kind is not found where this kind's editions are served."""
    found = session.scalar(select(Guide.kind).where(Guide.id == guide_id))
    if found is not None and found != kind:
        raise NotFound(_("指南不存在"))


def get_for_admin(session: Session, actor: User, guide_id: int) -> Guide:
    require_role(actor, Role.ADMIN)
    return _get(session, guide_id)


def list_published(session: Session, kind: str = "design") -> list[Guide]:
    """Published editions of one kind, newest first."""
    return list(
        session.scalars(
            select(Guide)
            .where(Guide.status == GuideStatus.PUBLISHED, Guide.kind == kind)
            .order_by(Guide.edition.desc())
        )
    )


def list_all(session: Session, actor: User) -> list[Guide]:
    require_role(actor, Role.ADMIN)
    return list(
        session.scalars(
            select(Guide).order_by(
                (Guide.status == GuideStatus.DRAFT).desc(), Guide.edition.desc(), Guide.id.desc()
            )
        )
    )


def previous_of(session: Session, guide: Guide) -> Guide | None:
    return session.get(Guide, guide.previous_id) if guide.previous_id else None


def trend(session: Session, guide: Guide) -> list[dict[str, Any]]:
    """The series for the trend chart: frozen for an edition, live for a draft's preview."""
    if guide.status == GuideStatus.PUBLISHED:
        return list((guide.content or {}).get("trend") or [])
    point = KINDS[guide.kind].trend_point
    points = [
        point(g.edition, g.title, g.content or {})
        for g in reversed(list_published(session, guide.kind))
    ]
    return points + [point(None, guide.title, guide.content or {})]


# --- drafts ----------------------------------------------------------------------------------


def _require_draft(guide: Guide) -> None:
    if guide.status != GuideStatus.DRAFT:
        raise Conflict(_("已发布的指南不可修改"))


def create_draft(session: Session, actor: User, body: Any, kind: str = "design") -> Guide:
    """A draft of ``kind`` (``KINDS``: design or talent), computed from current data."""
    require_role(actor, Role.ADMIN)
    if kind not in KINDS:
        raise field_error("kind", _("无效的选项"))
    data = validate(GuideIn, body)
    guide = Guide(
        kind=kind,
        title=data.title,
        period_start=data.period_start,
        period_end=data.period_end,
        clusters=list(data.clusters),
        commentary=data.commentary,
        status=GuideStatus.DRAFT,
        created_by_id=actor.id,
        content=KINDS[kind].build(session, data.period_start, data.period_end, data.clusters),
    )
    return audit.log_added(
        session,
        actor,
        guide,
        "guide.created",
        "guide",
        kind=guide.kind,
        clusters=list(data.clusters),
    )


def update_draft(session: Session, actor: User, guide_id: int, patch: Any) -> Guide:
    """Change a draft's fields; a new period or cluster filter regenerates its content."""
    require_role(actor, Role.ADMIN)
    guide = _get(session, guide_id)
    _require_draft(guide)
    if not isinstance(patch, Mapping):
        patch = {}
    data = validate(GuideIn, {**guide_input(guide), **patch})
    rescope = (data.period_start, data.period_end, list(data.clusters)) != (
        guide.period_start,
        guide.period_end,
        list(guide.clusters or []),
    )
    guide.title, guide.commentary = data.title, data.commentary
    guide.period_start, guide.period_end, guide.clusters = (
        data.period_start,
        data.period_end,
        list(data.clusters),
    )
    if rescope:
        guide.content = KINDS[guide.kind].build(
            session, data.period_start, data.period_end, data.clusters
        )
    audit.log_event(
        session,
        actor,
        "guide.updated",
        "guide",
        guide.id,
        fields=sorted(patch),
        regenerated=rescope,
    )
    return guide


def regenerate(session: Session, actor: User, guide_id: int) -> Guide:
    require_role(actor, Role.ADMIN)
    guide = _get(session, guide_id)
    _require_draft(guide)
    guide.content = KINDS[guide.kind].build(
        session, guide.period_start, guide.period_end, guide.clusters or []
    )
    audit.log_event(session, actor, "guide.regenerated", "guide", guide.id)
    return guide


def delete_draft(session: Session, actor: User, guide_id: int) -> None:
    require_role(actor, Role.ADMIN)
    guide = _get(session, guide_id)
    _require_draft(guide)
    audit.log_event(session, actor, "guide.deleted", "guide", guide.id, title=guide.title)
    session.delete(guide)
    session.flush()


# --- publishing ------------------------------------------------------------------------------


def _statuses(session: Session, ids: list[int]) -> dict[int, str]:
    rows = session.execute(
        select(Demand.id, Demand.status, Demand.close_reason).where(Demand.id.in_(ids))
    )
    return {
        i: (f"closed:{reason}" if status == "closed" and reason else status)
        for i, status, reason in rows
    }


@dataclass(frozen=True)
class Publication:
    """What publishing a draft will do, for the administrator to confirm."""

    edition: int
    subscribers: int  # users notified
    period_open: bool  # the period has not ended: the edition's figures are not final


def publication(
    session: Session, actor: User, guide_id: int, today: dt.date | None = None
) -> Publication:
    require_role(actor, Role.ADMIN)
    guide = _get(session, guide_id)
    _require_draft(guide)
    return Publication(
        edition=_next_edition(session, guide.kind),
        subscribers=len(subscribers(session)),
        period_open=guide.period_end >= (today or china_time.today()),
    )


def _next_edition(session: Session, kind: str) -> int:
    return (session.scalar(select(func.max(Guide.edition)).where(Guide.kind == kind)) or 0) + 1


def _claim(session: Session, guide_id: int) -> Guide:
    """Turn the draft into an edition in one conditional UPDATE: only one caller can win it.

    Publications also run one at a time (``locks``), so the edition number, the previous
    edition and the trend are read after every earlier publication has committed.
    """
    locks.hold(session, "guide-publication")
    claimed = session.execute(
        update(Guide)
        .where(Guide.id == guide_id, Guide.status == GuideStatus.DRAFT)
        .values(status=GuideStatus.PUBLISHED, published_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    guide = _get(session, guide_id)
    session.refresh(guide)
    if not claimed:
        raise Conflict(_("该指南已发布，不能重复发布"))
    return guide


def publish(session: Session, actor: User, guide_id: int) -> Guide:
    """Freeze a draft as the next edition and notify the subscribers (in-app); after the
    commit, its files are rendered and the subscribers e-mailed (``PUBLISHED_WORK``).

    Publishing the same draft twice, even at the same moment, publishes it once: the second
    call is a 409 and neither notifies, records nor schedules anything.
    """
    require_role(actor, Role.ADMIN)
    guide = _claim(session, guide_id)
    kind = KINDS[guide.kind]
    published = [g for g in list_published(session, guide.kind) if g.id != guide.id]
    previous = published[0] if published else None
    edition = _next_edition(session, guide.kind)
    content = dict(guide.content or {})
    if previous is not None:
        meta = {
            "previous_id": previous.id,
            "previous_edition": previous.edition,
            "previous_title": previous.title,
        }
        content["changes"] = kind.changes(session, previous.content or {}, meta, content)
    else:
        content["changes"] = None
    earlier = [kind.trend_point(g.edition, g.title, g.content or {}) for g in reversed(published)]
    content["trend"] = earlier + [kind.trend_point(edition, guide.title, content)]
    guide.content = content
    guide.edition = edition
    guide.previous_id = previous.id if previous is not None else None
    session.flush()
    audit.log_event(
        session,
        actor,
        "guide.published",
        "guide",
        guide.id,
        kind=guide.kind,
        edition=edition,
        previous_id=guide.previous_id,
    )
    notify(
        session,
        subscribers(session),
        "guide_published",
        f"/guides/{guide.id}",
        title=guide.title,
        edition=edition,
        guide_id=guide.id,
    )
    after_commit(session, PUBLISHED_WORK, guide.id)
    return guide


# --- subscriptions ---------------------------------------------------------------------------


def subscribers(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(GuideSubscription, GuideSubscription.user_id == User.id)
            .where(User.active.is_(True))
            .order_by(User.id)
        )
    )


def is_subscribed(session: Session, user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return (
        session.scalar(select(GuideSubscription.id).where(GuideSubscription.user_id == user.id))
        is not None
    )


def set_subscription(session: Session, actor: User, subscribed: bool) -> bool:
    """Any registered user may subscribe; returns the new state."""
    require_role(actor, *Role.ALL)
    row = session.scalar(select(GuideSubscription).where(GuideSubscription.user_id == actor.id))
    if subscribed and row is None:
        session.add(GuideSubscription(user_id=actor.id))
        audit.log_event(session, actor, "guide.subscribed", "user", actor.id)
    elif not subscribed and row is not None:
        session.delete(row)
        audit.log_event(session, actor, "guide.unsubscribed", "user", actor.id)
    session.flush()
    return subscribed


def toggle_subscription(session: Session, actor: User) -> bool:
    return set_subscription(session, actor, not is_subscribed(session, actor))


def mail_subscribers(session: Session, guide: Guide, base_url: str) -> int:
    """Queue an e-mail about a published edition to every subscriber; returns how many."""
    if guide.status != GuideStatus.PUBLISHED:
        return 0
    sent = 0
    for user in subscribers(session):
        with force_locale(user.locale or "zh"):
            subject = _(
                "【工业设计供需对接平台】%(title)s（第 %(edition)s 期）已发布",
                title=guide.title,
                edition=guide.edition,
            )
            body = _(
                "您好：\n\n新一期供需指南“%(title)s”已发布，统计期 %(start)s 至 %(end)s。\n"
                "在线阅读与下载（PDF / Excel）：%(link)s\n\n"
                "如不再需要此类邮件，可登录后在指南页面取消订阅。\n",
                title=guide.title,
                start=guide.period_start.isoformat(),
                end=guide.period_end.isoformat(),
                link=f"{base_url.rstrip('/')}/guides/{guide.id}",
            )
        mail.queue(session, user.email, subject, body)
        sent += 1
    return sent
