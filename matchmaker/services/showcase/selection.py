"""The year's selection: the call, expert reviewers (never one in conflict with the provider)
scoring on the shared rubric machinery, the shortlist, and the announced winners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search import SearchBackend

from ...china_time import today as local_today
from ...models import ExpertReview, Role, ShowcaseEntry, ShowcaseStatus, ShowcaseYear, User, utcnow
from ...schemas import validate
from .. import audit, rubric_library, rubrics
from ..access import SHOWCASE_POLICY, require_role
from ..errors import Conflict, NotFound, field_error
from ..matching import Match
from ..notifications import notify, notify_organization
from .entries import SUBJECT, link
from .inputs import PickIn, YearIn

S = ShowcaseStatus


def create_year(session: Session, actor: User, body: Any) -> ShowcaseYear:
    require_role(actor, Role.ADMIN)
    data = validate(YearIn, body if isinstance(body, dict) else {})
    if session.scalar(select(ShowcaseYear.id).where(ShowcaseYear.year == data.year)):
        raise field_error("year", _("该年度的评选已经发布"))
    return rubric_library.open_selection(
        session, actor, ShowcaseYear, data, "showcase.year_opened", "showcase_year", year=data.year
    )


def list_years(session: Session) -> list[ShowcaseYear]:
    return list(session.scalars(select(ShowcaseYear).order_by(ShowcaseYear.year.desc())))


def open_years(session: Session) -> list[ShowcaseYear]:
    return [y for y in list_years(session) if y.closes_on >= local_today() and not y.announced_at]


def get_year(session: Session, year_id: int) -> ShowcaseYear:
    year = session.get(ShowcaseYear, year_id)
    if year is None:
        raise NotFound(_("评选年度不存在"))
    return year


# --- the panel -----------------------------------------------------------------------------------


def criteria(entry: ShowcaseEntry) -> list[rubrics.Criterion]:
    return rubrics.criteria_of(entry.year.criteria)


def result(entry: ShowcaseEntry) -> rubrics.Aggregate:
    return rubrics.aggregate(criteria(entry), entry.reviews)


def _in_selection(session: Session, actor: User, entry_id: int, action: str) -> ShowcaseEntry:
    entry = SHOWCASE_POLICY.require(actor, action, session.get(ShowcaseEntry, entry_id))
    if entry.year.announced_at is not None or entry.status not in (S.SUBMITTED, S.SHORTLISTED):
        raise Conflict(_("本年度评选已经结束"))
    return entry


def need_record(entry: ShowcaseEntry) -> dict[str, Any]:
    """The entry as a need for the expert matcher (``search.talent``'s shape)."""
    return {
        "id": entry.id,
        "title": entry.title,
        "description": f"{entry.problem}\n{entry.design}",
        "specialities": list(entry.services),
        "clusters": [entry.cluster],
        "region": entry.region,
    }


def suggested_reviewers(
    session: Session, backend: SearchBackend, actor: User, entry_id: int, k: int = 5
) -> list[Match]:
    entry = _in_selection(session, actor, entry_id, "administer")
    organization_id = entry.provider.organization_id
    return rubrics.suggest_reviewers(
        session, backend, need_record(entry), organization_id, entry.reviews, k
    )


def assign_reviewer(session: Session, actor: User, entry_id: int, expert_id: Any) -> ExpertReview:
    entry = _in_selection(session, actor, entry_id, "administer")
    review = rubrics.assign(
        session, actor, SUBJECT, entry.id, expert_id, entry.provider.organization_id
    )
    session.expire(entry, ["reviews"])
    audit.log_event(
        session, actor, "showcase.reviewer_assigned", SUBJECT, entry.id, expert_id=expert_id
    )
    notify(
        session, [review.expert.user], "showcase_review_assigned", link(entry), title=entry.title
    )
    return review


def score(session: Session, actor: User, entry_id: int, body: Any) -> ExpertReview:
    entry = _in_selection(session, actor, entry_id, "score")
    review = rubrics.own_review(session, actor, SUBJECT, entry.id)
    rubrics.score(review, criteria(entry), body)
    audit.log_event(
        session,
        actor,
        "showcase.scored",
        SUBJECT,
        entry.id,
        expert_id=review.expert_id,
        total=review.total,
    )
    return review


def panel_shown_to(
    actor: User | None, entry: ShowcaseEntry
) -> tuple[list[ExpertReview], rubrics.Aggregate | None]:
    """The panel as ``rubrics.shown_to`` shows it; the provider reads the result once the
    winners are announced, the public nothing."""
    mine = actor is not None and actor.organization_id == entry.provider.organization_id
    return rubrics.shown_to(
        actor, entry.reviews, result(entry), mine and bool(entry.year.announced_at)
    )


# --- shortlist and winners -----------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    entry: ShowcaseEntry
    panel: rubrics.Aggregate


def ranking(session: Session, actor: User, year_id: int) -> list[Ranked]:
    """The year's entries, best score first (entries nobody scored yet last)."""
    require_role(actor, Role.ADMIN)
    year = get_year(session, year_id)
    entries = session.scalars(
        select(ShowcaseEntry)
        .options(selectinload(ShowcaseEntry.provider))
        .where(ShowcaseEntry.year_id == year.id)
    )
    rows = [Ranked(e, result(e)) for e in entries]
    return sorted(rows, key=lambda r: (r.panel.score is None, -(r.panel.score or 0), r.entry.id))


def _picked(session: Session, year: ShowcaseYear, body: Any) -> list[ShowcaseEntry]:
    data = validate(PickIn, body if isinstance(body, dict) else {})
    entries = list(
        session.scalars(
            select(ShowcaseEntry).where(
                ShowcaseEntry.year_id == year.id, ShowcaseEntry.id.in_(data.entry_ids)
            )
        )
    )
    if len(entries) != len(set(data.entry_ids)):
        raise field_error("entry_ids", _("只能选择本年度的作品"))
    return entries


def shortlist(session: Session, actor: User, year_id: int, body: Any) -> list[ShowcaseEntry]:
    """Shortlist entries scored by the year's number of reviewers."""
    require_role(actor, Role.ADMIN)
    year = get_year(session, year_id)
    if year.announced_at is not None:
        raise Conflict(_("本年度评选已经结束"))
    entries = _picked(session, year, body)
    short = [e for e in entries if result(e).submitted < year.min_reviewers]
    if short:
        names = "、".join(e.title for e in short)
        raise Conflict(
            _("以下作品的专家评分不足 %(n)s 份：%(names)s", n=year.min_reviewers, names=names),
            {"entry_ids": [names]},
        )
    for entry in entries:
        entry.status, entry.updated_at = S.SHORTLISTED, utcnow()
        audit.log_event(
            session, actor, "showcase.shortlisted", SUBJECT, entry.id, score=result(entry).score
        )
    return entries


def announce(session: Session, actor: User, year_id: int, body: Any) -> list[ShowcaseEntry]:
    """Winners among the shortlist; every other entry of the year is not selected. The
    winners become public, and every submitting provider is told."""
    require_role(actor, Role.ADMIN)
    year = get_year(session, year_id)
    if year.announced_at is not None:
        raise Conflict(_("本年度评选已经结束"))
    winners = _picked(session, year, body)
    if any(e.status != S.SHORTLISTED for e in winners):
        raise field_error("entry_ids", _("获奖作品须先入围"))
    year.announced_at = utcnow()
    chosen = {e.id for e in winners}
    for entry in session.scalars(select(ShowcaseEntry).where(ShowcaseEntry.year_id == year.id)):
        won = entry.id in chosen
        entry.status, entry.updated_at = (S.WINNER if won else S.NOT_SELECTED), utcnow()
        if won:
            audit.log_event(
                session,
                actor,
                "showcase.won",
                SUBJECT,
                entry.id,
                year=year.year,
                cluster=entry.cluster,
                region=entry.region,
                provider_id=entry.provider_id,
            )
        notify_organization(
            session,
            entry.provider.organization,
            "showcase_won" if won else "showcase_not_selected",
            link(entry),
            title=entry.title,
            year=year.year,
        )
    audit.log_event(
        session, actor, "showcase.announced", "showcase_year", year.id, winners=sorted(chosen)
    )
    return winners
