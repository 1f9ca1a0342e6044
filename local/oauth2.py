"""A local stand-in for Cognito's managed login: the OAuth 2.0 authorization code grant with PKCE (RFC 6749
4.1, RFC 7636 S256) at Cognito's endpoint names under /_local, so the admin page's deployed sign-in
(admin/src/auth.ts startCognito/finishCognito/cognitoLogoutUrl) runs against the local stack with the
managed-login "domain" `<base_url>/_local`:

- GET /_local/oauth2/authorize: a small sign-in form for a local identity (the choices of /_local/token; as the
  page's own local form, a clerk picks one of the CFCs of data/offices.json and a ward officer one of the 15
  wards of data/wards.geojson, by name); POST of that form (another office or ward: 400, nothing issued): a
  single-use code, valid CODE_LIFETIME_SECONDS, sent back to redirect_uri with state.
- POST /_local/oauth2/token: code + code_verifier for an ID token (aud = the client), once.
- GET /_local/logout: back to logout_uri (there is no session cookie to drop locally).

Local only (nothing here is in template.yaml); never logs a code, verifier or token. Codes live in memory.
Stricter than Cognito where it helps the page: PKCE with S256 is required, `plain` is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from local.tokens import InvalidTokenRequest, TokenAuthority

AUTHORIZE = "/_local/oauth2/authorize"
TOKEN = "/_local/oauth2/token"
LOGOUT = "/_local/logout"
PATHS = (AUTHORIZE, TOKEN, LOGOUT)
ADMIN_CLIENT = "local-admin-page"  # the AdminPageClient's id on the local stack (local.template)
SCOPES = frozenset({"openid", "phone"})  # the AdminPageClient's AllowedOAuthScopes
CODE_LIFETIME_SECONDS = 300  # Cognito's authorization codes last five minutes
MAX_PENDING_CODES = 1000  # a runaway loop cannot grow the store without bound
_VERIFIER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_CHALLENGE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
ROLES = {"staff": ["staff"], "ward_officer": ["ward_officer"], "admin": ["admin"], "cfc_clerk": ["cfc_clerk"]}
ROLES_AND_CITIZEN = {**ROLES, "citizen": []}
WARDS = [f"W{n:02d}" for n in range(1, 16)]
DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_OFFICE = "OFF-15GFXMY5"  # the sample CFC, Kasba Peth (W07)


@cache
def cfc_offices() -> dict[str, str]:
    """The CFCs a clerk may belong to: office id -> English name, in data/offices.json's order."""
    offices = json.loads((DATA / "offices.json").read_text(encoding="utf-8"))
    return {o["id"]: o["name"]["en"] for o in offices if o["type"] == "cfc"}


@cache
def ward_names() -> dict[str, str]:
    """W01..W15 -> English name, from data/wards.geojson."""
    features = json.loads((DATA / "wards.geojson").read_text(encoding="utf-8"))["features"]
    names = {f["properties"]["ward"]: f["properties"]["name_en"] for f in features}
    return {w: names[w] for w in WARDS}


class Answer(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class OAuthError(Exception):
    """A request the endpoint refuses: the RFC 6749 `error` code and a description safe to return."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    code_challenge: str
    identity: dict[str, Any]
    expires_at: float


def s256(verifier: str) -> str:
    """RFC 7636 4.2: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def valid_verifier(verifier: str) -> bool:
    """RFC 7636 4.1: 43 to 128 unreserved characters."""
    return 43 <= len(verifier) <= 128 and set(verifier) <= _VERIFIER_CHARS


def _valid_challenge(challenge: str) -> bool:
    return len(challenge) == 43 and set(challenge) <= _CHALLENGE_CHARS  # a base64url SHA-256


def _single(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Form or query parameters; RFC 6749 3.1: none may appear twice."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise OAuthError("invalid_request", f"{name} is given more than once")
        values[name] = value
    return values


def parse_form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "Body is not UTF-8") from None
    return _single(parse_qsl(text, keep_blank_values=True))


def parse_query(query: str) -> dict[str, str]:
    return _single(parse_qsl(query, keep_blank_values=True))


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


def _redirect(location: str) -> Answer:
    return Answer(302, [("location", location), ("cache-control", "no-store")], b"")


class ManagedLogin:
    """The endpoints' logic, independent of HTTP plumbing (local.gateway feeds it parsed requests)."""

    def __init__(
        self,
        tokens: TokenAuthority,
        redirect_uris: Mapping[str, Sequence[str]],
        clock: Callable[[], float] = time.time,
        new_code: Callable[[], str] = lambda: secrets.token_urlsafe(32),
    ):
        self.tokens = tokens
        self.redirect_uris = {client: tuple(uris) for client, uris in redirect_uris.items()}
        self.clock = clock
        self.new_code = new_code
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_stack(cls, tokens: TokenAuthority, base_url: str, clock: Callable[[], float] = time.time) -> ManagedLogin:
        """The admin page's client, whose only callback and logout URL is the page the stack serves."""
        return cls(tokens, {ADMIN_CLIENT: (base_url.rstrip("/") + "/admin/",)}, clock)

    def pending(self) -> int:
        """Codes issued and neither redeemed nor expired (for tests: a refused request issued nothing)."""
        now = self.clock()
        with self._lock:
            return sum(1 for g in self._grants.values() if g.expires_at > now)

    # ------------------------------------------------------------------ authorize

    def _check_client(self, params: Mapping[str, str], uri_param: str) -> tuple[str, str]:
        """client_id and its registered redirect (or logout) URI. Never redirects on failure (RFC 6749
        4.1.2.1): the URI is not trusted yet."""
        client_id = params.get("client_id", "")
        if client_id not in self.redirect_uris:
            raise OAuthError("invalid_client", "client_id is not an app client of this stack")
        uri = params.get(uri_param, "")
        if uri not in self.redirect_uris[client_id]:
            raise OAuthError("invalid_request", f"{uri_param} is not registered for this client")
        return client_id, uri

    def _check_request(self, params: Mapping[str, str]) -> tuple[str, str, str | None]:
        """(client_id, redirect_uri, error): error is what to send back to the redirect_uri, if any."""
        client_id, redirect_uri = self._check_client(params, "redirect_uri")
        if params.get("response_type") != "code":
            return client_id, redirect_uri, "unsupported_response_type"
        scopes = set(params.get("scope", "").split())
        if "openid" not in scopes or not scopes <= SCOPES:
            return client_id, redirect_uri, "invalid_scope"
        if params.get("code_challenge_method") != "S256" or not _valid_challenge(params.get("code_challenge", "")):
            return client_id, redirect_uri, "invalid_request"
        return client_id, redirect_uri, None

    def _error_redirect(self, redirect_uri: str, error: str, params: Mapping[str, str]) -> Answer:
        back = {"error": error, **({"state": params["state"]} if params.get("state") else {})}
        return _redirect(_with_query(redirect_uri, back))

    def authorize_page(self, params: Mapping[str, str]) -> Answer:
        """GET /oauth2/authorize: the sign-in form (or the error sent back to the page)."""
        _, redirect_uri, error = self._check_request(params)
        if error:
            return self._error_redirect(redirect_uri, error, params)
        return self._form(params, None, 200)

    def authorize(self, form: Mapping[str, str]) -> Answer:
        """POST /oauth2/authorize: the form's identity signs in; a code goes back to the page."""
        client_id, redirect_uri, error = self._check_request(form)
        if error:
            return self._error_redirect(redirect_uri, error, form)
        role = form.get("role", "")
        if role not in ROLES_AND_CITIZEN:
            return self._form(form, "Choose who signs in", 422)
        identity: dict[str, Any] = {
            "phone_number": form.get("phone_number", "").strip(),
            "groups": ROLES_AND_CITIZEN[role],
        }
        if role == "ward_officer":  # the form offers these only: anything else is a tampered form
            if form.get("ward") not in WARDS:
                raise OAuthError("invalid_request", "ward must be one of W01..W15")
            identity["ward"] = form["ward"]
        if role == "cfc_clerk":
            if form.get("office") not in cfc_offices():
                raise OAuthError("invalid_request", "office must be a CFC (an office of type cfc)")
            identity["office"] = form["office"]
        try:
            self.tokens.issue(identity, now=self.clock(), audience=client_id)  # the checks of /_local/token
        except InvalidTokenRequest as exc:
            return self._form(form, f"{exc.field.removeprefix('body.')}: {exc.message}", 422)
        code = self.new_code()
        grant = Grant(client_id, redirect_uri, form["code_challenge"], identity, self.clock() + CODE_LIFETIME_SECONDS)
        with self._lock:
            now = self.clock()
            for stale in [c for c, g in self._grants.items() if g.expires_at <= now]:
                del self._grants[stale]
            if len(self._grants) >= MAX_PENDING_CODES:
                raise OAuthError("temporarily_unavailable", "Too many sign-ins under way", 503)
            self._grants[code] = grant
        back = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        return _redirect(_with_query(redirect_uri, back))

    # ------------------------------------------------------------------ token

    def token(self, form: Mapping[str, str]) -> Answer:
        """POST /oauth2/token: a code and its verifier for tokens. A code is spent by its first redemption,
        right or wrong (a guessed verifier gets one try)."""
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code")
        for name in ("client_id", "code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"{name} is missing")
        if form["client_id"] not in self.redirect_uris:
            raise OAuthError("invalid_client", "client_id is not an app client of this stack")
        with self._lock:
            grant = self._grants.pop(form["code"], None)
        now = self.clock()
        if grant is None or grant.expires_at <= now:
            raise OAuthError("invalid_grant", "The code is unknown, used or expired")
        if grant.client_id != form["client_id"]:
            raise OAuthError("invalid_grant", "The code was issued to another client")
        if grant.redirect_uri != form["redirect_uri"]:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form["code_verifier"]
        if not valid_verifier(verifier) or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        issued = self.tokens.issue(grant.identity, now=now, audience=grant.client_id)
        body = {
            "id_token": issued["access_token"],  # the API's bearer (API.md 1.4)
            "access_token": issued["access_token"],
            "token_type": "Bearer",
            "expires_in": issued["expires_in"],
        }
        headers = [("content-type", "application/json"), ("cache-control", "no-store"), ("pragma", "no-cache")]
        return Answer(200, headers, json.dumps(body).encode())

    # ------------------------------------------------------------------ logout

    def logout(self, params: Mapping[str, str]) -> Answer:
        """GET /logout: back to the client's registered logout_uri."""
        _, logout_uri = self._check_client(params, "logout_uri")
        return _redirect(logout_uri)

    # ------------------------------------------------------------------ the form

    def _form(self, params: Mapping[str, str], message: str | None, status: int) -> Answer:
        keep = (
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "scope",
            "code_challenge",
            "code_challenge_method",
        )
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params.get(name, ""))}">'
            for name in keep
            if name in params
        )
        chosen = params.get("role", "staff")
        roles = "".join(
            f'<option value="{r}"{" selected" if r == chosen else ""}>{r.replace("_", " ")}</option>'
            for r in ROLES_AND_CITIZEN
        )
        ward = params.get("ward", "W07")
        wards = "".join(
            f'<option value="{w}"{" selected" if w == ward else ""}>{w} {html.escape(name)}</option>'
            for w, name in ward_names().items()
        )
        phone = html.escape(params.get("phone_number", "+919700000001"))
        office = params.get("office", DEFAULT_OFFICE)
        offices = "".join(
            f'<option value="{o}"{" selected" if o == office else ""}>{html.escape(name)}</option>'
            for o, name in cfc_offices().items()
        )
        alert = f'<p role="alert">{html.escape(message)}</p>' if message else ""
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Local sign-in (stands in for Cognito's managed login)</h1>{alert}
<form method="post" action="{AUTHORIZE}">{hidden}
<p><label for="role">Identity</label> <select id="role" name="role">{roles}</select></p>
<p><label for="phone_number">Phone number</label>
<input id="phone_number" name="phone_number" type="tel" value="{phone}" autocomplete="off"></p>
<p><label for="ward">Ward (ward officer only)</label> <select id="ward" name="ward">{wards}</select></p>
<p><label for="office">Office (CFC clerk only)</label> <select id="office" name="office">{offices}</select></p>
<p><button type="submit">Sign in</button></p></form></main></body></html>"""
        headers = [("content-type", "text/html; charset=utf-8"), ("cache-control", "no-store")]
        return Answer(status, headers, page.encode())


def respond(login: ManagedLogin, method: str, path: str, query: str, body: bytes) -> Answer | None:
    """One request to PATHS (None: no such method there); raises OAuthError for the gateway to answer as
    problem+json with the OAuth `error` code as a member."""
    if path == AUTHORIZE and method == "GET":
        return login.authorize_page(parse_query(query))
    if path == AUTHORIZE and method == "POST":
        return login.authorize(parse_form(body))
    if path == TOKEN and method == "POST":
        return login.token(parse_form(body))
    if path == LOGOUT and method == "GET":
        return login.logout(parse_query(query))
    return None
