"""An interest's conversation, the interests a user deals with, and reviews after a deal."""

from __future__ import annotations

from ..extensions import db
from ..services import conversations, deals
from ..services import interests as interest_service
from ..services import providers as provider_service
from ..transaction import commit
from . import schemas as s
from . import serializers as out
from .routing import ID, current_api_user, route


@route(
    "/interests",
    "GET",
    summary="The interests the caller deals with",
    tag="interests",
    query=s.InterestListParams,
    response=s.InterestPage,
    errors=(401, 403, 422),
    description="A provider's own interests (on demands still public), an enterprise's on its "
    "demands, every interest for an admin; newest first, paginated like search.",
)
def my_interests(params: s.InterestListParams) -> s.InterestPage:
    rows, total = interest_service.listing(
        db.session, current_api_user(), params.status, params.page, params.per_page
    )
    return s.InterestPage(
        items=[out.interest(row, current_api_user()) for row in rows],
        total=total,
        page=params.page,
        per_page=params.per_page,
    )


@route(
    f"/interests/<{ID}:interest_id>/messages",
    "GET",
    summary="Messages on an interest",
    tag="messages",
    response=s.MessageList,
    errors=(401, 404),
    description="The two sides only (the demand's organisation and the provider's); an admin "
    "while one side's report on the conversation is open. Anyone else: 404. Reading marks the "
    "messages read for the caller.",
)
def list_messages(interest_id: int) -> s.MessageList:
    conversation = conversations.read(db.session, current_api_user(), interest_id)
    commit()
    return s.MessageList(
        interest_id=conversation.interest.id,
        items=[out.message(m) for m in conversation.messages],
    )


@route(
    f"/interests/<{ID}:interest_id>/messages",
    "POST",
    summary="Send a message (or a counter-offer) on an interest",
    tag="messages",
    body=conversations.MessageIn,
    response=s.MessageOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="The two sides only. With `price` and `timeline_days` the message is a "
    "counter-offer. Before the interest is accepted, phone numbers, e-mail addresses, WeChat "
    "ids and QQ numbers in `body` are replaced by `[***]` and `masked` is true. A declined or "
    "withdrawn interest → 409; an admin reading a reported conversation → 403.",
)
def post_message(interest_id: int, body: dict) -> s.MessageOut:
    message, _written = conversations.post(db.session, current_api_user(), interest_id, body)
    commit()
    return out.message(message)


@route(
    f"/interests/<{ID}:interest_id>/review",
    "POST",
    summary="Review the other side after a deal",
    tag="reviews",
    body=deals.ReviewIn,
    response=s.ReviewOut,
    status=201,
    errors=(400, 401, 403, 404, 409, 413, 422),
    description="Each side once, after the enterprise marked the deal won (409 before, and "
    "for a second review). The enterprise's review of the provider becomes public on the "
    "provider's profile when both sides have reviewed or 14 days after the deal.",
)
def review(interest_id: int, body: dict) -> s.ReviewOut:
    row = deals.write_review(db.session, current_api_user(), interest_id, body)
    commit()
    return out.review(row)


@route(
    f"/providers/<{ID}:provider_id>/reviews",
    "GET",
    summary="A provider's public reviews",
    tag="reviews",
    auth=False,
    response=s.ReviewList,
    errors=(404,),
    description="Public, no token: the enterprises' reviews of this provider that are visible "
    "(both sides reviewed, or 14 days after the deal; not hidden by an administrator).",
)
def provider_reviews(provider_id: int) -> s.ReviewList:
    provider = provider_service.get_provider(db.session, None, provider_id)  # public
    result = deals.of_provider(db.session, provider.id)
    return s.ReviewList(
        items=[out.review(row) for row in result.items],
        average=s.ReviewAverage(**result.average),
        count=result.count,
    )
