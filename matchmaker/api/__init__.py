"""JSON API v1 (see the API contract); token auth, same schemas as the forms.

Views live in one module per resource and register themselves through ``routing.route``,
which also feeds the OpenAPI document (``openapi.py``).
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import refresh

from search import SearchUnavailable

from ..http_errors import error_response
from ..transaction import rollback
from . import (  # noqa: F401,E402  (register routes)
    accreditation,
    auth,
    common_needs,
    conversations,
    demands,
    diagnosis,
    guides,
    interests,
    openapi,
    providers,
    rubrics,
    showcase,
    talent,
    taxonomy,
)
from .routing import ENDPOINTS, api_body_limit, bp, current_api_user  # noqa: F401

# The language of an API call comes from Accept-Language alone (the app's locale selector).


@bp.before_request
def prepare_request() -> None:
    request.max_content_length = api_body_limit()
    # The language is chosen per request (an app context shared by several requests, as in
    # tests or streamed work, must not keep the previous request's choice).
    refresh()


@bp.after_request
def bearer_challenge(response):
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="matchmaker"')
    return response


@bp.errorhandler(SearchUnavailable)
def search_unavailable(exc: SearchUnavailable):
    rollback()
    response, status = error_response(503, _("搜索服务暂时不可用，请稍后再试"), code="unavailable")
    response.headers["Retry-After"] = "30"
    return response, status


def init_app(app: Flask) -> None:
    from ..extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
    # Chinese text is sent as UTF-8, not as \u escapes.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
