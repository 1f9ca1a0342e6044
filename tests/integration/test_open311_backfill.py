"""tools/open311_backfill.py on DynamoDB Local (issue 19): grievances stored before the Open311ByRequested
index (no open311_key/open311_sk) or with stale keys are missing from, or wrong in, GET requests lists until
the tool gives them the keys their records imply; a rerun writes nothing, and a grievance changed between
the Scan and the write is re-read, not given stale keys."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pmc_common.clock import FixedClock
from tests.harness import CITIZEN, STAFF, Api, fixed_clock

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2029, 3, 1, 6, 0, tzinfo=UTC)  # a window no other test files in
WINDOW = {"start_date": "2029-03-01T00:00:00+05:30", "end_date": "2029-03-02T00:00:00+05:30"}
BODY = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected near the vegetable market.",
    "lat": 18.5196,
    "lng": 73.8553,
    "attributes": {},
}


@pytest.fixture
def clock(local_aws: Any) -> Iterator[FixedClock]:
    yield from fixed_clock("grievance", START)


def log(api: Api, clock: FixedClock) -> str:
    clock.advance(timedelta(minutes=1))
    reply = api.request("POST", "/grievances", json_body=BODY, caller=CITIZEN)
    assert reply.status == 201, reply.body
    return str(reply.json()["id"])


def move(api: Api, grievance_id: str, body: dict[str, Any]) -> None:
    reply = api.request("PATCH", f"/staff/grievances/{grievance_id}", json_body=body, caller=STAFF)
    assert reply.status == 200, reply.body


def listed(api: Api, status: str, among: set[str] | None = None) -> list[str]:
    """The ids GET requests lists in WINDOW for `status`, newest first; with `among`, only those (the module's
    other test also files in WINDOW, before or after this one in a shuffled order)."""
    query = {**WINDOW, "service_code": "garbage_not_collected", "status": status}
    reply = api.get("/open311/v2/requests.json", query=query)
    assert reply.status == 200, reply.body
    ids = [str(r["service_request_id"]) for r in reply.json()]
    return ids if among is None else [i for i in ids if i in among]


def stored_keys(grievance_id: str) -> tuple[str | None, str | None]:
    from grievance.store import GRIEVANCE, GrievanceItem

    item = GrievanceItem.get(grievance_id, GRIEVANCE, consistent_read=True)
    return item.open311_key, item.open311_sk


def as_before_the_index(grievance_id: str, key: str | None = None) -> None:
    """What a grievance stored before the index looks like: no Open311 keys (or, given `key`, a stale one)."""
    from grievance.store import GRIEVANCE, GrievanceItem

    item = GrievanceItem(grievance_id, GRIEVANCE)
    if key is None:
        item.update(actions=[GrievanceItem.open311_key.remove(), GrievanceItem.open311_sk.remove()])
    else:
        item.update(actions=[GrievanceItem.open311_key.set(key)])


def run_tool() -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "open311_backfill.py")],
        env=dict(os.environ),  # the session's DynamoDB endpoint, table name and dummy credentials
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = re.fullmatch(r"(\d+) grievances read, (\d+) given their Open311 index keys\n", done.stdout)
    assert found, done.stdout
    return int(found.group(1)), int(found.group(2))


def test_the_backfill_lists_grievances_stored_before_the_index_and_a_rerun_writes_nothing(
    api: Api, clock: FixedClock
) -> None:
    from grievance import store

    first, second, closed = log(api, clock), log(api, clock), log(api, clock)
    mine = {first, second, closed}
    for change in (
        {"status": "assigned", "assignee": "JE SWM, Kasba"},
        {"status": "in_progress"},
        {"status": "resolved", "note": "Cleared.", "resolution_reason": "no_fix_needed"},
    ):
        move(api, closed, change)
    assert (listed(api, "open", mine), listed(api, "closed", mine)) == ([second, first], [closed])
    as_before_the_index(first)
    as_before_the_index(second)
    as_before_the_index(closed, key="garbage_not_collected#open")  # stale: written before it was resolved
    assert stored_keys(first) == (None, None)
    assert (listed(api, "open", mine), listed(api, "closed", mine)) == ([closed], [])

    read, written = run_tool()
    assert written >= 3
    assert read >= written
    assert (listed(api, "open", mine), listed(api, "closed", mine)) == ([second, first], [closed])
    for grievance_id in (first, second, closed):  # the keys a write of the grievance itself would set
        g = store.get(grievance_id)
        assert g is not None
        keys = store.index_keys(g)
        assert stored_keys(grievance_id) == (keys["open311_key"], keys["open311_sk"])
    assert run_tool()[1] == 0


def test_a_grievance_changed_during_the_backfill_is_read_again_not_given_stale_keys(
    api: Api, clock: FixedClock
) -> None:
    from grievance.open311.store import _backfill_one
    from grievance.store import GRIEVANCE, GrievanceItem

    grievance_id = log(api, clock)
    as_before_the_index(grievance_id)
    scanned = GrievanceItem.get(grievance_id, GRIEVANCE, consistent_read=True)  # what the Scan read: open
    move(api, grievance_id, {"status": "assigned", "assignee": "JE SWM, Kasba"})
    move(api, grievance_id, {"status": "in_progress"})
    move(api, grievance_id, {"status": "resolved", "note": "Cleared.", "resolution_reason": "no_fix_needed"})
    assert stored_keys(grievance_id)[0] == "garbage_not_collected#closed"  # the change wrote its own keys
    assert _backfill_one(scanned, attempts=5) is False  # the write on the old version failed; re-read: right
    assert stored_keys(grievance_id)[0] == "garbage_not_collected#closed"
    assert grievance_id in listed(api, "closed")
    assert grievance_id not in listed(api, "open")
