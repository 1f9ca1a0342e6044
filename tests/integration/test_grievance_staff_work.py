"""Staff work of issue 15 through the template's routes: re-routing a grievance to another category or
ward (counters, due markers and queues follow it in the same transaction), internal notes that only the
staff view shows, and SLA hours kept on the grievance so editing data/ never moves an open deadline."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmc_common.clock import FixedClock, iso
from tests.harness import CITIZEN, OTHER_CITIZEN, STAFF, Api, Caller, Reply, fixed_clock
from tests.integration.test_grievance_api import GARBAGE

W07_OFFICER = Caller("+919800000307", ("ward_officer",), "W07")
W08_OFFICER = Caller("+919800000308", ("ward_officer",), "W08")
W09_OFFICER = Caller("+919800000309", ("ward_officer",), "W09")
START = datetime(2026, 9, 14, 4, 30, 0, tzinfo=UTC)
REASON = "Water main leaking, not garbage: water supply, Kothrud."


@pytest.fixture
def clock(local_aws: Any) -> Iterator[FixedClock]:
    yield from fixed_clock("grievance", START)


def log(api: Api) -> dict[str, Any]:
    reply = api.request("POST", "/grievances", json_body=GARBAGE, caller=CITIZEN)  # Kasba: W07
    assert reply.status == 201, reply.body
    return reply.json()


def patch(api: Api, grievance_id: str, change: dict[str, Any], caller: Caller = STAFF) -> Reply:
    return api.request("PATCH", f"/staff/grievances/{grievance_id}", json_body=change, caller=caller)


def reroute(api: Api, grievance_id: str, body: Any, caller: Caller = STAFF) -> Reply:
    return api.request("POST", f"/staff/grievances/{grievance_id}/reroute", json_body=body, caller=caller)


def in_status(api: Api, status: str) -> dict[str, Any]:
    """A grievance of CITIZEN in W07 moved by staff to `status`."""
    g = log(api)
    steps = {
        "submitted": [],
        "assigned": [{"status": "assigned", "assignee": "JE SWM, Kasba"}],
        "in_progress": [{"status": "assigned", "assignee": "JE SWM, Kasba"}, {"status": "in_progress"}],
        "resolved": [
            {"status": "assigned", "assignee": "JE SWM"},
            {"status": "in_progress"},
            {"status": "resolved", "resolution_reason": "no_fix_needed", "note": "Cleared on inspection."},  # issue 20
        ],
        "rejected": [{"status": "rejected", "note": "Duplicate."}],
    }
    for change in steps.get(status, steps["resolved"]):
        assert patch(api, g["id"], change).status == 200
    if status == "closed":
        rated = {"rating": 4, "comment": None}
        assert api.request("POST", f"/grievances/{g['id']}/feedback", json_body=rated, caller=CITIZEN).status == 200
    if status == "reopened":
        reason = {"reason": "Garbage is back the next day."}
        assert api.request("POST", f"/grievances/{g['id']}/reopen", json_body=reason, caller=CITIZEN).status == 200
    return g


def counters() -> Counter[str]:
    from grievance import store

    found: Counter[str] = Counter()
    figures = store.counters(None)
    for (ward, department, status), n in figures.by_key.items():
        found[f"{ward}#{department}#{status}"] += n
    for (ward, department), (resolved, within) in figures.sla.items():
        found[f"sla#{ward}#{department}#resolved"] += resolved
        found[f"sla#{ward}#{department}#within"] += within
    return found


def moved(after: Counter[str], before: Counter[str]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in set(after) | set(before) if after[k] != before[k]}


def due_markers(grievance_id: str) -> set[tuple[str, str]]:
    """The (partition, sort key) of the grievance's due markers, read by key from every partition."""
    from grievance import store

    found = set()
    for pk in ("open-due", *(f"open-due#W{n:02d}" for n in range(1, 16))):
        for item in store.GrievanceItem.query(pk, store.GrievanceItem.sk.startswith("2026-")):
            if item.sk.endswith(f"#{grievance_id}"):
                found.add((item.pk, item.sk))
    return found


def outbox(grievance_id: str) -> list[dict[str, Any]]:
    from grievance import store

    items = store.OutboxItem.query(grievance_id, store.OutboxItem.sk.startswith("event#"))
    return [json.loads(item.detail) | {"type": item.detail_type} for item in items]


def staff_view(api: Api, grievance_id: str) -> dict[str, Any]:
    reply = api.get(f"/grievances/{grievance_id}", caller=STAFF)
    assert reply.status == 200, reply.body
    return reply.json()


# --- re-routing --------------------------------------------------------------------------------------


def test_re_routing_work_in_hand_moves_it_its_counters_due_markers_and_queues(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "assigned")
    follower = api.request("POST", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN)
    assert follower.status == 200
    counted = counters()
    clock.advance(timedelta(days=2))  # past the new SLA (24 h): overdue at once

    reply = reroute(api, g["id"], {"category": "water_leakage", "ward": "W09", "reason": REASON})

    assert reply.status == 200, reply.body
    r = reply.json()
    assert (r["category"], r["department"], r["ward"], r["status"]) == (
        "water_leakage",
        "water_supply",
        "W09",
        "submitted",
    )
    assert r["category_name"]["en"] == "Water pipeline leakage"
    assert r["due_at"] == r["staff"]["sla_due_at"] == iso(START + timedelta(hours=24))
    assert r["overdue"] is True
    assert (r["escalation_level"], r["relation"], r["staff"]["assignee"]) == (0, "staff", None)
    rerouted, status_changed = r["timeline"][-2:]
    assert rerouted == {
        "at": iso(START + timedelta(days=2)),
        "type": "rerouted",
        "actor": "staff",
        "from_status": None,
        "to_status": None,
        "note": REASON,
        "level": None,
        "rating": None,
        "category": "water_leakage",
        "ward": "W09",
        "department": "water_supply",
        "office": None,
    }
    assert (status_changed["type"], status_changed["from_status"], status_changed["to_status"]) == (
        "status_changed",
        "assigned",
        "submitted",
    )
    # counters moved from the old ward, department and status to the new ones, in the same write
    assert moved(counters(), counted) == {
        "W07#solid_waste_management#assigned": -1,
        "W09#water_supply#submitted": 1,
    }
    due = f"{iso(START + timedelta(hours=24))}#{g['id']}"
    assert due_markers(g["id"]) == {("open-due", due), ("open-due#W09", due)}
    # the queues read it under its new keys
    queue = api.get("/staff/grievances", query={"ward": "W09", "category": "water_leakage", "limit": 100}, caller=STAFF)
    assert g["id"] in [i["id"] for i in queue.json()["items"]]
    old_queue = api.get("/staff/grievances", query={"ward": "W07", "status": "all", "limit": 100}, caller=STAFF)
    assert g["id"] not in [i["id"] for i in old_queue.json()["items"]]
    # the status change is announced like any other, with where it is now
    announced = [e for e in outbox(g["id"]) if e["type"] == "GrievanceStatusChanged" and e["from_status"] == "assigned"]
    assert [(e["from_status"], e["ward"], e["department"], e["category"]) for e in announced] == [
        ("assigned", "W09", "water_supply", "water_leakage")
    ]
    # the citizen and followers see where it went, not the staff's reason
    for caller in (CITIZEN, OTHER_CITIZEN):
        seen = api.get(f"/grievances/{g['id']}", caller=caller).json()
        assert (seen["ward"], seen["department"], seen["staff"]) == ("W09", "water_supply", None)
        entry = next(e for e in seen["timeline"] if e["type"] == "rerouted")
        assert entry == rerouted | {"note": None}
    # now the new ward's to work
    assert api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).status == 404
    assert api.get(f"/grievances/{g['id']}", caller=W09_OFFICER).status == 200


@pytest.mark.parametrize("status", ["submitted", "reopened"])
def test_re_routing_a_queued_grievance_keeps_its_status_and_moves_its_counter(
    api: Api, clock: FixedClock, status: str
) -> None:
    g = in_status(api, status)
    counted, announced = counters(), len(outbox(g["id"]))
    reply = reroute(api, g["id"], {"category": "pothole", "reason": REASON})
    assert reply.status == 200, reply.body
    r = reply.json()
    assert (r["status"], r["ward"], r["department"]) == (status, "W07", "roads")
    assert r["due_at"] == iso(START + timedelta(hours=72))
    expected = {f"W07#solid_waste_management#{status}": -1, f"W07#roads#{status}": 1}
    if status == "reopened":  # its first resolution counts where it is now, against its new SLA due time
        expected |= {
            "sla#W07#solid_waste_management#resolved": -1,
            "sla#W07#solid_waste_management#within": -1,
            "sla#W07#roads#resolved": 1,
            "sla#W07#roads#within": 1,
        }
    assert moved(counters(), counted) == expected
    assert len(outbox(g["id"])) == announced  # no status change: no event, no SMS


def test_a_ward_officer_re_routes_their_own_wards_grievances_to_any_ward(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "in_progress")
    before = staff_view(api, g["id"])
    other_ward = reroute(api, g["id"], {"ward": "W03", "reason": REASON}, caller=W08_OFFICER)
    assert other_ward.status == 404
    assert other_ward.headers["content-type"] == "application/problem+json"
    assert staff_view(api, g["id"]) == before

    reply = reroute(api, g["id"], {"ward": "W08", "reason": REASON}, caller=W07_OFFICER)
    assert reply.status == 200, reply.body
    r = reply.json()
    assert (r["ward"], r["category"], r["department"], r["status"]) == (
        "W08",
        "garbage_not_collected",
        "solid_waste_management",
        "submitted",
    )
    assert r["staff"] is not None  # the reply to their own change is the staff view
    assert r["due_at"] == before["staff"]["sla_due_at"]  # the same category: the same SLA hours
    assert api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).status == 404
    assert api.get(f"/grievances/{g['id']}", caller=W08_OFFICER).json()["relation"] == "staff"


OK = {"reason": REASON}
BAD_BODIES: list[tuple[Any, str, str | None]] = [
    ({}, "body.reason", None),
    ({"ward": "W08"}, "body.reason", None),
    ({"ward": "W08", "reason": "Too short"}, "body.reason", None),
    ({"ward": "W08", "reason": "x" * 501}, "body.reason", None),
    (
        {"ward": "W08", "reason": "Send to \u202eKothrud ward office"},
        "body.reason",
        "must not contain bidirectional control characters",
    ),
    (
        {"ward": "W08", "reason": "Send to Kothrud\x07 ward office"},
        "body.reason",
        "must not contain control characters",
    ),
    ({"ward": "W08", "reason": 1234567890}, "body.reason", None),
    (OK, "body", "give at least one of category, ward"),
    (OK | {"category": None, "ward": None}, "body", "give at least one of category, ward"),
    (OK | {"ward": "W07"}, "body", "the grievance is already in this category and ward"),
    (OK | {"category": "garbage_not_collected"}, "body", "the grievance is already in this category and ward"),
    (OK | {"category": "no_such_category"}, "body.category", "unknown grievance category"),
    (OK | {"category": "Pothole"}, "body.category", None),
    (OK | {"ward": "W16"}, "body.ward", None),
    (OK | {"ward": "w08"}, "body.ward", None),
    (OK | {"ward": 8}, "body.ward", None),
    (OK | {"ward": "W08", "status": "submitted"}, "body.status", "unknown field"),
    (OK | {"ward": "W08", "due_at": "2026-12-01T00:00:00Z"}, "body.due_at", "unknown field"),
    ([OK | {"ward": "W08"}], "body", None),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_BODIES)
def test_a_bad_re_routing_is_422_naming_the_field_and_changes_nothing(
    api: Api, clock: FixedClock, body: Any, field: str, message: str | None
) -> None:
    g = in_status(api, "assigned")
    before, counted = staff_view(api, g["id"]), counters()
    reply = reroute(api, g["id"], body)
    assert reply.status == 422, reply.body
    problem = reply.json()
    assert reply.headers["content-type"] == "application/problem+json"
    assert problem["type"] == "https://pmc.example/problems/validation"
    assert [e["field"] for e in problem["errors"]] == [field]
    if message is not None:
        assert problem["errors"][0]["message"] == message
    assert (staff_view(api, g["id"]), counters()) == (before, counted)


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected"])
def test_re_routing_a_grievance_that_is_not_open_is_409_and_changes_nothing(
    api: Api, clock: FixedClock, status: str
) -> None:
    g = in_status(api, status)
    before, counted = staff_view(api, g["id"]), counters()
    reply = reroute(api, g["id"], OK | {"ward": "W08"})
    assert reply.status == 409, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["code"] == "grievance_not_open"
    assert (staff_view(api, g["id"]), counters()) == (before, counted)


def test_only_staff_of_its_ward_re_route_others_get_403_or_404_and_nothing_changes(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "submitted")
    api.request("POST", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN)
    before, counted = staff_view(api, g["id"]), counters()
    body = OK | {"ward": "W08"}
    for caller, status in [
        (CITIZEN, 403),
        (OTHER_CITIZEN, 403),
        (W08_OFFICER, 404),
        (Caller("+919800000399", ("ward_officer",)), 403),
    ]:
        reply = reroute(api, g["id"], body, caller=caller)
        assert reply.status == status, (caller, reply.body)
        assert reply.headers["content-type"] == "application/problem+json"
    assert reroute(api, "GRV-2609-000000", body).status == 404
    assert reroute(api, "not-a-grievance", body).status == 404
    assert (staff_view(api, g["id"]), counters()) == (before, counted)


# --- internal notes ----------------------------------------------------------------------------------


def test_an_internal_note_is_shown_to_staff_only_never_to_the_owner_or_followers(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "assigned")
    api.request("POST", f"/grievances/{g['id']}/follow", caller=OTHER_CITIZEN)
    counted, announced = counters(), outbox(g["id"])
    note = "Owner called twice; JE asked for the bin's exact spot."
    reply = patch(api, g["id"], {"internal_note": note, "note": "Crew on the way."}, caller=W07_OFFICER)
    assert reply.status == 200, reply.body
    assert [(e["type"], e["note"]) for e in reply.json()["timeline"][-2:]] == [
        ("note", "Crew on the way."),
        ("internal_note", note),
    ]
    assert note in json.dumps(staff_view(api, g["id"]))
    for caller in (CITIZEN, OTHER_CITIZEN):
        seen = api.get(f"/grievances/{g['id']}", caller=caller)
        assert seen.status == 200
        assert "internal_note" not in [e["type"] for e in seen.json()["timeline"]]
        assert note not in seen.body.decode()
    assert (counters(), outbox(g["id"])) == (counted, announced)  # no counter, no event, no SMS


@pytest.mark.parametrize("status", ["closed", "rejected"])
def test_staff_add_internal_notes_to_final_grievances_too(api: Api, clock: FixedClock, status: str) -> None:
    g = in_status(api, status)
    reply = patch(api, g["id"], {"internal_note": "Duplicate of GRV-2609-7K3M9Q, same bin."})
    assert reply.status == 200, reply.body
    assert (reply.json()["status"], reply.json()["timeline"][-1]["type"]) == (status, "internal_note")
    public = patch(api, g["id"], {"note": "One more thing."})
    assert (public.status, public.json()["code"]) == (409, "illegal_transition")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"internal_note": ""}, None),
        ({"internal_note": "   "}, None),
        ({"internal_note": "x" * 1001}, None),
        ({"internal_note": "Ask \u2066JE\u2069 first"}, "must not contain bidirectional control characters"),
        ({"internal_note": "Ask JE\x00 first"}, "must not contain control characters"),
        ({"internal_note": 42}, None),
    ],
)
def test_a_bad_internal_note_is_422_and_changes_nothing(
    api: Api, clock: FixedClock, change: dict[str, Any], message: str | None
) -> None:
    g = in_status(api, "assigned")
    before = staff_view(api, g["id"])
    reply = patch(api, g["id"], change)
    assert reply.status == 422, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in reply.json()["errors"]] == ["body.internal_note"]
    if message is not None:
        assert reply.json()["errors"][0]["message"] == message
    assert staff_view(api, g["id"]) == before


def test_a_citizen_cannot_add_an_internal_note(api: Api, clock: FixedClock) -> None:
    g = in_status(api, "submitted")
    before = staff_view(api, g["id"])
    reply = patch(api, g["id"], {"internal_note": "Mine."}, caller=CITIZEN)
    assert reply.status == 403
    assert reply.headers["content-type"] == "application/problem+json"
    assert patch(api, g["id"], {"internal_note": "Theirs."}, caller=W08_OFFICER).status == 404
    assert staff_view(api, g["id"]) == before


# --- SLA hours kept on the grievance --------------------------------------------------------------------


@pytest.fixture
def sla_edited(monkeypatch: pytest.MonkeyPatch, local_aws: Any) -> None:
    """data/ edited after logging: garbage_not_collected's SLA from 48 h to 100 h."""
    from grievance import reference

    edited = {
        k: replace(c, sla_hours=100) if k == "garbage_not_collected" else c for k, c in reference.categories().items()
    }
    monkeypatch.setattr(reference, "categories", lambda: edited)


def test_reopen_and_escalation_run_on_the_sla_hours_kept_when_it_was_logged(
    api: Api, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    from grievance import escalation, store

    overdue = log(api)
    resolved = in_status(api, "resolved")
    assert store.get(overdue["id"]).sla_hours == 48  # type: ignore[union-attr]
    request.getfixturevalue("sla_edited")
    clock.advance(timedelta(days=3))
    reopened = api.request(
        "POST", f"/grievances/{resolved['id']}/reopen", json_body={"reason": "Back again today."}, caller=CITIZEN
    )
    assert reopened.json()["due_at"] == iso(clock.now() + timedelta(hours=48))  # not 100
    assert escalation.escalate_one(overdue["id"], event_id="evt-sla-kept", now=clock.now())
    assert store.get(overdue["id"]).due_at == iso(clock.now() + timedelta(hours=24))  # type: ignore[union-attr]


def test_a_grievance_stored_before_sla_hours_were_kept_runs_on_its_categorys(
    api: Api, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    from grievance import escalation, store

    g = log(api)
    item = store.GrievanceItem.get(g["id"], store.GRIEVANCE)
    item.doc = {k: v for k, v in (item.doc or {}).items() if k != "sla_hours"}  # as stored before
    item.save()
    assert store.get(g["id"]).sla_hours is None  # type: ignore[union-attr]
    assert api.get(f"/grievances/{g['id']}", caller=CITIZEN).status == 200
    request.getfixturevalue("sla_edited")
    clock.advance(timedelta(days=5))
    assert escalation.escalate_one(g["id"], event_id="evt-sla-legacy", now=clock.now())
    assert store.get(g["id"]).due_at == iso(clock.now() + timedelta(hours=50))  # type: ignore[union-attr]
