"""Writing a checked plan through the services, so audit trail and search index stay right.

Every create and update goes through ``providers`` / ``demands`` with the importing
administrator as actor; the organisation's own fields (credit code, contact, mobile,
e-mail), which the API bodies do not carry, are set here and audited as one
``organization.updated`` event. The caller owns the transaction: this module only flushes,
so a failure anywhere leaves nothing behind once the caller rolls back.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ...models import DemandStatus, Organization, OrgType, User
from .. import audit, demands, providers
from ..accounts import get_or_create_organization
from ..errors import ServiceError, ValidationFailed
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
        audit.record(
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


def _provider(session: Session, actor: User, action: Action) -> str:
    data = action.row.data
    if action.op == "update":
        provider = providers.update_provider(session, actor, action.target_id, _patch(action))
        _update_organization(session, actor, provider.organization, action)
        return "updated"
    if action.organization_id is not None:
        # create_provider finds the organisation by name: give the known one the row's name first
        _update_organization(
            session,
            actor,
            session.get(Organization, action.organization_id),
            action,
            name=data.name,
        )
        session.flush()  # the lookup by name must see the new name
    provider = providers.create_provider(session, actor, data.model_dump(mode="json"))
    _update_organization(session, actor, provider.organization, action)
    return "created"


def _move_status(
    session: Session, actor: User, demand_id: int, status: str, wanted: str | None
) -> None:
    """Forward only: a re-import never takes a published demand back to draft."""
    if wanted in (S.IN_REVIEW, S.PUBLISHED) and status in (S.DRAFT, S.REJECTED):
        demands.submit(session, actor, demand_id)
        status = S.IN_REVIEW
    if wanted == S.PUBLISHED and status == S.IN_REVIEW:
        demands.approve(session, actor, demand_id)


def _demand(session: Session, actor: User, action: Action, created: dict[str, Organization]) -> str:
    data = action.row.data
    if action.organization_id is not None:
        org = session.get(Organization, action.organization_id)
        _update_organization(
            session, actor, org, action, name=data.organization.name if data.organization else None
        )
    elif data.organization.name in created:  # a new enterprise named by an earlier row
        org = created[data.organization.name]
        _update_organization(session, actor, org, action)
    else:
        org = get_or_create_organization(
            session,
            OrgType.ENTERPRISE,
            data.organization.name,
            data.region,
            **{k: getattr(action.row.org, k) for k in ORG_KEYS},
        )
        created[org.name] = org
        audit.record(
            session, actor, "organization.created", "organization", org.id, source="import"
        )
    if action.op == "update":
        demand = demands.update_demand(
            session,
            actor,
            action.target_id,
            _patch(action, exclude=("organization", "organization_id", "status")),
        )
        _move_status(session, actor, demand.id, demand.status, data.status)
        return "updated"
    body = data.model_dump(mode="json", exclude={"organization", "status"})
    body["organization_id"] = org.id
    demands.create_demand(session, actor, body, status=data.status or S.PUBLISHED)
    return "created"


def apply(
    session: Session, actor: User, plan: Plan, progress: Progress | None = None, every: int = 100
) -> dict[str, int]:
    """Run every action; ApplyFailed names the row if a service refuses one."""
    counts = {"created": 0, "updated": 0}
    created: dict[str, Organization] = {}
    # The services flush explicitly after each record; autoflush before each of their lookups
    # would only add a third flush per row (of the previous row's outbox and audit rows).
    with session.no_autoflush:
        for done, action in enumerate(plan.actions, start=1):
            _one(session, actor, plan, action, created, counts)
            if progress and done % every == 0:
                progress(done)
    session.flush()
    if progress:
        progress(len(plan.actions))
    return counts


def _one(
    session: Session,
    actor: User,
    plan: Plan,
    action: Action,
    created: dict[str, Organization],
    counts: dict[str, int],
) -> None:
    try:
        if plan.kind == DEMANDS:
            counts[_demand(session, actor, action, created)] += 1
        else:
            counts[_provider(session, actor, action)] += 1
    except ServiceError as exc:
        field, messages = next(iter(exc.fields.items()), ("", [exc.message]))
        raise ApplyFailed(
            Problem(
                action.row.number,
                header_of(plan.kind, field.split(".")[0]) if field else "",
                messages[0],
            )
        ) from exc
