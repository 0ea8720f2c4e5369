"""Who vouches for a public record: a confirmed address keeps sign-ups out of the public pool.

Anyone can register an organisation or a designer under any name; until an address is
confirmed nothing the account does reaches anyone else (``access.require_confirmed``), and
nothing it drafted is shown to anyone else either. One rule, in Python for the policies of
``access`` and in SQL for the index and the lists built from queries, so that pages, the API,
both search backends and the matcher agree:

- an organisation is *vouched for* when at least one of its active members has confirmed
  an address, or when it has no member accounts at all (an administrator created it: the
  survey import, the command line, the demo). A registration that claims an existing
  organisation's name or credit code is not, while its claim waits or after it was
  rejected: administrators merge it into the organisation it claims. So an organisation
  whose only confirmed member is switched off drops out again until someone confirmed
  joins or is switched back on.
- a person of the talent pool is vouched for while their account is active and confirmed.

Its provider profile (with its cases), its open talent needs and a person's card are public
only while vouched for; their own people and administrators still read them. The index
follows on its own: a change of an account that moves the answer re-indexes what it vouches
for (``indexing``).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ..models import Organization, Provider, TalentNeed, TalentProfile, User


def confirmed_and_active(user: User) -> bool:
    return user.active and user.email_confirmed_at is not None


def organization_vouched(organization: Organization) -> bool:
    if organization.claim_of_id is not None:
        return False
    members = organization.users
    return not members or any(confirmed_and_active(u) for u in members)


def person_vouched(user: User) -> bool:
    return confirmed_and_active(user)


# --- the same rule in SQL ------------------------------------------------------------------------
# Each condition is built once per process (it has no parameters): building one cost more than
# running it, and every list of providers or leads adds one.


@cache
def _confirmed_and_active_sql() -> ColumnElement[bool]:
    return and_(User.active.is_(True), User.email_confirmed_at.is_not(None))


@cache
def organization_vouched_sql() -> ColumnElement[bool]:
    """A condition on ``Organization`` (correlated: usable inside any query of it)."""
    member = User.organization_id == Organization.id
    return and_(
        Organization.claim_of_id.is_(None),
        or_(
            ~exists(select(User.id).where(member)),
            exists(select(User.id).where(member, _confirmed_and_active_sql())),
        ),
    )


@cache
def provider_vouched_sql() -> ColumnElement[bool]:
    return Provider.organization.has(organization_vouched_sql())


@cache
def need_vouched_sql() -> ColumnElement[bool]:
    return TalentNeed.organization.has(organization_vouched_sql())


@cache
def profile_vouched_sql() -> ColumnElement[bool]:
    return TalentProfile.user.has(_confirmed_and_active_sql())
