"""Bearer tokens: issued for e-mail and password (throttled like sign-in), listed, revoked."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from flask_babel import gettext as _

from .. import throttle
from ..extensions import db
from ..schemas import TokenRequest, validate
from ..services import accounts, api_tokens
from ..transaction import commit, rollback
from . import schemas as s
from .routing import ID, Unauthorized, current_api_token_id, current_api_user, route
from .serializers import utc


@route(
    "/auth/token",
    "POST",
    summary="Exchange e-mail and password for an API token",
    tag="auth",
    auth=False,
    body=TokenRequest,
    response=s.TokenOut,
    errors=(400, 401, 413, 422, 429),
    description="Wrong credentials → 401. Failures are counted per account (`LOGIN_RATE_LIMIT`, "
    "default 10 per minute) and per client address (`LOGIN_IP_RATE_LIMIT`, 30 per minute), "
    "together with the sign-in page's; once either is spent every attempt, right or wrong, "
    "is 429 with `Retry-After` (seconds) until the window frees one.",
)
def issue_token(body: dict) -> Response:
    data = validate(TokenRequest, body)
    throttle.begin_sign_in(data.email)
    user = accounts.authenticate(db.session, data.email, data.password)
    if user is None:
        rollback()
        raise Unauthorized(_("邮箱或密码不正确"))
    throttle.signed_in(data.email)
    token, expires_at = api_tokens.issue(
        db.session, user, current_app.config["API_TOKEN_TTL_HOURS"]
    )
    commit()
    response = jsonify(s.dump(s.TokenOut(token=token, expires_at=utc(expires_at))))
    response.headers["Cache-Control"] = "no-store"  # a credential: never cached
    return response


@route(
    "/auth/tokens",
    "GET",
    summary="The caller's live API tokens",
    tag="auth",
    response=s.TokenList,
    errors=(401,),
    description="Ids and lifetimes only: a token's value is shown once, when it is issued. "
    "Expired tokens and sessions (everyone's) are deleted at every sign-in.",
)
def list_tokens() -> Response:
    current = current_api_token_id()
    items = [
        s.TokenInfo(
            id=row.id,
            created_at=utc(row.created_at),
            expires_at=utc(row.expires_at),
            current=row.id == current,
        )
        for row in api_tokens.of_user(db.session, current_api_user())
    ]
    response = jsonify(s.dump(s.TokenList(items=items)))
    response.headers["Cache-Control"] = "no-store"
    return response


@route(
    f"/auth/tokens/<{ID}:token_id>",
    "DELETE",
    summary="Revoke one of the caller's API tokens",
    tag="auth",
    status=204,
    errors=(401, 404),
    description="It stops working at once (it may be the one this request uses). Another "
    "user's token id → 404.",
)
def revoke_token(token_id: int) -> None:
    api_tokens.revoke(db.session, current_api_user(), token_id)
    commit()
