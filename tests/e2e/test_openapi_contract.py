"""Property-based contract check with schemathesis: generated requests against the local stack,
from its merged OpenAPI. No 5xx, and every answer is documented and matches its schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Every answer is documented (status, content type, headers) and matches its schema: the document is honest.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


def exercise(stack: str, path_regex: str, examples: int, headers: dict[str, str] | None = None) -> int:
    """Send `examples` generated GETs to the routes matching `path_regex`; returns how many routes."""
    schema = schemathesis.openapi.from_url(f"{stack}/openapi.json")
    operations = [result.ok() for result in schema.include(method="GET", path_regex=path_regex).get_all_operations()]

    # schemathesis' pytest plugin does not load under this pytest; drive its strategies directly
    @given(st.data())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def generated(data: Any) -> None:
        case = data.draw(data.draw(st.sampled_from(operations)).as_strategy())
        case.call_and_validate(base_url=stack, headers=headers or {}, checks=CHECKS)

    generated()
    return len(operations)


def test_public_reads_keep_their_contract(stack: str) -> None:
    routes = r"^/(emergency-numbers|departments|offices|facility-categories|facilities|whos-who|grievance-categories)"
    assert exercise(stack, routes, examples=150) >= 9


def test_signed_in_reads_keep_their_contract(stack: str, token: Any) -> None:
    headers = {"authorization": f"Bearer {token('+919800003000', ['staff'])}"}
    routes = r"^/(me/grievances|grievances/nearby|grievances/\{|staff/grievances)"
    assert exercise(stack, routes, examples=100, headers=headers) >= 5


def test_open311_reads_keep_their_contract(stack: str) -> None:
    """Open311 answers in its own formats (API.md 6): each documented, JSON or XML, errors as its list."""
    assert exercise(stack, r"^/open311/", examples=80) >= 5
