"""The lookup service over HTTP on the local stack with the seed data, as the app and the admin
page use it."""

from __future__ import annotations

from collections.abc import Callable

import httpx

TokenFactory = Callable[..., str]
FACILITY = {
    "category": "ev_charging",
    "name": {"en": "EV charger, Kasba Peth (test)", "mr": "ईव्ही चार्जर, कसबा पेठ (चाचणी)"},
    "address": {"en": "Kasba Peth, Pune", "mr": "कसबा पेठ, पुणे"},
    "ward": "W07",
    "lat": 18.5199,
    "lng": 73.8561,
    "phone": None,
    "hours": None,
    "open_24x7": True,
    "website": None,
}


def test_the_finder_answers_nearest_first_and_revalidates(stack: str) -> None:
    query = {"lat": 18.5196, "lng": 73.8553, "radius_m": 2000, "limit": 5}
    first = httpx.get(f"{stack}/facilities", params=query)
    assert first.status_code == 200
    items = first.json()["items"]
    assert len(items) == 5
    assert [f["distance_m"] for f in items] == sorted(f["distance_m"] for f in items)
    again = httpx.get(f"{stack}/facilities", params=query, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]


def test_an_admin_change_shows_at_once_and_needs_a_token(stack: str, token: TokenFactory) -> None:
    query = {"lat": 18.5199, "lng": 73.8561, "radius_m": 30, "category": "ev_charging"}
    before = httpx.get(f"{stack}/facilities", params=query)
    unauthenticated = httpx.post(f"{stack}/facilities", json=FACILITY)
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/problem+json"
    citizen = httpx.post(
        f"{stack}/facilities", json=FACILITY, headers={"authorization": f"Bearer {token('+919800002001')}"}
    )
    assert citizen.status_code == 403
    admin = {"authorization": f"Bearer {token('+919800002900', ['admin'])}"}
    created = httpx.post(f"{stack}/facilities", json=FACILITY, headers=admin)
    assert created.status_code == 201
    after = httpx.get(f"{stack}/facilities", params=query, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200  # the old ETag no longer matches
    assert created.json()["id"] in [f["id"] for f in after.json()["items"]]
    assert httpx.delete(f"{stack}{created.headers['location']}", headers=admin).status_code == 204
