"""City updates over HTTP on the local stack (API.md 2.4; issue 18): a ward officer's water cut reaches the
ward's citizens and nobody else's, and a withdraw takes it off every list at once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

TokenFactory = Callable[..., str]
REPO_ROOT = Path(__file__).resolve().parents[2]


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def listed(stack: str, **query: str) -> list[str]:
    reply = httpx.get(f"{stack}/city-updates", params=query | {"limit": "100"})
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "public, max-age=60"
    return [u["id"] for u in reply.json()["items"]]


def test_a_ward_officers_water_cut_reaches_the_ward_and_is_withdrawn(stack: str, token: TokenFactory) -> None:
    officer = {"authorization": f"Bearer {token('+919800003707', ['ward_officer'], 'W07')}"}
    citizen = {"authorization": f"Bearer {token('+919800003001')}"}
    now = datetime.now(UTC)
    water_cut = {
        "category": "water_cut",
        "ward": "W07",
        "title": {"en": "No water in Kasba Peth this afternoon", "mr": "आज दुपारी कसबा पेठेत पाणीपुरवठा बंद"},
        "body": {"en": "Valve repairs near Kasba Ganpati.", "mr": "कसबा गणपतीजवळ झडप दुरुस्ती."},
        "starts_at": stamp(now - timedelta(minutes=5)),
        "ends_at": stamp(now + timedelta(hours=6)),
    }
    assert httpx.post(f"{stack}/city-updates", json=water_cut).status_code == 401
    refused = httpx.post(f"{stack}/city-updates", json=water_cut | {"ward": "W01"}, headers=officer)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    too_long = httpx.post(
        f"{stack}/city-updates", json=water_cut | {"ends_at": stamp(now + timedelta(days=120))}, headers=officer
    )
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["body.ends_at"]

    created = httpx.post(f"{stack}/city-updates", json=water_cut, headers=officer)
    assert created.status_code == 201
    update_id = created.json()["id"]
    assert created.headers["location"] == f"/city-updates/{update_id}"

    # the citizen's app reads the public list (a token sent anyway is not read)
    w07 = httpx.get(f"{stack}/city-updates", params={"ward": "W07"}, headers=citizen)
    assert update_id in [u["id"] for u in w07.json()["items"]]
    assert update_id not in listed(stack, ward="W01")
    assert httpx.get(f"{stack}/city-updates/{update_id}").json()["status"] == "active"
    revalidated = httpx.get(
        f"{stack}/city-updates", params={"ward": "W07"}, headers={"if-none-match": w07.headers["etag"]}
    )
    assert revalidated.status_code == 304

    withdrawn = httpx.post(
        f"{stack}/city-updates/{update_id}/withdraw", json={"reason": "Repairs postponed"}, headers=officer
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    for ward in ("W07", "W01"):
        assert update_id not in listed(stack, ward=ward)
    assert update_id not in listed(stack)
    assert httpx.get(f"{stack}/city-updates/{update_id}").status_code == 404
    changed = httpx.get(f"{stack}/city-updates", params={"ward": "W07"}, headers={"if-none-match": w07.headers["etag"]})
    assert changed.status_code == 200  # the withdraw changed the ETag at once
    staff = httpx.get(f"{stack}/staff/city-updates", params={"status": "withdrawn"}, headers=officer)
    assert update_id in [u["id"] for u in staff.json()["items"]]


def test_the_sample_updates_are_live_on_a_fresh_stack(stack: str) -> None:
    seeded = {u["id"] for u in json.loads((REPO_ROOT / "data/city_updates.json").read_text(encoding="utf-8"))}
    w07 = [u for u in httpx.get(f"{stack}/city-updates", params={"ward": "W07"}).json()["items"] if u["id"] in seeded]
    assert {(u["category"], u["ward"]) for u in w07} == {
        ("water_cut", "W07"),
        ("road_closure", "W07"),
        ("health_drive", None),
    }
    assert all("(sample)" in u["title"]["en"] and "(नमुना)" in u["title"]["mr"] for u in w07)
    w01 = [u for u in httpx.get(f"{stack}/city-updates", params={"ward": "W01"}).json()["items"] if u["id"] in seeded]
    assert [u["category"] for u in w01] == ["health_drive"]
