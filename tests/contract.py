"""The fields and codes the API contract promises, written once for every test that checks
them: an answer carries exactly these fields, a reason exactly one of these codes."""

from __future__ import annotations

REASON_CODES = {
    "cluster",
    "service",
    "text",
    "region",
    "level",
    "verified",
    "budget",
    "activity",
    "case",
}


PROVIDER_FIELDS = {
    "id",
    "name",
    "kind",
    "level",
    "region",
    "clusters",
    "services",
    "description",
    "team_size",
    "price_min",
    "price_max",
    "cases",
    "certifications",
    "verified",
    "external_id",
    "version",
    "rating",
    "review_count",
}


DEMAND_FIELDS = {
    "id",
    "title",
    "description",
    "cluster",
    "services",
    "budget_min",
    "budget_max",
    "deadline",
    "region",
    "organization_id",
    "organization",
    "contact_preference",
    "status",
    "external_id",
    "created_at",
    "published_at",
    "version",
}


INTEREST_FIELDS = {
    "id",
    "demand_id",
    "provider",
    "message",
    "price",
    "timeline_days",
    "status",
    "contact",
    "created_at",
}
