"""Recommendations both ways and browsing, through the search engine (``search.talent``).

The engine proposes ids; rows are loaded from the database and re-checked (a profile that
was unlisted or deleted, a need that closed meanwhile, either no longer vouched for by a
confirmed account, is dropped), and people are always returned as cards.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from search import OPENINGS, TALENT, Hit, SearchBackend, SearchQuery

from ...models import Role, TalentNeed, TalentNeedStatus, TalentProfile, User
from ..access import require_role, signed_in_member
from ..errors import Conflict, Forbidden
from ..matching import Match, Results
from ..vouching import need_vouched_sql, profile_vouched_sql
from . import contacts
from .cards import card_of
from .needs import managed_need
from .profiles import own_profile
from .records import opening_record, talent_record


def _people(session: Session, hits: list[Hit]) -> list[Match]:
    rows = {
        p.id: p
        for p in session.scalars(
            select(TalentProfile).where(
                TalentProfile.id.in_([h.id for h in hits]),
                TalentProfile.listed.is_(True),
                profile_vouched_sql(),
            )
        )
    }
    return [Match(card_of(rows[h.id]), h) for h in hits if h.id in rows]


def _needs(session: Session, hits: list[Hit]) -> list[Match]:
    rows = {
        n.id: n
        for n in session.scalars(
            select(TalentNeed)
            .where(
                TalentNeed.id.in_([h.id for h in hits]),
                TalentNeed.status == TalentNeedStatus.OPEN,
                need_vouched_sql(),
            )
            .options(selectinload(TalentNeed.organization))
        )
    }
    return [Match(rows[h.id], h) for h in hits if h.id in rows]


def recommended_people(
    session: Session, backend: SearchBackend, actor: User, need_id: int, k: int = 10
) -> list[Match]:
    """Cards of listed people for one of the actor's open needs, best first, with reasons;
    people already contacted about it are left out."""
    need = managed_need(session, actor, need_id)
    if need.status != TalentNeedStatus.OPEN:
        raise Conflict(_("只有招聘中的岗位才有推荐"))
    exclude = contacts.contacted_profiles(session, need.id)
    return _people(session, backend.match_people(opening_record(need), k, exclude=exclude))


def recommended_openings(
    session: Session, backend: SearchBackend, actor: User, k: int = 10
) -> list[Match]:
    """Open needs for the acting designer's profile, best first, with reasons (an expert
    keeps a profile but sees assignments only, not needs)."""
    require_role(actor, Role.DESIGNER)
    profile = own_profile(session, actor)
    if profile is None:
        raise Forbidden(_("请先填写人才档案"))
    return _needs(session, backend.match_openings(talent_record(profile), k))


def search_pool(session: Session, backend: SearchBackend, query: SearchQuery) -> Results:
    """The public talent pool: cards only, found by their labels and facets."""
    page = backend.search(replace(query, index=TALENT))
    return Results([m.record for m in _people(session, page.hits)], page)


def search_needs(
    session: Session, backend: SearchBackend, actor: User, query: SearchQuery
) -> Results:
    """Open talent needs, for signed-in members of the platform."""
    if not signed_in_member(actor):
        raise Forbidden(_("没有权限执行此操作"))
    filters = {**query.filters, "status": [TalentNeedStatus.OPEN]}
    page = backend.search(replace(query, index=OPENINGS, filters=filters))
    return Results([m.record for m in _needs(session, page.hits)], page)
