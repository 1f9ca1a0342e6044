"""Grievance routes through the template's routes and real v2 events: citizens, followers, staff."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmc_common.clock import FixedClock
from tests.harness import CITIZEN, OTHER_CITIZEN, STAFF, Api, Caller, fixed_clock

KASBA = {"lat": 18.5196, "lng": 73.8553}
GARBAGE = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    **KASBA,
    "address": "Kasba Peth",
    "landmark": "Behind the temple",
    "attributes": {"bin_type": "community"},
}
W07_OFFICER = Caller("+919800000307", ("ward_officer",), "W07")
W08_OFFICER = Caller("+919800000308", ("ward_officer",), "W08")
START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
# Proof of fix (issue 20): a move to resolved rests on resolution photos, or on a reason with a note
RESOLVED = {"status": "resolved", "resolution_reason": "no_fix_needed", "note": "Cleared; nothing left to fix."}


@pytest.fixture
def clock(local_aws: Any) -> Any:
    yield from fixed_clock("grievance", START)


def log(api: Api, body: dict[str, Any] | None = None, caller: Caller = CITIZEN) -> dict[str, Any]:
    reply = api.request("POST", "/grievances", json_body=body or GARBAGE, caller=caller)
    assert reply.status == 201, reply.body
    return reply.json()


def counts(ward: str = "W07") -> dict[str, int]:
    from grievance import store

    totals: dict[str, int] = {}
    for (w, _, status), n in store.counters(ward).by_key.items():
        if w == ward:
            totals[status] = totals.get(status, 0) + n
    return totals


def test_a_citizen_logs_a_grievance_with_server_set_fields(api: Api, clock: FixedClock) -> None:
    before = counts().get("submitted", 0)
    reply = api.request("POST", "/grievances", json_body=GARBAGE, caller=CITIZEN)
    assert reply.status == 201
    g = reply.json()
    assert reply.headers["location"] == f"/grievances/{g['id']}"
    assert g["id"].startswith("GRV-2606-")
    assert g["ward"] == "W07"
    assert g["department"] == "solid_waste_management"
    assert g["status"] == "submitted"
    assert g["due_at"] == "2026-06-12T05:12:09Z"  # 48 h SLA
    assert g["relation"] == "owner"
    assert g["staff"] is None
    assert g["timeline"] == [
        {
            "at": "2026-06-10T05:12:09Z",
            "type": "created",
            "actor": "citizen",
            "from_status": None,
            "to_status": "submitted",
            "note": None,
            "level": None,
            "rating": None,
            "category": None,
            "ward": None,
            "department": None,
            "office": None,
        }
    ]
    assert counts()["submitted"] == before + 1


def bad(**changes: Any) -> dict[str, Any]:
    return {**GARBAGE, **changes}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (bad(category="unicorns"), "body.category"),
        (bad(description="too short"), "body.description"),
        (bad(description="x" * 2001), "body.description"),
        (bad(lat=19.0760, lng=72.8777), "body"),  # Mumbai: outside PMC
        (bad(lat=91), "body.lat"),
        (bad(lat="18.5"), "body.lat"),
        (bad(status="resolved"), "body.status"),
        (bad(ward="W01"), "body.ward"),
        (bad(attributes={"bin_type": "golden"}), "body.attributes.bin_type"),
        (bad(attributes={"colour": "red"}), "body.attributes.colour"),
    ],
)
def test_bad_grievances_are_422_and_nothing_is_stored(
    api: Api, clock: FixedClock, body: dict[str, Any], field: str
) -> None:
    before = counts()
    mine = api.get("/me/grievances", caller=Caller("+919811111111")).json()["items"]
    reply = api.request("POST", "/grievances", json_body=body, caller=Caller("+919811111111"))
    assert reply.status == 422, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in reply.json()["errors"]]
    assert counts() == before
    assert api.get("/me/grievances", caller=Caller("+919811111111")).json()["items"] == mine


def test_outside_pmc_says_so(api: Api, clock: FixedClock) -> None:
    reply = api.request("POST", "/grievances", json_body=bad(lat=18.60, lng=73.65), caller=CITIZEN)
    assert reply.status == 422
    assert reply.json()["errors"][0]["message"] == "location is outside Pune Municipal Corporation limits"


def test_owner_follower_staff_see_it_and_another_citizen_gets_404(api: Api, clock: FixedClock) -> None:
    g = log(api)
    assert api.get(f"/grievances/{g['id']}", caller=OTHER_CITIZEN).status == 404
    assert api.get("/grievances/GRV-0000-000000", caller=CITIZEN).status == 404
    assert api.get("/grievances/not-an-id", caller=CITIZEN).status == 404
    followed = api.request("POST", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN)
    assert followed.json() == {"grievance_id": g["id"], "following": True, "followers_count": 1}
    again = api.request("POST", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN)
    assert again.json()["followers_count"] == 1  # idempotent
    as_follower = api.get(f"/grievances/{g['id']}", caller=OTHER_CITIZEN).json()
    assert as_follower["relation"] == "follower"
    assert as_follower["feedback"] is None
    assert as_follower["staff"] is None
    as_staff = api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).json()
    assert as_staff["relation"] == "staff"
    assert as_staff["staff"]["owner_phone_number"] == CITIZEN.phone_number
    assert api.get(f"/grievances/{g['id']}", caller=W08_OFFICER).status == 404
    assert api.request("POST", f"/grievances/{g['id']}/follow", caller=CITIZEN).json()["code"] == "is_owner"
    followed_list = api.get("/me/grievances", query={"relation": "follower"}, caller=OTHER_CITIZEN).json()["items"]
    assert g["id"] in [i["id"] for i in followed_list]
    assert api.request("DELETE", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN).status == 204
    assert api.request("DELETE", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN).status == 404
    assert api.get(f"/grievances/{g['id']}", caller=OTHER_CITIZEN).status == 404


def test_my_grievances_page_newest_first(api: Api, clock: FixedClock) -> None:
    me = Caller("+919822222222")
    made = []
    for _ in range(3):
        made.append(log(api, caller=me)["id"])
        clock.advance(timedelta(minutes=1))
    first = api.get("/me/grievances", query={"limit": 2}, caller=me).json()
    assert [i["id"] for i in first["items"]] == made[::-1][:2]
    second = api.get("/me/grievances", query={"limit": 2, "cursor": first["next_cursor"]}, caller=me).json()
    assert [i["id"] for i in second["items"]] == [made[0]]
    assert second["next_cursor"] is None
    stolen = api.get("/me/grievances", query={"limit": 2, "cursor": first["next_cursor"]}, caller=OTHER_CITIZEN)
    assert stolen.status == 400  # a cursor is bound to its caller


def test_the_staff_workflow_and_the_owner_closing_it(api: Api, clock: FixedClock) -> None:
    g = log(api)
    path = f"/staff/grievances/{g['id']}"
    assert (
        api.request("PATCH", path, json_body={"status": "in_progress"}, caller=W07_OFFICER).json()["code"]
        == "illegal_transition"
    )
    missing = api.request("PATCH", path, json_body={"status": "assigned"}, caller=W07_OFFICER)
    assert missing.status == 422
    assert missing.json()["errors"][0]["field"] == "body.assignee"
    assert api.request("PATCH", path, json_body={"status": "rejected"}, caller=W07_OFFICER).status == 422
    assert api.request("PATCH", path, json_body={}, caller=W07_OFFICER).status == 422
    assert api.request("PATCH", path, json_body={"escalation_level": 3}, caller=W07_OFFICER).status == 422
    assert (
        api.request("PATCH", path, json_body={"status": "assigned", "assignee": "JE Roads"}, caller=W08_OFFICER).status
        == 404
    )
    assert (
        api.request("PATCH", path, json_body={"status": "assigned", "assignee": "JE Roads"}, caller=CITIZEN).status
        == 403
    )
    assert api.get(f"/grievances/{g['id']}", caller=CITIZEN).json()["status"] == "submitted"

    assigned = api.request(
        "PATCH", path, json_body={"status": "assigned", "assignee": "JE Roads, Kasba"}, caller=W07_OFFICER
    )
    assert assigned.status == 200
    assert assigned.json()["staff"]["assignee"] == "JE Roads, Kasba"
    clock.advance(timedelta(hours=1))
    api.request("PATCH", path, json_body={"status": "in_progress", "note": "Crew sent"}, caller=W07_OFFICER)
    early = api.request("POST", f"/grievances/{g['id']}/feedback", json_body={"rating": 5}, caller=CITIZEN)
    assert early.status == 409
    assert early.json()["code"] == "not_resolved"
    resolved = api.request("PATCH", path, json_body=RESOLVED, caller=STAFF).json()
    assert resolved["resolved_at"] == "2026-06-10T06:12:09Z"

    assert api.request("POST", f"/grievances/{g['id']}/feedback", json_body={"rating": 5}, caller=STAFF).status == 403
    rated = api.request(
        "POST", f"/grievances/{g['id']}/feedback", json_body={"rating": 4, "comment": "Cleared."}, caller=CITIZEN
    )
    assert rated.status == 200
    closed = rated.json()
    assert closed["status"] == "closed"
    assert closed["feedback"]["rating"] == 4
    assert [e["type"] for e in closed["timeline"]][-2:] == ["feedback", "status_changed"]
    assert "assignee_changed" not in [e["type"] for e in closed["timeline"]]
    notes = [e["note"] for e in closed["timeline"] if e["type"] == "note"]
    assert notes == ["Crew sent", RESOLVED["note"]]


def test_reopen_within_seven_days_at_most_twice(api: Api, clock: FixedClock) -> None:
    g = log(api)
    path = f"/staff/grievances/{g['id']}"
    reason = {"reason": "Garbage is back the next day."}

    def resolve() -> None:
        api.request("PATCH", path, json_body={"status": "assigned", "assignee": "JE SWM"}, caller=STAFF)
        api.request("PATCH", path, json_body={"status": "in_progress"}, caller=STAFF)
        assert api.request("PATCH", path, json_body=RESOLVED, caller=STAFF).status == 200

    assert (
        api.request("POST", f"/grievances/{g['id']}/reopen", json_body=reason, caller=CITIZEN).json()["code"]
        == "not_resolved"
    )
    resolve()
    clock.advance(timedelta(days=2))
    reopened = api.request("POST", f"/grievances/{g['id']}/reopen", json_body=reason, caller=CITIZEN).json()
    assert reopened["status"] == "reopened"
    assert reopened["reopen_count"] == 1
    assert reopened["due_at"] == "2026-06-14T05:12:09Z"
    resolve()
    clock.advance(timedelta(days=8))
    late = api.request("POST", f"/grievances/{g['id']}/reopen", json_body=reason, caller=CITIZEN)
    assert late.status == 409
    assert late.json()["code"] == "reopen_window_passed"
    assert api.get(f"/grievances/{g['id']}", caller=CITIZEN).json()["status"] == "resolved"


def test_nearby_lists_open_ones_of_the_category_anonymised(api: Api, clock: FixedClock) -> None:
    here = {"lat": 18.5101, "lng": 73.8602}
    g = log(
        api, bad(**here, category="pothole", attributes=None, description="Deep pothole near the bus stop, dangerous.")
    )
    near = api.get("/grievances/nearby", query={**here, "category": "pothole"}, caller=OTHER_CITIZEN)
    assert near.status == 200
    items = near.json()["items"]
    assert [i["id"] for i in items] == [g["id"]]
    assert set(items[0]) == {"id", "category", "status", "created_at", "lat", "lng", "distance_m", "followers_count"}
    assert items[0]["distance_m"] == 0
    away = api.get(
        "/grievances/nearby", query={"lat": 18.5125, "lng": 73.8602, "category": "pothole"}, caller=OTHER_CITIZEN
    )
    assert away.json()["items"] == []  # about 270 m north
    assert api.get("/grievances/nearby", query={**here, "category": "zoo"}, caller=CITIZEN).status == 422
    assert (
        api.get("/grievances/nearby", query={"lat": 91, "lng": 73.8, "category": "pothole"}, caller=CITIZEN).status
        == 422
    )


def test_staff_queue_filters_scopes_and_pages(api: Api, clock: FixedClock) -> None:
    ids = []
    for _ in range(3):
        ids.append(log(api)["id"])
        clock.advance(timedelta(minutes=5))
    queue = api.get(
        "/staff/grievances", query={"ward": "W07", "category": "garbage_not_collected", "limit": 100}, caller=STAFF
    )
    assert queue.status == 200
    items = queue.json()["items"]
    assert set(ids) <= {i["id"] for i in items}
    dues = [(i["due_at"], i["id"]) for i in items]
    assert dues == sorted(dues)
    page = api.get("/staff/grievances", query={"ward": "W07", "limit": 1}, caller=STAFF).json()
    following = api.get(
        "/staff/grievances", query={"ward": "W07", "limit": 1, "cursor": page["next_cursor"]}, caller=STAFF
    ).json()
    assert (following["items"][0]["due_at"], following["items"][0]["id"]) > (
        page["items"][0]["due_at"],
        page["items"][0]["id"],
    )
    assert (
        api.get("/staff/grievances", query={"ward": "W08", "cursor": page["next_cursor"]}, caller=STAFF).status == 400
    )
    assert api.get("/staff/grievances", query={"ward": "W08"}, caller=W07_OFFICER).status == 403
    own = api.get("/staff/grievances", caller=W07_OFFICER).json()["items"]
    assert own
    assert {i["ward"] for i in own} == {"W07"}
    assert api.get("/staff/grievances", caller=CITIZEN).status == 403
    assert api.get("/staff/grievances", query={"status": "lost"}, caller=STAFF).status == 422
    assert api.get("/staff/grievances", query={"department": "nasa"}, caller=STAFF).status == 422
    clock.advance(timedelta(days=3))
    overdue = api.get("/staff/grievances", query={"overdue": "true", "ward": "W07", "limit": 100}, caller=STAFF).json()[
        "items"
    ]
    assert set(ids) <= {i["id"] for i in overdue}
    assert all(i["overdue"] for i in overdue)
    not_overdue = api.get(
        "/staff/grievances", query={"overdue": "false", "ward": "W07", "limit": 100}, caller=STAFF
    ).json()
    assert not any(i["id"] in ids for i in not_overdue["items"])


def test_stats_come_from_counters_and_the_overdue_index(api: Api, clock: FixedClock) -> None:
    log(api)
    stats = api.get("/staff/grievances/stats", query={"ward": "W07"}, caller=STAFF)
    assert stats.status == 200
    body = stats.json()
    assert body["ward"] == "W07"
    assert set(body["by_status"]) == {
        "submitted",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
        "rejected",
        "reopened",
    }
    assert body["total"] == sum(body["by_status"].values())
    assert [w["ward"] for w in body["by_ward"]] == ["W07"]
    assert body["by_status"] == {s: counts().get(s, 0) for s in body["by_status"]}
    assert api.get("/staff/grievances/stats", query={"ward": "W01"}, caller=W07_OFFICER).status == 403
    city = api.get("/staff/grievances/stats", caller=STAFF).json()
    assert len(city["by_ward"]) == 15
    assert city["total"] >= body["total"]


# --- issue 13: text that spoofs (defect 8), attribute values of the wrong shape (5), unreadable bodies (4) ----

SOMEONE = Caller("+919833333333")


@pytest.fixture
def unchanged(api: Api, clock: FixedClock) -> Any:
    """Asserts at the end of the test that SOMEONE's grievances and the ward's counters did not change."""
    before = (api.get("/me/grievances", caller=SOMEONE).json()["items"], counts())
    yield
    assert (api.get("/me/grievances", caller=SOMEONE).json()["items"], counts()) == before


@pytest.mark.parametrize(("field", "spoof"), [("description", "\u202e"), ("address", "\u2067"), ("landmark", "\u200f")])
def test_bidi_controls_in_grievance_text_are_422_and_nothing_is_stored(
    api: Api, unchanged: None, field: str, spoof: str
) -> None:
    body = bad(**{field: f"Kasba {spoof}Peth, near gate 12 34"})
    reply = api.request("POST", "/grievances", json_body=body, caller=SOMEONE)
    assert reply.status == 422, reply.body
    assert reply.json()["errors"] == [
        {"field": f"body.{field}", "message": "must not contain bidirectional control characters"}
    ]


def test_bidi_controls_in_a_staff_note_or_assignee_are_422_and_nothing_changes(api: Api, clock: FixedClock) -> None:
    g = log(api)
    path = f"/staff/grievances/{g['id']}"
    before = api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).json()
    for change, field in [
        ({"note": "Crew sent \u202eetadpu ton"}, "body.note"),
        ({"status": "rejected", "note": "Duplicate of \u2066GRV-2606-7K3M9Q\u2069"}, "body.note"),
        ({"status": "assigned", "assignee": "JE Roads\u202e"}, "body.assignee"),
    ]:
        reply = api.request("PATCH", path, json_body=change, caller=W07_OFFICER)
        assert reply.status == 422, reply.body
        assert [e["field"] for e in reply.json()["errors"]] == [field]
    assert api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).json() == before


@pytest.mark.parametrize(
    "value", [["community"], {"a": 1}, [["community"]], 7, 7.5, True, None, "", {"community": "community"}]
)
def test_an_attribute_value_of_the_wrong_shape_is_422_naming_it_and_nothing_is_stored(
    api: Api, unchanged: None, value: Any
) -> None:
    reply = api.request("POST", "/grievances", json_body=bad(attributes={"bin_type": value}), caller=SOMEONE)
    assert reply.status == 422, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["errors"] == [
        {"field": "body.attributes.bin_type", "message": "must be one of the listed values"}
    ]


SENT = json.dumps(GARBAGE).encode()
UNREADABLE = {
    "invalid UTF-8": SENT.replace(b"three days", b"three \xff\xfe days"),
    "attributes nested 10,000 deep": SENT.replace(b'"community"', b"[" * 10_000 + b"]" * 10_000),
    "a lat of 5,000 digits": SENT.replace(b"18.5196", b"1" * 5000),
    "a lng of 1e999": SENT.replace(b"73.8553", b"1e999"),
    "NaN": SENT.replace(b"18.5196", b"NaN"),
    "an unpaired surrogate": SENT.replace(b"three days", b"three \\ud800 days"),
    "a second description": SENT.replace(b'"lat"', b'"description": "Garbage everywhere, all week.", "lat"'),
}


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_grievance_body_is_400_and_nothing_is_stored(api: Api, unchanged: None, raw: bytes) -> None:
    reply = api.request("POST", "/grievances", body=raw, headers={"content-type": "application/json"}, caller=SOMEONE)
    assert reply.status == 400, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["type"] == "https://pmc.example/problems/bad-request"
    assert problem["instance"] == "/grievances"
