"""Entries: a provider submits a won deal or a portfolio case as a design achievement, with
before/after images, to a year's open call."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...china_time import today as local_today
from ...models import (
    Case,
    ExpertReview,
    Interest,
    Role,
    ShowcaseEntry,
    ShowcaseStatus,
    ShowcaseYear,
    User,
    utcnow,
)
from ...schemas import validate
from .. import audit, files
from ..access import SHOWCASE_POLICY, own_provider, require_confirmed
from ..errors import Conflict, NotFound, field_error
from .inputs import EntryIn

SUBJECT = "showcase"
BEFORE, AFTER = "before", "after"


def link(entry: ShowcaseEntry) -> str:
    return f"/showcase/{entry.id}"


def read(session: Session, actor: User | None, entry_id: int) -> ShowcaseEntry:
    return SHOWCASE_POLICY.visible(actor, session.get(ShowcaseEntry, entry_id))


def list_for(session: Session, actor: User, year_id: int | None = None) -> list[ShowcaseEntry]:
    """Administrators all; a provider its own; an expert those it reviews."""
    query = select(ShowcaseEntry).options(
        selectinload(ShowcaseEntry.provider), selectinload(ShowcaseEntry.year)
    )
    if actor.role == Role.EXPERT:
        query = query.where(
            ShowcaseEntry.id.in_(
                select(ExpertReview.subject_id).where(
                    ExpertReview.subject_type == SUBJECT,
                    ExpertReview.expert.has(user_id=actor.id),
                )
            )
        )
    elif not actor.is_admin:
        provider = actor.organization.provider if actor.organization else None
        if provider is None:
            return []
        query = query.where(ShowcaseEntry.provider_id == provider.id)
    if year_id is not None:
        query = query.where(ShowcaseEntry.year_id == year_id)
    return list(session.scalars(query.order_by(ShowcaseEntry.id.desc())))


def images_of(entry: ShowcaseEntry, purpose: str) -> list:
    return [a for a in entry.images if a.purpose == purpose]


def _source(session: Session, provider_id: int, data: EntryIn) -> dict[str, Any]:
    """The entry's origin, checked: the provider's own won deal or own case."""
    if data.source == "deal":
        interest = session.get(Interest, data.interest_id)
        if interest is None or interest.provider_id != provider_id or interest.won_at is None:
            raise field_error("interest_id", _("只能提交本单位已成交的合作"))
        demand = interest.demand
        return {"interest_id": interest.id, "case_id": None, "cluster": demand.cluster,
                "region": demand.region}  # fmt: skip
    case = session.get(Case, data.case_id)
    if case is None or case.provider_id != provider_id:
        raise field_error("case_id", _("只能提交本单位的案例"))
    return {"interest_id": None, "case_id": case.id, "cluster": case.cluster,
            "region": case.provider.organization.region}  # fmt: skip


def submit(session: Session, actor: User, body: Any) -> ShowcaseEntry:
    """Submit an achievement to an open year; one entry per deal or case and year."""
    provider = own_provider(actor)
    require_confirmed(actor)
    data = validate(EntryIn, body if isinstance(body, dict) else {})
    year = session.get(ShowcaseYear, data.year_id)
    if year is None:
        raise field_error("year_id", _("评选年度不存在"))
    if year.closes_on < local_today() or year.announced_at is not None:
        raise field_error("year_id", _("该年度评选已截止征集"))
    origin = _source(session, provider.id, data)
    origin["cluster"] = data.cluster or origin["cluster"]
    if not origin["cluster"]:
        raise field_error("cluster", _("请选择所属产业集群"))
    taken = session.scalar(
        select(ShowcaseEntry.id).where(
            ShowcaseEntry.year_id == year.id,
            (ShowcaseEntry.interest_id == origin["interest_id"])
            if origin["interest_id"]
            else (ShowcaseEntry.case_id == origin["case_id"]),
        )
    )
    if taken is not None:
        raise Conflict(_("该成果已提交到本年度评选"))
    entry = ShowcaseEntry(
        year=year,
        provider=provider,
        submitted_by_id=actor.id,
        **data.model_dump(exclude={"year_id", "source", "interest_id", "case_id", "cluster"}),
        **origin,
    )
    return audit.log_added(
        session,
        actor,
        entry,
        "showcase.submitted",
        SUBJECT,
        year=year.year,
        source=data.source,
        cluster=entry.cluster,
        services=list(entry.services),
        region=entry.region,
    )


def add_images(
    session: Session,
    actor: User,
    entry_id: int,
    before: list[files.Upload],
    after: list[files.Upload],
    storage: files.Storage,
) -> list[str]:
    """Before/after images, while the entry waits for the selection. Returns the stored names
    (the caller discards them if its commit fails)."""
    entry = SHOWCASE_POLICY.require(actor, "manage", session.get(ShowcaseEntry, entry_id))
    if entry.status != ShowcaseStatus.SUBMITTED or entry.year.announced_at is not None:
        raise Conflict(_("评选已开始，不能再修改作品"))
    written = files.attach_showcase_images(session, entry, {BEFORE: before, AFTER: after}, storage)
    entry.updated_at = utcnow()
    return written


def image_of(session: Session, actor: User | None, entry_id: int, attachment_id: int):
    entry = read(session, actor, entry_id)
    image = next((a for a in entry.images if a.id == attachment_id), None)
    if image is None:
        raise NotFound(_("文件不存在"))
    return image


def sources(session: Session, actor: User) -> tuple[list[Interest], list[Case]]:
    """What the acting provider may submit: its won deals and its cases."""
    provider = own_provider(actor)
    deals = session.scalars(
        select(Interest)
        .where(Interest.provider_id == provider.id, Interest.won_at.is_not(None))
        .order_by(Interest.won_at.desc())
    )
    return list(deals), list(provider.cases)
