"""The staff admin page (issue 21) on a tablet and by keyboard alone: at 768×1024 and 1024×768 with touch, every
screen an admin can open fits the width (no sideways scrolling of the page; a wide table scrolls inside its own
wrapper) with its navigation in view; and with the keyboard only, a person signs in, moves through the
navigation, opens the desk's first grievance, sees where the focus is at every stop, meets the desk's filters in
the order they are drawn, and switches the language with Enter and Space. Screenshots: test-output/browser/."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, FloatRect, Locator, Page, ViewportSize, expect

from tests.browser.admin import KASBA, log_grievance, sign_in
from tests.e2e.conftest import RunningStack

TABLETS: dict[str, ViewportSize] = {
    "portrait": {"width": 768, "height": 1024},
    "landscape": {"width": 1024, "height": 768},
}

# Where the page is wider than the window: every element whose right edge passes the window's, unless a
# wrapper of its own scrolls sideways (a table's .table-wrap) and so keeps it from widening the page.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide};
}"""

WIDE = """() => document.querySelector("main").append(
  Object.assign(document.createElement("div"), {id: "wide", className: "wide", style: "width: 2000px; height: 1px"}))"""

# The focused element's own focus indicator, as computed: an outline or a box shadow while :focus-visible.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    cls: el.className,
    text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 60),
    href: el.getAttribute("href"),
    visible: el.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== "none",
    box: {x: box.x, y: box.y, width: box.width, height: box.height},
  };
}"""


@pytest.fixture(scope="module")
def queued(admin_stack: RunningStack) -> dict[str, Any]:
    """A grievance of this module's own, with a photo, so the desk has a first row whatever else the stack holds."""
    return log_grievance(
        admin_stack, KASBA, "Overflowing bin on Laxmi Road outside the cloth market, two days.", photo=True
    )


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    laptop: ViewportSize = {"width": 1280, "height": 900}
    viewport = TABLETS[request.param] if hasattr(request, "param") else laptop
    opened = browser.new_context(viewport=viewport, has_touch=hasattr(request, "param"), is_mobile=False)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    assert errors == [], errors


def in_reading_order(boxes: list[FloatRect]) -> bool:
    """Each box after the one before as a person reads: to its right on the same row, or on a row below."""
    for a, b in pairwise(boxes):
        same_row = b["y"] < a["y"] + a["height"] and a["y"] < b["y"] + b["height"]
        if not ((same_row and b["x"] > a["x"]) or (not same_row and b["y"] >= a["y"] + a["height"] - 1)):
            return False
    return True


def test_reading_order_is_left_to_right_then_down() -> None:
    def box(x: float, y: float) -> FloatRect:
        return {"x": x, "y": y, "width": 100.0, "height": 40.0}

    assert in_reading_order([box(0, 0), box(120, 0), box(0, 60), box(120, 55)])
    assert not in_reading_order([box(120, 0), box(0, 0)])  # leftwards on one row
    assert not in_reading_order([box(0, 60), box(120, 0)])  # up a row


def fits(page: Page, screen: str) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= found["innerWidth"], (screen, found)


def nav_in_view(page: Page) -> None:
    """Every link of the navigation is on screen (within the window's width) and can be tapped."""
    nav = page.get_by_role("navigation")
    expect(nav).to_be_visible()
    width = page.evaluate("window.innerWidth")
    links = nav.get_by_role("link").all()
    assert len(links) == 8  # an admin's: desk, map, payments, surveys, scorecard, updates, Open311, reference
    for link in links:
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width, (link.inner_text(), box, width)
        assert box["height"] >= 24, (link.inner_text(), box)  # WCAG 2.5.8: a target of 24 px at least


@pytest.mark.parametrize("context", list(TABLETS), indirect=True)
def test_every_screen_fits_a_tablet_with_the_navigation_in_view(
    page: Page, context: BrowserContext, admin_stack: RunningStack, queued: dict[str, Any], output_dir: Path
) -> None:
    viewport = page.viewport_size
    assert viewport is not None
    size = f"{viewport['width']}x{viewport['height']}"
    sign_in(page, admin_stack, "admin")
    assert page.evaluate("navigator.maxTouchPoints > 0 && 'ontouchstart' in window")  # a touch screen
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")  # so style.css gives the nav taller targets
    heading = page.get_by_role("heading", level=1)

    def shown(screen: str, ready: Locator) -> None:
        expect(ready).to_be_visible()
        nav_in_view(page)
        fits(page, screen)
        page.screenshot(path=str(output_dir / f"admin-tablet-{size}-{screen}.png"), full_page=True)

    expect(heading).to_have_text("Grievance desk")
    shown("desk", page.locator("tbody tr").first)
    # the filters wrap onto more rows here; the order they are reached in (the DOM's: no tabindex) still reads
    controls = page.locator("form.filters").locator("select, button").all()
    assert len(controls) == 6
    assert all(c.get_attribute("tabindex") is None for c in controls)
    assert in_reading_order([b for b in (c.bounding_box() for c in controls) if b is not None])
    # the measure can fail: a 2,000-pixel-wide banner outside any scrolling wrapper makes the page scroll
    page.evaluate(WIDE)
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] > found["innerWidth"]
    assert any(w.startswith("div.wide ") for w in found["wide"]), found
    page.evaluate("document.getElementById('wide').remove()")
    fits(page, "desk")
    page.get_by_role("link", name=f"Open grievance {queued['id']}").tap()
    expect(heading).to_contain_text(queued["id"])
    shown("grievance", page.get_by_role("heading", name="Actions"))

    nav = page.get_by_role("navigation")
    for link, screen, ready in (
        ("Map", "map", page.locator("#map path.leaflet-interactive").first),
        ("Payments", "payments", page.get_by_role("region", name="Collections").locator("tbody tr").nth(14)),
        ("Surveys", "surveys", page.locator("tbody tr a").first),
    ):
        nav.get_by_role("link", name=link).tap()
        shown(screen, ready)
    page.locator("tbody tr a").first.tap()
    shown("survey-results", page.locator("section.question").first)
    for link, screen, ready in (
        ("Scorecard", "scorecard", page.locator(".scorecard-trend tbody tr").nth(11)),
        ("City updates", "updates", page.get_by_role("button", name="Publish")),
        ("Reference data", "reference", page.locator("tbody tr").first),
        ("Open311 keys", "open311", page.get_by_role("button", name="Issue a key")),
    ):
        nav.get_by_role("link", name=link).tap()
        expect(nav.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
        shown(screen, ready)

    # Marathi labels run longer: the desk still fits
    page.get_by_role("button", name="Show labels in Marathi").tap()
    nav.get_by_role("link", name="तक्रार कक्ष").tap()
    expect(heading).to_have_text("तक्रार कक्ष")
    shown("desk-marathi", page.locator("tbody tr").first)


def tab(page: Page, back: bool = False) -> dict[str, Any]:
    page.keyboard.press("Shift+Tab" if back else "Tab")
    focused = page.evaluate(FOCUS)
    assert focused is not None
    return dict(focused)


def shows_focus(stop: dict[str, Any]) -> None:
    assert stop["visible"], stop
    assert stop["outline"] or stop["shadow"], stop


def test_keyboard_only_sign_in_navigation_desk_and_language(
    page: Page, admin_stack: RunningStack, queued: dict[str, Any], output_dir: Path
) -> None:
    page.goto(f"{admin_stack.base_url}/admin/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Staff sign-in")
    expect(heading).to_be_focused()

    # sign in: the identity by typing its name into the list, the number typed, the button by Enter
    stop = tab(page)
    assert stop["id"] == "signin-identity"
    shows_focus(stop)
    page.keyboard.type("Admin")
    expect(page.get_by_label("Identity")).to_have_value("admin")
    stop = tab(page)
    assert stop["id"] == "signin-phone"
    shows_focus(stop)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("+919700000003")
    stop = tab(page)
    assert (stop["tag"], stop["text"]) == ("button", "Sign in")  # the hidden ward and office are skipped
    shows_focus(stop)
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Grievance desk")
    expect(heading).to_be_focused()  # the new screen's heading, announced
    expect(page.locator("tbody tr").first).to_be_visible()
    assert not page.evaluate("matchMedia('(pointer: coarse)').matches")  # a laptop's mouse

    # back up to the skip link, then forward through the header in the order it is drawn
    for _ in range(20):
        if tab(page, back=True)["text"] == "Skip to content":
            break
    else:
        raise AssertionError("Shift+Tab never reached the skip link")
    header = [tab(page) for _ in range(10)]
    names = [s["text"] for s in header]
    assert names == [
        "Grievance desk",
        "Map",
        "Payments",
        "Surveys",
        "Scorecard",
        "City updates",
        "Open311 keys",
        "Reference data",
        "Sign out",
        "Show labels in Marathi",
    ]
    for stop in header:
        shows_focus(stop)
    assert in_reading_order([s["box"] for s in header])

    # through the navigation: Shift+Tab back to Map, Enter opens it; then to the desk again the same way
    for _ in range(8):
        stop = tab(page, back=True)
    assert stop["text"] == "Map"
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Wards and open grievances")
    expect(heading).to_be_focused()
    for _ in range(10):
        if tab(page, back=True)["text"] == "Grievance desk":
            break
    else:
        raise AssertionError("Shift+Tab never reached the desk link")
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Grievance desk")
    expect(page.locator("tbody tr").first).to_be_visible()
    expect(heading).to_be_focused()  # once the screen is drawn: Tab goes on from there

    # from the heading, Tab meets the filters in the order they are drawn: along a row, then the next row
    filters = [tab(page) for _ in range(6)]
    assert [s["id"] or s["text"] for s in filters] == [
        "f-status",
        "f-ward",
        "f-department",
        "f-category",
        "f-overdue",
        "Apply filters",
    ]
    for stop in filters:
        shows_focus(stop)
    assert in_reading_order([s["box"] for s in filters]), filters
    page.screenshot(path=str(output_dir / "admin-keyboard-desk-focus.png"))

    # on to the queue's first row, opened with Enter
    first = page.locator("tbody tr").first.get_attribute("data-id")
    for _ in range(10):
        stop = tab(page)
        if stop["tag"] == "a" and stop["href"] == f"#/grievance/{first}":
            break
    else:
        raise AssertionError("Tab never reached the first grievance")
    shows_focus(stop)
    page.keyboard.press("Enter")
    expect(heading).to_contain_text(str(first))
    expect(heading).to_be_focused()

    # the language: Enter switches to Marathi, Space back to English, the focus kept on the toggle throughout
    toggle = page.locator("button.lang")
    for _ in range(30):
        if tab(page, back=True)["text"] == "Show labels in Marathi":
            break
    else:
        raise AssertionError("Shift+Tab never reached the language toggle")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="तक्रार कक्ष")).to_be_visible()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_accessible_name("Show labels in English")
    assert page.evaluate("document.documentElement.lang") == "mr"
    shows_focus(page.evaluate(FOCUS))
    page.screenshot(path=str(output_dir / "admin-keyboard-marathi.png"))
    page.keyboard.press("Space")
    expect(page.get_by_role("link", name="Grievance desk")).to_be_visible()
    expect(toggle).to_be_focused()
    assert page.evaluate("document.documentElement.lang") == "en"

    # a photo by keyboard: Enter on its thumbnail opens it full size with Close focused; Escape closes it and
    # the focus is back on the thumbnail
    if first != queued["id"]:  # another module's grievance came first in the queue: this one has the photo
        page.goto(f"{admin_stack.base_url}/admin/#/grievance/{queued['id']}")
        expect(heading).to_be_focused()
    expect(heading).to_contain_text(queued["id"])
    for _ in range(60):
        stop = tab(page)
        if stop["cls"] == "thumb":
            break
    else:
        raise AssertionError("Tab never reached the photo's thumbnail")
    shows_focus(stop)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("img")).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Photos 1")).to_be_focused()
