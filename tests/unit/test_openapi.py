"""What pmc_common.openapi derives of a route (statuses, headers, security, names) from what the route is,
and what local.openapi makes of the template's authorizer, on a small app built by the factory."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from aws_lambda_powertools import Logger
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from local.openapi import apply_authorizer, merge
from pmc_common.app import Query, Request, Response, create_app
from pmc_common.auth import AdminCaller, CitizenCaller, StaffCaller
from pmc_common.caching import cached_json, etag_of, render, require_current
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


stored: dict[str, dict[str, str]] = {}


@app.put("/things/{thing_id}", response_model=ThingView, name="replace_thing")
def replace(request: Request, thing_id: str, body: Thing, caller: AdminCaller) -> Response:
    require_current(request, etag_of(render(stored[thing_id])))
    stored[thing_id] = {"id": thing_id, "name": body.name}
    return Response(render(stored[thing_id]), media_type="application/json")


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


REPO_ROOT = Path(__file__).resolve().parents[2]
# Run apart: importing every API app takes the template's environment (as the local stack gives each
# function), which must not leak into this process's settings. Open311 discovery reads no table.
MERGED = """
import json, os, sys
from local import aws
from local.openapi import merged_document
from local.template import Template
template = Template.load("template.yaml")
sys.path[:0] = [str(path) for path in template.code_paths()]
for key, value in aws.function_environment(template, aws.LocalNames()).items():
    os.environ.setdefault(key, value)
document = merged_document(template.api_functions(), routes=template.routes)
from starlette.testclient import TestClient
from grievance.api import app
client = TestClient(app)
first = client.get("/open311/v2/discovery.json")
again = client.get("/open311/v2/discovery.json", headers={"If-None-Match": first.headers["ETag"]})
other = client.get("/open311/v2/discovery.json", headers={"If-None-Match": '"0"'})
discovery = {
    "etag": first.headers["ETag"],
    "again": [again.status_code, again.headers.get("ETag"), again.text],
    "other": [other.status_code, other.text == first.text],
}
with open(sys.argv[1], "w") as out:
    json.dump({"document": document, "discovery": discovery}, out)
"""


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The merged document of every API function (what the local stack serves at /openapi.json), and how
    Open311 discovery (a 304 declared in its own `answers`) answers If-None-Match."""
    out = tmp_path_factory.mktemp("openapi") / "merged.json"
    subprocess.run([sys.executable, "-c", MERGED, str(out)], cwd=REPO_ROOT, check=True, timeout=120)
    found: dict[str, Any] = json.loads(out.read_text())
    return found


def header_parameters(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}


def test_every_conditional_answer_declares_its_request_header(merged: dict[str, Any]) -> None:
    """A 304 is an answer to If-None-Match, a 412 to If-Match: wherever one is documented, derived or given
    as a route's own `answers` (Open311), the header is a declared, optional parameter; and only there."""
    document = merged["document"]
    validate(document)
    seen: dict[str, set[str]] = {"304": set(), "412": set()}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            headers = header_parameters(operation)
            for status, name in (("304", "If-None-Match"), ("412", "If-Match")):
                key = f"{method.upper()} {path}"
                assert (status in operation["responses"]) == (name in headers), (key, status)
                if status in operation["responses"]:
                    seen[status].add(key)
                    assert headers[name]["required"] is False, key  # API.md 1.9: both optional
                    assert headers[name]["schema"] == {"type": "string"}, key
                    assert headers[name]["description"], key
    # the check reaches both kinds, the given answers too
    assert {"GET /open311/v2/{document}", "GET /open311/v2/services/{service_file}", "GET /surveys"} <= seen["304"]
    assert {"PUT /offices/{office_id}", "PATCH /city-updates/{update_id}"} <= seen["412"]


def test_open311_discovery_honours_if_none_match(merged: dict[str, Any]) -> None:
    discovery = merged["discovery"]
    assert discovery["again"] == [304, discovery["etag"], ""]  # the ETag held: 304, no body, same tag
    assert discovery["other"] == [200, True]  # another tag: the document again


def test_a_stale_if_match_is_412_and_nothing_changes(doc: dict[str, Any]) -> None:
    assert "If-Match" in header_parameters(doc["paths"]["/things/{thing_id}"]["put"])
    stored["t1"] = {"id": "t1", "name": "old"}
    claims = {"sub": "admin-1", "cognito:groups": "admin"}  # as the gateway's authorizer passes them on

    async def as_admin(scope: Any, receive: Any, send: Any) -> None:
        event = {"requestContext": {"authorizer": {"jwt": {"claims": claims}}}}
        await app({**scope, "aws.event": event}, receive, send)

    client = TestClient(as_admin, raise_server_exceptions=False)
    current = etag_of(render(stored["t1"]))
    stale = client.put("/things/t1", json={"name": "new"}, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["status"] == 412
    assert stored["t1"] == {"id": "t1", "name": "old"}  # nothing changed
    fresh = client.put("/things/t1", json={"name": "new"}, headers={"If-Match": current})
    assert fresh.status_code == 200, fresh.text
    assert stored["t1"] == {"id": "t1", "name": "new"}
