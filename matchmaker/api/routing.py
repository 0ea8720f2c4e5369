"""One table for routes and their specification.

``route`` registers a view on the blueprint *and* records what it takes and returns; the
OpenAPI document is built from the same records, so no route exists without its spec.
The wrapper also does the HTTP plumbing every view needs: token authentication, the
query string validated with a pydantic model, the JSON body read (size-limited, must be
an object) or the files of a multipart body, and the response model serialised with the
declared status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from typing import Any, get_origin

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel

from .. import json_input
from ..schemas import MAX_ID, validate
from ..services.errors import NotFound, ServiceError
from ..web.uploads import UPLOAD_REQUEST_LIMIT

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Ids in paths. The range (positive, within a 32-bit INTEGER column) is checked in the view
# wrapper rather than by the converter: a converter that rejects a value makes werkzeug
# answer 405 for the other methods of the same path instead of 404.
ID = "int"


class BadRequest(ServiceError):
    code = "bad_request"
    status = 400


class Unauthorized(ServiceError):
    code = "unauthorized"
    status = 401


@dataclass
class Endpoint:
    rule: str
    method: str
    name: str
    summary: str
    tag: str
    description: str = ""
    auth: bool = True
    body: type[BaseModel] | None = None
    body_schema: str | None = None  # component name when it differs from the model's (PATCH)
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    versioned: bool = False  # answers carry an ETag; a PATCH takes `version` / If-Match
    uploads: dict[str, str] | None = None  # multipart file fields → their description

    @property
    def path(self) -> str:
        """The rule in OpenAPI form.

        ``/providers/<int(...):provider_id>`` → ``/providers/{provider_id}``.
        """
        return bp.url_prefix + re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", self.rule)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"<(?:[^:>]+:)?(\w+)>", self.rule)


ENDPOINTS: list[Endpoint] = []
UPLOAD_ENDPOINTS: set[str] = set()  # blueprint endpoint names that take multipart files


def current_api_user():
    """The user of the current API request (set by the token check)."""
    return g.api_user


def current_api_token_id() -> int:
    return g.api_token_id


def _query_values(model: type[BaseModel]) -> dict[str, Any]:
    """Query string → dict for ``model``: list fields take every value; empty values are absent."""
    data: dict[str, Any] = {}
    for key in request.args.keys():
        values = [v for v in request.args.getlist(key) if v.strip() != ""]
        if not values:
            continue
        info = model.model_fields.get(key)
        if info is not None and get_origin(info.annotation) is list:
            data[key] = values
        else:
            data[key] = values[0] if len(values) == 1 else values
    return data


def parse_query(model: type[BaseModel]) -> BaseModel:
    return validate(model, _query_values(model))


def json_body() -> dict[str, Any]:
    """The request body as a JSON object, or a 400 (413 when it is too large)."""
    raw = request.get_data(cache=True)  # raises RequestEntityTooLarge (413) past the limit
    if not raw.strip():
        raise BadRequest(_("请求体不能为空，应为 JSON 对象"))
    try:
        data = json_input.parse(raw)
    except ValueError:
        raise BadRequest(_("请求体不是有效的 JSON")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("请求体应为 JSON 对象"))
    return data


def uploaded_files(fields: dict[str, str]) -> dict[str, list]:
    """The files of a multipart body, per field; a 400 for any other kind of body."""
    if request.mimetype != "multipart/form-data":
        raise BadRequest(_("请求体应为 multipart/form-data，文件放在字段 %(fields)s 中",
                           fields="、".join(fields)))  # fmt: skip
    return {name: request.files.getlist(name) for name in fields}


def _authenticate() -> None:
    from ..extensions import db
    from ..services import api_tokens

    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(_("需要访问令牌（Authorization: Bearer <token>）"))
    row = api_tokens.row_for(db.session, token)
    if row is None:
        raise Unauthorized(_("访问令牌无效或已过期"))
    g.api_user, g.api_token_id = row.user, row.id


def model_response(model: BaseModel, status: int = 200) -> Response:
    """The model as JSON, encoded by pydantic in one step (a page of search results cost
    three times as much through a dict and ``jsonify``); keys in the model's order."""
    return current_app.response_class(
        model.model_dump_json() + "\n", status=status, mimetype=current_app.json.mimetype
    )


def _respond(endpoint: Endpoint, result: Any) -> Response:
    if endpoint.status == 204:
        return Response(status=204)
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return model_response(result, endpoint.status)
    response = jsonify(result)
    response.status_code = endpoint.status
    return response


def route(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    description: str = "",
    auth: bool = True,
    body: type[BaseModel] | None = None,
    body_schema: str | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: Sequence[int] = (),
    decorators: Sequence[Callable] = (),
    versioned: bool = False,
    uploads: dict[str, str] | None = None,
):
    """Register ``view`` at ``rule`` for ``method`` and record its specification.

    The view receives the path arguments, plus ``params`` (validated query model) when
    ``query`` is given and ``body`` (the JSON object, validated by the service with the
    ``body`` model) when ``body`` is given, or ``uploads`` (the multipart body's files per
    field, up to the attachments' request size) when ``uploads`` names the fields. It returns
    a response model instance (or a dict of that shape); 204 endpoints return nothing.
    """

    def register(view: Callable) -> Callable:
        endpoint = Endpoint(
            rule=rule,
            method=method.upper(),
            name=view.__name__,
            summary=summary,
            tag=tag,
            description=description,
            auth=auth,
            body=body,
            body_schema=body_schema,
            query=query,
            response=response,
            status=status,
            errors=tuple(errors),
            versioned=versioned,
            uploads=uploads,
        )

        @wraps(view)
        def handler(**kwargs: Any) -> Response:
            if auth:
                _authenticate()
            for name in endpoint.path_params:
                if not 1 <= kwargs[name] <= MAX_ID:
                    raise NotFound(_("记录不存在"))
            if query is not None:
                kwargs["params"] = parse_query(query)
            if body is not None:
                kwargs["body"] = json_body()
            if uploads is not None:
                kwargs["uploads"] = uploaded_files(uploads)
            return _respond(endpoint, view(**kwargs))

        wrapped = handler
        for decorator in decorators:
            wrapped = decorator(wrapped)
        bp.add_url_rule(rule, endpoint=endpoint.name, view_func=wrapped, methods=[endpoint.method])
        ENDPOINTS.append(endpoint)
        if uploads is not None:
            UPLOAD_ENDPOINTS.add(f"{bp.name}.{endpoint.name}")
        return view

    return register


def api_body_limit() -> int:
    """The largest body of this request: JSON bodies ``API_MAX_BODY_BYTES``; a multipart body
    of files room for every allowed file at its largest, as on the pages."""
    limit = int(current_app.config.get("API_MAX_BODY_BYTES", 1024 * 1024))
    if request.endpoint in UPLOAD_ENDPOINTS:
        return max(limit, UPLOAD_REQUEST_LIMIT)
    return limit
