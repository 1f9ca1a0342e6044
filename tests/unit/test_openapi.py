"""What pmc_common.openapi derives of a route (statuses, headers, security, names) from what the route is,
and what local.openapi makes of the template's authorizer, on a small app built by the factory."""

from __future__ import annotations

import copy
import subprocess
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from aws_lambda_powertools import Logger
from openapi_spec_validator import validate

from local.openapi import apply_authorizer, merge
from pmc_common.app import Query, Request, Response, create_app
from pmc_common.auth import AdminCaller, CitizenCaller, StaffCaller
from pmc_common.caching import cached_json, require_current
from pmc_common.models import Body, text
from pmc_common.openapi import document, operation_id

app = create_app("things", "Things", Logger(service="test", level="WARNING"))


class Thing(Body):
    name: text(2, 10)  # type: ignore[valid-type]


class ThingView(Body):
    id: str
    name: str


@app.get("/things", response_model=ThingView, name="list_things")
def things(request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: str | None = None) -> Response:
    return cached_json(request, {"limit": limit}, 300)


@app.get("/things/{thing_id}", response_model=ThingView, name="get_thing")
def thing(request: Request, thing_id: str) -> Response:
    return cached_json(request, {"id": thing_id}, 300)


@app.post("/things", status_code=201, response_model=ThingView)
def create_thing(body: Thing, caller: AdminCaller) -> Response:
    return Response(status_code=201)


@app.put("/things/{thing_id}", response_model=ThingView, name="replace_thing")
def replace(request: Request, thing_id: str, body: Thing, caller: AdminCaller) -> Response:
    require_current(request, '"x"')
    return Response()


@app.post("/things/{thing_id}/poke", name="poke_thing", responses={403: [], 409: ["is_owner", "not_resolved"]})
def poke(thing_id: str, caller: CitizenCaller) -> None:
    return None


@app.get("/queue")
def staff_queue(caller: StaffCaller) -> None:
    return None


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document(app)


def statuses(doc: dict[str, Any], method: str, path: str) -> list[str]:
    return list(doc["paths"][path][method]["responses"])


def codes(doc: dict[str, Any], method: str, path: str, status: int) -> list[str | None]:
    schema = doc["paths"][path][method]["responses"][str(status)]["content"]["application/problem+json"]["schema"]
    assert schema["allOf"] == [{"$ref": "#/components/schemas/Problem"}]  # the one Problem, narrowed
    assert schema["properties"]["status"] == {"const": status}
    found: list[str | None] = schema["properties"]["code"].get("enum", [None])
    return found


def test_the_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    validate(doc)
    assert doc["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": doc["components"]["securitySchemes"]["BearerAuth"]["description"],
    }
    assert doc["tags"] == [{"name": "things", "description": "Things"}]


def test_a_public_cached_read_documents_304_etag_and_its_cursor(doc: dict[str, Any]) -> None:
    assert statuses(doc, "get", "/things") == ["200", "304", "400", "422", "429", "500"]
    operation = doc["paths"]["/things"]["get"]
    assert "security" not in operation
    assert operation["operationId"] == "listThings"
    assert operation["tags"] == ["things"]
    assert set(operation["responses"]["200"]["headers"]) == {"X-Request-Id", "Cache-Control", "ETag"}
    assert set(operation["responses"]["304"]["headers"]) == {"X-Request-Id", "Cache-Control", "ETag"}
    assert "content" not in operation["responses"]["304"]
    assert codes(doc, "get", "/things", 400) == ["invalid_cursor"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["If-None-Match"]
    # API Gateway's stage throttling: its own message, not a problem
    assert set(operation["responses"]["429"]["content"]) == {"application/json"}


def test_an_id_is_a_404_and_never_a_422(doc: dict[str, Any]) -> None:
    assert statuses(doc, "get", "/things/{thing_id}") == ["200", "304", "404", "429", "500"]


def test_an_admin_write_documents_its_token_role_body_and_precondition(doc: dict[str, Any]) -> None:
    operation = doc["paths"]["/things/{thing_id}"]["put"]
    assert operation["security"] == [{"BearerAuth": []}]
    assert statuses(doc, "put", "/things/{thing_id}") == [
        "200", "400", "401", "403", "404", "412", "413", "422", "429", "500",
    ]  # fmt: skip
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["If-Match"]
    assert "ETag" in operation["responses"]["200"]["headers"]
    # a 401 is problem+json from the function, API Gateway's message deployed
    assert set(operation["responses"]["401"]["content"]) == {"application/problem+json", "application/json"}
    for status, response in operation["responses"].items():
        if status != "429":  # API Gateway's throttling answers before any function
            assert "X-Request-Id" in response["headers"], status


def test_a_201_points_at_its_resource(doc: dict[str, Any]) -> None:
    created = doc["paths"]["/things"]["post"]["responses"]["201"]
    assert {"Location", "ETag"} <= set(created["headers"])  # its GET is a cached one
    assert doc["paths"]["/things"]["post"]["operationId"] == "createThing"


def test_a_route_declares_what_cannot_be_derived(doc: dict[str, Any]) -> None:
    assert statuses(doc, "post", "/things/{thing_id}/poke") == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "429",
        "500",
    ]
    assert codes(doc, "post", "/things/{thing_id}/poke", 409) == ["is_owner", "not_resolved"]
    assert codes(doc, "post", "/things/{thing_id}/poke", 403) == [None]


def test_staff_routes_answer_403(doc: dict[str, Any]) -> None:
    assert statuses(doc, "get", "/queue") == ["200", "401", "403", "429", "500"]
    assert doc["paths"]["/queue"]["get"]["operationId"] == "staffQueue"


def test_operation_ids_are_camel_case() -> None:
    assert operation_id("update_staff_grievance") == "updateStaffGrievance"
    assert operation_id("facilities") == "facilities"


@dataclass(frozen=True)
class TemplateRoute:
    method: str
    path: str
    public: bool


def test_the_template_decides_which_operations_need_a_token(doc: dict[str, Any]) -> None:
    routes = [
        TemplateRoute("GET", "/things", public=False),  # the template protects it: so does the document
        TemplateRoute("GET", "/things/{id}", public=True),
        TemplateRoute("POST", "/things/{id}/poke", public=True),  # the template opens it: no token, no 401
    ]
    merged = apply_authorizer(merge([copy.deepcopy(doc)]), routes)
    assert merged["paths"]["/things"]["get"]["security"] == [{"BearerAuth": []}]
    assert "401" in merged["paths"]["/things"]["get"]["responses"]
    poke = merged["paths"]["/things/{thing_id}/poke"]["post"]
    assert "security" not in poke
    assert "401" not in poke["responses"]
    assert "security" not in merged["paths"]["/things/{thing_id}"]["get"]
    validate(merged)


def test_importing_an_app_builds_no_document() -> None:
    code = "import sys, pmc_common.app; assert 'pmc_common.openapi' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
