"""A page of providers found by a search, as plain values instead of ORM objects.

The API's provider search shows each hit's profile, organisation and cases and changes
nothing: building ORM objects for them (identity map, attribute state, the cases'
collections) cost about as much as the rest of the request's database work. Here the rows
are read with one statement for the profiles and their organisations and one for the cases,
both built once per process, and kept as small records that read like a ``Provider``
(``row.organization.name``, ``row.cases``), so ``api.serializers.provider`` serves both.
The same rule as ``matching.provider_matches`` applies: public profiles only, in the
engine's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache

from sqlalchemy import Row, Select, bindparam, select
from sqlalchemy.orm import Session

from search import Hit

from ..models import Case, Organization, Provider
from .vouching import provider_vouched_sql


@dataclass(frozen=True, slots=True)
class ListedOrganization:
    name: str
    kind: str | None
    level: str
    region: str
    verified: bool


@dataclass(slots=True)
class ListedProvider:
    """A provider's profile as the search lists it (the fields ``serializers.provider``
    reads); ``cases`` newest first, as ``Provider.cases``."""

    id: int
    organization_id: int
    clusters: list[str]
    services: list[str]
    description: str
    team_size: int | None
    price_min: int | None
    price_max: int | None
    certifications: list[str]
    external_id: str | None
    version: int
    organization: ListedOrganization
    cases: list[Row] = field(default_factory=list)


def _columns(model, record: type) -> tuple:
    """The model's columns named by the record's own fields (not the nested organisation and
    cases), in the record's order: a record is built from a row by position, so the two lists
    must not drift apart."""
    return tuple(getattr(model, f.name) for f in fields(record) if f.name not in NESTED)


NESTED = {"organization", "cases"}
_PROFILE = _columns(Provider, ListedProvider)
_ORGANIZATION = _columns(Organization, ListedOrganization)
_CASE = (Case.id, Case.title, Case.description, Case.cluster, Case.year)


@cache
def _profiles_statement() -> Select:
    """Built once per process, the ids a parameter (SQLAlchemy keeps its cache key)."""
    return (
        select(*_PROFILE, *_ORGANIZATION)
        .join(Organization, Provider.organization_id == Organization.id)
        .where(Provider.id.in_(bindparam("ids", expanding=True)), provider_vouched_sql())
    )


@cache
def _cases_statement() -> Select:
    """The cases in ``Provider.cases``'s own order."""
    order = Provider.cases.property.order_by or ()
    return (
        select(Case.provider_id, *_CASE)
        .where(Case.provider_id.in_(bindparam("ids", expanding=True)))
        .order_by(*order)
    )


def listed(session: Session, hits: Sequence[Hit]) -> list[ListedProvider]:
    """The public profiles among ``hits``, in their order, each with its organisation and
    cases."""
    ids = [hit.id for hit in hits]
    if not ids:
        return []
    split = len(_PROFILE)
    found: dict[int, ListedProvider] = {}
    for row in session.execute(_profiles_statement(), {"ids": ids}):
        found[row[0]] = ListedProvider(*row[:split], ListedOrganization(*row[split:]))
    for case in session.execute(_cases_statement(), {"ids": list(found)}) if found else ():
        found[case.provider_id].cases.append(case)
    return [found[i] for i in ids if i in found]
