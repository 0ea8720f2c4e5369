"""Recommendations and browsing through the search engine; rows come from the database.

The engine only proposes candidates. Every list loads the rows and applies the database's
rules again — a demand that left publication since it was indexed (edited back into review,
withdrawn, deleted) is dropped even while the index still holds it, e.g. during a search
outage — and gives each demand in the shape its reader may read (``lead_shape.shown_to``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from search import DEMANDS, PROVIDERS, Hit, Page, SearchBackend, SearchQuery

from ..models import (
    Demand,
    DemandStatus,
    Interest,
    Provider,
    ProviderExposure,
    Role,
    User,
)
from . import engine_cache, exposure, provider_listing
from .access import DEMAND_POLICY, PROVIDER_POLICY, own_provider, require_role
from .demands import managed_demand
from .errors import Conflict
from .indexing import demand_record, provider_record
from .lead_shape import shown_to
from .vouching import organization_vouched, provider_vouched_sql

# Exposure fairness: a provider recommended at least this often that answers fewer than this
# share of its recommendations is damped (``search.scoring.DAMPING``), so one that never
# answers cannot crowd out the others for ever; a new provider is never damped.
EXPOSURE_MIN_RECOMMENDED = 20
EXPOSURE_MIN_ANSWER_RATE = 0.1


@dataclass
class Match:
    record: object  # Provider, or a demand in its reader's shape (Demand or Lead)
    hit: Hit


# Every list of hits names each row's organisation: joined into the rows' own query.
_ORGANIZATION = {
    Provider: joinedload(Provider.organization, innerjoin=True),
    Demand: joinedload(Demand.organization, innerjoin=True),
}

# The collection a list shows with each row (a match names its provider and nothing more:
# ``serializers.provider_brief``), loaded for all the rows at once (not one query per row).
_COLLECTION = {Provider: Provider.cases, Demand: Demand.attachments}


@cache
def _rows_statement(model) -> Select:
    """The rows of a list of hits (their ids a parameter), built once per process: SQLAlchemy
    then keeps the statement's cache key instead of rebuilding it from the options and the
    vouching condition on every request. Providers only while public (``provider_matches``)."""
    where = (provider_vouched_sql(),) if model is Provider else ()
    ids = bindparam("ids", expanding=True)
    return select(model).where(model.id.in_(ids), *where).options(_ORGANIZATION[model])


@cache
def _collection_statement(model) -> tuple[Select, str, str]:
    """The rows' collection as ``selectinload`` asks for it (same filter, same order), built
    once: ``selectinload`` builds its query anew for every list, which cost more than loading
    the rows themselves. Returns the statement, the child's key column and the collection's
    name."""
    relationship = _COLLECTION[model].property
    ((_parent, child_key),) = relationship.local_remote_pairs
    statement = (
        select(relationship.mapper.class_)
        .where(child_key.in_(bindparam("ids", expanding=True)))
        .order_by(*(relationship.order_by or ()))
    )
    return statement, child_key.key, relationship.key


def _load_collection(session: Session, model, rows: dict[int, object]) -> None:
    statement, child_key, name = _collection_statement(model)
    children: dict[int, list] = {row_id: [] for row_id in rows}
    for child in session.scalars(statement, {"ids": list(rows)}) if rows else ():
        children[getattr(child, child_key)].append(child)
    for row_id, row in rows.items():
        set_committed_value(row, name, children[row_id])


def rows_in_order(
    session: Session,
    model,
    hits: Sequence[Hit],
    keep: Callable[[object], bool],
    brief: bool = False,
) -> list[Match]:
    """The rows of ``hits`` that still exist and meet ``keep``, in order; with their
    collection (cases, attachments) unless ``brief``."""
    statement = _rows_statement(model)
    rows = {row.id: row for row in session.scalars(statement, {"ids": [h.id for h in hits]})}
    if not brief:
        _load_collection(session, model, rows)
    return [Match(rows[h.id], h) for h in hits if h.id in rows and keep(rows[h.id])]


def _lead_matches(session: Session, actor: User, hits: Sequence[Hit]) -> list[Match]:
    """Demand hits that are leads *now*: published, and visible to the reader, in its shape."""

    def is_lead(demand: Demand) -> bool:
        return demand.status in DemandStatus.LISTED and DEMAND_POLICY.can(actor, "see", demand)

    return [
        Match(shown_to(actor, m.record), m.hit)
        for m in rows_in_order(session, Demand, hits, is_lead)
    ]


def _any(_row: object) -> bool:
    return True


def provider_matches(session: Session, hits: Sequence[Hit], brief: bool = False) -> list[Match]:
    """Provider hits with their rows, in the engine's order: the public profiles among them.
    The index holds no other, but it may lag (``vouching``: an account switched off a
    moment ago), so the database decides again."""
    return rows_in_order(session, Provider, hits, _any, brief)


def recommended_providers(
    session: Session,
    backend: SearchBackend,
    actor: User,
    demand_id: int,
    k: int = 10,
    record_exposure: bool = True,
) -> list[Match]:
    """Providers for a demand, best first. Each first showing is recorded as exposure."""
    demand = managed_demand(session, actor, demand_id)
    if demand.status not in DemandStatus.OPEN:
        raise Conflict(_("只有已发布的需求才有推荐"))
    record, damped = demand_record(demand), damped_providers(session)
    hits = engine_cache.answer(
        session,
        backend,
        PROVIDERS,
        {"match_providers": record, "k": k, "damped": damped},
        lambda: backend.match_providers(record, k, damped=damped),
    )
    matches = provider_matches(session, hits, brief=True)
    if record_exposure:
        exposure.record(
            session,
            (
                exposure.Shown(demand.id, match.record.id, rank, match.hit.score)
                for rank, match in enumerate(matches, start=1)
            ),
        )
    return matches


@cache
def _damped_statement() -> Select:
    """Built once per process: SQLAlchemy then keeps its cache key."""
    return select(ProviderExposure.provider_id).where(
        ProviderExposure.recommended >= EXPOSURE_MIN_RECOMMENDED,
        ProviderExposure.answered < EXPOSURE_MIN_ANSWER_RATE * ProviderExposure.recommended,
    )


def damped_providers(session: Session) -> set[int]:
    """Providers recommended often that rarely answer: a look-up in the counts the database
    keeps per provider (``ProviderExposure``, its triggers count every recommendation and
    interest in the same transaction), so it is current at the next reading in every worker
    and costs the same however many recommendations there are. An answer is an interest the
    provider sent, on any demand."""
    return set(session.scalars(_damped_statement()))


def recommended_leads(
    session: Session, backend: SearchBackend, actor: User, provider: Provider, k: int = 10
) -> list[Match]:
    """Open demands for a provider, best first, leaving out those it already answered; none
    for a profile that is not public yet (``vouching``): the matcher pairs public records."""
    if not organization_vouched(provider.organization):
        return []
    answered = set(
        session.scalars(select(Interest.demand_id).where(Interest.provider_id == provider.id))
    )
    record = provider_record(session, provider)
    hits = engine_cache.answer(
        session,
        backend,
        DEMANDS,
        {"match_leads": record, "k": k, "exclude": answered},
        lambda: backend.match_leads(record, k, exclude=answered),
    )
    return [m for m in _lead_matches(session, actor, hits) if m.record.id not in answered]


def leads_for(
    session: Session,
    backend: SearchBackend,
    actor: User,
    provider_id: int | None = None,
    k: int = 10,
) -> list[Match]:
    if provider_id is None:
        provider = own_provider(actor)
    else:
        provider = PROVIDER_POLICY.require(actor, "manage", session.get(Provider, provider_id))
    return recommended_leads(session, backend, actor, provider, k)


@dataclass
class Results:
    rows: list
    page: Page


def search_demands(
    session: Session, backend: SearchBackend, actor: User, query: SearchQuery
) -> Results:
    """Providers and admins browse leads: published demands only."""
    require_role(actor, Role.PROVIDER, Role.ADMIN)
    filters = dict(query.filters)
    filters["status"] = list(DemandStatus.LISTED)
    query = SearchQuery(**{**query.__dict__, "index": DEMANDS, "filters": filters})
    page = _search(session, backend, query)
    return Results([m.record for m in _lead_matches(session, actor, page.hits)], page)


def search_providers(session: Session, backend: SearchBackend, query: SearchQuery) -> Results:
    page = _provider_page(session, backend, query)
    return Results([m.record for m in provider_matches(session, page.hits)], page)


def list_providers(session: Session, backend: SearchBackend, query: SearchQuery) -> Results:
    """The same search for a reader that only shows the rows (the API): plain records
    (``provider_listing``) instead of ORM objects, the same public profiles in the same
    order."""
    page = _provider_page(session, backend, query)
    return Results(provider_listing.listed(session, page.hits), page)


def _provider_page(session: Session, backend: SearchBackend, query: SearchQuery) -> Page:
    return _search(session, backend, SearchQuery(**{**query.__dict__, "index": PROVIDERS}))


def _search(session: Session, backend: SearchBackend, query: SearchQuery) -> Page:
    return engine_cache.answer(session, backend, query.index, query, lambda: backend.search(query))
