"""The contract: the OpenAPI document is valid, every documented operation answers as documented
(schemathesis, a bounded number of generated examples per operation, against the WSGI app), and the
documentation page is served from it without any CDN."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ALL_SCOPES
from tests.api.test_api_access import OPERATIONS

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_openapi_document_validates(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An API token with scopes"}


def test_every_operation_is_documented_with_its_scope(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            scopes = {s for requirement in operation["security"] for s in requirement.get("bearerAuth", [])}
            documented[(method.upper(), path)] = scopes
            assert "application/problem+json" in operation["responses"]["401"]["content"], (method, path)
    wanted = {}
    for method, template, who, _ in OPERATIONS.values():
        path = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: "{" + _parameter(m.group(1)) + "}", template)
        wanted[(method, path)] = set() if who == "public" else {who}
    assert documented == wanted


def _parameter(name: str) -> str:
    return {"sam": "employee_id", "tess": "employee_id", "track": "track_id", "attest": "module_id",
            "open_posting": "posting_id", "application": "application_id"}[name]


def test_the_documentation_page_lists_operations_scopes_and_schemas_without_a_cdn(client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "GET /api/v1/employees" in page and "POST /api/v1/completions" in page
    assert "write:completions" in page and "Idempotency-Key" in page and "EmployeePage" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not load anything from elsewhere"


@pytest.fixture
def api_schema(app, org, issue):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer(issue):
    return issue(*ALL_SCOPES)[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_documented_operation_answers_as_documented(case, bearer):
    case.call_and_validate(headers={"Authorization": f"Bearer {bearer}"}, checks=CHECKS)
