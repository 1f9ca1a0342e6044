"""The local managed login (local/oauth2.py) over HTTP, on the fixture stack: the sign-in form, the code sent
back to the page, the token endpoint's PKCE checks as 400 problem+json with the OAuth `error`, single-use
codes, logout; the ID token it issues passes the gateway's JWT authorizer. A refused request issues nothing."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningStack

CLIENT = "local-admin-page"
BAD_REQUEST = "https://pmc.example/problems/bad-request"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorization(stack: RunningStack, challenge: str, state: str = "s1") -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": f"{stack.base_url}/admin/",
        "scope": "openid phone",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def sign_in(stack: RunningStack, challenge: str) -> str:
    """The form's POST as a browser sends it; the code from the redirect back to the page."""
    form = authorization(stack, challenge) | {"role": "staff", "phone_number": "+919700000001"}
    response = httpx.post(f"{stack.base_url}/_local/oauth2/authorize", data=form, timeout=15)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{stack.base_url}/admin/"
    query = parse_qs(location.query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def redeem(stack: RunningStack, code: str, verifier: str, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "code": code,
        "redirect_uri": f"{stack.base_url}/admin/",
        "code_verifier": verifier,
    } | changes
    return httpx.post(f"{stack.base_url}/_local/oauth2/token", data=form, timeout=15)


def assert_invalid(response: httpx.Response, error: str) -> dict[str, Any]:
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == BAD_REQUEST
    assert body["instance"] == "/_local/oauth2/token"
    assert body["error"] == error
    assert "id_token" not in body
    assert "access_token" not in body
    return body


def test_the_form_then_the_code_then_an_id_token_the_authorizer_accepts(fixture_stack: RunningStack) -> None:
    verifier, challenge = pkce()
    page = httpx.get(
        f"{fixture_stack.base_url}/_local/oauth2/authorize", params=authorization(fixture_stack, challenge), timeout=15
    )
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'action="/_local/oauth2/authorize"' in page.text
    assert challenge in page.text
    response = redeem(fixture_stack, sign_in(fixture_stack, challenge), verifier)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    id_token = response.json()["id_token"]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert claims["aud"] == CLIENT
    assert claims["cognito:groups"] == ["staff"]
    assert claims["token_use"] == "id"
    protected = httpx.get(
        f"{fixture_stack.base_url}/things/T1", headers={"Authorization": f"Bearer {id_token}"}, timeout=15
    )
    assert protected.status_code == 200


@pytest.mark.parametrize(
    ("case", "error"),
    [
        ("bad_verifier", "invalid_grant"),
        ("wrong_redirect_uri", "invalid_grant"),
        ("reused_code", "invalid_grant"),
        ("unknown_code", "invalid_grant"),
        ("no_verifier", "invalid_request"),
        ("implicit_grant", "unsupported_grant_type"),
    ],
)
def test_a_refused_redemption_is_400_and_issues_nothing(fixture_stack: RunningStack, case: str, error: str) -> None:
    verifier, challenge = pkce()
    code = sign_in(fixture_stack, challenge)
    if case == "bad_verifier":
        refused = redeem(fixture_stack, code, pkce()[0])
    elif case == "wrong_redirect_uri":
        refused = redeem(fixture_stack, code, verifier, redirect_uri=f"{fixture_stack.base_url}/admin/x")
    elif case == "reused_code":
        assert redeem(fixture_stack, code, verifier).status_code == 200
        refused = redeem(fixture_stack, code, verifier)
    elif case == "unknown_code":
        refused = redeem(fixture_stack, secrets.token_urlsafe(32), verifier)
    elif case == "no_verifier":
        refused = redeem(fixture_stack, code, "")
    else:
        refused = redeem(fixture_stack, code, verifier, grant_type="implicit")
    assert_invalid(refused, error)
    if case in ("bad_verifier", "wrong_redirect_uri"):  # the failed try spent the code: the right one is too late
        assert_invalid(redeem(fixture_stack, code, verifier), "invalid_grant")


def test_an_unregistered_redirect_uri_gets_a_400_not_a_redirect(fixture_stack: RunningStack) -> None:
    _, challenge = pkce()
    params = authorization(fixture_stack, challenge) | {"redirect_uri": "https://evil.example/admin/"}
    response = httpx.get(f"{fixture_stack.base_url}/_local/oauth2/authorize", params=params, timeout=15)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.json()["error"] == "invalid_request"


def test_logout_returns_to_the_page(fixture_stack: RunningStack) -> None:
    params = {"client_id": CLIENT, "logout_uri": f"{fixture_stack.base_url}/admin/"}
    response = httpx.get(f"{fixture_stack.base_url}/_local/logout", params=params, timeout=15)
    assert response.status_code == 302
    assert response.headers["location"] == f"{fixture_stack.base_url}/admin/"
    elsewhere = httpx.get(
        f"{fixture_stack.base_url}/_local/logout", params=params | {"logout_uri": "https://evil.example/"}, timeout=15
    )
    assert elsewhere.status_code == 400
