"""Bilingual ward and department names beside the codes (issue 16) in the grievance, a citizen's list
and the staff queue, so apps and the admin page do not hard-code API.md's list of wards."""

from __future__ import annotations

from typing import Any

from tests.harness import CITIZEN, STAFF, Api

BODY = {
    "category": "pothole",
    "description": "Deep pothole near the Karve Road signal.",
    "lat": 18.507,
    "lng": 73.807,
}
KOTHRUD = {"en": "Kothrud–Bawdhan", "mr": "कोथरूड–बावधन"}


def log(api: Api) -> dict[str, Any]:
    reply = api.request("POST", "/grievances", json_body=BODY, caller=CITIZEN)
    assert reply.status == 201, reply.body
    return reply.json()


def test_the_grievance_names_its_ward_and_department(api: Api) -> None:
    from grievance import reference

    created = log(api)
    assert created["ward"] == "W09"
    assert created["ward_name"] == KOTHRUD
    assert created["department_name"] == reference.departments()[created["department"]]
    assert set(created["department_name"]) == {"en", "mr"}
    read = api.get(f"/grievances/{created['id']}", caller=CITIZEN).json()
    assert (read["ward_name"], read["department_name"]) == (created["ward_name"], created["department_name"])
    staff_view = api.get(f"/grievances/{created['id']}", caller=STAFF).json()
    assert staff_view["ward_name"] == KOTHRUD


def test_lists_name_the_ward_and_the_queue_the_department_too(api: Api) -> None:
    created = log(api)
    mine = api.get("/me/grievances", caller=CITIZEN).json()["items"]
    item = next(i for i in mine if i["id"] == created["id"])
    assert item["ward_name"] == KOTHRUD
    queue = api.get("/staff/grievances", query={"ward": "W09", "status": "submitted", "limit": 100}, caller=STAFF)
    assert queue.status == 200
    listed = next(i for i in queue.json()["items"] if i["id"] == created["id"])
    assert listed["ward_name"] == KOTHRUD
    assert listed["department_name"] == created["department_name"]
    changed = api.request(
        "PATCH",
        f"/staff/grievances/{created['id']}",
        json_body={"status": "assigned", "assignee": "JE Roads"},
        caller=STAFF,
    )
    assert changed.status == 200
    assert changed.json()["department_name"] == created["department_name"]
