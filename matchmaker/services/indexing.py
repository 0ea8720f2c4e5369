"""Keeping the search index in step with the database through a transactional outbox.

A service that changes an indexed record calls ``enqueue_*`` in the same transaction: the
record's ``index_version`` is bumped, an ``IndexOutbox`` row written and index delivery
registered for after the commit (``unit_of_work``). ``deliver_pending`` then sends the
current state of those records to the engine (versioned, so an older write never wins)
and deletes the rows. If the engine is down the rows stay and are delivered by the next
delivery, by ``matchmaker search sync``, or by the periodic retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, event, func, inspect, select
from sqlalchemy.orm import Session, selectinload

from search import DEMANDS, EXPERTS, OPENINGS, PROVIDERS, TALENT, SearchBackend, SearchUnavailable
from search.records import CaseRecord, DemandRecord, ProviderRecord

from ..models import (
    Demand,
    DemandStatus,
    Expert,
    IndexOutbox,
    Provider,
    TalentNeed,
    TalentNeedStatus,
    TalentProfile,
    User,
    utcnow,
)
from . import engine_cache
from .ratings import ratings
from .talent.records import expert_record, opening_record, talent_record
from .unit_of_work import after_commit
from .vouching import need_vouched_sql, profile_vouched_sql, provider_vouched_sql

log = logging.getLogger(__name__)

DELIVER = "index"  # after-commit work: deliver the outbox

BATCH = 500


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _enqueue(session: Session, kind: str, record) -> None:
    record.index_version = (record.index_version or 0) + 1
    record.updated_at = utcnow()
    if record.id is None:
        session.flush()
    session.add(IndexOutbox(kind=kind, record_id=record.id, version=record.index_version))
    after_commit(session, DELIVER)


def enqueue_provider(session: Session, provider: Provider) -> None:
    _enqueue(session, PROVIDERS, provider)


def enqueue_demand(session: Session, demand: Demand) -> None:
    _enqueue(session, DEMANDS, demand)


def enqueue_talent(session: Session, profile: TalentProfile) -> None:
    _enqueue(session, TALENT, profile)


def enqueue_opening(session: Session, need: TalentNeed) -> None:
    _enqueue(session, OPENINGS, need)


def enqueue_expert(session: Session, expert: Expert) -> None:
    _enqueue(session, EXPERTS, expert)


# What makes an account vouch for its organisation's public records and for its own card.
_VOUCHING = ("active", "email_confirmed_at", "organization")


@event.listens_for(Session, "before_flush")
def _reindex_what_accounts_vouch_for(session: Session, _context, _instances) -> None:
    """A provider profile, open talent needs and a person's card are public only while an
    account vouches for them (``vouching``). Confirming an address, switching an account off
    or on, or moving it to another organisation re-indexes them in the same transaction,
    whichever service made the change, so the index never waits for a manual reindex."""
    organizations, people = set(), set()
    for user in (*session.new, *session.dirty):
        if not isinstance(user, User):
            continue
        state = inspect(user)
        histories = [state.attrs[name].history for name in _VOUCHING]
        if not state.pending and not any(h.has_changes() for h in histories):
            continue
        organizations.update(o for o in (*histories[2].deleted, user.organization) if o)
        if user.id is not None:  # a new account has no profile yet
            people.add(user.id)
    with session.no_autoflush:
        for organization in organizations:
            _enqueue_vouched_for(session, organization)
        if people:
            for profile in session.scalars(
                select(TalentProfile).where(TalentProfile.user_id.in_(people))
            ):
                if profile not in session.deleted:
                    enqueue_talent(session, profile)


def _enqueue_vouched_for(session: Session, organization) -> None:
    if organization.id is None or organization in session.deleted:
        return
    provider = organization.provider
    if provider is not None and provider.id is not None and provider not in session.deleted:
        enqueue_provider(session, provider)
    for need in session.scalars(
        select(TalentNeed).where(
            TalentNeed.organization_id == organization.id,
            TalentNeed.status == TalentNeedStatus.OPEN,
        )
    ):
        enqueue_opening(session, need)


# --- records (plain dicts for search/) ------------------------------------------------------


def provider_records(session: Session, providers: list[Provider]) -> list[ProviderRecord]:
    rated = ratings(session, [p.id for p in providers])
    return [
        ProviderRecord(
            id=p.id,
            version=p.index_version,
            name=p.organization.name,
            kind=p.organization.kind,
            level=p.organization.level,
            region=p.organization.region,
            clusters=list(p.clusters),
            services=list(p.services),
            description=p.description or "",
            cases=[
                CaseRecord(title=c.title, description=c.description, cluster=c.cluster, year=c.year)
                for c in p.cases
            ],
            team_size=p.team_size,
            price_min=p.price_min,
            price_max=p.price_max,
            verified=bool(p.organization.verified),
            certifications=list(p.certifications or []),
            created_at=_iso(p.created_at),
            # the enterprises' public reviews: a signal for the matcher, not ranked on yet
            rating=rated[p.id][0] if p.id in rated else None,
            review_count=rated[p.id][1] if p.id in rated else 0,
        )
        for p in providers
    ]


def demand_record(demand: Demand) -> DemandRecord:
    return DemandRecord(
        id=demand.id,
        version=demand.index_version,
        title=demand.title,
        description=demand.description,
        cluster=demand.cluster,
        services=list(demand.services),
        region=demand.region,
        budget_min=demand.budget_min,
        budget_max=demand.budget_max,
        deadline=_iso(demand.deadline),
        status=demand.status,
        organization_name=demand.organization.name if demand.organization else "",
        created_at=_iso(demand.created_at),
        published_at=_iso(demand.published_at),
    )


def provider_record(session: Session, provider: Provider) -> ProviderRecord:
    return provider_records(session, [provider])[0]


@dataclass(frozen=True)
class Source:
    """Where one index's records come from: the model, which rows belong in the index, what
    to load with them, and how a batch of rows becomes plain records for ``search/``."""

    model: type
    indexed: Callable[[], Any]  # SQL condition for the rows in the index
    options: tuple
    records: Callable[[Session, list], list[dict]]


SOURCES: dict[str, Source] = {
    PROVIDERS: Source(
        Provider,
        provider_vouched_sql,  # public profiles only (``vouching``)
        (selectinload(Provider.organization), selectinload(Provider.cases)),
        provider_records,
    ),
    DEMANDS: Source(
        Demand,
        lambda: Demand.status.in_(DemandStatus.PUBLIC),
        (selectinload(Demand.organization),),
        lambda _s, rows: [demand_record(d) for d in rows],
    ),
    TALENT: Source(
        TalentProfile,
        lambda: and_(TalentProfile.listed.is_(True), profile_vouched_sql()),
        (selectinload(TalentProfile.works),),
        lambda _s, rows: [talent_record(p) for p in rows],
    ),
    OPENINGS: Source(
        TalentNeed,
        lambda: and_(TalentNeed.status == TalentNeedStatus.OPEN, need_vouched_sql()),
        (),
        lambda _s, rows: [opening_record(n) for n in rows],
    ),
    EXPERTS: Source(
        Expert,
        lambda: Expert.active.is_(True),
        (),
        lambda _s, rows: [expert_record(e) for e in rows],
    ),
}


def _select(kind: str):
    source = SOURCES[kind]
    return select(source.model).options(*source.options).where(source.indexed())


def _load(session: Session, kind: str, ids: Iterable[int]) -> list:
    """The rows among ``ids`` that belong in the index, with what their records need."""
    model = SOURCES[kind].model
    return list(session.scalars(_select(kind).where(model.id.in_(list(ids)))))


# --- delivery --------------------------------------------------------------------------------


def _deliver_rows(session: Session, backend: SearchBackend, rows: list[IndexOutbox]) -> None:
    latest: dict[tuple[str, int], int] = {}
    for row in rows:
        key = (row.kind, row.record_id)
        latest[key] = max(latest.get(key, 0), row.version)
    for kind, source in SOURCES.items():
        wanted = {rid: v for (k, rid), v in latest.items() if k == kind}
        if not wanted:
            continue
        records = source.records(session, _load(session, kind, wanted))
        if records:
            backend.index(kind, records)
        kept = {r["id"] for r in records}
        gone = [(rid, version) for rid, version in wanted.items() if rid not in kept]
        if gone:
            # A record that left the index keeps its own version when it still exists.
            model = source.model
            existing = dict(
                session.execute(
                    select(model.id, model.index_version).where(model.id.in_([g for g, _ in gone]))
                ).all()
            )
            backend.delete(
                kind, [(rid, max(version, existing.get(rid, 0))) for rid, version in gone]
            )


def deliver_pending(
    session: Session, backend: SearchBackend, limit: int = 10_000, raise_on_outage: bool = False
) -> int:
    """Send pending changes to the engine; returns how many outbox rows were delivered.

    When the engine is unavailable the rows stay (with the error) and, with
    ``raise_on_outage``, SearchUnavailable is raised afterwards (a job then retries)."""
    delivered = 0
    while delivered < limit:
        rows = list(session.scalars(select(IndexOutbox).order_by(IndexOutbox.id).limit(BATCH)))
        if not rows:
            break
        try:
            _deliver_rows(session, backend, rows)
        except SearchUnavailable as exc:
            session.rollback()
            for row in session.scalars(
                select(IndexOutbox).where(IndexOutbox.id.in_([r.id for r in rows]))
            ):
                row.attempts += 1
                row.last_error = str(exc)[:500]
            session.commit()
            log.warning("search engine unavailable; %d changes kept in the outbox", len(rows))
            if raise_on_outage:
                raise
            break
        # A bulk delete: another process delivering the same rows at once is not an error.
        session.execute(
            delete(IndexOutbox)
            .where(IndexOutbox.id.in_([row.id for row in rows]))
            .execution_options(synchronize_session=False)
        )
        engine_cache.stamp_changed(session, sorted({row.kind for row in rows}))
        session.commit()
        delivered += len(rows)
    return delivered


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count(IndexOutbox.id))) or 0


# --- full rebuild -----------------------------------------------------------------------------


def rebuild(session: Session, backend: SearchBackend, kind: str, progress=None) -> int:
    """Build one index anew from the database (the engine swaps it in at once) and give it a
    new stamp; the caller commits. Returns how many documents were indexed."""
    count = backend.reindex(kind, records_for(session, kind), progress=progress)
    engine_cache.stamp_changed(session, [kind])
    return count


def records_for(session: Session, kind: str) -> Iterator[dict]:
    """Every record of one index, in batches of rows (memory stays bounded)."""
    source = SOURCES[kind]
    model = source.model
    last = 0
    while True:
        rows = list(
            session.scalars(_select(kind).where(model.id > last).order_by(model.id).limit(BATCH))
        )
        if not rows:
            return
        yield from source.records(session, rows)
        last = rows[-1].id
        session.expunge_all()


def database_count(session: Session, kind: str) -> int:
    source = SOURCES[kind]
    return session.scalar(select(func.count(source.model.id)).where(source.indexed())) or 0
