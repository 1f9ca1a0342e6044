"""The public ward scorecard over HTTP on the local stack (issue 20): no token, a grievance logged moves
its ward's figures at once (and its ETag), a current ETag answers 304, a future month or an unknown ward is
refused with problem+json."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import httpx
from PIL import Image

TokenFactory = Callable[..., str]
BODY = {
    "category": "pothole",
    "description": "A deep pothole in front of the Kasba Ganpati temple gate.",
    "lat": 18.5196,
    "lng": 73.8553,
}


def test_a_logged_grievance_shows_on_its_wards_public_scorecard(stack: str, token: TokenFactory) -> None:
    citizen = {"authorization": f"Bearer {token('+919800002001')}"}
    with httpx.Client(base_url=stack, timeout=30) as http:
        before = http.get("/scorecard/wards/W07")
        assert before.status_code == 200, before.text
        assert before.headers["cache-control"] == "public, max-age=60"
        month = before.json()["month"]
        roads = next(d for d in before.json()["departments"] if d["department"] == "roads")

        logged = http.post("/grievances", json=BODY, headers=citizen)
        assert logged.status_code == 201, logged.text
        assert logged.json()["ward"] == "W07"

        after = http.get("/scorecard/wards/W07", headers={"if-none-match": before.headers["etag"]})
        assert after.status_code == 200  # the data changed: so did the ETag
        assert after.headers["etag"] != before.headers["etag"]
        now = next(d for d in after.json()["departments"] if d["department"] == "roads")
        assert (now["received"], now["open"]) == (roads["received"] + 1, roads["open"] + 1)
        assert "+919800002001" not in after.text

        again = http.get("/scorecard/wards/W07", headers={"if-none-match": after.headers["etag"]})
        assert again.status_code == 304

        ranking = http.get("/scorecard/wards", params={"month": month}).json()["wards"]
        assert [w["rank"] for w in ranking] == list(range(1, 16))
        trend = http.get("/scorecard/wards/W07/trend").json()["months"]
        assert len(trend) == 12
        assert trend[-1]["month"] == month

        future = http.get("/scorecard/wards/W07", params={"month": "2999-01"})
        assert future.status_code == 422
        assert future.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in future.json()["errors"]] == ["query.month"]
        unknown = http.get("/scorecard/wards/W16")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"


def test_a_walk_in_grievance_resolved_with_a_photo_and_reopened_shows_on_the_scorecard(
    stack: str, token: TokenFactory
) -> None:
    """Issue 20's path: a CFC clerk files for a walk-in citizen, staff resolve it with a resolution photo,
    the citizen reopens it: the ward's scorecard counts the resolution and the reopen in this month."""
    clerk = {"authorization": f"Bearer {token('+919800002601', ['cfc_clerk'], None, 'OFF-15GFXMY5')}"}
    citizen = {"authorization": f"Bearer {token('+919800002003')}"}
    staff = {"authorization": f"Bearer {token('+919800002100', ['ward_officer'], 'W07')}"}
    with httpx.Client(base_url=stack, timeout=30) as http:

        def roads() -> dict[str, int]:
            departments = http.get("/scorecard/wards/W07").json()["departments"]
            return next(d for d in departments if d["department"] == "roads")

        before = roads()
        filed = http.post("/cfc/grievances", json={**BODY, "citizen_phone_number": "+919800002003"}, headers=clerk)
        assert filed.status_code == 201, filed.text
        gid = filed.json()["id"]
        for change in ({"status": "assigned", "assignee": "JE Roads, Kasba"}, {"status": "in_progress"}):
            assert http.patch(f"/staff/grievances/{gid}", json=change, headers=staff).status_code == 200

        upload = http.post(f"/staff/grievances/{gid}/photos", json={"content_type": "image/jpeg"}, headers=staff)
        assert upload.status_code == 201, upload.text
        form, picture = upload.json(), io.BytesIO()
        Image.new("RGB", (64, 48), (90, 90, 90)).save(picture, "JPEG")
        posted = httpx.post(
            form["url"], data=form["fields"], files={"file": ("fixed.jpg", picture.getvalue(), "image/jpeg")}
        )
        assert posted.status_code in (200, 204), posted.text
        deadline = time.monotonic() + 30
        resolved = http.patch(f"/staff/grievances/{gid}", json={"status": "resolved"}, headers=staff)
        while resolved.status_code == 422 and time.monotonic() < deadline:  # until the photo is processed
            time.sleep(0.2)
            resolved = http.patch(f"/staff/grievances/{gid}", json={"status": "resolved"}, headers=staff)
        assert resolved.status_code == 200, resolved.text

        reopened = http.post(
            f"/grievances/{gid}/reopen", json={"reason": "The pothole is back after rain."}, headers=citizen
        )
        assert reopened.status_code == 200, reopened.text
        after = roads()
        assert after["received"] == before["received"] + 1
        assert after["resolved"] == before["resolved"] + 1
        assert after["reopened_after_resolution"] == before["reopened_after_resolution"] + 1
        assert after["open"] == before["open"] + 1  # reopened: open again
