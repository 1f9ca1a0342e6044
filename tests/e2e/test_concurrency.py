"""Parallel clients over HTTP on the local stack: a first screen's burst of GETs, racing staff changes to
one grievance, parallel creates, feedback racing reopen. Every request gets an answer the API allows, and
what is stored afterwards is consistent: a legal timeline, counters equal to a recount."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from grievance.domain import LIFECYCLE
from tests.e2e.support import BODY, TokenFactory

PUBLIC_ROUTES = (
    "/grievance-categories",
    "/emergency-numbers",
    "/departments",
    "/offices",
    "/facility-categories",
    "/facilities",
    "/whos-who",
)
STATUSES = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


def parallel(base_url: str, requests: Sequence[Request]) -> list[httpx.Response]:
    """Send every request at once: one thread and connection each, released together by a barrier."""
    start = threading.Barrier(len(requests), timeout=30)

    def send(request: Request) -> httpx.Response:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            start.wait()
            return http.request(request.method, request.path, json=request.json, headers=request.headers)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def resolved_grievance(http: httpx.Client, citizen: dict[str, str], staff: dict[str, str]) -> str:
    gid = str(http.post("/grievances", json=BODY, headers=citizen).json()["id"])
    resolved = {"status": "resolved", "resolution_reason": "no_fix_needed", "note": "Cleared."}  # proof (issue 20)
    steps = ({"status": "assigned", "assignee": "JE SWM, Kasba"}, {"status": "in_progress"}, resolved)
    for change in steps:
        moved = http.patch(f"/staff/grievances/{gid}", json=change, headers=staff)
        assert moved.status_code == 200, moved.text
    return gid


def status_changes(detail: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["from_status"], e["to_status"]) for e in detail["timeline"] if e["type"] == "status_changed"]


def assert_legal_chain(changes: list[tuple[str, str]], final_status: str) -> None:
    """Each status change starts where the one before ended (from `submitted`) and is in the lifecycle."""
    current = "submitted"
    for from_status, to_status in changes:
        assert from_status == current, changes
        assert (from_status, to_status) in LIFECYCLE, changes
        current = to_status
    assert current == final_status


def every_grievance(http: httpx.Client, staff: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {"status": "all", "limit": "100"} | ({"cursor": cursor} if cursor else {})
        page = http.get("/staff/grievances", params=query, headers=staff)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_a_first_screens_burst_of_public_gets_all_succeed_and_leave_the_stack_healthy(stack: str) -> None:
    responses = parallel(stack, [Request("GET", PUBLIC_ROUTES[i % len(PUBLIC_ROUTES)]) for i in range(40)])
    assert [r.status_code for r in responses] == [200] * 40, [r.text[:200] for r in responses]
    with httpx.Client(base_url=stack, timeout=30) as http:
        assert [http.get(path).status_code for path in PUBLIC_ROUTES] == [200] * len(PUBLIC_ROUTES)
        health = http.get("/_local/health")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})


def test_parallel_staff_changes_leave_a_legal_timeline_and_exact_counters(stack: str, token: TokenFactory) -> None:
    citizen = bearer(token("+919800003001"))
    staff = bearer(token("+919800003100", ["staff"]))
    with httpx.Client(base_url=stack, timeout=30) as http:
        created = http.post("/grievances", json=BODY, headers=citizen)
        assert created.status_code == 201, created.text
        gid = created.json()["id"]
    changes: list[dict[str, str]] = (
        [{"status": "assigned", "assignee": f"JE SWM {i}"} for i in range(5)]
        + [{"status": "in_progress"} for _ in range(5)]
        + [{"note": f"Crew visit {i} planned."} for i in range(5)]
        + [{"assignee": f"JE Roads {i}"} for i in range(5)]
    )
    responses = parallel(stack, [Request("PATCH", f"/staff/grievances/{gid}", change, staff) for change in changes])

    for change, response in zip(changes, responses, strict=True):
        assert response.status_code in (200, 409), (change, response.text)
        if response.status_code == 409:
            assert response.json()["code"] == "illegal_transition"
    applied = [change for change, response in zip(changes, responses, strict=True) if response.status_code == 200]
    assert sum(1 for c in applied if c.get("status") == "assigned") == 1  # only from submitted, once
    assert all(r.status_code == 200 for c, r in zip(changes, responses, strict=True) if set(c) == {"note"})

    with httpx.Client(base_url=stack, timeout=30) as http:
        detail = http.get(f"/grievances/{gid}", headers=staff).json()
        assert_legal_chain(status_changes(detail), detail["status"])
        assert len(status_changes(detail)) == sum(1 for c in applied if "status" in c)
        notes = [e["note"] for e in detail["timeline"] if e["type"] == "note"]
        assert sorted(notes) == sorted(c["note"] for c in applied if "note" in c)

        stats = http.get("/staff/grievances/stats", headers=staff).json()
        listed = every_grievance(http, staff)
    recount = Counter(item["status"] for item in listed)
    assert stats["by_status"] == {status: recount[status] for status in STATUSES}
    assert stats["total"] == len(listed)
    for row in stats["by_ward"]:
        in_ward = Counter(item["status"] for item in listed if item["ward"] == row["ward"])
        assert row["by_status"] == {status: in_ward[status] for status in STATUSES}, row["ward"]


def test_thirty_parallel_creates_all_answer_201_with_distinct_ids(stack: str, token: TokenFactory) -> None:
    citizens = [bearer(token(f"+9198000031{n:02d}")) for n in range(3)]
    responses = parallel(stack, [Request("POST", "/grievances", BODY, citizens[i % 3]) for i in range(30)])
    assert [r.status_code for r in responses] == [201] * 30, [r.text[:200] for r in responses]
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 30
    assert [r.headers["location"] for r in responses] == [f"/grievances/{gid}" for gid in ids]


def test_feedback_racing_reopen_never_both_leave_the_resolved_state(stack: str, token: TokenFactory) -> None:
    """Both read `resolved`: one applies, the other is refused with 409. (If feedback lands first,
    closed -> reopened is a legal reopen of its own, API.md 3.7: then both apply, in that order.)"""
    citizen = bearer(token("+919800003201"))
    staff = bearer(token("+919800003200", ["staff"]))
    with httpx.Client(base_url=stack, timeout=30) as http:
        gid = resolved_grievance(http, citizen, staff)
    feedback, reopen = parallel(
        stack,
        [
            Request("POST", f"/grievances/{gid}/feedback", {"rating": 2, "comment": None}, citizen),
            Request("POST", f"/grievances/{gid}/reopen", {"reason": "Garbage is back the next day."}, citizen),
        ],
    )
    assert feedback.status_code in (200, 409), feedback.text
    assert reopen.status_code in (200, 409), reopen.text
    with httpx.Client(base_url=stack, timeout=30) as http:
        detail = http.get(f"/grievances/{gid}", headers=citizen).json()
    changes = status_changes(detail)
    assert_legal_chain(changes, detail["status"])
    after_resolution = changes[changes.index(("in_progress", "resolved")) + 1 :]
    assert [c for c in after_resolution if c[0] == "resolved"] == after_resolution[:1]  # left `resolved` once
    if feedback.status_code == 409:
        assert feedback.json()["code"] in ("not_resolved", "illegal_transition")
        assert reopen.status_code == 200
        assert after_resolution == [("resolved", "reopened")]
        assert detail["feedback"] is None
    elif reopen.status_code == 409:
        assert reopen.json()["code"] == "illegal_transition"  # a concurrent change, nothing applied
        assert after_resolution == [("resolved", "closed")]
        assert detail["feedback"]["rating"] == 2
    else:
        assert after_resolution == [("resolved", "closed"), ("closed", "reopened")]
        assert detail["feedback"]["rating"] == 2
    assert detail["reopen_count"] == (1 if reopen.status_code == 200 else 0)
