"""Proposals that evolve: a provider revises its interest's approach, price and timeline.

The interest always holds the latest proposal (what lists, the API and the matcher's
statistics read); every version, the first included, is kept as a ``ProposalRevision`` with
its own files, so the enterprise sees how the offer moved. Before acceptance contact details
in the text are masked, as in messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..models import Interest, InterestStatus, ProposalRevision, Side, User
from ..schemas import InterestIn, validate
from . import audit, contact_details, files
from .access import require_confirmed
from .conversations import OPEN_STATUSES, readable
from .errors import Conflict, Forbidden
from .notifications import notify_organization


def masked_text(interest: Interest, text: str) -> str:
    """What the enterprise may read of a proposal's text at this point."""
    if interest.status == InterestStatus.ACCEPTED:
        return text
    return contact_details.mask(text)[0]


def record(session: Session, actor: User | None, interest: Interest) -> ProposalRevision:
    """Keep the interest's current proposal as its next revision."""
    revision = ProposalRevision(
        number=len(interest.revisions) + 1,
        message=interest.message,
        price=interest.price,
        timeline_days=interest.timeline_days,
        author_id=actor.id if actor else None,
    )
    interest.revisions.append(revision)
    session.flush()
    return revision


def revise(
    session: Session,
    actor: User,
    interest_id: int,
    body: Any,
    uploads: Iterable[files.Upload] = (),
    storage: files.Storage | None = None,
) -> tuple[ProposalRevision, list[str]]:
    """The provider changes its proposal while the interest is open. Returns the revision and
    the stored names of its files (the caller discards them if its commit fails)."""
    interest, side = readable(session, actor, interest_id)
    if side != Side.PROVIDER:
        raise Forbidden(_("只有提交意向的服务方可以修改方案"))
    require_confirmed(actor)
    if interest.status not in OPEN_STATUSES:
        raise Conflict(_("该意向已结束，方案不能再修改"))
    data = validate(InterestIn, body)
    interest.message = masked_text(interest, data.message)
    interest.price, interest.timeline_days = data.price, data.timeline_days
    revision = record(session, actor, interest)
    uploads = list(uploads)
    written = files.attach_to_revision(session, revision, uploads, storage) if uploads else []
    audit.log_event(
        session,
        actor,
        "interest.revised",
        "interest",
        interest.id,
        revision=revision.number,
        price=data.price,
        timeline_days=data.timeline_days,
    )
    notify_organization(
        session,
        interest.demand.organization,
        "proposal_revised",
        f"/interests/{interest.id}",
        interest_id=interest.id,
        title=interest.demand.title,
        provider=interest.provider.organization.name,
    )
    return revision, written
