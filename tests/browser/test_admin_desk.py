"""The staff admin page (issue 21) in Chromium against its own local stack: staff sign in, filter the
queue to overdue, open a grievance and work it to resolved; a ward officer sees only their ward; a citizen
token is refused; the Marathi toggle changes the labels and is remembered; axe-core finds no serious
violation on any screen; the first load stays within its JavaScript budget. Screenshots: test-output/browser/."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from bench.admin_size import BUDGET_BYTES, first_load_gzip_bytes, measure
from tests.browser.admin import (
    KASBA,
    KOTHRUD,
    answer_overdue_as_after_due,
    axe_serious,
    log_grievance,
    sign_in,
)
from tests.e2e.conftest import RunningStack


@pytest.fixture(scope="module")
def grievances(admin_stack: RunningStack) -> dict[str, dict[str, Any]]:
    kasba = log_grievance(admin_stack, KASBA, "Garbage not collected near Shaniwar Wada gate for 3 days.", photo=True)
    kothrud = log_grievance(admin_stack, KOTHRUD, "Garbage heap beside the Kothrud depot bus stop since Monday.")
    assert (kasba["ward"], kothrud["ward"]) == ("W07", "W09")
    return {"kasba": kasba, "kothrud": kothrud}


def test_staff_filter_to_overdue_open_a_grievance_and_resolve_it(
    page: Page, admin_stack: RunningStack, grievances: dict[str, dict[str, Any]], output_dir: Path
) -> None:
    gid = grievances["kasba"]["id"]
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    expect(page.locator(f'tr[data-id="{gid}"]')).to_be_visible()
    assert "pmc-admin-token" in page.evaluate("Object.keys(sessionStorage)")
    assert page.evaluate("Object.keys(localStorage)") in ([], ["pmc-admin-lang"])  # never the token
    assert "token" not in page.url
    assert "eyJ" not in page.url
    page.screenshot(path=str(output_dir / "admin-desk.png"), full_page=True)

    # The local stack has no clock to move, and a grievance logged now is due in 48 h: the overdue answer is
    # the real queue as it will read once due_at has passed (overdue: true), to see the filter and highlight.
    asked = answer_overdue_as_after_due(page)
    page.get_by_label("Overdue").select_option("true")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f'tr.overdue[data-id="{gid}"]')).to_be_visible()
    assert asked
    assert all("overdue=true" in url for url in asked)
    expect(page.locator("tr.overdue").first).to_contain_text("Overdue")
    page.screenshot(path=str(output_dir / "admin-desk-overdue.png"), full_page=True)

    page.get_by_role("link", name=f"Open grievance {gid}").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(gid)
    expect(heading).to_contain_text("Submitted")
    thumbnail = page.get_by_role("button", name="Photos 1")
    expect(thumbnail).to_be_visible()
    expect(page.locator(".minimap path.marker-here")).to_be_visible()  # on its ward's boundary
    page.screenshot(path=str(output_dir / "admin-grievance.png"), full_page=True)
    thumbnail.click()  # full size in a dialog
    full = page.get_by_role("dialog").get_by_role("img")
    expect(full).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 800", arg=full.element_handle())
    page.screenshot(path=str(output_dir / "admin-photo.png"))
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_be_hidden()

    page.locator("#assign-assignee").fill("JE Solid Waste, Kasba")
    page.locator("#act-assign").get_by_role("button", name="Assign").click()
    expect(heading).to_contain_text("Assigned")

    # rejecting without the required note: the API's 422, shown as words; nothing changed
    page.locator("#act-reject").get_by_role("button", name="Reject").click()
    expect(page.get_by_role("alert").filter(has_text="note")).to_be_visible()
    expect(heading).to_contain_text("Assigned")

    # another member of staff starts the work meanwhile: this page's "Start work" meets the API's 409
    staff = {"authorization": f"Bearer {admin_stack.token('+919700000101', ['staff'])}"}
    started = httpx.patch(
        f"{admin_stack.base_url}/staff/grievances/{gid}", json={"status": "in_progress"}, headers=staff, timeout=30
    )
    assert started.status_code == 200, started.text
    page.locator("#act-start").get_by_role("button", name="Start work").click()
    expect(page.get_by_role("alert")).to_contain_text("not allowed from the grievance's current status")
    page.screenshot(path=str(output_dir / "admin-grievance-409.png"), full_page=True)
    page.reload()
    expect(heading).to_contain_text("In progress")

    page.locator("#resolve-note").fill("Cleared the same day; the bin was emptied by the evening round.")
    page.locator("#act-resolve").get_by_role("button", name="Resolve").click()
    # Where proof of fix (issue 20) is in force, a resolve with neither a resolution photo nor a reason is a
    # 422 shown on the page: then the reason is given. Without it, the note alone resolves.
    refused = page.get_by_role("alert").filter(has_text="resolution")
    expect(heading.filter(has_text="Resolved").or_(refused)).to_be_visible()
    if refused.is_visible():
        expect(heading).to_contain_text("In progress")
        page.locator("#resolve-reason").select_option("no_fix_needed")
        page.locator("#act-resolve").get_by_role("button", name="Resolve").click()
    expect(heading).to_contain_text("Resolved")
    expect(page.locator("ol.timeline")).to_contain_text("In progress → Resolved")
    page.screenshot(path=str(output_dir / "admin-grievance-resolved.png"), full_page=True)

    page.get_by_role("link", name="Back to the desk").first.click()
    page.get_by_label("Status").select_option("all")
    page.get_by_label("Overdue").select_option("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f'tr[data-id="{gid}"]')).to_contain_text("Resolved")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert "pmc-admin-token" not in page.evaluate("Object.keys(sessionStorage)")


def test_ward_officer_sees_only_their_ward(
    page: Page, admin_stack: RunningStack, grievances: dict[str, dict[str, Any]], output_dir: Path
) -> None:
    sign_in(page, admin_stack, "ward_officer", ward="W09")
    expect(page.locator(f'tr[data-id="{grievances["kothrud"]["id"]}"]')).to_be_visible()
    wards = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert wards
    assert all(w.startswith("W09") for w in wards)
    expect(page.locator(f'tr[data-id="{grievances["kasba"]["id"]}"]')).to_have_count(0)
    assert page.get_by_label("Ward").locator("option").all_inner_texts() == ["W09 Kothrud–Bawdhan"]
    page.screenshot(path=str(output_dir / "admin-ward-officer.png"), full_page=True)
    # another ward's grievance by its address: the API's 404, shown as a message
    page.goto(f"{admin_stack.base_url}/admin/#/grievance/{grievances['kasba']['id']}")
    expect(page.get_by_role("alert")).to_be_visible()


def test_a_citizen_token_is_refused(page: Page, admin_stack: RunningStack, output_dir: Path) -> None:
    sign_in(page, admin_stack, "citizen")
    expect(page.get_by_role("alert")).to_contain_text("citizen account and cannot be used")
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert page.evaluate("Object.keys(sessionStorage)") == []
    page.screenshot(path=str(output_dir / "admin-citizen-refused.png"), full_page=True)


def test_marathi_toggle_changes_the_labels_and_is_remembered(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "admin")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    page.get_by_role("button", name="Show labels in Marathi").click()
    expect(page.get_by_role("heading", name="तक्रार कक्ष")).to_be_visible()
    expect(page.get_by_role("button", name="गाळणी लागू करा")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "mr"
    page.screenshot(path=str(output_dir / "admin-desk-marathi.png"), full_page=True)
    page.reload()
    expect(page.get_by_role("heading", name="तक्रार कक्ष")).to_be_visible()
    page.get_by_role("button", name="Show labels in English").click()
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()


def test_the_map_draws_the_wards_and_open_grievances(
    page: Page, admin_stack: RunningStack, grievances: dict[str, dict[str, Any]], output_dir: Path
) -> None:
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="Map").click()
    expect(page.get_by_role("heading", name="Wards and open grievances")).to_be_visible()
    expect(page.locator("path.marker-ontime, path.marker-overdue").first).to_be_visible()
    assert page.locator("#map path.leaflet-interactive").count() >= 15 + 1  # 15 wards and the markers
    page.screenshot(path=str(output_dir / "admin-map.png"), full_page=True)


def test_axe_finds_no_serious_violation_on_any_screen(
    page: Page, admin_stack: RunningStack, grievances: dict[str, dict[str, Any]], output_dir: Path
) -> None:
    page.goto(f"{admin_stack.base_url}/admin/")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.screenshot(path=str(output_dir / "admin-sign-in.png"))
    found = {"sign-in": axe_serious(page)}
    sign_in(page, admin_stack, "staff")
    expect(page.locator("tbody tr").first).to_be_visible()
    found["desk"] = axe_serious(page)
    page.goto(f"{admin_stack.base_url}/admin/#/grievance/{grievances['kothrud']['id']}")
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()
    found["grievance"] = axe_serious(page)
    page.get_by_role("link", name="Map").click()
    expect(page.locator("#map path.leaflet-interactive").first).to_be_visible()
    found["map"] = axe_serious(page)
    assert found == {"sign-in": [], "desk": [], "grievance": [], "map": []}


def test_first_load_javascript_is_within_200_kb_gzipped(admin_build: Path) -> None:
    assets = measure(admin_build)
    assert any(a.first_load for a in assets)
    assert first_load_gzip_bytes(assets) <= BUDGET_BYTES


def test_no_config_json_locally_is_a_404_not_a_500(admin_stack: RunningStack) -> None:
    # the page asks for ./config.json at start; locally there is none and it signs in through /_local/token
    missing = httpx.get(f"{admin_stack.base_url}/admin/config.json", timeout=30)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_payments_shows_the_days_collections_and_the_exception_lists(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="Payments").click()
    expect(page.get_by_role("heading", name="Payments", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Collections")).to_be_visible()
    expect(page.get_by_role("heading", name="Refund due")).to_be_visible()
    by_ward = page.get_by_role("region", name="Collections").locator("tbody tr")
    expect(by_ward).to_have_count(15)  # every ward, zeros included
    page.screenshot(path=str(output_dir / "admin-payments.png"), full_page=True)
    assert axe_serious(page) == []


def test_survey_results_split_citizen_and_tourist_download_csv_and_close(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Pune city services survey 2026").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Open")
    results = page.locator("table.results").first
    expect(results.get_by_role("columnheader", name="Citizens")).to_be_visible()
    expect(results.get_by_role("columnheader", name="Tourists")).to_be_visible()
    page.screenshot(path=str(output_dir / "admin-survey.png"), full_page=True)
    assert axe_serious(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "SUR-B0DYZD5E.csv"
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert csv.startswith("response_id,submitted_at,respondent_type,channel,")

    page.get_by_role("button", name="Close the survey").click()
    expect(heading).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Close the survey")).to_have_count(0)


def test_an_admin_issues_an_open311_key_sees_it_once_and_revokes_it(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    sign_in(page, admin_stack, "admin")
    page.get_by_role("link", name="Open311 keys").click()
    page.get_by_label("Name").fill("Pune Civic Dashboard")
    page.get_by_role("button", name="Issue a key").click()
    shown = page.locator("code.api-key")
    expect(shown).to_have_text(re.compile(r"^o311_[A-Za-z0-9]{32}$"))
    row = page.locator("tbody tr").filter(has_text="Pune Civic Dashboard")
    expect(row).to_contain_text("Active")
    page.screenshot(path=str(output_dir / "admin-open311-keys.png"), full_page=True)
    assert axe_serious(page) == []
    row.get_by_role("button", name="Revoke Pune Civic Dashboard").click()
    expect(row).to_contain_text("Revoked")


def test_staff_see_no_open311_keys_link(page: Page, admin_stack: RunningStack) -> None:
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("link", name="Surveys")).to_be_visible()
    expect(page.get_by_role("link", name="Open311 keys")).to_have_count(0)


def test_staff_publish_edit_and_withdraw_a_city_update(page: Page, admin_stack: RunningStack, output_dir: Path) -> None:
    local = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">, in the browser's (and this process's) time zone
    now = datetime.now(UTC).astimezone()  # aware, in the local time zone
    starts, ends = now + timedelta(hours=2), now + timedelta(days=1)
    sign_in(page, admin_stack, "staff")
    page.get_by_role("link", name="City updates").click()
    page.get_by_label("Category").select_option("water_cut")
    page.get_by_label("Ward").select_option("W07")
    page.get_by_label("Title (English)").fill("No water in Kasba Peth tomorrow")
    page.get_by_label("Title (Marathi)").fill("उद्या कसबा पेठेत पाणीपुरवठा बंद")
    page.get_by_label("Text (English)").fill("Pipeline repairs; tankers on request at the ward office.")
    page.get_by_label("Text (Marathi)").fill("जलवाहिनी दुरुस्ती; टँकरसाठी क्षेत्रीय कार्यालयाशी संपर्क साधा.")
    page.get_by_label("Starts").fill(starts.strftime(local))
    page.get_by_label("Ends").fill(ends.strftime(local))
    page.get_by_role("button", name="Publish").click()
    row = page.locator("tbody tr").filter(has_text="Kasba Peth tomorrow")
    expect(row).to_contain_text("Scheduled")
    page.screenshot(path=str(output_dir / "admin-city-updates.png"), full_page=True)
    assert axe_serious(page) == []

    row.get_by_role("button", name="Edit No water in Kasba Peth tomorrow").click()
    page.get_by_label("Title (English)").fill("No water in Kasba Peth tomorrow morning")
    page.get_by_role("button", name="Save changes").click()
    row = page.locator("tbody tr").filter(has_text="Kasba Peth tomorrow morning")
    expect(row).to_contain_text("Scheduled")
    row.get_by_role("button", name="Withdraw No water in Kasba Peth tomorrow morning").click()
    expect(row).to_contain_text("Withdrawn")
