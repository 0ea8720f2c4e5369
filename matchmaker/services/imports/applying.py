"""Writing a checked plan through the services, so audit trail and search index stay right.

Every create and update goes through ``providers`` / ``demands`` with the importing
administrator as actor; the organisation's own fields (credit code, contact, mobile,
e-mail), which the API bodies do not carry, are set here and audited as one
``organization.updated`` event. Rows are written a chunk at a time: the services build
every new record of the chunk, one flush writes them all (the database sees a few batched
statements, not several round trips per row), then they are audited and queued for the
index. This module only flushes: the caller commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Demand, DemandStatus, Organization, OrgType, Provider, User
from .. import audit, demands, providers, versions
from ..errors import ServiceError, ValidationFailed
from . import keys, undo
from .columns import DEMANDS, header_of
from .planning import Action, Plan
from .validation import ORG_KEYS, Problem

Progress = Callable[[int], None]
S = DemandStatus


class ApplyFailed(ValidationFailed):
    """A service refused a row at write time (the data changed since the preview)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message, {problem.column: [problem.message]})
        self.problem = problem


def _update_organization(
    session: Session, actor: User, org: Organization, action: Action, name: str | None = None
) -> None:
    changed = []
    if name and org.name != name:
        org.name = name
        changed.append("name")
    for key in ORG_KEYS:
        value = getattr(action.row.org, key)
        if value is not None and key in action.row.filled and getattr(org, key) != value:
            setattr(org, key, value)
            changed.append(key)
    if changed:
        audit.log_event(
            session,
            actor,
            "organization.updated",
            "organization",
            org.id,
            fields=changed,
            source="import",
        )


def _patch(action: Action, exclude: tuple[str, ...] = ()) -> dict:
    data = action.row.data
    return {
        key: getattr(data, key)
        for key in action.row.filled
        if key in type(data).model_fields and key not in exclude
    }


def _provider(session: Session, actor: User, action: Action, later: list) -> str:
    data = action.row.data
    if action.op == "update":
        provider = providers.update_provider(
            session, actor, action.target_id, _patch(action), external_id_checked=True
        )
        _update_organization(session, actor, provider.organization, action)
        return "updated"
    if action.organization_id is not None:
        org = session.get(Organization, action.organization_id)
        _update_organization(session, actor, org, action, name=data.name)
    else:  # the plan found none by name, credit code or external id
        org = Organization(type=OrgType.PROVIDER, name=data.name, region=data.region)
        session.add(org)
    provider = providers.build_provider(
        session, actor, data.model_dump(mode="json"), organization=org, external_id_checked=True
    )
    later.append(lambda: _created_provider(session, actor, action, provider))
    return "created"


def _created_provider(session: Session, actor: User, action: Action, provider) -> None:
    providers.record_created(session, actor, provider)
    _update_organization(session, actor, provider.organization, action)


def _move_status(
    session: Session, actor: User, demand_id: int, status: str, wanted: str | None
) -> None:
    """Forward only: a re-import never takes a published demand back to draft."""
    if wanted not in (None, S.DRAFT) and status in S.SUBMITTABLE:
        demands.submit(session, actor, demand_id)
        status = S.IN_REVIEW
    if wanted == S.PUBLISHED and status == S.IN_REVIEW:
        demands.approve(session, actor, demand_id)


def _enterprise(
    session: Session, actor: User, action: Action, created: dict[str, Organization], later: list
) -> Organization:
    """The demand's enterprise: a known one, one an earlier row created, or a new one."""
    data = action.row.data
    if action.organization_id is not None:
        org = session.get(Organization, action.organization_id)
        _update_organization(
            session, actor, org, action, name=data.organization.name if data.organization else None
        )
        return org
    if data.organization.name in created:  # a new enterprise named by an earlier row
        org = created[data.organization.name]
        later.append(lambda: _update_organization(session, actor, org, action))
        return org
    org = Organization(
        type=OrgType.ENTERPRISE,
        name=data.organization.name,
        region=data.region,
        **{k: getattr(action.row.org, k) for k in ORG_KEYS},
    )
    session.add(org)
    created[org.name] = org
    later.append(
        lambda: audit.log_event(
            session, actor, "organization.created", "organization", org.id, source="import"
        )
    )
    return org


def _demand(
    session: Session,
    actor: User,
    action: Action,
    created: dict[str, Organization],
    later: list,
) -> str:
    data = action.row.data
    org = _enterprise(session, actor, action, created, later)
    if action.op == "update":
        demand = demands.update_demand(
            session,
            actor,
            action.target_id,
            _patch(action, exclude=("organization", "organization_id", "status")),
            external_id_checked=True,
        )
        _move_status(session, actor, demand.id, demand.status, data.status)
        return "updated"
    body = data.model_dump(mode="json", exclude={"organization", "status"})
    demand, _requested = demands.build_demand(
        session, actor, body, organization=org, external_id_checked=True
    )
    status = data.status or S.PUBLISHED
    later.append(lambda: demands.record_created(session, actor, demand, status))
    return "created"


def apply_chunk(
    session: Session,
    actor: User,
    kind: str,
    actions: list[Action],
    created: dict[str, Organization],
) -> dict[str, int]:
    """Write some of a plan's actions with two flushes in all: every record is built first,
    then flushed together, then audited and queued for the index (which needs the new ids).
    ``created`` carries the enterprises new in this import from one chunk to the next.
    ApplyFailed names the row if a service refuses one."""
    counts = {"created": 0, "updated": 0}
    later: list[tuple[Action, Callable[[], None]]] = []
    loaded = _load(session, kind, actions)  # held: the session keeps objects weakly
    # Lookups must not flush each half-built record: the chunk is flushed once, below.
    with session.no_autoflush:
        for action in actions:
            steps: list[Callable[[], None]] = []
            with _row(kind, action):
                if kind == DEMANDS:
                    counts[_demand(session, actor, action, created, steps)] += 1
                else:
                    counts[_provider(session, actor, action, steps)] += 1
            later += [(action, step) for step in steps]
    _flush(session)
    with session.no_autoflush:
        for action, step in later:
            with _row(kind, action):
                step()
    _flush(session)
    del loaded
    return counts


def _flush(session: Session) -> None:
    """One flush, with the chunk's changed providers and demands written in batches first
    (``versions.write_in_batches``: the ORM would send their versioned UPDATEs one by one),
    and the new rows' keys reserved (``keys``: so that their INSERTs need no RETURNING)."""
    versioned = [obj for obj in session.dirty if isinstance(obj, Provider | Demand)]
    undo.note_updates(session, versioned)
    versions.write_in_batches(session, versioned)
    keys.reserve(session, session.new)
    session.flush()


def apply(
    session: Session, actor: User, plan: Plan, progress: Progress | None = None, chunk: int = 100
) -> dict[str, int]:
    """Run every action in one transaction (flush only: the caller commits or rolls back);
    ``progress`` hears of every full chunk, then of the total."""
    counts = {"created": 0, "updated": 0}
    created: dict[str, Organization] = {}
    total = len(plan.actions)
    for start in range(0, total, chunk):
        part = apply_chunk(session, actor, plan.kind, plan.actions[start : start + chunk], created)
        counts = {key: counts[key] + part[key] for key in counts}
        if progress and start + chunk <= total:
            progress(start + chunk)
    if progress:
        progress(total)
    return counts


def _load(session: Session, kind: str, actions: list[Action]) -> list:
    """The chunk's existing records in three queries, so that the services find them in the
    session instead of asking the database row by row."""
    targets = [a.target_id for a in actions if a.target_id is not None]
    orgs = [a.organization_id for a in actions if a.organization_id is not None]
    model = Demand if kind == DEMANDS else Provider
    options = (
        [selectinload(Demand.organization)]
        if kind == DEMANDS
        else [selectinload(Provider.organization), selectinload(Provider.cases)]
    )
    loaded: list = []
    if targets:
        loaded += session.scalars(select(model).where(model.id.in_(targets)).options(*options))
    if orgs:
        loaded += session.scalars(
            select(Organization)
            .where(Organization.id.in_(orgs))
            .options(selectinload(Organization.provider))
        )
    return loaded


@contextmanager
def _row(kind: str, action: Action) -> Iterator[None]:
    """A service's refusal becomes ApplyFailed naming the row and the column."""
    try:
        yield
    except ServiceError as exc:
        field, messages = next(iter(exc.fields.items()), ("", [exc.message]))
        raise ApplyFailed(
            Problem(
                action.row.number,
                header_of(kind, field.split(".")[0]) if field else "",
                messages[0],
            )
        ) from exc
