"""Safe retries (API.md 1.10): POST /grievances and POST /grievances/{id}/photos with an Idempotency-Key replay
their first reply, refuse the key with another request, and store nothing for a refused one."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest

from pmc_common import dynamo
from pmc_common.clock import FixedClock
from pmc_common.errors import Conflict
from pmc_common.settings import IdempotencyTable, load
from tests.harness import Api, Caller, Reply, fixed_clock

GARBAGE = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    "lat": 18.5196,
    "lng": 73.8553,
    "address": "Kasba Peth",
}
POTHOLE = GARBAGE | {"description": "A deep pothole in front of the temple gate, since Monday."}
START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
_phones = iter(range(919811000000, 919811999999))


@pytest.fixture
def clock(local_aws: Any) -> Any:
    yield from fixed_clock("grievance", START)


@pytest.fixture
def citizen() -> Caller:
    """A citizen of this test alone, so their list holds only what the test logged."""
    return Caller(f"+{next(_phones)}")


def key() -> str:
    return str(uuid.uuid4())


def post(api: Api, path: str, body: Any, caller: Caller, idempotency_key: str | None) -> Reply:
    headers = {"idempotency-key": idempotency_key} if idempotency_key is not None else {}
    return api.request("POST", path, json_body=body, caller=caller, headers=headers)


def mine(api: Api, caller: Caller) -> list[str]:
    reply = api.get("/me/grievances", caller=caller)
    assert reply.status == 200, reply.body
    return [item["id"] for item in reply.json()["items"]]


def submitted() -> int:
    from grievance import store

    return sum(n for (_, _, status), n in store.counters("W07").by_key.items() if status == "submitted")


def idempotency_records() -> list[dict[str, Any]]:
    client: Any = botocore.session.get_session().create_client(
        "dynamodb", region_name=dynamo.region(), endpoint_url=dynamo.endpoint()
    )
    return list(client.scan(TableName=load(IdempotencyTable).idempotency_table_name, ConsistentRead=True)["Items"])


def test_a_create_retried_with_the_same_key_files_one_grievance(api: Api, clock: FixedClock, citizen: Caller) -> None:
    before, k = submitted(), key()
    first = post(api, "/grievances", GARBAGE, citizen, k)
    assert first.status == 201, first.body
    assert "idempotency-replayed" not in first.headers
    clock.advance(timedelta(minutes=1))  # a replay is the first reply, not a new one

    again = post(api, "/grievances", GARBAGE | {}, citizen, k)

    assert again.status == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.body == first.body  # the same grievance, as first shown
    assert again.headers["location"] == first.headers["location"] == f"/grievances/{first.json()['id']}"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["cache-control"] == "no-store"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]  # each request's own
    assert mine(api, citizen) == [first.json()["id"]]
    assert submitted() == before + 1


def test_the_same_body_in_another_key_order_is_the_same_request(api: Api, clock: FixedClock, citizen: Caller) -> None:
    k = key()
    first = post(api, "/grievances", GARBAGE, citizen, k)
    reordered = dict(reversed(list(GARBAGE.items())))
    again = post(api, "/grievances", reordered, citizen, k)
    assert (again.status, again.headers.get("idempotency-replayed")) == (201, "true")
    assert again.json()["id"] == first.json()["id"]


def test_the_key_with_another_body_is_refused_and_nothing_is_stored(
    api: Api, clock: FixedClock, citizen: Caller
) -> None:
    k = key()
    first = post(api, "/grievances", GARBAGE, citizen, k)
    before, records = submitted(), len(idempotency_records())

    other = post(api, "/grievances", POTHOLE, citizen, k)

    assert other.status == 422
    problem = other.json()
    assert problem["type"] == "https://pmc.example/problems/validation"
    assert problem["code"] == "idempotency_key_reused"
    assert problem["errors"] == [
        {"field": "header.Idempotency-Key", "message": "was already used with another request"}
    ]
    assert other.headers["content-type"] == "application/problem+json"
    assert mine(api, citizen) == [first.json()["id"]]
    assert submitted() == before
    assert len(idempotency_records()) == records
    # and the first reply is still the one kept
    assert post(api, "/grievances", GARBAGE, citizen, k).json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    "bad_key",
    ["", "short7x", "a" * 65, "has space-12345", "dot.is.not.allowed", "ünïcode-1234", "slash/123456"],
)
def test_a_malformed_key_is_a_400_and_nothing_is_stored(
    api: Api, clock: FixedClock, citizen: Caller, bad_key: str
) -> None:
    before, records = submitted(), len(idempotency_records())

    reply = post(api, "/grievances", GARBAGE, citizen, bad_key)

    assert reply.status == 400
    problem = reply.json()
    assert problem["type"] == "https://pmc.example/problems/bad-request"
    assert problem["code"] == "idempotency_key_missing"  # API.md 4.12: one code for missing and malformed
    assert mine(api, citizen) == []
    assert submitted() == before
    assert len(idempotency_records()) == records


def test_a_malformed_key_is_refused_before_the_body_is_judged(api: Api, clock: FixedClock, citizen: Caller) -> None:
    reply = post(api, "/grievances", {"category": "garbage_not_collected"}, citizen, "bad key")
    assert (reply.status, reply.json()["code"]) == (400, "idempotency_key_missing")


def test_without_a_key_every_post_files_a_grievance(api: Api, clock: FixedClock, citizen: Caller) -> None:
    before = submitted()
    first = post(api, "/grievances", GARBAGE, citizen, None)
    second = post(api, "/grievances", GARBAGE, citizen, None)
    assert (first.status, second.status) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert "idempotency-replayed" not in second.headers
    assert submitted() == before + 2


def test_two_callers_with_the_same_key_do_not_collide(api: Api, clock: FixedClock, citizen: Caller) -> None:
    someone_else = Caller(f"+{next(_phones)}")
    k = key()
    mine_reply = post(api, "/grievances", GARBAGE, citizen, k)
    theirs = post(api, "/grievances", GARBAGE, someone_else, k)
    assert (mine_reply.status, theirs.status) == (201, 201)
    assert "idempotency-replayed" not in theirs.headers
    assert mine_reply.json()["id"] != theirs.json()["id"]
    assert mine(api, citizen) == [mine_reply.json()["id"]]
    assert mine(api, someone_else) == [theirs.json()["id"]]


def test_an_error_is_not_kept_so_the_retry_runs_again(api: Api, clock: FixedClock, citizen: Caller) -> None:
    k = key()
    refused = post(api, "/grievances", GARBAGE | {"category": "no_such_category"}, citizen, k)
    assert refused.status == 422
    assert refused.json()["code"] is None  # the body's fault, not the key's
    corrected = post(api, "/grievances", GARBAGE, citizen, k)
    assert corrected.status == 201
    assert "idempotency-replayed" not in corrected.headers
    assert mine(api, citizen) == [corrected.json()["id"]]


def test_a_kept_reply_expires_after_24_hours(api: Api, clock: FixedClock, citizen: Caller) -> None:
    k = key()
    before = {r["id"]["S"] for r in idempotency_records()}
    post(api, "/grievances", GARBAGE, citizen, k)
    (record,) = [r for r in idempotency_records() if r["id"]["S"] not in before]
    assert record["status"]["S"] == "COMPLETED"
    # DynamoDB's TTL attribute, on the wall clock (pmc_common.idempotency): 24 h from now
    assert abs(int(record["expiration"]["N"]) - (time.time() + 24 * 3600)) < 60
    assert k not in str(record)  # hashed with the caller's sub


def test_the_same_key_on_another_route_is_refused(api: Api, clock: FixedClock, citizen: Caller) -> None:
    k = key()
    g = post(api, "/grievances", GARBAGE, citizen, k).json()
    reply = post(api, f"/grievances/{g['id']}/photos", {"content_type": "image/jpeg"}, citizen, k)
    assert (reply.status, reply.json()["code"]) == (422, "idempotency_key_reused")


# --- photos --------------------------------------------------------------------------------------


def photo_slots_used(grievance_id: str) -> int:
    from grievance import photo_store

    slots = photo_store.photo_slots(grievance_id)
    assert slots is not None
    return len(slots.photos)


def test_a_photo_request_retried_with_the_same_key_uses_one_slot(api: Api, clock: FixedClock, citizen: Caller) -> None:
    g = post(api, "/grievances", GARBAGE, citizen, None).json()
    path, k = f"/grievances/{g['id']}/photos", key()

    first = post(api, path, {"content_type": "image/jpeg"}, citizen, k)
    again = post(api, path, {"content_type": "image/jpeg"}, citizen, k)

    assert (first.status, again.status) == (201, 201)
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["photo_id"] == first.json()["photo_id"]
    assert again.body == first.body  # the same presigned POST: same key, policy and expiry
    assert photo_slots_used(g["id"]) == 1


def test_a_photo_request_with_another_body_or_grievance_is_refused(
    api: Api, clock: FixedClock, citizen: Caller
) -> None:
    g = post(api, "/grievances", GARBAGE, citizen, None).json()
    h = post(api, "/grievances", POTHOLE, citizen, None).json()
    k = key()
    assert post(api, f"/grievances/{g['id']}/photos", {"content_type": "image/jpeg"}, citizen, k).status == 201

    other_type = post(api, f"/grievances/{g['id']}/photos", {"content_type": "image/png"}, citizen, k)
    other_grievance = post(api, f"/grievances/{h['id']}/photos", {"content_type": "image/jpeg"}, citizen, k)

    assert (other_type.status, other_type.json()["code"]) == (422, "idempotency_key_reused")
    assert (other_grievance.status, other_grievance.json()["code"]) == (422, "idempotency_key_reused")
    assert photo_slots_used(g["id"]) == 1
    assert photo_slots_used(h["id"]) == 0


def test_a_photo_request_with_a_malformed_key_uses_no_slot(api: Api, clock: FixedClock, citizen: Caller) -> None:
    g = post(api, "/grievances", GARBAGE, citizen, None).json()
    reply = post(api, f"/grievances/{g['id']}/photos", {"content_type": "image/jpeg"}, citizen, "no")
    assert (reply.status, reply.json()["code"]) == (400, "idempotency_key_missing")
    assert photo_slots_used(g["id"]) == 0


def test_another_citizens_key_is_not_checked_before_access(api: Api, clock: FixedClock, citizen: Caller) -> None:
    """Access comes first: someone else's grievance is a 404 whatever the key, and keeps nothing."""
    g = post(api, "/grievances", GARBAGE, citizen, None).json()
    stranger = Caller(f"+{next(_phones)}")
    records = len(idempotency_records())
    reply = post(api, f"/grievances/{g['id']}/photos", {"content_type": "image/jpeg"}, stranger, key())
    assert reply.status == 404
    assert len(idempotency_records()) == records


# --- the helper on its own, on the same table ----------------------------------------------------


def test_the_same_key_while_the_first_request_runs_is_a_409_with_retry_after(local_aws: Any) -> None:
    from pmc_common.app import Response
    from pmc_common.idempotency import Retry

    retry = Retry(key(), "sub-in-progress", "POST", "/grievances", {"description": "x"})
    seen: list[Conflict] = []

    def first() -> Response:
        with pytest.raises(Conflict) as raised:
            retry.once(lambda: Response(b"{}", 201))  # the client's retry, while the first is running
        seen.append(raised.value)
        return Response(b'{"done":true}', 201, media_type="application/json")

    assert retry.once(first).status_code == 201
    (conflict,) = seen
    assert conflict.code == "idempotency_in_progress"
    assert conflict.headers == {"Retry-After": "1"}
    replay = retry.once(lambda: Response(b"{}", 500))
    assert (replay.status_code, replay.body, replay.headers["idempotency-replayed"]) == (201, b'{"done":true}', "true")
