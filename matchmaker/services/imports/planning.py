"""Deciding, before any write, what each valid row will do: create or update which record.

Identity (idempotent re-import):
- providers: 外部编号 (external_id) → else 统一社会信用代码 → else exact organisation name;
  one capability profile per organisation, so all three name the same record.
- demands: 外部编号 → else the same enterprise (by credit code, else by name) and the same
  title. The enterprise itself is found by credit code, else by name, else created.

Duplicates inside the file: a later row naming the same record as an earlier one is merged
(skipped) when its content is identical, and reported as a problem when it differs — the
user has to decide which one is right.

Organisations that registered users control: a row that would change such an organisation's
identity (name, credit code, kind, level, certifications) or verify it carries the changes,
old → new, and is written only once the administrator has seen and confirmed them (a
survey id must not let anyone take over, or be taken over by, a registered organisation).

All lookups are done in a few IN queries up front (with the related organisation or profile
loaded alongside), not one query per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Demand, DemandStatus, Organization, OrgType, Provider, User
from ..verification import identity_changes
from .columns import DEMANDS, PROVIDERS, header_of
from .validation import Problem, Row

CHUNK = 500


@dataclass
class Action:
    row: Row
    op: str  # create | update
    target_id: int | None = None  # provider / demand id to update
    organization_id: int | None = None  # existing organisation to use (None: create one)
    # changes to an organisation with registered users, to be confirmed (see module doc)
    changes: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    kind: str
    actions: list[Action] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    merged: int = 0

    @property
    def confirmations(self) -> list[dict]:
        return [change for action in self.actions for change in action.changes]

    @property
    def creates(self) -> int:
        return sum(1 for a in self.actions if a.op == "create")

    @property
    def updates(self) -> int:
        return sum(1 for a in self.actions if a.op == "update")


def _chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _orgs_by(session: Session, column, values: set) -> dict:
    found = {}
    for chunk in _chunks(v for v in values if v):
        for org in session.scalars(
            select(Organization)
            .where(column.in_(chunk))
            .options(selectinload(Organization.provider))
        ):
            found[getattr(org, column.key)] = org
    return found


def _by_external_id(session: Session, model, rows: list[Row]) -> dict:
    """Existing records of ``model`` by the external ids the rows name."""
    found = {}
    for chunk in _chunks({r.data.external_id for r in rows if r.data.external_id}):
        found.update(
            session.execute(
                select(model.external_id, model)
                .where(model.external_id.in_(chunk))
                .options(selectinload(model.organization))
            )
            .tuples()
            .all()
        )
    return found


def _orgs_by_name(session: Session, org_type: OrgType, names: set) -> dict[str, Organization]:
    """Organisations of one type by name (several types may share a name)."""
    found: dict[str, Organization] = {}
    for chunk in _chunks(names):
        found.update(
            session.execute(
                select(Organization.name, Organization)
                .where(
                    Organization.type == org_type,
                    Organization.name.in_(chunk),
                    Organization.claim_of_id.is_(None),  # registrations waiting for review
                )
                .options(selectinload(Organization.provider))
            )
            .tuples()
            .all()
        )
    return found


class _Duplicates:
    """Remembers which row first named each identity key."""

    def __init__(self) -> None:
        self.first: dict[tuple, Row] = {}

    def check(self, row: Row, keys: list[tuple]) -> str | None:
        """None for a new record, "same" for an identical repeat, else the earlier row number."""
        for key in keys:
            earlier = self.first.get(key)
            if earlier is not None:
                return "same" if earlier.cells == row.cells else str(earlier.number)
        for key in keys:
            self.first[key] = row
        return None


def plan_providers(session: Session, rows: list[Row]) -> Plan:
    plan = Plan(PROVIDERS)
    by_external = _by_external_id(session, Provider, rows)
    by_credit = _orgs_by(session, Organization.credit_code, {r.org.credit_code for r in rows})
    names = {r.data.name for r in rows}
    by_name = _orgs_by_name(
        session, OrgType.PROVIDER, names
    )  # several types may share a name: take the provider one
    seen = _Duplicates()
    for row in rows:
        data, credit = row.data, row.org.credit_code
        keys = (
            [("name", data.name)]
            + ([("ext", data.external_id)] if data.external_id else [])
            + ([("credit", credit)] if credit else [])
        )
        repeat = seen.check(row, keys)
        if repeat == "same":
            plan.merged += 1
            continue
        if repeat:
            plan.problems.append(
                Problem(
                    row.number,
                    header_of(PROVIDERS, "name"),
                    _(
                        "与第 %(row)s 行是同一单位（外部编号、信用代码或名称相同），但内容不同",
                        row=repeat,
                    ),
                )
            )
            continue
        problem = _resolve_provider(
            plan,
            row,
            by_external.get(data.external_id),
            by_credit.get(credit),
            by_name.get(data.name),
        )
        if problem:
            plan.problems.append(problem)
    return plan


def _resolve_provider(
    plan: Plan,
    row: Row,
    by_external: Provider | None,
    by_credit: Organization | None,
    by_name: Organization | None,
) -> Problem | None:
    data, credit = row.data, row.org.credit_code
    if by_credit is not None and by_credit.type != OrgType.PROVIDER:
        return Problem(
            row.number,
            header_of(PROVIDERS, "credit_code"),
            _("该统一社会信用代码已登记为制造企业：%(name)s", name=by_credit.name),
        )
    if by_external is not None:
        org = by_external.organization
    else:
        org = by_credit or by_name
    if org is None:
        plan.actions.append(Action(row, "create"))
        return None
    if by_credit is not None and by_credit.id != org.id:
        return Problem(
            row.number,
            header_of(PROVIDERS, "credit_code"),
            _("该统一社会信用代码属于另一单位：%(name)s", name=by_credit.name),
        )
    if credit and org.credit_code and org.credit_code != credit:
        return Problem(
            row.number,
            header_of(PROVIDERS, "credit_code"),
            _(
                "与已登记的统一社会信用代码不同（%(name)s：%(code)s）",
                name=org.name,
                code=org.credit_code,
            ),
        )
    if by_name is not None and by_name.id != org.id:
        return Problem(row.number, header_of(PROVIDERS, "name"), _("同名单位已存在"))
    provider = org.provider
    if (
        provider is not None
        and data.external_id
        and provider.external_id not in (None, data.external_id)
    ):
        return Problem(
            row.number,
            header_of(PROVIDERS, "external_id"),
            _("该单位已有另一外部编号：%(value)s", value=provider.external_id),
        )
    if provider is None:
        plan.actions.append(Action(row, "create", organization_id=org.id))
    else:
        plan.actions.append(Action(row, "update", target_id=provider.id, organization_id=org.id))
    return None


def plan_demands(session: Session, rows: list[Row]) -> Plan:
    plan = Plan(DEMANDS)
    by_external = _by_external_id(session, Demand, rows)
    by_credit = _orgs_by(session, Organization.credit_code, {r.org.credit_code for r in rows})
    names = {r.data.organization.name for r in rows if r.data.organization}
    by_name = _orgs_by_name(session, OrgType.ENTERPRISE, names)
    by_id = {
        org.id: org
        for org in _orgs_by(session, Organization.id, {r.data.organization_id for r in rows})
    }
    known_orgs = {org.id for org in (*by_credit.values(), *by_name.values(), *by_id.values())}
    by_title: dict[tuple[int, str], list[Demand]] = {}
    for chunk in _chunks(known_orgs):
        for demand in session.scalars(select(Demand).where(Demand.organization_id.in_(chunk))):
            by_title.setdefault((demand.organization_id, demand.title), []).append(demand)
    seen = _Duplicates()
    credit_names: dict[str, tuple[str, int]] = {}
    for row in rows:
        problem = _resolve_demand(
            plan, row, seen, credit_names, by_external, by_credit, by_name, by_id, by_title
        )
        if problem:
            plan.problems.append(problem)
    return plan


def _resolve_demand(
    plan, row, seen, credit_names, by_external, by_credit, by_name, by_id, by_title
):
    data, credit = row.data, row.org.credit_code
    name = data.organization.name if data.organization else None
    if credit and name:
        first = credit_names.setdefault(credit, (name, row.number))
        if first[0] != name:
            return Problem(
                row.number,
                header_of(DEMANDS, "credit_code"),
                _("与第 %(row)s 行的统一社会信用代码相同，但企业名称不同", row=first[1]),
            )
    # the enterprise
    if data.organization_id is not None:
        org = by_id.get(data.organization_id)
        if org is None or org.type != OrgType.ENTERPRISE:
            return Problem(row.number, "organization_id", _("单位不存在"))
    elif credit and credit in by_credit:
        org = by_credit[credit]
        if org.type != OrgType.ENTERPRISE:
            return Problem(
                row.number,
                header_of(DEMANDS, "credit_code"),
                _("该统一社会信用代码已登记为设计服务方：%(name)s", name=org.name),
            )
        if name != org.name and name in by_name:
            return Problem(row.number, header_of(DEMANDS, "organization"), _("同名单位已存在"))
    else:
        org = by_name.get(name)
        if org is not None and credit and org.credit_code and org.credit_code != credit:
            return Problem(
                row.number,
                header_of(DEMANDS, "credit_code"),
                _(
                    "与已登记的统一社会信用代码不同（%(name)s：%(code)s）",
                    name=org.name,
                    code=org.credit_code,
                ),
            )
    organization_key = ("org", org.id) if org is not None else ("new", credit or name)
    keys = (
        [("ext", data.external_id)]
        if data.external_id
        else [("title", organization_key, data.title)]
    )
    repeat = seen.check(row, keys)
    if repeat == "same":
        plan.merged += 1
        return None
    if repeat:
        return Problem(
            row.number,
            header_of(DEMANDS, "external_id" if data.external_id else "title"),
            _("与第 %(row)s 行是同一需求（外部编号或企业与标题相同），但内容不同", row=repeat),
        )
    # the demand
    demand = by_external.get(data.external_id) if data.external_id else None
    if demand is None and not data.external_id and org is not None:
        matches = by_title.get((org.id, data.title), [])
        demand = matches[0] if len(matches) == 1 else None
    if demand is None:
        plan.actions.append(Action(row, "create", organization_id=org.id if org else None))
        return None
    if org is not None and demand.organization_id != org.id:
        return Problem(
            row.number,
            header_of(DEMANDS, "external_id"),
            _("该外部编号已属于另一企业的需求：%(name)s", name=demand.organization.name),
        )
    if demand.status not in DemandStatus.EDITABLE:
        return Problem(
            row.number,
            header_of(DEMANDS, "external_id"),
            _("对应需求当前状态（%(status)s）不允许修改", status=demand.status),
        )
    plan.actions.append(
        Action(row, "update", target_id=demand.id, organization_id=demand.organization_id)
    )
    return None


def _identity_before_after(org: Organization, row: Row, kind: str) -> tuple[dict, dict]:
    """The organisation's identity now, and after the row is written."""
    data, credit = row.data, row.org.credit_code
    before: dict = {"name": org.name, "credit_code": org.credit_code, "verified": org.verified}
    after = dict(before)
    if credit:
        after["credit_code"] = credit
    if kind == PROVIDERS:
        certifications = list(org.provider.certifications or []) if org.provider else []
        before.update(kind=org.kind, level=org.level, certifications=certifications)
        after.update(kind=org.kind, level=org.level, certifications=certifications, name=data.name)
        for key in ("kind", "level", "certifications"):
            if key in row.filled or org.provider is None:
                after[key] = (
                    list(data.certifications) if key == "certifications" else getattr(data, key)
                )
        if "verified" in row.filled and data.verified:
            after["verified"] = True
    elif data.organization is not None:
        after["name"] = data.organization.name
    return before, after


def _changes(org: Organization, row: Row, kind: str) -> list[dict]:
    before, after = _identity_before_after(org, row, kind)
    changed = identity_changes(before, after)
    if after["verified"] and not before["verified"]:
        changed["verified"] = (False, True)
    return [
        {
            "row": row.number,
            "organization_id": org.id,
            "organization": org.name,
            "field": name,
            "old": old,
            "new": new,
        }
        for name, (old, new) in changed.items()
    ]


def _mark_confirmations(session: Session, plan: Plan) -> None:
    """Changes to organisations that registered users control wait for the administrator."""
    ids = {a.organization_id for a in plan.actions if a.organization_id is not None}
    controlled: set[int] = set()
    for chunk in _chunks(ids):
        controlled.update(
            session.scalars(
                select(User.organization_id).where(User.organization_id.in_(chunk)).distinct()
            )
        )
    for action in plan.actions:
        if action.organization_id in controlled:
            org = session.get(Organization, action.organization_id)
            action.changes = _changes(org, action.row, plan.kind)


def plan(session: Session, kind: str, rows: list[Row]) -> Plan:
    the_plan = plan_providers(session, rows) if kind == PROVIDERS else plan_demands(session, rows)
    _mark_confirmations(session, the_plan)
    return the_plan
