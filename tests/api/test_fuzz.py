"""Schema-driven fuzzing: whatever schemathesis derives from the OpenAPI document, no 5xx.

The document is built at collection (it comes from the route table and the pydantic models,
no app needed), so every operation is a test item of its own that pytest-xdist can hand to
any worker; each item calls the test's app with its own seeded tables.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from matchmaker.api.openapi import build_document
from tests.factories import PASSWORD

schema = schemathesis.openapi.from_dict(build_document())


@pytest.fixture
def seeded(make, api):
    """A little of everything, so generated ids sometimes hit real records (ids start at 1)."""
    admin = make.admin(email="fuzz-admin@example.cn")
    owner, provider = make.enterprise(), make.provider()
    demand = make.demand(owner)
    make.demand(owner, status="draft")
    make.interest(provider, demand)
    return {"Authorization": f"Bearer {api.token(admin)}"}


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
def test_no_server_errors(case, app, seeded):
    if case.path == "/api/v1/auth/token" and isinstance(case.body, dict):
        case.body.setdefault("password", PASSWORD)
    response = case.call(app=app, headers=seeded)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, status_code_conformance]
    )
