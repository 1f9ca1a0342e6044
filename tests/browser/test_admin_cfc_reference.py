"""The admin page's CFC counter and reference data screens (issue 21) in Chromium against the browser tier's
local stack: a CFC clerk files for a walk-in citizen (a new phone number), sees the id and the filing in
today's list, and the citizen's account owns it; a clerk is refused the desk in words; an admin creates,
edits and deletes a facility and the public GET shows each change; a stale edit shows the 412 message; a 422
names the field. axe-core finds no serious violation. Screenshots: test-output/browser/."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.browser.admin import axe_serious, sign_in
from tests.e2e.conftest import RunningStack

KASBA_CFC = "OFF-15GFXMY5"  # the sign-in form's default CFC: "Citizen Facilitation Centre, Kasba Peth (sample)"
GRIEVANCE_ID = re.compile(r"^GRV-\d{4}-[0-9A-HJKMNP-TV-Z]{6}$")


def clerk_filings(stack: RunningStack) -> list[str]:
    """The ids the Kasba CFC filed today, over the API (a clerk of that CFC)."""
    clerk = {"authorization": f"Bearer {stack.token('+919700000004', ['cfc_clerk'], office=KASBA_CFC)}"}
    listed = httpx.get(f"{stack.base_url}/cfc/grievances?limit=100", headers=clerk, timeout=30)
    assert listed.status_code == 200, listed.text
    return [item["id"] for item in listed.json()["items"]]


def test_a_clerk_files_for_a_walk_in_citizen_who_owns_it(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    digits = f"9{uuid.uuid4().int % 10**9:09d}"  # a new walk-in: ten digits, as a clerk types them
    sign_in(page, admin_stack, "cfc_clerk")
    expect(page.get_by_role("heading", name="CFC counter: file a grievance for a walk-in citizen")).to_be_visible()
    nav = page.get_by_role("navigation")
    assert nav.get_by_role("link").all_inner_texts() == ["CFC counter"]  # nothing else for a clerk
    expect(page.get_by_text("Kasba Peth (sample)")).to_be_visible()  # the CFC the token names
    expect(page.locator("path.marker-picked")).to_be_visible()  # the ward office until the map is clicked
    expect(page.locator("#cfc-ward")).to_have_value("W07")

    # a bad phone number: the API's 422, named by the field's label; nothing is filed
    before = clerk_filings(admin_stack)
    page.get_by_label("Citizen's mobile number").fill("12345")
    page.get_by_label("Category").select_option("garbage_not_collected")
    page.get_by_label("Description").fill("Garbage not collected behind Kasba Ganpati for three days.")
    page.get_by_role("button", name="File the grievance").click()
    expect(page.get_by_role("alert")).to_contain_text("Citizen's mobile number:")
    expect(page.locator(".slip")).to_be_empty()
    assert clerk_filings(admin_stack) == before

    # a point on the ward map: the click places the grievance there
    box = page.locator(".map.pick").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    note = page.locator("#cfc-point")
    expect(note).to_contain_text("the point clicked on the map")
    lat, lng = (float(x) for x in re.findall(r"\d+\.\d+", note.inner_text()))
    page.get_by_label("Citizen's mobile number").fill(digits)
    page.get_by_label("Locality or address").fill("Kasba Peth")
    page.get_by_label("Landmark").fill("Behind the temple")
    page.get_by_role("button", name="File the grievance").click()
    filed = page.locator(".slip .grievance-id")
    expect(filed).to_have_text(GRIEVANCE_ID)
    gid = filed.inner_text()
    row = page.locator(f'tbody tr[data-id="{gid}"]')
    expect(row).to_contain_text(f"+91{digits}")
    expect(row).to_contain_text("Submitted")
    assert page.locator("tbody tr").first.get_attribute("data-id") == gid  # newest first
    page.screenshot(path=str(output_dir / "admin-cfc-counter.png"), full_page=True)
    assert axe_serious(page) == []

    # over the API: the walk-in's own account (the same number, signing in later) owns it, filed at this CFC
    citizen = {"authorization": f"Bearer {admin_stack.token(f'+91{digits}')}"}
    with httpx.Client(base_url=admin_stack.base_url, timeout=30) as http:
        mine = http.get("/me/grievances", headers=citizen)
        assert mine.status_code == 200, mine.text
        assert [(i["id"], i["relation"]) for i in mine.json()["items"]] == [(gid, "owner")]
        detail: dict[str, Any] = http.get(f"/grievances/{gid}", headers=citizen).json()
    assert detail["timeline"][0]["office"]["id"] == KASBA_CFC
    assert (detail["category"], detail["address"], detail["landmark"]) == (
        "garbage_not_collected",
        "Kasba Peth",
        "Behind the temple",
    )
    assert (round(detail["lat"], 5), round(detail["lng"], 5)) == (lat, lng)
    assert clerk_filings(admin_stack) == [gid, *before]


def test_a_clerk_cannot_open_the_desk_and_staff_cannot_file(page: Page, admin_stack: RunningStack) -> None:
    sign_in(page, admin_stack, "cfc_clerk")
    expect(page.get_by_role("heading", name="CFC counter: file a grievance for a walk-in citizen")).to_be_visible()
    for route in ("#/desk", "#/payments", "#/reference"):
        page.goto(f"{admin_stack.base_url}/admin/{route}")
        expect(page.get_by_role("alert")).to_contain_text("A CFC clerk can use only the CFC counter")
        expect(page.get_by_role("heading", name="Grievance desk")).to_have_count(0)
        expect(page.get_by_role("link", name="Grievance desk")).to_have_count(0)
    page.get_by_role("main").get_by_role("link", name="CFC counter").click()
    expect(page.get_by_role("heading", name="CFC counter: file a grievance for a walk-in citizen")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    expect(page.get_by_role("link", name="CFC counter")).to_have_count(0)
    expect(page.get_by_role("link", name="Reference data")).to_have_count(0)  # administrators only
    page.goto(f"{admin_stack.base_url}/admin/#/cfc")
    expect(page.get_by_role("alert")).to_contain_text("Only a CFC clerk files at the counter")
    page.goto(f"{admin_stack.base_url}/admin/#/reference")
    expect(page.get_by_role("alert")).to_contain_text("changed by administrators only")


def public_facility(stack: RunningStack, facility_id: str) -> httpx.Response:
    return httpx.get(f"{stack.base_url}/facilities/{facility_id}", timeout=30)


def facility_names(stack: RunningStack) -> list[str]:
    """Every facility's English name, over the public paged list."""
    names: list[str] = []
    cursor: str | None = None
    with httpx.Client(base_url=stack.base_url, timeout=30) as http:
        while True:
            page = http.get("/facilities", params={"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
            names += [f["name"]["en"] for f in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                return names


def test_an_admin_creates_edits_and_deletes_a_facility(page: Page, admin_stack: RunningStack, output_dir: Path) -> None:
    name = f"Test Garden {uuid.uuid4().hex[:6]}"
    sign_in(page, admin_stack, "admin")
    page.get_by_role("link", name="Reference data").click()
    expect(page.get_by_role("heading", name="Reference data")).to_be_visible()
    expect(page.get_by_role("group", name="New record: Facilities")).to_be_visible()
    page.locator("#rf-category").select_option("garden")
    page.get_by_label("Name (English)").fill(name)
    page.get_by_label("Name (Marathi)").fill("चाचणी उद्यान")
    page.get_by_label("Address (English)").fill("Near Shaniwar Wada (test address)")
    page.get_by_label("Address (Marathi)").fill("शनिवारवाड्याजवळ (चाचणी पत्ता)")
    page.locator("#rf-ward").select_option("W07")
    page.get_by_label("Latitude").fill("19.5")  # outside the Pune box: a 422 naming the field
    page.get_by_label("Longitude").fill("73.8553")
    page.get_by_label("Open 24x7").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text("Latitude:")
    expect(page.get_by_label("Latitude")).to_have_attribute("aria-invalid", "true")
    assert name not in facility_names(admin_stack)

    page.get_by_label("Latitude").fill("18.5195")
    page.get_by_role("button", name="Create").click()
    saved = page.get_by_role("status").filter(has_text="Saved.")
    expect(saved).to_have_text(re.compile(r"FAC-[0-9A-HJKMNP-TV-Z]{8}$"))
    facility_id = saved.inner_text().split()[-1]
    shown = public_facility(admin_stack, facility_id)
    assert shown.status_code == 200, shown.text
    assert (shown.json()["name"], shown.json()["ward"], shown.json()["open_24x7"]) == (
        {"en": name, "mr": "चाचणी उद्यान"},
        "W07",
        True,
    )
    page.screenshot(path=str(output_dir / "admin-reference.png"), full_page=True)
    assert axe_serious(page) == []

    # edit: a PUT with If-Match, in the form the create left open
    page.get_by_label("Name (English)").fill(f"{name} (renamed)")
    page.get_by_label("Open 24x7").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    edited = public_facility(admin_stack, facility_id).json()
    assert (edited["name"]["en"], edited["open_24x7"]) == (f"{name} (renamed)", False)

    # another admin replaces it meanwhile: this page's edit is stale, a 412 shown as words, nothing saved
    other = {"authorization": f"Bearer {admin_stack.token('+919700000103', ['admin'])}"}
    body = {k: v for k, v in edited.items() if k not in ("id", "updated_at", "distance_m")}
    elsewhere = httpx.put(
        f"{admin_stack.base_url}/facilities/{facility_id}",
        json={**body, "name": {"en": f"{name} (elsewhere)", "mr": "दुसरीकडे"}},
        headers=other,
        timeout=30,
    )
    assert elsewhere.status_code == 200, elsewhere.text
    page.get_by_label("Name (English)").fill(f"{name} (stale)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone changed this record after you opened it")
    page.screenshot(path=str(output_dir / "admin-reference-412.png"), full_page=True)
    assert public_facility(admin_stack, facility_id).json()["name"]["en"] == f"{name} (elsewhere)"

    # open it again from the list (gardens only) and delete it
    page.locator("#rf-filter").select_option("garden")
    row = page.locator(f'tbody tr[data-id="{facility_id}"]')
    expect(row).to_contain_text(f"{name} (elsewhere)")
    row.get_by_role("button", name=f"Edit {name} (elsewhere)").click()
    expect(page.get_by_label("Name (English)")).to_have_value(f"{name} (elsewhere)")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("group").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").filter(has_text="Deleted")).to_contain_text(facility_id)
    expect(row).to_have_count(0)
    assert public_facility(admin_stack, facility_id).status_code == 404


def test_reference_data_lists_each_kind_in_marathi_too(page: Page, admin_stack: RunningStack, output_dir: Path) -> None:
    sign_in(page, admin_stack, "admin")
    page.goto(f"{admin_stack.base_url}/admin/#/reference")
    kind = page.get_by_label("Kind of record")
    for value, legend in (
        ("offices", "New record: Offices"),
        ("emergency-numbers", "New record: Emergency numbers"),
        ("whos-who", "New record: Who's who"),
    ):
        kind.select_option(value)
        expect(page.get_by_role("group", name=legend)).to_be_visible()
        expect(page.locator("tbody tr").first).to_be_visible()
    expect(page.locator("tbody tr").first.locator("code")).to_have_text(re.compile(r"^WHO-"))
    assert axe_serious(page) == []
    page.get_by_role("button", name="Show labels in Marathi").click()
    expect(page.get_by_role("heading", name="संदर्भ माहिती")).to_be_visible()
    expect(page.get_by_role("group", name="नवी नोंद: कोण कोण")).to_be_visible()  # the kind shown is kept
    expect(page.locator("tbody tr").first).to_be_visible()
    page.screenshot(path=str(output_dir / "admin-reference-marathi.png"), full_page=True)
    page.get_by_role("button", name="Show labels in English").click()
