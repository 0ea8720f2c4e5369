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


def lead_of(demand: Demand) -> Lead:
    return Lead(
        id=demand.id,
        title=demand.title,
        description=demand.description,
        cluster=demand.cluster,
        services=tuple(demand.services or ()),
        budget_min=demand.budget_min,
        budget_max=demand.budget_max,
        deadline=demand.deadline,
        region=demand.region,
        contact_preference=demand.contact_preference,
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
