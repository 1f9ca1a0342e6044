"""The admin page's deployed sign-in (authorization code + PKCE, admin/src/auth.ts) in Chromium, against the
local stack's stand-in for Cognito's managed login (local/oauth2.py). Only this module's browser contexts see
a config.json with `cognito` (a routed response): the page served locally keeps its identity form.

Staff sign in through the code flow and see the desk; the code leaves the address bar, the token never
appears in a URL or localStorage; the verifier the page sent hashes to the challenge it sent; sign-out
goes through /logout and the token is gone. A citizen is refused and a forged return keeps no token. A clerk
picks a CFC by name on the stand-in's form (as on the page's own form) and the token carries that office."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect

from local.oauth2 import cfc_offices
from tests.browser.admin import axe_serious
from tests.e2e.conftest import RunningStack

TOKEN_KEY = "pmc-admin-token"
PKCE_KEY = "pmc-admin-pkce"


class Session:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[Request] = []


@pytest.fixture
def session(browser: Browser, admin_stack: RunningStack) -> Iterator[Session]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    config = {
        "api_url": "",
        "cognito": {
            "domain": f"{admin_stack.base_url}/_local",
            "client_id": "local-admin-page",
            "redirect_uri": f"{admin_stack.base_url}/admin/",
        },
    }

    def serve_config(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=json.dumps(config))

    context.route(f"{admin_stack.base_url}/admin/config.json", serve_config)
    page = context.new_page()
    opened = Session(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    context.on("request", lambda request: opened.requests.append(request))
    try:
        yield opened
    finally:
        context.close()
    assert errors == [], errors


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def managed_login(session: Session, stack: RunningStack, identity: str) -> None:
    page = session.page
    page.goto(f"{stack.base_url}/admin/")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{stack.base_url}/_local/oauth2/authorize?**")
    page.get_by_label("Identity").select_option(identity)
    page.get_by_role("button", name="Sign in").click()


def storage(page: Page) -> tuple[dict[str, str], dict[str, str]]:
    session_storage = page.evaluate("Object.fromEntries(Object.entries(sessionStorage))")
    local_storage = page.evaluate("Object.fromEntries(Object.entries(localStorage))")
    return session_storage, local_storage


def test_staff_sign_in_with_code_and_pkce_then_sign_out(
    session: Session, admin_stack: RunningStack, output_dir: Path
) -> None:
    page = session.page
    page.goto(f"{admin_stack.base_url}/admin/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{admin_stack.base_url}/_local/oauth2/authorize?**")
    authorize = parse_qs(urlsplit(page.url).query)
    assert authorize["response_type"] == ["code"]
    assert authorize["code_challenge_method"] == ["S256"]
    assert authorize["redirect_uri"] == [f"{admin_stack.base_url}/admin/"]
    page.screenshot(path=str(output_dir / "admin-login-pkce-form.png"), full_page=True)
    page.get_by_label("Identity").select_option("staff")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    page.screenshot(path=str(output_dir / "admin-login-pkce-desk.png"), full_page=True)
    session_storage, local_storage = storage(page)
    token = session_storage[TOKEN_KEY]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == "local-admin-page"
    assert claims["cognito:groups"] == ["staff"]
    assert PKCE_KEY not in session_storage  # the verifier is dropped once used
    assert token not in json.dumps(local_storage)
    assert "eyJ" not in json.dumps(local_storage)
    assert "code=" not in page.url  # the code leaves the address bar
    assert all(token not in r.url for r in session.requests)

    # The page redeemed the code once, with the verifier whose S256 is the challenge it sent.
    redemptions = [r for r in session.requests if r.url == f"{admin_stack.base_url}/_local/oauth2/token"]
    assert len(redemptions) == 1
    form = parse_qs(redemptions[0].post_data or "")
    assert form["grant_type"] == ["authorization_code"]
    assert s256(form["code_verifier"][0]) == authorize["code_challenge"][0]
    assert form["redirect_uri"] == authorize["redirect_uri"]

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{admin_stack.base_url}/admin/")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert any(r.url.startswith(f"{admin_stack.base_url}/_local/logout?") for r in session.requests)
    session_storage, local_storage = storage(page)
    assert TOKEN_KEY not in session_storage
    assert token not in json.dumps(session_storage) + json.dumps(local_storage)
    page.reload()  # nothing to restore: still signed out
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_citizen_signing_in_through_managed_login_is_refused(session: Session, admin_stack: RunningStack) -> None:
    managed_login(session, admin_stack, "citizen")
    expect(page_alert(session.page)).to_have_text(
        "This account is a citizen account and cannot be used on the staff page."
    )
    assert TOKEN_KEY not in storage(session.page)[0]
    assert "code=" not in session.page.url


def test_a_return_with_a_state_the_page_did_not_send_keeps_no_token(
    session: Session, admin_stack: RunningStack
) -> None:
    page = session.page
    page.goto(f"{admin_stack.base_url}/admin/?code=forged&state=forged")
    expect(page_alert(page)).to_contain_text("sign-in state does not match")
    assert TOKEN_KEY not in storage(page)[0]
    assert "code=" not in page.url
    assert not any(r.url.endswith("/_local/oauth2/token") for r in session.requests)  # never redeemed


def page_alert(page: Page) -> Locator:
    return page.locator("main p.message[role=alert]")


def test_an_error_back_from_managed_login_is_shown_and_leaves_the_address_bar(
    session: Session, admin_stack: RunningStack
) -> None:
    page = session.page
    page.goto(f"{admin_stack.base_url}/admin/?error=access_denied&state=s")
    expect(page_alert(page)).to_have_text("Error: sign-in refused: access_denied")
    assert urlsplit(page.url).query == ""
    assert TOKEN_KEY not in storage(page)[0]
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()  # a new sign-in can start


def test_a_clerk_picks_a_cfc_by_name_on_managed_login_and_the_token_carries_it(
    session: Session, admin_stack: RunningStack
) -> None:
    page = session.page
    page.goto(f"{admin_stack.base_url}/admin/")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{admin_stack.base_url}/_local/oauth2/authorize?**")
    assert axe_serious(page) == []  # every control has its label
    office = page.get_by_label("Office (CFC clerk only)")
    offered = office.locator("option").evaluate_all("options => options.map(o => [o.value, o.textContent])")
    assert offered == [list(item) for item in cfc_offices().items()]
    expect(page.get_by_label("Ward (ward officer only)").locator("option")).to_have_count(15)
    office_id, name = next(iter(cfc_offices().items()))  # not the form's default, the sample CFC
    assert office_id != "OFF-15GFXMY5"
    page.get_by_label("Identity").select_option("cfc_clerk")
    office.select_option(label=name)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="CFC counter: file a grievance for a walk-in citizen")).to_be_visible()
    claims = jwt.decode(storage(page)[0][TOKEN_KEY], options={"verify_signature": False})
    assert claims["cognito:groups"] == ["cfc_clerk"]
    assert claims["custom:office"] == office_id
    assert "custom:ward" not in claims
