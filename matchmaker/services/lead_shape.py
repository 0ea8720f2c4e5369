"""A demand as providers read it (a ``Lead``): everything except who posted it.

The enterprise that posted a demand and the administrators read the row itself; every other
reader — providers browsing, searching, answering or invited — gets a ``Lead``, which has no
organisation name or id, no external id and no contacts. Services choose the shape for the
reader (``shown_to``), so a page, an API response, a notification or an e-mail built for a
provider cannot print what it was never given. Once an interest is accepted, the contacts come
with the interest (``interests.contact``), never with the demand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..models import Attachment, Demand, User
from .access import owns


@dataclass(frozen=True)
class Lead:
    id: int
    title: str
    description: str
    cluster: str
    services: tuple[str, ...]
    budget_min: int | None
    budget_max: int | None
    deadline: dt.date | None
    region: str
    contact_preference: str
    status: str
    close_reason: str | None
    created_at: dt.datetime
    published_at: dt.datetime | None
    version: int
    attachments: tuple[Attachment, ...]


# What a demand asks for, in its columns' names: every reader may see these.
TERMS = (
    "title",
    "description",
    "cluster",
    "services",
    "budget_min",
    "budget_max",
    "deadline",
    "region",
    "contact_preference",
)


def demand_terms(row: Demand | Lead) -> dict[str, Any]:
    """A demand's terms (services as a list): the one source of a Lead, of the API's answer
    for every reader and of the edit form's values."""
    terms = {name: getattr(row, name) for name in TERMS}
    terms["services"] = list(row.services or [])
    return terms


def lead_of(demand: Demand) -> Lead:
    terms = demand_terms(demand)
    return Lead(
        id=demand.id,
        **{**terms, "services": tuple(terms["services"])},
        status=demand.status,
        close_reason=demand.close_reason,
        created_at=demand.created_at,
        published_at=demand.published_at,
        version=demand.version,
        attachments=tuple(demand.attachments),
    )


def shown_to(actor: User | None, demand: Demand) -> Demand | Lead:
    """The shape of a (visible) demand for this reader: the row for its own organisation and
    administrators, a Lead for everyone else."""
    return demand if owns(actor, demand.organization_id) else lead_of(demand)
