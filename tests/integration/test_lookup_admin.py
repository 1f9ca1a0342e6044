"""Admin writes of reference data: roles, validation, If-Match, and changes visible at once."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.harness import ADMIN, CITIZEN, STAFF, Api, Caller

FACILITY: dict[str, Any] = {
    "category": "public_toilet",
    "name": {"en": "Public toilet, Shaniwar Wada (test)", "mr": "सार्वजनिक शौचालय, शनिवारवाडा (चाचणी)"},
    "address": {"en": "Shaniwar Peth, Pune", "mr": "शनिवार पेठ, पुणे"},
    "ward": "W07",
    "lat": 18.5195,
    "lng": 73.8553,
    "phone": None,
    "hours": {"en": "06:00–22:00", "mr": "०६:००–२२:००"},
    "open_24x7": False,
    "website": None,
}


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


def facility_count(api: Api) -> int:
    total, cursor = 0, None
    while True:
        page = api.get("/facilities", query={"limit": 100} | ({"cursor": cursor} if cursor else {})).json()
        total += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return total


def test_admin_creates_reads_replaces_and_deletes_a_facility(api: Api) -> None:
    list_etag = api.get("/facilities", query={"lat": 18.5195, "lng": 73.8553, "radius_m": 50}).headers["etag"]
    created = api.request("POST", "/facilities", json_body=FACILITY, caller=ADMIN)
    assert created.status == 201
    facility = created.json()
    assert created.headers["location"] == f"/facilities/{facility['id']}"
    assert facility["distance_m"] is None
    etag = created.headers["etag"]
    assert api.get(f"/facilities/{facility['id']}").headers["etag"] == etag

    nearby = api.get("/facilities", query={"lat": 18.5195, "lng": 73.8553, "radius_m": 50})
    assert nearby.headers["etag"] != list_etag  # the change shows at once
    assert facility["id"] in [f["id"] for f in nearby.json()["items"]]

    stale = api.request(
        "PUT",
        f"/facilities/{facility['id']}",
        json_body=FACILITY | {"open_24x7": True},
        headers={"if-match": '"0"'},
        caller=ADMIN,
    )
    assert stale.status == 412
    assert api.get(f"/facilities/{facility['id']}").json()["open_24x7"] is False

    replaced = api.request(
        "PUT",
        f"/facilities/{facility['id']}",
        json_body=FACILITY | {"open_24x7": True},
        headers={"if-match": etag},
        caller=ADMIN,
    )
    assert replaced.status == 200
    assert replaced.json()["open_24x7"] is True
    assert replaced.headers["etag"] != etag

    assert (
        api.request("DELETE", f"/facilities/{facility['id']}", headers={"if-match": etag}, caller=ADMIN).status == 412
    )
    assert api.request("DELETE", f"/facilities/{facility['id']}", caller=ADMIN).status == 204
    assert api.get(f"/facilities/{facility['id']}").status == 404
    assert api.request("DELETE", f"/facilities/{facility['id']}", caller=ADMIN).status == 404


@pytest.mark.parametrize("caller", [CITIZEN, STAFF, Caller("+919800000300", ("ward_officer",), "W07")])
def test_only_admins_write_reference_data(api: Api, caller: Caller) -> None:
    before = facility_count(api)
    reply = api.request("POST", "/facilities", json_body=FACILITY, caller=caller)
    assert reply.status == 403
    assert reply.json()["type"] == "https://pmc.example/problems/forbidden"
    assert facility_count(api) == before


def bad(field: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(FACILITY)
    target = body
    *parents, leaf = field.split(".")
    for parent in parents:
        target = target[parent]
    target[leaf] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (bad("lat", 18.9), "body.lat"),
        (bad("lng", 73.0), "body.lng"),
        (bad("lat", "18.5"), "body.lat"),
        (bad("category", "zoo"), "body.category"),
        (bad("ward", "W16"), "body.ward"),
        (bad("name.mr", ""), "body.name.mr"),
        (bad("name.en", "x"), "body.name.en"),
        (bad("phone", "12345"), "body.phone"),
        (bad("website", "http://insecure.example"), "body.website"),
        (bad("open_24x7", "yes"), "body.open_24x7"),
        (FACILITY | {"id": "FAC-00000000"}, "body.id"),
        (FACILITY | {"updated_at": "2026-01-01T00:00:00Z"}, "body.updated_at"),
        (FACILITY | {"distance_m": 3}, "body.distance_m"),
        ({k: v for k, v in FACILITY.items() if k != "name"}, "body.name"),
    ],
)
def test_invalid_facility_bodies_are_422_and_change_nothing(api: Api, body: dict[str, Any], field: str) -> None:
    before = facility_count(api)
    reply = api.request("POST", "/facilities", json_body=body, caller=ADMIN)
    assert reply.status == 422, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in reply.json()["errors"]]
    assert facility_count(api) == before


def test_malformed_json_is_400_and_changes_nothing(api: Api) -> None:
    before = facility_count(api)
    reply = api.request(
        "POST",
        "/facilities",
        body=b'{"category": "garden",',
        headers={"content-type": "application/json"},
        caller=ADMIN,
    )
    assert reply.status == 400
    assert reply.json()["type"] == "https://pmc.example/problems/bad-request"
    assert facility_count(api) == before


def test_replacing_an_unknown_facility_is_404_not_an_upsert(api: Api) -> None:
    assert api.request("PUT", "/facilities/FAC-ZZZZZZZZ", json_body=FACILITY, caller=ADMIN).status == 404
    assert api.get("/facilities/FAC-ZZZZZZZZ").status == 404


def test_offices_contacts_and_whos_who_follow_the_same_rules(api: Api) -> None:
    office = {
        "type": "cfc",
        "ward": "W07",
        "name": {"en": "Test CFC", "mr": "चाचणी नागरी सुविधा केंद्र"},
        "address": {"en": "Kasba Peth, Pune", "mr": "कसबा पेठ, पुणे"},
        "lat": 18.52,
        "lng": 73.856,
        "services": [{"en": "Property tax", "mr": "मिळकत कर"}],
    }
    assert api.request("POST", "/offices", json_body=office | {"type": "head_office"}, caller=ADMIN).status == 422
    assert api.request("POST", "/offices", json_body=office | {"ward": None}, caller=ADMIN).status == 422
    created = api.request("POST", "/offices", json_body=office, caller=ADMIN)
    assert created.status == 201
    office_id = created.json()["id"]
    assert created.json()["phone"] is None

    who = {
        "name": {"en": "C. D. Joshi (sample)", "mr": "क. ड. जोशी (नमुना)"},
        "designation": {"en": "Ward engineer", "mr": "प्रभाग अभियंता"},
        "level": "officer",
        "department_id": "no_such_department",
        "ward": "W07",
        "office_id": office_id,
        "sort": 900,
    }
    missing = api.request("POST", "/whos-who", json_body=who, caller=ADMIN)
    assert missing.status == 422
    assert missing.json()["errors"][0]["field"] == "body.department_id"
    made = api.request("POST", "/whos-who", json_body=who | {"department_id": None}, caller=ADMIN)
    assert made.status == 201
    assert made.json()["office_id"] == office_id

    contact = {
        "number": "1800-000-000",
        "name": {"en": "Test line", "mr": "चाचणी क्रमांक"},
        "category": "pmc",
        "scope": "city",
        "hours": None,
        "sample": True,
        "sort": 9999,
    }
    assert (
        api.request("POST", "/emergency-numbers", json_body=contact | {"scope": "galaxy"}, caller=ADMIN).status == 422
    )
    added = api.request("POST", "/emergency-numbers", json_body=contact, caller=ADMIN)
    assert added.status == 201
    assert api.get("/emergency-numbers").json()["items"][-1]["id"] == added.json()["id"]
