"""CORS as deployed, over HTTP against the local stack on the real template.yaml: the gateway answers
preflights itself (204, no authorizer, no function) and sets the CorsConfiguration's headers on responses
for the admin site's origin only (API.md 1.10)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from local import cors
from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "https://elsewhere.example"


@pytest.fixture(scope="module")
def policy() -> cors.CorsPolicy:
    found = cors.from_template(Template.load(ROOT / "template.yaml"))
    assert found is not None, "template.yaml's HttpApi has a CorsConfiguration"
    return found


@pytest.fixture(scope="module")
def admin_origin(policy: cors.CorsPolicy) -> str:
    (origin,) = policy.allow_origins  # the AdminSiteOrigin parameter, the only origin allowed
    assert origin.startswith("https://")
    return origin


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def preflight(stack: str, path: str, origin: str, method: str = "POST") -> httpx.Response:
    headers = {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": "authorization,content-type,if-match",
    }
    return httpx.options(f"{stack}{path}", headers=headers, timeout=15)


def test_the_policy_is_the_templates_and_api_md_1_10s(policy: cors.CorsPolicy) -> None:
    assert set(policy.allow_headers) == {"Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id"}
    assert set(policy.expose_headers) == {"ETag", "X-Request-Id", "Location", "Content-Disposition"}
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= set(policy.allow_methods)
    assert policy.allow_credentials is False  # bearer tokens, not cookies


def test_a_preflight_from_the_admin_site_is_answered_by_the_gateway(
    stack: str, policy: cors.CorsPolicy, admin_origin: str
) -> None:
    # POST /facilities is an admin route: a 204 without a token shows neither authorizer nor function ran
    response = preflight(stack, "/facilities", admin_origin)
    assert response.status_code == 204
    assert response.content == b""
    assert cors_headers(response) == {
        "access-control-allow-origin": admin_origin,
        "access-control-allow-methods": ",".join(policy.allow_methods),
        "access-control-allow-headers": ",".join(h.lower() for h in policy.allow_headers),
        "access-control-max-age": str(policy.max_age),
    }
    assert response.headers["access-control-max-age"] == "600"


def test_a_preflight_is_answered_on_any_path(stack: str, admin_origin: str) -> None:
    response = preflight(stack, "/no-such-route", admin_origin, "GET")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == admin_origin


def test_a_preflight_from_another_origin_gets_no_cors_headers(stack: str) -> None:
    response = preflight(stack, "/facilities", REFUSED)
    assert response.status_code == 204
    assert cors_headers(response) == {}


def test_a_request_from_the_admin_site_may_read_the_exposed_headers(
    stack: str, policy: cors.CorsPolicy, admin_origin: str
) -> None:
    response = httpx.get(f"{stack}/facilities", params={"limit": 1}, headers={"origin": admin_origin}, timeout=15)
    assert response.status_code == 200
    assert cors_headers(response) == {
        "access-control-allow-origin": admin_origin,
        "access-control-expose-headers": ",".join(h.lower() for h in policy.expose_headers),
    }
    assert response.headers["etag"]


def test_the_gateways_own_401_carries_cors_headers_so_the_page_can_read_it(stack: str, admin_origin: str) -> None:
    response = httpx.post(f"{stack}/facilities", json={}, headers={"origin": admin_origin}, timeout=15)
    assert response.status_code == 401
    assert response.headers["access-control-allow-origin"] == admin_origin


def test_a_request_from_another_origin_gets_no_cors_headers(stack: str) -> None:
    response = httpx.get(f"{stack}/facilities", params={"limit": 1}, headers={"origin": REFUSED}, timeout=15)
    assert response.status_code == 200  # the browser, not the API, withholds it from the page
    assert cors_headers(response) == {}


def test_a_request_without_origin_gets_no_cors_headers(stack: str) -> None:
    response = httpx.get(f"{stack}/facilities", params={"limit": 1}, timeout=15)
    assert cors_headers(response) == {}


def test_options_without_a_preflights_headers_is_routed_and_unknown(stack: str, admin_origin: str) -> None:
    response = httpx.options(f"{stack}/facilities", headers={"origin": admin_origin}, timeout=15)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
