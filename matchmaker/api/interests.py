"""The interest workflow: a provider answers a demand, its owner accepts or declines."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..extensions import db
from ..schemas import InterestIn
from ..services import interests as service
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import ID, current_api_user, route


@route(
    f"/demands/<{ID}:demand_id>/interests",
    "POST",
    summary="Express interest in a demand (provider)",
    tag="interests",
    body=InterestIn,
    response=s.InterestOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Provider users with a profile, for a published demand. A second interest in the "
    "same demand, or one in a demand no longer open → 409.",
)
def express(demand_id: int, body: dict) -> s.InterestOut:
    interest = service.express(db.session, current_api_user(), demand_id, body)
    commit()
    return out.interest(interest, current_api_user())


@route(
    f"/demands/<{ID}:demand_id>/interests",
    "GET",
    summary="Interests in a demand",
    tag="interests",
    response=s.InterestList,
    errors=(401, 403, 404),
    description="The demand's owner or an admin, oldest first.",
)
def list_interests(demand_id: int) -> s.InterestList:
    rows = service.for_demand(db.session, current_api_user(), demand_id)
    return s.InterestList(
        demand_id=demand_id, items=[out.interest(row, current_api_user()) for row in rows]
    )


# The owner's decisions on an interest: no body, the answer is the interest.
_decision = partial(
    route, method="POST", tag="interests", response=s.InterestOut, errors=(401, 403, 404, 409)
)


def _decided(interest_id: int, decide: Callable) -> s.InterestOut:
    interest = decide(db.session, current_api_user(), interest_id)
    commit()
    return out.interest(interest, current_api_user())


@_decision(
    f"/interests/<{ID}:interest_id>/accept",
    summary="Accept an interest",
    description="The demand's owner (or an admin). Reveals both sides' contact details; the "
    "demand moves to negotiation. An interest already decided → 409. No body.",
)
def accept(interest_id: int) -> s.InterestOut:
    return _decided(interest_id, service.accept)


@_decision(
    f"/interests/<{ID}:interest_id>/decline",
    summary="Decline an interest",
    description="The demand's owner (or an admin). An interest already decided → 409. No body.",
)
def decline(interest_id: int) -> s.InterestOut:
    return _decided(interest_id, service.decline)
