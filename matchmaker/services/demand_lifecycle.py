"""The demand lifecycle: the one table of allowed moves, each made by one conditional UPDATE.

    move               from                                   to
    submit             DemandStatus.SUBMITTABLE               in_review
    resubmit           published (the owner edited it)        in_review
    publish_draft      draft (an admin posting directly)      published
    approve            in_review                              published
    reject             in_review                              rejected
    negotiate          published (an interest was accepted)   in_negotiation
    close_won          in_negotiation                         closed (won)
    close_withdrawn    DemandStatus.WITHDRAWABLE              closed (withdrawn)
    close_expired      DemandStatus.EXPIRABLE                 closed (expired)

A move is ``UPDATE demands SET status = <to> … WHERE id = … AND status = <the status it was
read with>``: two people moving one demand at the same moment cannot both succeed; the second
finds nothing to update and gets a 409, and its transaction (audit, notifications) is rolled
back with it. Each move is audited with its from and to, which the statistics read. (The first
move of a demand created in the same transaction is made on the object: nobody else can see
the row yet.)
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, update
from sqlalchemy.orm import Session

from ..models import Demand, DemandStatus, User, utcnow
from . import audit
from .errors import Conflict
from .indexing import enqueue_demand

S = DemandStatus


class InvalidTransition(Conflict):
    pass


@dataclass(frozen=True)
class Move:
    action: str  # the audit event
    sources: tuple[str, ...]
    target: str


SUBMIT = Move("demand.submitted", S.SUBMITTABLE, S.IN_REVIEW)
RESUBMIT = Move("demand.resubmitted", (S.PUBLISHED,), S.IN_REVIEW)
PUBLISH_DRAFT = Move("demand.published", (S.DRAFT,), S.PUBLISHED)
APPROVE = Move("demand.published", (S.IN_REVIEW,), S.PUBLISHED)
REJECT = Move("demand.rejected", (S.IN_REVIEW,), S.REJECTED)
NEGOTIATE = Move("demand.negotiating", (S.PUBLISHED,), S.IN_NEGOTIATION)
CLOSE_WON = Move("demand.closed_won", (S.IN_NEGOTIATION,), S.CLOSED)
CLOSE_WITHDRAWN = Move("demand.closed_withdrawn", S.WITHDRAWABLE, S.CLOSED)
CLOSE_EXPIRED = Move("demand.closed_expired", S.EXPIRABLE, S.CLOSED)


def _not_allowed(status: str) -> InvalidTransition:
    return InvalidTransition(_("当前状态（%(status)s）不允许此操作", status=status))


def move(session: Session, actor: User | None, demand: Demand, step: Move, **data) -> None:
    """Make the move or raise InvalidTransition (409): also when someone moved it meanwhile."""
    if not _try(session, actor, demand, step, data):
        raise _not_allowed(demand.status)


def move_if_still(session: Session, actor: User | None, demand: Demand, step: Move) -> bool:
    """Make the move if the demand is still where it starts; False (no error) otherwise.

    For moves that follow from another change, such as the first accepted interest putting a
    demand into negotiation: a second acceptance at the same moment finds it there already.
    """
    return _try(session, actor, demand, step, {})


def _try(session: Session, actor: User | None, demand: Demand, step: Move, data: dict) -> bool:
    seen = demand.status
    if seen not in step.sources:
        return False
    # The version moves as with every update of a demand (see Demand.version).
    values: dict = {"status": step.target, "updated_at": utcnow(), "version": Demand.version + 1}
    if step.target == S.PUBLISHED:
        values["published_at"] = func.coalesce(Demand.published_at, utcnow())
    session.flush()  # the demand's pending changes go first, in the same transaction
    moved = session.execute(
        update(Demand)
        .where(Demand.id == demand.id, Demand.status == seen)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(demand)
    if not moved:
        return False
    _moved(session, actor, demand, step, seen, data)
    return True


def first_move(session: Session, actor: User | None, demand: Demand, step: Move) -> None:
    """The first move of a demand created in this same transaction (posting, importing).

    No other transaction can see the row yet, so nothing can race the move: it is checked
    against the table and made on the object, written with the row (no extra round trips for
    each row of a large import).
    """
    seen = demand.status
    if seen not in step.sources:
        raise _not_allowed(seen)
    demand.status = step.target
    if step.target == S.PUBLISHED and demand.published_at is None:
        demand.published_at = utcnow()
    _moved(session, actor, demand, step, seen, {})


def _moved(
    session: Session, actor: User | None, demand: Demand, step: Move, seen: str, data: dict
) -> None:
    """What every move leaves behind: its audit event (the statistics read it) and the index
    change."""
    audit.log_event(
        session,
        actor,
        step.action,
        "demand",
        demand.id,
        **{"from": seen, "to": step.target, **data},
    )
    enqueue_demand(session, demand)
