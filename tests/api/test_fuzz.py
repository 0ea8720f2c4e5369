"""Schema-driven fuzzing: whatever schemathesis derives from the OpenAPI document, no 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.factories import PASSWORD  # noqa: E402


@pytest.fixture
def fuzz_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def seeded(make, api):
    """A little of everything, so generated ids sometimes hit real records (ids start at 1)."""
    admin = make.admin(email="fuzz-admin@example.cn")
    owner, provider = make.enterprise(), make.provider()
    demand = make.demand(owner)
    make.demand(owner, status="draft")
    make.interest(provider, demand)
    return {"Authorization": f"Bearer {api.token(admin)}"}


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_no_server_errors(case, seeded):
    if case.path == "/api/v1/auth/token" and isinstance(case.body, dict):
        case.body.setdefault("password", PASSWORD)
    response = case.call(headers=seeded)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )
