"""The staff admin page's proof of fix and moderation (issues 20 and 21) in Chromium against the browser tier's
local stack: staff resolve a grievance with a photo of the fix (uploaded through the page's file input, a
presigned POST to S3 and the real photo processor) and see the after photo; a duplicate naming an unknown
grievance is the API's 422 in words with nothing changed; a rectangle dragged on a citizen's photo is redacted
in the served image; the keyboard way (a typed rectangle), hiding a photo and editing the description show in
the timeline and the moderation log. axe-core on each screen; screenshots in test-output/browser/."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.browser.admin import KASBA, answer_overdue_as_after_due, axe_serious, log_grievance, sign_in
from tests.e2e.conftest import RunningStack

PROCESSED = 60_000  # ms: the photo processor runs on the upload, asynchronously (the page waits for it)


def staff_headers(stack: RunningStack) -> dict[str, str]:
    return {"authorization": f"Bearer {stack.token(f'+9197{uuid.uuid4().int % 10**8:08d}', ['staff'])}"}


def staff_view(stack: RunningStack, gid: str) -> dict[str, Any]:
    answer = httpx.get(f"{stack.base_url}/grievances/{gid}", headers=staff_headers(stack), timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def in_progress(stack: RunningStack, where: dict[str, float], description: str, photo: bool = False) -> str:
    """A citizen's grievance (with a processed photo when asked), assigned and started by staff over HTTP."""
    gid = str(log_grievance(stack, where, description, photo=photo)["id"])
    for body in ({"status": "assigned", "assignee": "JE Solid Waste, Kasba"}, {"status": "in_progress"}):
        moved = httpx.patch(
            f"{stack.base_url}/staff/grievances/{gid}", json=body, headers=staff_headers(stack), timeout=30
        )
        assert moved.status_code == 200, moved.text
    return gid


def image_at(url: str) -> Image.Image:
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, answer.status_code
    return Image.open(io.BytesIO(answer.content)).convert("RGB")


def open_grievance(page: Page, stack: RunningStack, gid: str) -> None:
    page.goto(f"{stack.base_url}/admin/#/grievance/{gid}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(gid)


def test_staff_filter_to_overdue_and_resolve_with_a_photo_of_the_fix(
    page: Page, admin_stack: RunningStack, output_dir: Path, tmp_path: Path
) -> None:
    gid = in_progress(admin_stack, KASBA, "Garbage spilling out of the Kasba Peth bin for four days now.")
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()

    # As in test_admin_desk: the overdue query answered with the real queue as it reads once due_at has passed.
    answer_overdue_as_after_due(page)
    page.get_by_label("Overdue").select_option("true")
    page.get_by_role("button", name="Apply filters").click()
    row = page.locator(f'tr.overdue[data-id="{gid}"]')
    expect(page.locator("tr.overdue").first).to_be_visible()
    more = page.get_by_role("button", name="Load more")
    while row.count() == 0 and more.is_visible():  # due last of the open queue: on a later page once it is long
        more.click()
        page.wait_for_load_state("networkidle")
    expect(row).to_be_visible()
    page.get_by_role("link", name=f"Open grievance {gid}").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("In progress")
    expect(page.get_by_text("No photo of the fix yet.")).to_be_visible()

    fix = tmp_path / "fix.jpg"  # a real JPEG: a cleaned street corner
    picture = Image.new("RGB", (640, 480), (90, 140, 70))
    ImageDraw.Draw(picture).rectangle((200, 150, 440, 330), fill=(180, 180, 170))
    picture.save(fix, "JPEG", quality=90)
    page.get_by_label("Photo of the fix (JPEG or PNG, at most 5 MB)").set_input_files(fix)
    page.locator("#resolve-note").fill("Bin emptied and the spot washed; photo taken after the evening round.")
    page.locator("#act-resolve").get_by_role("button", name="Resolve").click()
    expect(heading).to_contain_text("Resolved", timeout=PROCESSED)
    expect(page.locator("ol.timeline")).to_contain_text("In progress → Resolved")
    expect(page.locator(".facts")).to_contain_text("Fixed (photo of the fix)")
    after = page.get_by_role("button", name="Photo of the fix 1")
    expect(after).to_be_visible()
    page.screenshot(path=str(output_dir / "admin-resolved-with-photo.png"), full_page=True)
    assert axe_serious(page) == []
    after.click()  # full size in a dialog: the processed copy of the uploaded JPEG
    full = page.get_by_role("dialog").get_by_role("img")
    page.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=full.element_handle())
    page.get_by_role("dialog").get_by_role("button", name="Close").click()

    stored = staff_view(admin_stack, gid)
    assert stored["status"] == "resolved"
    assert stored["resolution"] == {"reason": "fixed", "duplicate_of": None}
    assert [(p["kind"], p["status"], p["width"], p["height"]) for p in stored["resolution_photos"]] == [
        ("resolution", "ready", 640, 480)
    ]
    served = image_at(stored["resolution_photos"][0]["url"])
    assert served.getpixel((320, 240))[0] > 150  # the uploaded picture itself, its light middle
    assert served.getpixel((20, 20))[1] > served.getpixel((20, 20))[0]  # and its green edge


def test_a_duplicate_of_an_unknown_grievance_is_refused_in_words_and_nothing_changes(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    gid = in_progress(admin_stack, KASBA, "Overflowing bin at the Kasba Ganpati corner since the weekend.")
    before = staff_view(admin_stack, gid)
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    open_grievance(page, admin_stack, gid)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("In progress")

    page.get_by_label("Resolved without a photo because").select_option("duplicate")
    page.get_by_label("Duplicate of (grievance id)").fill("GRV-2601-ZZZZZZ")
    page.locator("#resolve-note").fill("Same bin as the earlier complaint from this lane.")
    page.locator("#act-resolve").get_by_role("button", name="Resolve").click()
    expect(
        page.get_by_role("alert").filter(has_text="Duplicate of (grievance id): no grievance with that id")
    ).to_be_visible()
    expect(heading).to_contain_text("In progress")
    page.screenshot(path=str(output_dir / "admin-resolve-unknown-duplicate.png"), full_page=True)

    after = staff_view(admin_stack, gid)
    assert after["status"] == "in_progress"
    assert after["resolution"] is None
    assert after["timeline"] == before["timeline"]
    assert after["updated_at"] == before["updated_at"]


def test_staff_redact_a_rectangle_dragged_on_the_photo(page: Page, admin_stack: RunningStack, output_dir: Path) -> None:
    gid = in_progress(admin_stack, KASBA, "Garbage dumped by the wall; a passer-by's face is in the photo.", photo=True)
    photo = staff_view(admin_stack, gid)["photos"][0]
    assert (photo["width"], photo["height"], photo["redacted"]) == (800, 600, False)
    original = image_at(photo["url"])
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    open_grievance(page, admin_stack, gid)

    page.get_by_role("button", name="Moderate photo 1").click()
    expect(page.get_by_role("heading", name="Moderate photo 1")).to_be_focused()
    stage = page.get_by_role("group", name="Photo to mark 1")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 800", arg=stage.get_by_role("img").element_handle()
    )
    assert axe_serious(page) == []
    overlay = page.get_by_test_id("redact-overlay")
    overlay.scroll_into_view_if_needed()  # the mouse works in the viewport's coordinates
    box = overlay.bounding_box()
    assert box is not None
    # drag from a quarter to a half of the photo as shown: (200, 150) to (400, 300) in the photo's pixels
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=4)
    page.mouse.up()
    expect(page.locator("ol.rects li")).to_have_count(1)
    expect(page.locator("ol.rects li")).to_contain_text("Rectangle 1: x ")
    expect(page.locator(".stage .rect")).to_have_count(1)
    page.screenshot(path=str(output_dir / "admin-redact-drawn.png"), full_page=True)
    page.locator("#mod-redact").get_by_label("Reason (staff only, at least 10 characters)").fill(
        "A passer-by's face is recognisable."
    )
    page.locator("#mod-redact").get_by_role("button", name="Redact").click()
    expect(page.locator("ol.timeline")).to_contain_text("photo redacted")
    expect(page.locator("ul.thumbs").first).to_contain_text("Redacted")
    page.screenshot(path=str(output_dir / "admin-redacted.png"), full_page=True)

    stored = staff_view(admin_stack, gid)
    [logged] = stored["moderation"]
    assert (logged["action"], logged["photo_id"], logged["reason"]) == (
        "photo_redacted",
        photo["id"],
        "A passer-by's face is recognisable.",
    )
    [r] = logged["rectangles"]
    assert all(
        abs(got - want) <= 4
        for got, want in zip((r["x"], r["y"], r["width"], r["height"]), (200, 150, 200, 150), strict=True)
    )
    now = stored["photos"][0]
    assert (now["id"], now["redacted"], now["hidden"]) == (photo["id"], True, False)
    served = image_at(now["url"])
    middle = (r["x"] + r["width"] // 2, r["y"] + r["height"] // 2)
    assert max(served.getpixel(middle)) < 30  # filled black
    assert min(original.getpixel(middle)) > 30  # where the photo was orange
    outside = (700, 500)
    assert all(abs(a - b) < 20 for a, b in zip(served.getpixel(outside), original.getpixel(outside), strict=True))
    assert httpx.get(photo["url"], timeout=30).status_code == 404  # the unredacted copy is gone


def test_keyboard_rectangle_hide_and_description_edit_show_in_the_timeline(
    page: Page, admin_stack: RunningStack, output_dir: Path
) -> None:
    gid = in_progress(admin_stack, KASBA, "Garbage heap near the Kasba Peth school gate, smells badly.", photo=True)
    sign_in(page, admin_stack, "staff")
    expect(page.get_by_role("heading", name="Grievance desk")).to_be_visible()
    open_grievance(page, admin_stack, gid)
    page.get_by_role("button", name="Moderate photo 1").click()

    # typed, not drawn: a rectangle reaching past the 800 × 600 photo is the API's 422, named in words
    page.get_by_label("Left (px)").fill("700")
    page.get_by_label("Top (px)").fill("500")
    page.get_by_label("Width (px)").fill("200")
    page.get_by_label("Height (px)").fill("50")
    page.get_by_role("button", name="Add rectangle").click()
    expect(page.locator("ol.rects li")).to_contain_text("Rectangle 1: x 700, y 500, 200 × 50 px")
    page.locator("#mod-redact-reason").fill("A car's number plate is readable.")
    page.locator("#mod-redact").get_by_role("button", name="Redact").click()
    expect(
        page.get_by_role("alert").filter(has_text="Rectangle 1: must lie inside the image (800 × 600 pixels)")
    ).to_be_visible()
    assert staff_view(admin_stack, gid)["moderation"] == []

    page.locator("#mod-hide-reason").fill("The photo shows a child's face clearly.")
    page.locator("#mod-hide").get_by_role("button", name="Hide photo").click()
    expect(page.locator("ol.timeline")).to_contain_text("photo hidden")
    expect(page.locator("ul.thumbs").first).to_contain_text("Hidden")
    expect(page.get_by_role("button", name="Moderate photo 1")).to_have_count(0)  # a hidden photo is done with

    page.get_by_label("Description", exact=True).fill("Garbage heap near the school gate, smells badly.")
    page.locator("#mod-description-reason").fill("Removed the school's name at the parents' request.")
    page.get_by_role("button", name="Save description").click()
    expect(page.locator("ol.timeline")).to_contain_text("description edited")
    expect(page.locator("p.description")).to_have_text("Garbage heap near the school gate, smells badly.")
    log = page.locator(".mod-log")
    expect(log).to_contain_text("Before the edit: Garbage heap near the Kasba Peth school gate, smells badly.")
    page.screenshot(path=str(output_dir / "admin-moderation.png"), full_page=True)
    assert axe_serious(page) == []

    stored = staff_view(admin_stack, gid)
    assert [m["action"] for m in stored["moderation"]] == ["photo_hidden", "description_edited"]
    assert stored["photos"][0]["hidden"] is True
    assert stored["description"] == "Garbage heap near the school gate, smells badly."
    assert stored["status"] == "in_progress"
