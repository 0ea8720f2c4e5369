"""POST /auth/token: e-mail and password for a bearer token (rate-limited per client address)."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from flask_babel import gettext as _

from ..extensions import db, limiter
from ..schemas import TokenRequest, validate
from ..services import accounts
from ..transaction import commit, rollback
from . import schemas as s
from .routing import Unauthorized, route
from .serializers import utc


def _limit() -> str:
    return (
        current_app.config.get("API_TOKEN_RATE_LIMIT")
        or current_app.config.get("LOGIN_RATE_LIMIT")
        or "10 per minute"
    )


# Only failed attempts count against the limit; once it is reached every attempt from that
# address gets 429 until the window has passed.
token_limit = limiter.limit(_limit, deduct_when=lambda response: response.status_code == 401)


@route(
    "/auth/token",
    "POST",
    summary="Exchange e-mail and password for an API token",
    tag="auth",
    auth=False,
    body=TokenRequest,
    response=s.TokenOut,
    errors=(400, 401, 413, 422, 429),
    decorators=(token_limit,),
    description="Wrong credentials → 401. Repeated failures from one address → 429 "
    "(`API_TOKEN_RATE_LIMIT`, default: the login limit, 10 per minute).",
)
def issue_token(body: dict) -> Response:
    data = validate(TokenRequest, body)
    user = accounts.authenticate(db.session, data.email, data.password)
    if user is None:
        rollback()
        raise Unauthorized(_("邮箱或密码不正确"))
    token, expires_at = accounts.issue_token(
        db.session, user, current_app.config["API_TOKEN_TTL_HOURS"]
    )
    commit()
    response = jsonify(s.dump(s.TokenOut(token=token, expires_at=utc(expires_at))))
    response.headers["Cache-Control"] = "no-store"  # a credential: never cached
    return response
