"""The local stand-in for Cognito's managed login (local/oauth2.py): authorization code + PKCE (S256), with a
fake clock. Every refused request issues nothing; a code is spent by its first redemption."""

from __future__ import annotations

import html
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local import oauth2
from local.oauth2 import ADMIN_CLIENT, CODE_LIFETIME_SECONDS, ManagedLogin, OAuthError, s256
from local.tokens import TokenAuthority

PAGE = "http://127.0.0.1:3000/admin/"
ISSUER = "http://127.0.0.1:3000/_local/issuer"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()  # a token it dates must pass the authorizer's expiry check

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def tokens() -> TokenAuthority:
    return TokenAuthority(ISSUER)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def login(tokens: TokenAuthority, clock: Clock) -> ManagedLogin:
    return ManagedLogin.for_stack(tokens, "http://127.0.0.1:3000", clock=clock)


def request(**changes: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": ADMIN_CLIENT,
        "redirect_uri": PAGE,
        "scope": "openid phone",
        "state": "st4te",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v != "<absent>"}


def sign_in(login: ManagedLogin, **identity: str) -> str:
    answer = login.authorize(request() | {"role": "staff", "phone_number": "+919700000001"} | identity)
    assert answer.status == 302
    query = parse_qs(urlsplit(dict(answer.headers)["location"]).query)
    assert query["state"] == ["st4te"]
    return query["code"][0]


def redeem(login: ManagedLogin, code: str, **changes: str) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "client_id": ADMIN_CLIENT,
        "code": code,
        "redirect_uri": PAGE,
        "code_verifier": VERIFIER,
    } | changes
    answer = login.token(form)
    assert answer.status == 200
    assert ("cache-control", "no-store") in answer.headers
    body: dict[str, Any] = json.loads(answer.body)
    return body


def claims(tokens: TokenAuthority, token: str) -> dict[str, str]:
    return tokens.verify(f"Bearer {token}")


def test_s256_is_rfc_7636s_example() -> None:
    assert s256(VERIFIER) == CHALLENGE


@settings(max_examples=50, deadline=None)
@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", min_size=43, max_size=128)
)
def test_a_code_redeems_with_its_own_verifier_only(tokens: TokenAuthority, verifier: str) -> None:
    login = ManagedLogin.for_stack(tokens, "http://127.0.0.1:3000")
    code = sign_in(login, code_challenge=s256(verifier))
    other = verifier[:-1] + ("A" if verifier[-1] != "A" else "B")
    with pytest.raises(OAuthError):
        redeem(login, code, code_verifier=other)
    code = sign_in(login, code_challenge=s256(verifier))
    assert redeem(login, code, code_verifier=verifier)["token_type"] == "Bearer"


def test_the_flow_gives_an_id_token_for_the_admin_page_with_the_identitys_claims(
    login: ManagedLogin, tokens: TokenAuthority
) -> None:
    page = login.authorize_page(request())
    assert page.status == 200
    assert b'name="code_challenge"' in page.body
    assert b"st4te" in page.body
    code = sign_in(login, role="ward_officer", phone_number="+919700000002", ward="W05")
    assert login.pending() == 1
    body = redeem(login, code)
    assert body["id_token"]
    assert body["expires_in"] == 3600
    got = claims(tokens, body["id_token"])
    assert got["aud"] == ADMIN_CLIENT
    assert got["cognito:groups"] == "[ward_officer]"
    assert got["custom:ward"] == "W05"
    assert got["phone_number"] == "+919700000002"
    assert login.pending() == 0


def test_a_clerk_carries_the_office(login: ManagedLogin, tokens: TokenAuthority) -> None:
    body = redeem(login, sign_in(login, role="cfc_clerk", phone_number="+919700000004", office="OFF-15GFXMY5"))
    assert claims(tokens, body["id_token"])["custom:office"] == "OFF-15GFXMY5"
    decoded = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert "custom:ward" not in decoded


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_verifier": "x" * 43}, "invalid_grant"),
        ({"code_verifier": "short"}, "invalid_grant"),
        ({"redirect_uri": "http://127.0.0.1:3000/admin/other"}, "invalid_grant"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"client_id": "local-mobile-app"}, "invalid_client"),
        ({"code_verifier": ""}, "invalid_request"),
    ],
)
def test_a_bad_redemption_is_invalid_and_spends_nothing_but_the_code(
    login: ManagedLogin, changes: dict[str, str], error: str
) -> None:
    code = sign_in(login)
    with pytest.raises(OAuthError) as refused:
        redeem(login, code, **changes)
    assert (refused.value.status, refused.value.error) == (400, error)
    if error == "invalid_grant":  # the code was looked up, so it is spent: the right verifier is too late
        with pytest.raises(OAuthError, match="unknown, used or expired"):
            redeem(login, code)
        assert login.pending() == 0


def test_a_code_is_single_use(login: ManagedLogin) -> None:
    code = sign_in(login)
    redeem(login, code)
    with pytest.raises(OAuthError) as refused:
        redeem(login, code)
    assert refused.value.error == "invalid_grant"


def test_a_code_expires_after_five_minutes(login: ManagedLogin, clock: Clock) -> None:
    code = sign_in(login)
    clock.now += CODE_LIFETIME_SECONDS
    assert login.pending() == 0
    with pytest.raises(OAuthError, match="expired"):
        redeem(login, code)
    fresh = sign_in(login)
    clock.now += CODE_LIFETIME_SECONDS - 1
    assert redeem(login, fresh)["id_token"]


def test_an_unknown_code_is_invalid(login: ManagedLogin) -> None:
    with pytest.raises(OAuthError, match="unknown"):
        redeem(login, secrets.token_urlsafe(32))


@pytest.mark.parametrize(
    "changes",
    [{"client_id": "someone-else"}, {"redirect_uri": "https://evil.example/admin/"}, {"redirect_uri": "<absent>"}],
)
def test_an_unregistered_client_or_redirect_uri_is_refused_without_redirecting(
    login: ManagedLogin, changes: dict[str, str]
) -> None:
    for call in (login.authorize_page, login.authorize):
        with pytest.raises(OAuthError) as refused:
            call(request(**changes) | {"role": "staff", "phone_number": "+919700000001"})
        assert refused.value.status == 400
    assert login.pending() == 0


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),  # no implicit grant
        ({"code_challenge_method": "plain", "code_challenge": VERIFIER}, "invalid_request"),
        ({"code_challenge": "<absent>"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"scope": "phone"}, "invalid_scope"),
        ({"scope": "openid aws.cognito.signin.user.admin"}, "invalid_scope"),
    ],
)
def test_a_bad_authorization_request_goes_back_to_the_page_with_the_error(
    login: ManagedLogin, changes: dict[str, str], error: str
) -> None:
    for call in (login.authorize_page, login.authorize):
        answer = call(request(**changes) | {"role": "staff", "phone_number": "+919700000001"})
        assert answer.status == 302
        location = dict(answer.headers)["location"]
        assert location.startswith(PAGE)
        assert parse_qs(urlsplit(location).query) == {"error": [error], "state": ["st4te"]}
    assert login.pending() == 0


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ({"role": "mayor"}, b"Choose who signs in"),
        ({"phone_number": "12345"}, b"phone_number: must match"),
    ],
)
def test_a_bad_identity_shows_the_form_again_with_422_and_no_code(
    login: ManagedLogin, identity: dict[str, str], message: bytes
) -> None:
    answer = login.authorize(request() | {"role": "staff", "phone_number": "+919700000001"} | identity)
    assert answer.status == 422
    assert b'role="alert"' in answer.body
    assert message in answer.body
    assert login.pending() == 0


def test_the_form_offers_the_cfcs_and_the_wards_by_name(login: ManagedLogin) -> None:
    body = login.authorize_page(request()).body.decode()
    offices = json.loads((oauth2.DATA / "offices.json").read_text(encoding="utf-8"))
    cfcs = [o for o in offices if o["type"] == "cfc"]
    assert len(cfcs) == 42
    office_select = body.split('<select id="office" name="office">')[1].split("</select>")[0]
    assert office_select.count("<option") == 42
    for cfc in cfcs:
        assert f'<option value="{cfc["id"]}"' in office_select
        assert html.escape(cfc["name"]["en"]) in office_select
    for other in (o for o in offices if o["type"] != "cfc"):
        assert other["id"] not in body
    assert '<option value="OFF-15GFXMY5" selected>' in office_select  # the sample CFC
    ward_select = body.split('<select id="ward" name="ward">')[1].split("</select>")[0]
    assert ward_select.count("<option") == 15
    assert '<option value="W01">W01 Aundh–Baner</option>' in ward_select
    assert '<option value="W07" selected>' in ward_select
    for control in ("role", "phone_number", "ward", "office"):
        assert f'<label for="{control}">' in body
        assert f'id="{control}"' in body


@pytest.mark.parametrize(
    "identity",
    [
        {"role": "cfc_clerk", "office": "OFF-FH9CXDYZ"},  # the head office: a real office, not a CFC
        {"role": "cfc_clerk", "office": "OFF-ZZZZZZZZ"},  # well formed, no such office
        {"role": "cfc_clerk", "office": " OFF-15GFXMY5"},
        {"role": "cfc_clerk", "office": "OFF-1"},
        {"role": "cfc_clerk"},
        {"role": "ward_officer", "ward": "W16"},
        {"role": "ward_officer", "ward": "W00"},
        {"role": "ward_officer", "ward": "w05"},
        {"role": "ward_officer"},
    ],
)
def test_an_office_not_a_cfc_or_a_ward_not_w01_to_w15_is_refused_with_400_and_no_code(
    login: ManagedLogin, identity: dict[str, str]
) -> None:
    with pytest.raises(OAuthError) as refused:
        login.authorize(request() | {"phone_number": "+919700000004"} | identity)
    assert (refused.value.status, refused.value.error) == (400, "invalid_request")
    field = "office" if identity["role"] == "cfc_clerk" else "ward"
    assert refused.value.description.startswith(f"{field} must be")
    assert login.pending() == 0


def test_every_cfc_on_the_form_signs_a_clerk_in_with_that_office(login: ManagedLogin, tokens: TokenAuthority) -> None:
    for office in oauth2.cfc_offices():
        body = redeem(login, sign_in(login, role="cfc_clerk", phone_number="+919700000004", office=office))
        assert claims(tokens, body["id_token"])["custom:office"] == office


def test_the_field_of_another_identity_is_ignored(login: ManagedLogin, tokens: TokenAuthority) -> None:
    body = redeem(login, sign_in(login, role="staff", office="OFF-FH9CXDYZ", ward="W99"))
    decoded = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert "custom:office" not in decoded
    assert "custom:ward" not in decoded
    body = redeem(login, sign_in(login, role="ward_officer", ward="W03", office="nonsense"))
    decoded = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert (decoded["custom:ward"], "custom:office" in decoded) == ("W03", False)


def test_the_form_escapes_what_it_echoes(login: ManagedLogin) -> None:
    answer = login.authorize_page(request(state='"><script>alert(1)</script>'))
    assert b"<script>" not in answer.body
    assert b"&lt;script&gt;" in answer.body


def test_a_parameter_given_twice_is_invalid() -> None:
    with pytest.raises(OAuthError, match="code is given more than once"):
        oauth2.parse_form(b"code=a&code=b")


def test_logout_goes_back_to_the_registered_page_only(login: ManagedLogin) -> None:
    answer = login.logout({"client_id": ADMIN_CLIENT, "logout_uri": PAGE})
    assert (answer.status, dict(answer.headers)["location"]) == (302, PAGE)
    with pytest.raises(OAuthError):
        login.logout({"client_id": ADMIN_CLIENT, "logout_uri": "https://evil.example/"})
