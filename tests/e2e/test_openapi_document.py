"""The local stack's merged /openapi.json is valid OpenAPI 3.1 and says what the gateway does: the template's
protected routes carry the bearer scheme and public ones none, both ways; every error is the one Problem;
one name per path parameter; readable operation ids and a tag per service."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from local.openapi import normalised
from local.template import Template
from tests.e2e.conftest import REPO_ROOT

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document(stack: str) -> dict[str, Any]:
    response = httpx.get(f"{stack}/openapi.json", timeout=30)
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, normalised path) -> operation."""
    return {
        (method.upper(), normalised(path)): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


def test_the_merged_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_security_follows_the_template_authorizer_both_ways(document: dict[str, Any]) -> None:
    template = Template.load(REPO_ROOT / "template.yaml")
    declared = {(route.method, normalised(route.path)): route.public for route in template.routes}
    documented = operations(document)
    assert documented.keys() == declared.keys()  # every route documented, nothing documented beyond them
    for key, public in declared.items():
        operation = documented[key]
        if public:
            assert "security" not in operation, key
            assert "401" not in operation["responses"], key
        else:
            assert operation["security"] == [{"BearerAuth": []}], key
            assert "401" in operation["responses"], key
    assert any(declared.values())
    assert not all(declared.values())


def test_one_name_per_path_parameter(document: dict[str, Any]) -> None:
    paths = list(document["paths"])
    assert len({normalised(p) for p in paths}) == len(paths)


def test_every_error_is_the_one_problem_and_every_answer_has_a_request_id(document: dict[str, Any]) -> None:
    for (method, path), operation in operations(document).items():
        responses = operation["responses"]
        assert "500" in responses, (method, path)
        assert "default" not in responses
        for status, response in responses.items():
            if status == "429" and "application/problem+json" not in response.get("content", {}):
                continue  # API Gateway's stage throttling, before any function
            if path.startswith("/open311/") and status != "500":  # API.md 6: Open311's own error list
                assert "X-Request-Id" in response["headers"], (method, path, status)
                continue
            assert "X-Request-Id" in response["headers"], (method, path, status)
            if int(status) >= 400:
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema["allOf"] == [PROBLEM], (method, path, status)


def test_operations_have_readable_ids_and_a_tag_per_service(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for operation in operations(document).values()]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z0-9][a-z0-9]*)*", i) for i in ids), ids
    assert {"listFacilities", "getFacility", "getGrievance", "logGrievance", "updateStaffGrievance"} <= set(ids)
    assert {tag["name"] for tag in document["tags"]} == {"lookup", "grievance", "payments", "survey"}
    assert all(len(operation["tags"]) == 1 for operation in operations(document).values())


def test_the_headers_each_route_answers_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    facilities = paths["/facilities"]["get"]["responses"]
    assert {"ETag", "Cache-Control"} <= set(facilities["200"]["headers"])
    assert "304" in facilities
    create = paths["/grievances"]["post"]
    assert {"Location", "Idempotency-Replayed"} <= set(create["responses"]["201"]["headers"])
    assert "Retry-After" in create["responses"]["409"]["headers"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    replace = paths["/facilities/{facility_id}"]["put"]
    assert "412" in replace["responses"]
    assert any(p["name"] == "If-Match" for p in replace["parameters"])


def test_linking_documents_both_successes_its_limits_and_no_token_on_quick_views(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path, schema in (("/me/properties", "PropertyLinkView"), ("/me/water-connections", "WaterLinkView")):
        responses = paths[path]["post"]["responses"]
        for status in ("200", "201"):  # 200: linked already
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{schema}"
            }
        assert "Location" in responses["201"]["headers"]
        assert "Location" not in responses["200"]["headers"]
        assert {"404", "409", "422", "429"} <= set(responses)
        assert "Retry-After" in responses["429"]["headers"]
    assert "security" not in paths["/properties/{property_id}"]["get"]
    assert "security" not in paths["/water-connections/{consumer_no}"]["get"]
