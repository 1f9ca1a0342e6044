"""What the staff admin page's browser tests share: the places grievances are logged at, a citizen logging
one over HTTP (with a processed photo when asked), the local sign-in form, axe-core, and the overdue queue as
it will read once due_at has passed (the local stack has no clock to move)."""

from __future__ import annotations

import io
import json
import time
import uuid
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import Page, Route

from tests.e2e.conftest import REPO_ROOT, RunningStack

AXE = REPO_ROOT / "admin" / "node_modules" / "axe-core" / "axe.min.js"
KASBA = {"lat": 18.5195, "lng": 73.8553}  # W07, by Shaniwar Wada
KOTHRUD = {"lat": 18.5074, "lng": 73.8077}  # W09


def log_grievance(
    stack: RunningStack, where: dict[str, float], description: str, photo: bool = False
) -> dict[str, Any]:
    """A citizen logs a grievance over HTTP, with one photo (presigned POST, processed) when asked."""
    citizen = {"authorization": f"Bearer {stack.token(f'+9198{uuid.uuid4().int % 10**8:08d}')}"}
    body = {"category": "garbage_not_collected", "description": description, "address": "Shaniwar Peth", **where}
    with httpx.Client(base_url=stack.base_url, timeout=30) as http:
        created = http.post("/grievances", json=body, headers=citizen)
        assert created.status_code == 201, created.text
        gid = created.json()["id"]
        if photo:
            form = http.post(f"/grievances/{gid}/photos", json={"content_type": "image/jpeg"}, headers=citizen)
            assert form.status_code == 201, form.text
            image = io.BytesIO()
            Image.new("RGB", (800, 600), (200, 120, 40)).save(image, "JPEG")
            upload = http.post(
                form.json()["url"],
                data=form.json()["fields"],
                files={"file": ("photo.jpg", image.getvalue(), "image/jpeg")},
            )
            assert upload.status_code == 204, upload.text
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the photo processor runs on the upload, asynchronously
                photos = http.get(f"/grievances/{gid}", headers=citizen).json()["photos"]
                if photos and photos[0]["status"] == "ready":
                    break
                time.sleep(0.2)
            else:
                raise AssertionError("the photo was not processed in time")
        return dict(http.get(f"/grievances/{gid}", headers=citizen).json())


def sign_in(page: Page, stack: RunningStack, identity: str, ward: str | None = None) -> None:
    page.goto(f"{stack.base_url}/admin/")
    page.get_by_label("Identity").select_option(identity)
    if ward is not None:
        page.get_by_label("Ward").select_option(ward)
    page.get_by_role("button", name="Sign in").click()


def axe_serious(page: Page) -> list[dict[str, Any]]:
    """axe-core (from admin/node_modules, injected by the test, never shipped) on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def answer_overdue_as_after_due(page: Page) -> list[str]:
    """A grievance logged now is due in 48 h and the local stack has no clock to move: the page's overdue
    query is answered with the real queue marked overdue, as it reads once due_at has passed. Returns the
    URLs asked, filled as the page asks."""
    asked: list[str] = []

    def after_due(route: Route) -> None:
        asked.append(route.request.url)
        response = route.fetch(url=route.request.url.replace("overdue=true", "overdue=false"))
        body = response.json()
        for item in body["items"]:
            item["overdue"] = True
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/staff/grievances?*overdue=true*", after_due)
    return asked
