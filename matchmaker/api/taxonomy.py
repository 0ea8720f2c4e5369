"""GET /taxonomy: the codes (with zh/en labels and aliases) every other endpoint accepts."""

from __future__ import annotations

from ..taxonomy import get_taxonomy
from . import schemas as s
from .routing import route


@route(
    "/taxonomy",
    "GET",
    summary="Clusters, services, regions, provider kinds and levels",
    tag="taxonomy",
    auth=False,
    response=s.TaxonomyOut,
    description="Public. Wherever a code is accepted, its zh/en label or an alias is accepted too.",
)
def taxonomy() -> dict:
    return get_taxonomy().public()
