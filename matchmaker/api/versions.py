"""Record versions over HTTP: `version` in a PATCH body or `If-Match` in, `ETag` out.

API.md's "Stale writes": demand and provider objects carry ``version``; a PATCH may send the
version it was made from, in the body or as ``If-Match: "<version>"``, and gets 409 when the
record changed meanwhile. Without either, a PATCH applies to whatever is current.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response, request
from flask_babel import gettext as _
from pydantic import BaseModel, Field

from ..schemas import Strict, validate
from .routing import BadRequest, model_response

VERSION_DESCRIPTION = (
    "The version this change was made from (as read in `version` or the `ETag` header): if "
    "the record changed since, the PATCH is refused with 409 `conflict`. Optional."
)


class VersionIn(Strict):
    version: Annotated[int, Field(ge=1, description=VERSION_DESCRIPTION)]


def expected_version(body: dict[str, Any]) -> int | None:
    """The version a PATCH was made from, taken out of ``body``; None if it does not say."""
    from_body = (
        validate(VersionIn, {"version": body.pop("version")}).version if "version" in body else None
    )
    from_header = _if_match()
    if from_body is not None and from_header is not None and from_body != from_header:
        raise BadRequest(_("请求体中的 version 与 If-Match 不一致"))
    return from_body if from_body is not None else from_header


def _if_match() -> int | None:
    header = request.if_match
    if not request.headers.get("If-Match") or header.star_tag:
        return None
    tags = header.as_set(include_weak=True)
    if len(tags) != 1 or not next(iter(tags)).isdigit():
        raise BadRequest(_('If-Match 应为一个版本号，例如 If-Match: "3"'))
    return int(next(iter(tags)))


def tagged(model: BaseModel, status: int = 200) -> Response:
    """The object as JSON, with its version as the ETag (for a later If-Match)."""
    response = model_response(model, status)
    response.set_etag(str(model.version))
    return response
