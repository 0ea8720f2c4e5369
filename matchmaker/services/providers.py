"""Provider capability profiles (服务能力) and their portfolio cases."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, Organization, OrgType, Provider, Role, User, utcnow
from ..schemas import CaseIn, ProviderIn, validate
from . import audit, versions
from .access import CASE_POLICY, PROVIDER_POLICY, require_role
from .errors import Conflict
from .indexing import enqueue_provider
from .uniqueness import check_external_id
from .verification import identity_changes, record_identity_changes


def get_provider(session: Session, actor: User | None, provider_id: int) -> Provider:
    """A capability profile: public once vouched for (``vouching``), NotFound otherwise
    for everyone but its own people and administrators."""
    return PROVIDER_POLICY.visible(actor, session.get(Provider, provider_id))


def managed_provider(session: Session, actor: User | None, provider_id: int) -> Provider:
    """A profile the actor manages: its own organisation's, or any for an administrator."""
    return PROVIDER_POLICY.require(actor, "manage", session.get(Provider, provider_id))


def provider_input(provider: Provider) -> dict[str, Any]:
    """The current profile in the shape of ProviderIn, so partial updates merge onto it."""
    org = provider.organization
    return {
        "name": org.name,
        "kind": org.kind,
        "level": org.level,
        "region": org.region,
        "clusters": list(provider.clusters),
        "services": list(provider.services),
        "description": provider.description,
        "team_size": provider.team_size,
        "price_min": provider.price_min,
        "price_max": provider.price_max,
        "cases": [
            {"title": c.title, "description": c.description, "cluster": c.cluster, "year": c.year}
            for c in provider.cases
        ],
        "certifications": list(provider.certifications or []),
        "verified": org.verified,
        "external_id": provider.external_id,
    }


def _apply(
    session: Session, actor: User, provider: Provider, data: ProviderIn, replace_cases: bool
) -> None:
    org = provider.organization
    if org.name != data.name:
        clash = session.scalar(
            select(Organization.id).where(
                Organization.type == OrgType.PROVIDER,
                Organization.name == data.name,
                Organization.id != org.id,
                Organization.claim_of_id.is_(None),
            )
        )
        if clash is not None:
            raise Conflict(_("同名单位已存在"), {"name": [_("同名单位已存在")]})
    before = _identity(provider)
    org.name, org.kind, org.level, org.region = data.name, data.kind, data.level, data.region
    if actor.is_admin and data.verified != org.verified:
        org.verified, org.verified_at = data.verified, (utcnow() if data.verified else None)
    provider.clusters, provider.services = data.clusters, data.services
    provider.description = data.description
    provider.team_size, provider.price_min, provider.price_max = (
        data.team_size,
        data.price_min,
        data.price_max,
    )
    provider.certifications = data.certifications
    provider.external_id = data.external_id
    if replace_cases:
        provider.cases = [Case(**case.model_dump()) for case in data.cases]
    if org.id is not None:  # a new organisation has no identity to change yet
        changes = identity_changes(before, _identity(provider))
        record_identity_changes(session, actor, org, changes)


def _identity(provider: Provider) -> dict[str, Any]:
    org = provider.organization
    return {
        "name": org.name,
        "kind": org.kind,
        "level": org.level,
        "certifications": list(provider.certifications or []),
    }


def create_provider(session: Session, actor: User, body: Any) -> Provider:
    """Admins create any provider (organisation by exact name); a provider user its own."""
    provider = build_provider(session, actor, body)
    session.flush()
    record_created(session, actor, provider)
    return provider


def build_provider(
    session: Session,
    actor: User,
    body: Any,
    organization: Organization | None = None,
    external_id_checked: bool = False,
) -> Provider:
    """Check and build a new profile without flushing (so that many can be flushed at once);
    ``record_created`` follows the flush. An admin may pass the organisation."""
    require_role(actor, Role.ADMIN, Role.PROVIDER)
    data = validate(ProviderIn, body)
    check_external_id(session, actor, Provider, data.external_id, None, checked=external_id_checked)
    if actor.is_admin:
        org = organization or session.scalar(
            select(Organization).where(
                Organization.type == OrgType.PROVIDER,
                Organization.name == data.name,
                Organization.claim_of_id.is_(None),
            )
        )
        if org is None:
            org = Organization(type=OrgType.PROVIDER, name=data.name, region=data.region)
            session.add(org)
    else:
        org = actor.organization
    if org.id is not None and org.provider is not None:
        raise Conflict(_("该单位已有服务能力档案"), {"name": [_("该单位已有服务能力档案")]})
    provider = Provider(organization=org)
    session.add(provider)
    _apply(session, actor, provider, data, replace_cases=True)
    return provider


def record_created(session: Session, actor: User, provider: Provider) -> None:
    audit.log_event(session, actor, "provider.created", "provider", provider.id)
    enqueue_provider(session, provider)


def update_provider(
    session: Session,
    actor: User,
    provider_id: int,
    patch: Any,
    external_id_checked: bool = False,
    expected_version: int | None = None,
) -> Provider:
    """A partial update; ``expected_version`` as for ``demands.update_demand``."""
    provider = managed_provider(session, actor, provider_id)
    versions.check(provider, expected_version, _("该服务能力档案"))
    if not isinstance(patch, dict):
        patch = {}
    merged = {**provider_input(provider), **patch}
    data = validate(ProviderIn, merged)
    check_external_id(
        session,
        actor,
        Provider,
        data.external_id,
        provider.id,
        provider.external_id,
        checked=external_id_checked,
    )
    with versions.guarded(_("该服务能力档案")):
        _apply(session, actor, provider, data, replace_cases="cases" in patch)
        audit.log_event(
            session, actor, "provider.updated", "provider", provider.id, fields=sorted(patch)
        )
        enqueue_provider(session, provider)  # flushes: the UPDATE checks the version it read
    return provider


def delete_provider(session: Session, actor: User, provider_id: int) -> None:
    provider = PROVIDER_POLICY.require(actor, "delete", session.get(Provider, provider_id))
    enqueue_provider(session, provider)
    audit.log_event(session, actor, "provider.deleted", "provider", provider.id)
    session.delete(provider)
    session.flush()


def add_case(session: Session, actor: User, provider_id: int, body: Any) -> Case:
    provider = managed_provider(session, actor, provider_id)
    case = Case(**validate(CaseIn, body).model_dump())
    provider.cases.append(case)
    session.flush()
    audit.log_event(session, actor, "case.created", "provider", provider.id, case_id=case.id)
    enqueue_provider(session, provider)
    return case


def managed_case(session: Session, actor: User | None, case_id: int) -> Case:
    """A portfolio case of the actor's own profile (any, for an administrator)."""
    return CASE_POLICY.require(actor, "manage", session.get(Case, case_id))


def update_case(session: Session, actor: User, case_id: int, body: Any) -> Case:
    case = managed_case(session, actor, case_id)
    for key, value in validate(CaseIn, body).model_dump().items():
        setattr(case, key, value)
    audit.log_event(session, actor, "case.updated", "provider", case.provider_id, case_id=case.id)
    enqueue_provider(session, case.provider)
    return case


def delete_case(session: Session, actor: User, case_id: int) -> None:
    case = managed_case(session, actor, case_id)
    provider = case.provider
    provider.cases.remove(case)
    audit.log_event(session, actor, "case.deleted", "provider", provider.id, case_id=case_id)
    enqueue_provider(session, provider)
