"""The house middleware and the one error mapping, on a small app built by the factory."""

from typing import Annotated

import pytest
from aws_lambda_powertools import Logger
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.testclient import TestClient

from pmc_common.app import Query, create_app
from pmc_common.auth import CitizenCaller
from pmc_common.errors import Conflict
from pmc_common.models import Body, text

app = create_app("test", "test", Logger(service="test", level="WARNING"))
saved: list[dict[str, object]] = []


class Thing(Body):
    name: text(2, 10)  # type: ignore[valid-type]
    count: int


@app.post("/things", status_code=201)
def create_thing(thing: Thing) -> dict[str, object]:
    saved.append(thing.model_dump())
    return thing.model_dump()


@app.get("/things")
def list_things(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, int]:
    return {"limit": limit}


@app.post("/things/{thing_id}/clash")
def clash(thing_id: str) -> None:
    raise Conflict("It clashes", code="illegal_transition")


@app.post("/things/{thing_id}/retire")
def retire(thing_id: str, thing: Thing | None = None) -> dict[str, object]:
    return {"given": None if thing is None else thing.model_dump()}


@app.get("/mine")
def mine(caller: CitizenCaller) -> dict[str, str]:
    return {"sub": caller.sub}


@app.get("/boom")
def boom() -> None:
    raise RuntimeError("secret stack detail")


client = TestClient(app, raise_server_exceptions=False)


@pytest.fixture(autouse=True)
def _clear() -> None:
    saved.clear()


def assert_problem(response, status: int, slug: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["type"] == f"https://pmc.example/problems/{slug}"
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_a_valid_request_id_is_echoed_and_a_bad_one_replaced() -> None:
    assert client.get("/things", headers={"X-Request-Id": "abc.123:x-y"}).headers["x-request-id"] == "abc.123:x-y"
    generated = client.get("/things", headers={"X-Request-Id": "bad id!"}).headers["x-request-id"]
    assert generated != "bad id!"
    assert len(generated) == 36


def test_responses_default_to_no_store() -> None:
    assert client.get("/things").headers["cache-control"] == "no-store"


def test_unknown_field_is_422_naming_it_and_nothing_is_saved() -> None:
    body = assert_problem(client.post("/things", json={"name": "ab", "count": 1, "status": "x"}), 422, "validation")
    assert body["errors"] == [{"field": "body.status", "message": "unknown field"}]
    assert body["code"] is None
    assert saved == []


@pytest.mark.parametrize("count", ["5", 4.0, True])
def test_no_coercion_to_integers(count: object) -> None:
    body = assert_problem(client.post("/things", json={"name": "ab", "count": count}), 422, "validation")
    assert body["errors"][0]["field"] == "body.count"
    assert saved == []


def test_strings_are_trimmed_and_control_characters_refused() -> None:
    assert client.post("/things", json={"name": "  ab  ", "count": 1}).json()["name"] == "ab"
    body = assert_problem(client.post("/things", json={"name": "a\x07b", "count": 1}), 422, "validation")
    assert body["errors"][0]["field"] == "body.name"


def test_body_not_json_or_wrong_content_type_is_400() -> None:
    assert_problem(
        client.post("/things", content=b"{not json", headers={"content-type": "application/json"}), 400, "bad-request"
    )
    assert_problem(
        client.post("/things", content=b"name=ab", headers={"content-type": "text/plain"}), 400, "bad-request"
    )
    assert saved == []


def test_empty_body_is_422() -> None:
    assert_problem(client.post("/things", headers={"content-type": "application/json"}), 422, "validation")


def test_body_over_256_kib_is_413() -> None:
    big = b'{"name": "' + b"x" * (256 * 1024) + b'", "count": 1}'
    assert_problem(
        client.post("/things", content=big, headers={"content-type": "application/json"}), 413, "payload-too-large"
    )
    assert saved == []


def test_query_errors_name_the_parameter() -> None:
    body = assert_problem(client.get("/things?limit=500"), 422, "validation")
    assert body["errors"][0]["field"] == "query.limit"


def test_domain_conflict_carries_its_code() -> None:
    assert assert_problem(client.post("/things/1/clash"), 409, "conflict")["code"] == "illegal_transition"


def test_a_protected_route_without_claims_is_401() -> None:
    assert_problem(client.get("/mine"), 401, "unauthorized")


def test_unknown_route_is_a_problem_404() -> None:
    assert_problem(client.get("/nowhere"), 404, "not-found")


def test_unexpected_errors_are_500_without_details() -> None:
    body = assert_problem(client.get("/boom"), 500, "internal")
    assert "secret" not in body["detail"]


def test_an_empty_query_value_is_absent() -> None:
    assert client.get("/things?limit=").json() == {"limit": 20}
    assert client.get("/things?limit=&limit=7").json() == {"limit": 7}


# --- issue 13, defect 8: text that spoofs its display order ---------------------------------------


@pytest.mark.parametrize(
    "spoof", [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x61C)]
)
def test_bidi_controls_in_text_are_422_naming_the_field(spoof: str) -> None:
    body = assert_problem(client.post("/things", json={"name": f"a{spoof}b", "count": 1}), 422, "validation")
    assert body["errors"] == [{"field": "body.name", "message": "must not contain bidirectional control characters"}]
    assert saved == []


# --- issue 13, defect 5: field names carry no pydantic union member or validator names ---------------


class Gadget(Body):
    size: text(1, 5) | int  # type: ignore[valid-type]
    parts: list[int] | str = "none"
    labels: dict[str, int | list[str]] | None = None


@app.post("/gadgets", status_code=201)
def create_gadget(gadget: Gadget) -> dict[str, object]:
    saved.append(gadget.model_dump())
    return gadget.model_dump()


@pytest.mark.parametrize(
    ("sent", "fields"),
    [
        ({"size": {"a": 1}}, ["body.size"] * 2),
        ({"size": "toolong"}, ["body.size"] * 2),
        ({"size": 1, "parts": [1, "x"]}, ["body.parts", "body.parts.1"]),
        ({"size": 1, "labels": {"a": {"b": 1}}}, ["body.labels.a"] * 2),
        ({"size": 1, "labels": {"a": [1]}}, ["body.labels.a", "body.labels.a.0"]),
        # a member named like a union member is the client's name: kept
        ({"size": 1, "labels": {"int": [2]}}, ["body.labels.int", "body.labels.int.0"]),
        ({"size": 1, "labels": {"str": "x"}}, ["body.labels.str"] * 2),
    ],
)
def test_field_names_carry_no_union_member_or_validator_names(sent: dict[str, object], fields: list[str]) -> None:
    body = assert_problem(client.post("/gadgets", json=sent), 422, "validation")
    assert sorted(e["field"] for e in body["errors"]) == sorted(fields)
    assert saved == []


# --- issue 13, defect 4: bodies the framework cannot read, and its own 4xx, are never a 500 ---------


@app.patch("/things/{thing_id}")
def patch_thing(thing_id: str, thing: Thing) -> dict[str, object]:
    saved.append(thing.model_dump())
    return thing.model_dump()


@app.get("/places")
def places(
    lat: Annotated[float, Query(ge=-90, le=90)], name: Annotated[str | None, Query()] = None
) -> dict[str, object]:
    return {"lat": lat, "name": name}


@app.get("/framework/{status}")
def framework(status: int) -> None:
    raise StarletteHTTPException(status_code=status, detail="framework words, not ours")


JSON = {"content-type": "application/json"}
UNREADABLE = {
    "invalid UTF-8": b'{"name": "\xff\xfe", "count": 1}',
    "UTF-16": '{"name": "ab", "count": 1}'.encode("utf-16"),
    "nested 10,000 deep": b'{"name": "ab", "count": 1, "extra": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "unclosed nesting": b"[" * 100_000,
    "an integer of 5,000 digits": b'{"name": "ab", "count": ' + b"9" * 5000 + b"}",
    "NaN": b'{"name": "ab", "count": NaN}',
    "1e999": b'{"name": "ab", "count": 1e999}',
    "an unpaired surrogate": b'{"name": "a\\ud800b", "count": 1}',
    "a duplicate member": b'{"name": "ab", "name": "cd", "count": 1}',
}


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_body_that_cannot_be_read_is_a_400_and_nothing_is_saved(raw: bytes) -> None:
    body = assert_problem(client.post("/things", content=raw, headers=JSON), 400, "bad-request")
    assert "errors" not in body
    assert saved == []


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_merge_patch_that_cannot_be_read_is_a_400_too(raw: bytes) -> None:
    headers = {"content-type": "application/merge-patch+json"}
    assert_problem(client.patch("/things/1", content=raw, headers=headers), 400, "bad-request")
    assert saved == []


def test_a_body_as_deep_as_the_limit_reaches_validation() -> None:
    deep = b'{"name": "ab", "count": 1, "extra": ' + b"[" * 31 + b"]" * 31 + b"}"
    body = assert_problem(client.post("/things", content=deep, headers=JSON), 422, "validation")
    assert body["errors"] == [{"field": "body.extra", "message": "unknown field"}]


@pytest.mark.parametrize("status", [400, 404, 405, 406, 413, 415, 418, 422, 431])
def test_a_framework_4xx_is_never_a_500(status: int) -> None:
    response = client.get(f"/framework/{status}")
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] != "https://pmc.example/problems/internal"
    assert "framework words" not in body["detail"]


@pytest.mark.parametrize(
    ("raised", "status", "slug"),
    [
        (400, 400, "bad-request"),
        (401, 401, "unauthorized"),
        (403, 403, "forbidden"),
        (413, 413, "payload-too-large"),
        (415, 400, "bad-request"),
        (418, 400, "bad-request"),
        (422, 422, "validation"),
    ],
)
def test_framework_4xx_map_to_their_problem_types(raised: int, status: int, slug: str) -> None:
    assert_problem(client.get(f"/framework/{raised}"), status, slug)


def test_a_framework_5xx_stays_internal() -> None:
    assert_problem(client.get("/framework/503"), 500, "internal")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=" + "9" * 5000, "query.limit"),
        ("limit=-" + "9" * 5000, "query.limit"),
        ("limit=%ff%fe", "query.limit"),
        ("limit=%zz", "query.limit"),
        ("limit=1e999", "query.limit"),
    ],
)
def test_unreadable_numbers_in_a_query_are_422_naming_the_parameter(query: str, field: str) -> None:
    body = assert_problem(client.get(f"/things?{query}"), 422, "validation")
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("lat", ["1e999", "-1e999", "nan", "inf", "Infinity", "9" * 5000, "%ff"])
def test_a_float_query_out_of_any_range_is_422(lat: str) -> None:
    body = assert_problem(client.get(f"/places?lat={lat}"), 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["query.lat"]


def test_invalid_percent_encoding_in_a_text_query_is_not_a_500() -> None:
    assert client.get("/places?lat=1&name=%ff%fe%ed%a0%80").status_code == 200
    assert client.get("/places?lat=1&name=%zz").json()["name"] == "%zz"


# --- issue 14: the app without FastAPI -------------------------------------------------------------


def test_a_path_parameter_of_the_wrong_type_is_422_naming_it() -> None:
    body = assert_problem(client.get("/framework/abc"), 422, "validation")
    assert [e["field"] for e in body["errors"]] == ["path.status"]


def test_a_known_path_with_another_method_is_a_404() -> None:
    assert_problem(client.delete("/things"), 404, "not-found")


def test_dependencies_are_solved_from_the_gateway_claims() -> None:
    from pmc_common.auth import citizen

    claims = {"sub": "citizen-1", "cognito:groups": "[]"}
    request = type("R", (), {"scope": {"aws.event": {"requestContext": {"authorizer": {"jwt": {"claims": claims}}}}}})
    assert citizen(request).sub == "citizen-1"  # type: ignore[arg-type]


def test_the_openapi_document_is_built_on_its_first_ask_from_the_same_models() -> None:
    fresh = create_app("test", "fresh", Logger(service="test", level="WARNING"))
    fresh.get("/mine")(mine)
    fresh.get("/things")(list_things)
    fresh.post("/things", status_code=201)(create_thing)
    assert fresh._openapi is None  # nothing built at import
    document = TestClient(fresh).get("/openapi.json").json()
    assert document["paths"]["/mine"]["get"]["security"] == [{"BearerAuth": []}]
    assert "security" not in document["paths"]["/things"]["get"]
    [limit] = document["paths"]["/things"]["get"]["parameters"]
    assert (limit["in"], limit["schema"]["minimum"], limit["schema"]["maximum"]) == ("query", 1, 100)
    body = document["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["additionalProperties"] is False


def test_a_body_the_route_takes_as_optional_may_be_left_out_but_not_be_invalid() -> None:
    assert client.post("/things/T1/retire").json() == {"given": None}
    sent = client.post("/things/T1/retire", json={"name": "ab", "count": 1})
    assert sent.json() == {"given": {"name": "ab", "count": 1}}
    refused = assert_problem(client.post("/things/T1/retire", json={"name": "ab"}), 422, "validation")
    assert refused["errors"] == [{"field": "body.count", "message": "is required"}]
    assert_problem(
        client.post("/things/T1/retire", content=b"{", headers={"content-type": "application/json"}), 400, "bad-request"
    )
    body = app.openapi()["paths"]["/things/{thing_id}/retire"]["post"]["requestBody"]
    assert body["required"] is False
