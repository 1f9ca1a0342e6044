"""The public ward scorecard over HTTP on the local stack (issue 20): no token, a grievance logged moves
its ward's figures at once (and its ETag), a current ETag answers 304, a future month or an unknown ward is
refused with problem+json."""

from __future__ import annotations

from collections.abc import Callable

import httpx

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
