"""The API Gateway emulation over HTTP: tokens, the JWT authorizer's 401s, routing, v2 events, helpers.

Runs against the fixture stack (tests/fixtures/local_stack); the last tests check the real stack."""

from __future__ import annotations

import base64
import os
import re
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

if TYPE_CHECKING:
    from tests.e2e.conftest import Launcher, RunningStack

PHONE = "+919800000001"
UNAUTHORIZED = "https://pmc.example/problems/unauthorized"
NOT_FOUND = "https://pmc.example/problems/not-found"
BAD_REQUEST = "https://pmc.example/problems/bad-request"
UNAVAILABLE = "https://pmc.example/problems/unavailable"
STOP_SECONDS = 30  # a bound, not an expectation: stopping takes a few seconds
# Bodies a hostile client posts; each is a 400, never a 500 (API.md 1.6, 1.7).
HOSTILE_BODIES = {
    "deep_array": b"[" * 10_000 + b"]" * 10_000,
    "deep_object": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    "invalid_utf8": b'{"phone_number": "\xff\xfe"}',
    "encoded_surrogate": b'{"phone_number": "\xed\xa0\x80"}',  # UTF-8 forbids surrogates
    "huge_integer": b'{"phone_number": ' + b"7" * 5_000 + b"}",
    "long_integer": b'{"time": ' + b"7" * 1_000 + b"}",
    "nan": b'{"time": NaN}',
    "not_json": b"phone=1",
}


def get(stack: RunningStack, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(stack.base_url + path, timeout=15, **kwargs)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def forged(stack: RunningStack, key: rsa.RSAPrivateKey, kid: str | None = None, **changes: Any) -> str:
    """A token like the stack's, with some claims changed, signed with `key`."""
    genuine = stack.token(PHONE, ["staff"])
    claims = jwt.decode(genuine, options={"verify_signature": False}) | changes
    header = jwt.get_unverified_header(genuine)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid or header["kid"]})


def assert_problem(response: httpx.Response, status: int, type_: str, path: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == type_
    assert body["status"] == status
    assert body["instance"] == path
    assert body["code"] is None
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["detail"]
    return body


# ---------------------------------------------------------------- health, tokens


def test_health_is_ok_once_ready(fixture_stack: RunningStack) -> None:
    response = get(fixture_stack, "/_local/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_token_carries_cognito_id_token_claims(fixture_stack: RunningStack) -> None:
    response = httpx.post(
        f"{fixture_stack.base_url}/_local/token",
        json={"phone_number": PHONE, "groups": ["staff", "ward_officer"], "ward": "W07"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    jwks = get(fixture_stack, "/_local/jwks.json").json()
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], audience="local-mobile-app")
    assert claims["phone_number"] == PHONE
    assert claims["cognito:groups"] == ["staff", "ward_officer"]
    assert claims["custom:ward"] == "W07"
    assert claims["token_use"] == "id"
    assert claims["exp"] - claims["iat"] == 3600
    assert uuid.UUID(claims["sub"]).version == 5
    assert jwt.get_unverified_header(body["access_token"])["kid"] == jwks["keys"][0]["kid"]


def test_token_sub_is_stable_per_phone_number(fixture_stack: RunningStack) -> None:
    def sub(phone: str) -> str:
        return str(jwt.decode(fixture_stack.token(phone), options={"verify_signature": False})["sub"])

    assert sub(PHONE) == sub(PHONE)
    assert sub(PHONE) != sub("+919800000002")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone_number": "9800000001"},
        {"phone_number": "+91980000000"},
        {"phone_number": PHONE, "ward": "W16"},
        {"phone_number": PHONE, "groups": "staff"},
    ],
)
def test_token_rejects_invalid_body_with_422(fixture_stack: RunningStack, body: dict[str, Any]) -> None:
    response = httpx.post(f"{fixture_stack.base_url}/_local/token", json=body)
    problem = assert_problem(response, 422, "https://pmc.example/problems/validation", "/_local/token")
    assert problem["errors"][0]["field"].startswith("body")


def test_token_rejects_non_json_with_400(fixture_stack: RunningStack) -> None:
    response = httpx.post(f"{fixture_stack.base_url}/_local/token", content=b"phone=1")
    assert_problem(response, 400, BAD_REQUEST, "/_local/token")


@pytest.mark.parametrize("helper", ["/_local/token", "/_local/schedules/auto_close"])
@pytest.mark.parametrize("kind", sorted(HOSTILE_BODIES))
def test_helpers_answer_hostile_json_with_400(fixture_stack: RunningStack, helper: str, kind: str) -> None:
    response = httpx.post(
        fixture_stack.base_url + helper, content=HOSTILE_BODIES[kind], headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, BAD_REQUEST, helper)


def test_bodies_over_the_limits_are_413_before_any_function(fixture_stack: RunningStack) -> None:
    for path, size in (("/_local/token", 256 * 1024 + 1), ("/echo", 10 * 1024 * 1024 + 1)):
        response = httpx.post(fixture_stack.base_url + path, content=b" " * size, timeout=30)
        assert_problem(response, 413, "https://pmc.example/problems/payload-too-large", path)
    assert httpx.post(f"{fixture_stack.base_url}/echo", content=b" " * 256 * 1024).status_code == 200


# ------------------------------------------------------------------ authorizer


def test_protected_route_passes_claims_as_api_gateway_does(fixture_stack: RunningStack) -> None:
    token = fixture_stack.token(PHONE, ["staff", "ward_officer"], "W07")
    response = get(fixture_stack, "/things/T1", headers=bearer(token))
    assert response.status_code == 200
    event = response.json()["event"]
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert event["requestContext"]["authorizer"]["jwt"]["scopes"] is None
    assert claims["cognito:groups"] == "[staff ward_officer]"
    assert claims["custom:ward"] == "W07"
    assert claims["phone_number"] == PHONE
    assert all(isinstance(v, str) for v in claims.values())
    assert {"sub", "iss", "aud", "exp", "iat", "token_use"} <= claims.keys()
    assert event["pathParameters"] == {"thing_id": "T1"}
    assert event["routeKey"] == "GET /things/{thing_id}"


@pytest.mark.parametrize(
    "case", ["missing", "garbage", "not_bearer", "expired", "wrong_issuer", "wrong_signature", "wrong_audience"]
)
def test_protected_route_answers_401_without_reaching_the_handler(
    fixture_stack: RunningStack, signing_key: rsa.RSAPrivateKey, case: str
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    headers = {
        "missing": {},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "not_bearer": {"Authorization": "Basic dXNlcjpwYXNz"},
        "expired": bearer(forged(fixture_stack, signing_key, iat=now - 7200, exp=now - 3600)),
        "wrong_issuer": bearer(forged(fixture_stack, signing_key, iss="https://cognito-idp.example/elsewhere")),
        "wrong_signature": bearer(forged(fixture_stack, other_key)),
        "wrong_audience": bearer(forged(fixture_stack, signing_key, aud="some-other-client")),
    }[case]
    for method, path in (("GET", "/things/T1"), ("POST", "/things")):
        response = httpx.request(method, fixture_stack.base_url + path, headers=headers, json={"name": "x"})
        problem = assert_problem(response, 401, UNAUTHORIZED, path)
        assert problem["title"] == "Unauthorized"
        assert "event" not in problem


def test_forged_token_with_the_right_key_is_accepted(
    fixture_stack: RunningStack, signing_key: rsa.RSAPrivateKey
) -> None:
    """Guards the 401 tests: only the changed claim makes them fail."""
    response = get(fixture_stack, "/things/T1", headers=bearer(forged(fixture_stack, signing_key)))
    assert response.status_code == 200


def test_public_route_ignores_a_token_sent_anyway(fixture_stack: RunningStack) -> None:
    response = get(fixture_stack, "/echo", headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 200
    assert "authorizer" not in response.json()["event"]["requestContext"]


def test_admin_token_reaches_post_route_with_json_body(fixture_stack: RunningStack) -> None:
    token = fixture_stack.token(PHONE, ["admin"])
    response = httpx.post(f"{fixture_stack.base_url}/things", json={"name": "pump"}, headers=bearer(token))
    assert response.status_code == 201
    event = response.json()["event"]
    assert event["body"] == '{"name":"pump"}'
    assert event["isBase64Encoded"] is False


# ------------------------------------------------------------------ routing


def test_unknown_route_and_wrong_method_are_404_problems(fixture_stack: RunningStack) -> None:
    assert_problem(get(fixture_stack, "/nowhere"), 404, NOT_FOUND, "/nowhere")
    assert_problem(httpx.delete(fixture_stack.base_url + "/echo"), 404, NOT_FOUND, "/echo")
    assert_problem(get(fixture_stack, "/_local/nothing"), 404, NOT_FOUND, "/_local/nothing")


def test_valid_request_id_is_echoed_and_invalid_one_replaced(fixture_stack: RunningStack) -> None:
    response = get(fixture_stack, "/nowhere", headers={"X-Request-Id": "client-req.42:a"})
    assert response.headers["x-request-id"] == "client-req.42:a"
    assert response.json()["request_id"] == "client-req.42:a"
    replaced = get(fixture_stack, "/nowhere", headers={"X-Request-Id": "bad id!"})
    assert uuid.UUID(replaced.headers["x-request-id"]).version == 4
    through = get(fixture_stack, "/echo", headers={"X-Request-Id": "abc-123"})
    assert through.headers["x-request-id"] == "abc-123"


def test_static_route_beats_parameter_route(fixture_stack: RunningStack) -> None:
    response = get(fixture_stack, "/things/special")  # public, although /things/{thing_id} is protected
    assert response.status_code == 200
    assert response.json()["route"] == "special"
    assert response.json()["event"]["routeKey"] == "GET /things/special"


def test_greedy_route_takes_the_rest_of_the_path(fixture_stack: RunningStack) -> None:
    response = httpx.put(
        f"{fixture_stack.base_url}/files/a/b%20c.txt",
        content=b"\x00\x01",
        headers={"content-type": "application/octet-stream"},
    )
    assert response.status_code == 200
    event = response.json()["event"]
    assert event["routeKey"] == "ANY /files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b c.txt"}
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01"


def test_v2_event_has_the_documented_shape(fixture_stack: RunningStack) -> None:
    response = get(fixture_stack, "/echo?ward=W07&ward=W08&empty=", headers={"Cookie": "a=1; b=2", "X-Multi": "x"})
    event = response.json()["event"]
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/echo"
    assert event["rawQueryString"] == "ward=W07&ward=W08&empty="
    assert event["queryStringParameters"] == {"ward": "W07,W08", "empty": ""}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-multi"] == "x"
    assert "cookie" not in event["headers"]
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "$default"
    assert context["http"]["method"] == "GET"
    assert context["http"]["path"] == "/echo"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert isinstance(context["timeEpoch"], int)
    assert {"accountId", "apiId", "domainName", "domainPrefix", "requestId", "routeKey", "time"} <= context.keys()


def test_plain_handler_results_follow_payload_format_2(fixture_stack: RunningStack) -> None:
    plain = get(fixture_stack, "/raw/plain")
    assert plain.status_code == 200
    assert plain.json() == {"hello": "world"}
    assert plain.headers["content-type"] == "application/json"
    binary = get(fixture_stack, "/raw/binary")
    assert binary.content == b"\x89PNG\r\n"
    assert binary.headers["content-type"] == "image/png"
    cookies = get(fixture_stack, "/raw/cookies")
    assert cookies.status_code == 204
    assert cookies.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_handler_crash_is_a_500_problem_and_health_names_the_function_until_it_succeeds(
    fixture_stack: RunningStack,
) -> None:
    response = get(fixture_stack, "/raw/crash")
    assert_problem(response, 500, "https://pmc.example/problems/internal", "/raw/crash")
    health = assert_problem(get(fixture_stack, "/_local/health"), 503, UNAVAILABLE, "/_local/health")
    assert "RawApiFunction" in health["detail"]
    [failure] = health["functions"]
    assert {k: failure[k] for k in ("function", "phase", "error")} == {
        "function": "RawApiFunction",
        "phase": "invoke",
        "error": "RuntimeError",
    }
    assert get(fixture_stack, "/echo").status_code == 200  # another function's success changes nothing
    assert get(fixture_stack, "/_local/health").status_code == 503
    assert get(fixture_stack, "/raw/plain").status_code == 200  # its own next success clears it
    assert get(fixture_stack, "/_local/health").json() == {"status": "ok"}


def test_parallel_requests_to_one_function_all_succeed_and_it_keeps_working(fixture_stack: RunningStack) -> None:
    """Each function is one execution environment: parallel invocations queue to it, as on Lambda, and
    Mangum finds its event loop in every one of them."""
    with ThreadPoolExecutor(max_workers=30) as pool:
        responses = list(pool.map(lambda _: get(fixture_stack, "/echo"), range(30)))
    assert [r.status_code for r in responses] == [200] * 30
    assert [get(fixture_stack, "/echo").status_code for _ in range(5)] == [200] * 5
    assert get(fixture_stack, "/_local/health").json() == {"status": "ok"}


def test_function_environment_is_resolved_to_local_resources(fixture_stack: RunningStack) -> None:
    env = get(fixture_stack, "/raw/environment").json()
    assert env["ENVIRONMENT"] == "local"
    assert env["TABLE_NAME"] == "FixtureTable"
    assert env["TABLE_ARN"] == "arn:aws:dynamodb:ap-south-1:123456789012:table/FixtureTable"
    assert env["QUEUE_URL"].endswith("/123456789012/WorkQueue")
    assert env["COMBINED"] == "ap-south-1/FixtureTable/WorkQueue"
    assert env["CURSOR_SECRET"].startswith("local-secret-")
    assert env["LOG_LEVEL"] == "DEBUG"
    assert env["POWERTOOLS_SERVICE_NAME"] is None  # per function: services pass their name explicitly


# ------------------------------------------------------------ static and docs


def test_admin_page_is_served_and_template_routes_win(fixture_stack: RunningStack) -> None:
    page = get(fixture_stack, "/admin/")
    assert page.status_code == 200
    assert "Fixture admin page" in page.text
    redirect = get(fixture_stack, "/admin")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/admin/"
    assert_problem(get(fixture_stack, "/admin/reports"), 401, UNAUTHORIZED, "/admin/reports")


def test_openapi_merges_every_api_app(fixture_stack: RunningStack) -> None:
    document = get(fixture_stack, "/openapi.json").json()
    assert document["info"]["title"] == "PuneConnect API"
    assert {"/echo", "/things/{thing_id}", "/things", "/admin/reports"} <= document["paths"].keys()
    assert "ThingCreate" in document["components"]["schemas"]
    docs = get(fixture_stack, "/docs")
    assert docs.status_code == 200
    assert 'data-openapi-url="/openapi.json"' in docs.text
    # Swagger UI's own files, every one served by the stack itself (tests/browser renders the page offline)
    linked = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert "/docs/assets/swagger-ui-bundle.js" in linked
    for url in linked:
        assert url.startswith("/docs/assets/"), url
        asset = get(fixture_stack, url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(("text/css", "text/javascript", "image/png")), url
    assert get(fixture_stack, "/docs/assets/oauth2-redirect.html").status_code == 404  # only what the page uses


def test_without_a_cors_configuration_options_is_routed_like_any_method(fixture_stack: RunningStack) -> None:
    headers = {"origin": "https://admin.example", "access-control-request-method": "GET"}
    response = httpx.options(f"{fixture_stack.base_url}/echo", headers=headers)
    assert_problem(response, 404, NOT_FOUND, "/echo")
    assert not [h for h in response.headers if h.startswith("access-control-")]


# ----------------------------------------------------------------- schedules


def test_schedules_are_listed_by_snake_case_name(fixture_stack: RunningStack) -> None:
    assert get(fixture_stack, "/_local/schedules").json() == {
        "items": [
            {"name": "escalation", "expression": "rate(15 minutes)"},
            {"name": "auto_close", "expression": "cron(30 20 * * ? *)"},
            {"name": "stale_payments", "expression": "rate(10 minutes)"},
        ],
        "next_cursor": None,
    }


def test_running_a_schedule_delivers_a_replayable_scheduled_event(fixture_stack: RunningStack) -> None:
    url = f"{fixture_stack.base_url}/_local/schedules/auto_close"
    first = httpx.post(url, json={"time": "2026-12-01T00:00:00Z"})
    assert first.status_code == 200
    event = first.json()["received"]
    assert event["source"] == "aws.events"
    assert event["detail-type"] == "Scheduled Event"
    assert event["time"] == "2026-12-01T00:00:00Z"
    assert event["detail"] == {}
    assert event["version"] == "0"
    assert event["id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, "auto_close|2026-12-01T00:00:00Z"))
    assert event["resources"][0].startswith("arn:aws:events:ap-south-1:123456789012:rule/")
    assert first.json()["remaining_ms_positive"] is True
    again = httpx.post(url, json={"time": "2026-12-01T05:30:00+05:30"})
    assert again.json()["received"]["id"] == event["id"]
    now = httpx.post(url)
    assert now.status_code == 200
    assert now.json()["received"]["time"].endswith("Z")


def test_schedule_errors(fixture_stack: RunningStack) -> None:
    missing = httpx.post(f"{fixture_stack.base_url}/_local/schedules/nope")
    assert_problem(missing, 404, NOT_FOUND, "/_local/schedules/nope")
    naive = httpx.post(f"{fixture_stack.base_url}/_local/schedules/escalation", json={"time": "2026-12-01T00:00:00"})
    assert naive.status_code == 422


# ---------------------------------------------------------------- shutdown


def last_line(running: RunningStack) -> str:
    """What the exited stack printed last (its output is read by another thread: a bounded wait)."""
    deadline = time.monotonic() + 5
    while running.output[-1:] != ["stopped"] and time.monotonic() < deadline:
        time.sleep(0.05)
    return running.output[-1]


def test_sigterm_stops_the_stack_cleanly(launcher: Launcher) -> None:
    running = launcher.start("--repo-root", str(launcher.fixture_root))
    assert launcher.stop(running) == 0
    assert last_line(running) == "stopped"


@pytest.mark.parametrize(
    "signals",
    [
        pytest.param([signal.SIGTERM, signal.SIGTERM], id="term-term"),  # make run under a process-group kill
        pytest.param([signal.SIGINT, signal.SIGTERM], id="int-term"),
        pytest.param([signal.SIGINT, signal.SIGTERM, signal.SIGHUP] * 200, id="storm"),
    ],
)
def test_repeated_stop_signals_stop_the_stack_promptly(launcher: Launcher, signals: list[signal.Signals]) -> None:
    running = launcher.start("--repo-root", str(launcher.fixture_root))
    assert running.dynamodb_local_pid is not None or os.environ.get("DYNAMODB_ENGINE") == "moto"
    for signum in signals:
        running.process.send_signal(signum)
    assert running.process.wait(timeout=STOP_SECONDS) == 0
    assert launcher.stop(running) == 0  # also fails if its DynamoDB Local is still running
    assert last_line(running) == "stopped"


# -------------------------------------------------------------- real stack


def test_real_stack_is_healthy_and_documents_its_routes(stack: str) -> None:
    assert httpx.get(f"{stack}/_local/health").json() == {"status": "ok"}
    document = httpx.get(f"{stack}/openapi.json", timeout=30).json()
    assert document["info"]["title"] == "PuneConnect API"


def test_real_stack_gzips_a_hundred_facilities_for_a_client_that_accepts_it(stack: str) -> None:
    """The function's gzip leaves Mangum base64-encoded; the gateway decodes it, as API Gateway does."""
    url = f"{stack}/facilities?limit=100"
    plain = httpx.get(url, headers={"accept-encoding": "identity"}, timeout=30)
    packed = httpx.get(url, headers={"accept-encoding": "gzip"}, timeout=30)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decoded it
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    assert packed.headers["etag"] == plain.headers["etag"]  # of the uncompressed body
    assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    again = httpx.get(url, headers={"accept-encoding": "gzip", "if-none-match": packed.headers["etag"]}, timeout=30)
    assert again.status_code == 304
    small = httpx.get(f"{stack}/facilities?limit=1", headers={"accept-encoding": "gzip"}, timeout=30)
    assert "content-encoding" not in small.headers


def test_real_admin_route_rejects_a_missing_token(stack: str) -> None:
    response = httpx.post(f"{stack}/facilities", json={})
    if response.status_code == 404:
        pytest.skip("POST /facilities is not in template.yaml yet")
    assert response.status_code == 401
    assert response.json()["type"] == UNAUTHORIZED


def test_client_errors_leave_no_traceback_and_no_personal_data_in_the_log(real_stack: RunningStack) -> None:
    """Hostile requests get 4xx answers; the stack's console shows one line each: no traceback, no phone
    number, no token."""
    phone = "+919800004001"
    first_line = len(real_stack.output)
    token = real_stack.token(phone)
    forged_token = token[: token.rindex(".") + 1] + "c2lnbmF0dXJl"  # same claims, bad signature
    json_headers = {"content-type": "application/json", **bearer(token)}
    hostile: list[tuple[str, str, dict[str, str], bytes]] = [
        ("POST", "/_local/token", {}, b'{"phone_number": "' + phone.encode() + b'"'),
        ("POST", "/_local/schedules/escalation", {}, HOSTILE_BODIES["deep_array"]),
        ("POST", "/_local/token", {}, HOSTILE_BODIES["huge_integer"]),
        ("POST", "/_local/token", {}, b" " * (300 * 1024)),
        ("POST", "/grievances", json_headers, b'{"description": "call me on ' + phone.encode() + b'"'),
        ("POST", "/grievances", json_headers, HOSTILE_BODIES["deep_object"]),
        ("POST", "/grievances", json_headers, HOSTILE_BODIES["invalid_utf8"]),
        ("POST", "/grievances", json_headers, b"{" + b" " * (300 * 1024) + b"}"),
        ("GET", "/me/grievances", bearer(forged_token), b""),
        ("GET", "/me/grievances", {"authorization": f"Basic {token}"}, b""),
        ("GET", "/nowhere", bearer(token), b""),
    ]
    with httpx.Client(base_url=real_stack.base_url, timeout=30) as http:
        for method, path, headers, body in hostile:
            response = http.request(method, path, headers=headers, content=body)
            assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text[:200])
            assert response.headers["content-type"] == "application/problem+json"
        marker = f"log-marker-{uuid.uuid4().hex}"
        http.get("/_local/health", headers={"X-Request-Id": marker})
    deadline = time.monotonic() + 10
    while not any(marker in line for line in real_stack.output[first_line:]) and time.monotonic() < deadline:
        time.sleep(0.05)  # the access line is written just after the response
    log = "\n".join(real_stack.output[first_line:])
    assert marker in log
    assert "Traceback" not in log
    assert phone.removeprefix("+") not in log
    assert token.split(".")[2] not in log  # the signature: the one part no other token shares
