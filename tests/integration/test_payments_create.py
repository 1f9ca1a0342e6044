"""Creating and reading payments (API.md 4.5, 4.12, issue 17) on the seed records of data/: the Idempotency-Key
(required, replayed, reused with another body, concurrent duplicates → one payment), every bad input in 4.5's
order with nothing changed, one open payment per line even in parallel, lines free again after 30 minutes,
someone else's payment → 404, a citizen's payments paged newest first."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local.dynamodb_local import DYNAMODB_LOCAL, MOTO
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller, Reply, fixed_clock

DATA = Path(__file__).resolve().parents[2] / "data"
PROBLEM = "application/problem+json"
MAY_10 = datetime(2026, 5, 10, 6, 0, tzinfo=UTC)  # 11:30 IST, within the 2026-27 rebate
PROPERTIES: list[dict[str, Any]] = json.loads((DATA / "properties.json").read_text(encoding="utf-8"))
# Properties with something unpaid (not the demo records): each test takes its own, so no test meets another's
# open payment.
UNPAID = iter(
    p
    for p in PROPERTIES
    if p["property_id"] not in ("PMC-W07-000001", "PMC-W03-000042")
    and any(d["paid_principal_paise"] < d["principal_paise"] for d in p["demands"])
)


def fresh_citizen() -> Caller:
    return Caller(f"+9196{uuid.uuid4().int % 10**8:08d}")


def key() -> str:
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def payments_seed(api: Api) -> None:
    from payments import seed

    seed.load(DATA)


@pytest.fixture
def clock(api: Api, payments_seed: None) -> Iterator[FixedClock]:
    yield from fixed_clock("payments", MAY_10)


def linked(api: Api, record: dict[str, Any]) -> Caller:
    caller = fresh_citizen()
    reply = api.request(
        "POST",
        "/me/properties",
        json_body={"property_id": record["property_id"], "owner_name": record["owner_name"]},
        caller=caller,
    )
    assert reply.status == 201, reply.body
    return caller


def record_of(property_id: str) -> dict[str, Any]:
    return next(p for p in PROPERTIES if p["property_id"] == property_id)


def pay(api: Api, caller: Caller, body: Any, idempotency_key: str | None = None) -> Reply:
    headers = {"Idempotency-Key": idempotency_key or key()}
    return api.request("POST", "/payments", json_body=body, caller=caller, headers=headers)


def assert_problem(reply: Reply, status: int, code: str | None = None) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == PROBLEM
    body: dict[str, Any] = reply.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


def my_payments(api: Api, caller: Caller, **query: Any) -> list[dict[str, Any]]:
    reply = api.get("/me/payments", caller=caller, query=query)
    assert reply.status == 200, reply.body
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_pay_all_of_the_demo_property_is_the_worked_example(api: Api, clock: FixedClock) -> None:
    caller = linked(api, record_of("PMC-W07-000001"))
    reply = pay(api, caller, {"kind": "property_tax", "reference": "PMC-W07-000001", "items": None})
    assert reply.status == 201, reply.body
    payment = reply.json()
    assert reply.headers["location"] == f"/payments/{payment['id']}"
    assert payment["id"].startswith("PAY-")
    assert len(payment["id"]) == 30
    order = payment["gateway_order_id"]
    assert order.startswith("order_")
    assert payment == {
        "id": payment["id"],
        "kind": "property_tax",
        "reference": "PMC-W07-000001",
        "ward": "W07",
        "status": "created",
        "status_reason": None,
        "amount_paise": 1208000,
        "currency": "INR",
        "lines": [
            {
                "id": "2026-27-H1",
                "financial_year": "2026-27",
                "principal_paise": 624000,
                "penalty_paise": 0,
                "late_fee_paise": 0,
                "amount_paise": 624000,
            },
            {
                "id": "2026-27-H2",
                "financial_year": "2026-27",
                "principal_paise": 624000,
                "penalty_paise": 0,
                "late_fee_paise": 0,
                "amount_paise": 624000,
            },
        ],
        "rebates": [{"financial_year": "2026-27", "rebate_paise": 40000}],
        "gateway": "sandbox",
        "gateway_order_id": order,
        "gateway_key_id": "rzp_test_sandbox",
        "gateway_payment_id": None,
        "checkout_url": f"http://127.0.0.1:3000/sandbox-gateway/checkout/{order}",
        "captured_amount_paise": None,
        "receipt_no": None,
        "created_at": "2026-05-10T06:00:00Z",
        "expires_at": "2026-05-10T06:30:00Z",
        "captured_at": None,
    }
    read = api.get(f"/payments/{payment['id']}", caller=caller)
    assert read.status == 200
    assert read.headers["cache-control"] == "no-store"
    assert read.json() == payment
    assert my_payments(api, caller) == [payment]
    # Its lines are held: paying them again, or everything, is 409 until the order expires.
    again = pay(api, linked(api, record_of("PMC-W07-000001")), {"kind": "property_tax", "reference": "PMC-W07-000001"})
    assert_problem(again, 409, "payment_in_progress")
    clock.advance(timedelta(minutes=30))
    after = pay(api, caller, {"kind": "property_tax", "reference": "PMC-W07-000001", "items": ["2026-27-H1"]})
    assert after.status == 201, after.body
    assert after.json()["rebates"] == []  # the rebate needs every line of the year


def test_water_bill_payment(api: Api, clock: FixedClock) -> None:
    clock.advance(datetime(2026, 9, 2, 6, 0, tzinfo=UTC) - clock.now())
    caller = fresh_citizen()
    body = {"consumer_no": "WC-1000001", "owner_name": "Ramesh Kulkarni"}
    assert api.request("POST", "/me/water-connections", json_body=body, caller=caller).status == 201
    reply = pay(api, caller, {"kind": "water_bill", "reference": "WC-1000001", "items": ["2026-27-Q1"]})
    assert reply.status == 201, reply.body
    assert reply.json()["amount_paise"] == 86778
    assert reply.json()["lines"][0]["late_fee_paise"] == 2528
    assert reply.json()["ward"] == "W07"


def test_a_replay_answers_the_first_reply_and_another_body_is_422(api: Api, clock: FixedClock) -> None:
    record = next(UNPAID)
    caller = linked(api, record)
    body = {"kind": "property_tax", "reference": record["property_id"]}
    same = key()
    first = pay(api, caller, body, same)
    assert first.status == 201, first.body
    assert "idempotency-replayed" not in first.headers
    replay = pay(api, caller, dict(reversed(body.items())), same)  # the same JSON, another key order
    assert replay.status == 201
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["location"] == first.headers["location"]
    other = pay(api, caller, {**body, "items": [record["demands"][-1]["id"]]}, same)
    assert_problem(other, 422, "idempotency_key_reused")
    assert [p["id"] for p in my_payments(api, caller)] == [first.json()["id"]]


def test_concurrent_duplicates_make_one_payment(api: Api, clock: FixedClock) -> None:
    record = next(UNPAID)
    caller = linked(api, record)
    body = {"kind": "property_tax", "reference": record["property_id"]}
    same = key()
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: pay(api, caller, body, same), range(6)))
    created = [r for r in replies if r.status == 201]
    assert created
    assert {r.json()["id"] for r in created} == {created[0].json()["id"]}
    for r in replies:
        if r.status != 201:
            assert_problem(r, 409, "idempotency_in_progress")
            assert r.headers["retry-after"] == "1"
    assert len(my_payments(api, caller)) == 1


@pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: parallel ones are not isolated",
)
def test_concurrent_creates_for_the_same_lines_hold_them_once(api: Api, clock: FixedClock) -> None:
    record = next(UNPAID)
    callers = [linked(api, record) for _ in range(5)]
    body = {"kind": "property_tax", "reference": record["property_id"]}
    with ThreadPoolExecutor(5) as pool:
        replies = list(pool.map(lambda c: pay(api, c, body), callers))
    assert [r.status for r in replies].count(201) == 1, [r.body for r in replies]
    for r in replies:
        if r.status != 201:
            assert_problem(r, 409, "payment_in_progress")
    assert sum(len(my_payments(api, c)) for c in callers) == 1


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "idempotency_key_missing"), ({"Idempotency-Key": "short"}, "idempotency_key_missing")],
)
def test_the_key_is_required_and_checked_first(api: Api, clock: FixedClock, headers: dict[str, str], code: str) -> None:
    caller = fresh_citizen()
    body = {"kind": "property_tax", "reference": "PMC-W07-000001", "amount_paise": 1}  # also invalid: 400 first
    reply = api.request("POST", "/payments", json_body=body, caller=caller, headers=headers)
    assert_problem(reply, 400, code)
    assert my_payments(api, caller) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "property_tax", "reference": "{ref}", "amount_paise": 100}, "body.amount_paise"),
        ({"kind": "property_tax", "reference": "{ref}", "status": "captured"}, "body.status"),
        ({"kind": "water_bill", "reference": "{ref}"}, "body.reference"),
        ({"kind": "tax", "reference": "{ref}"}, "body.kind"),
        ({"kind": "property_tax"}, "body.reference"),
        ({"kind": "property_tax", "reference": "{ref}", "items": []}, "body.items"),
        ({"kind": "property_tax", "reference": "{ref}", "items": "2026-27-H1"}, "body.items"),
        ({"kind": "property_tax", "reference": "{ref}", "items": ["2026-27-H1", "2026-27-H1"]}, "body.items.1"),
        ({"kind": "property_tax", "reference": "{ref}", "items": ["2026-27-Q1"]}, "body.items.0"),
        ({"kind": "property_tax", "reference": "{ref}", "items": ["2030-31-H1"]}, "body.items.0"),
        ({"kind": "property_tax", "reference": "{ref}", "items": ["nonsense"]}, "body.items.0"),
    ],
)
def test_invalid_bodies_are_422_and_change_nothing(
    api: Api, clock: FixedClock, body: dict[str, Any], field: str
) -> None:
    record = record_of("PMC-W07-000001")
    caller = linked(api, record)
    sent = {k: (v.format(ref=record["property_id"]) if isinstance(v, str) else v) for k, v in body.items()}
    problem = assert_problem(pay(api, caller, sent), 422)
    assert [e["field"] for e in problem["errors"]] == [field], problem
    assert my_payments(api, caller) == []


def test_unknown_or_unlinked_references_are_404(api: Api, clock: FixedClock) -> None:
    caller = fresh_citizen()
    for reference in ("PMC-W07-999999", "PMC-W07-000001"):  # unknown; exists but not linked by the caller
        assert_problem(pay(api, caller, {"kind": "property_tax", "reference": reference}), 404)
    assert_problem(pay(api, caller, {"kind": "water_bill", "reference": "WC-1000001"}), 404)
    assert my_payments(api, caller) == []


def test_paid_lines_and_nothing_due_are_409(api: Api, clock: FixedClock) -> None:
    caller = linked(api, record_of("PMC-W03-000042"))  # fully paid
    line = record_of("PMC-W03-000042")["demands"][-1]["id"]
    body = {"kind": "property_tax", "reference": "PMC-W03-000042"}
    assert_problem(pay(api, caller, {**body, "items": [line]}), 409, "already_paid")
    assert_problem(pay(api, caller, body), 409, "nothing_due")
    assert my_payments(api, caller) == []


def test_someone_elses_payment_is_404_staff_of_its_ward_read_it(api: Api, clock: FixedClock) -> None:
    record = next(UNPAID)
    owner = linked(api, record)
    created = pay(api, owner, {"kind": "property_tax", "reference": record["property_id"]})
    assert created.status == 201, created.body
    path = f"/payments/{created.json()['id']}"
    other_ward = "W01" if record["ward"] != "W01" else "W02"
    assert_problem(api.get(path, caller=fresh_citizen()), 404)
    assert_problem(api.get(path, caller=Caller("+919800000300", ("ward_officer",), other_ward)), 404)
    assert api.get(path, caller=Caller("+919800000301", ("ward_officer",), record["ward"])).json() == created.json()
    assert api.get(path, caller=Caller("+919800000100", ("staff",))).status == 200
    for unknown in ("/payments/PAY-01JXQ5W8Z3M4N6P7R8S9T0VWXY", "/payments/pay-1", "/payments/PAY-0"):
        assert_problem(api.get(unknown, caller=owner), 404)


def test_my_payments_are_paged_newest_first_and_filtered(api: Api, clock: FixedClock) -> None:
    caller = fresh_citizen()
    ids = []
    for _ in range(3):
        record = next(UNPAID)
        body = {"property_id": record["property_id"], "owner_name": record["owner_name"]}
        assert api.request("POST", "/me/properties", json_body=body, caller=caller).status == 201
        reply = pay(api, caller, {"kind": "property_tax", "reference": record["property_id"]})
        assert reply.status == 201, reply.body
        ids.append(reply.json()["id"])
        clock.advance(timedelta(seconds=1))
    first = api.get("/me/payments", caller=caller, query={"limit": 2})
    assert [p["id"] for p in first.json()["items"]] == ids[::-1][:2]
    cursor = first.json()["next_cursor"]
    assert cursor
    second = api.get("/me/payments", caller=caller, query={"limit": 2, "cursor": cursor}).json()
    assert [p["id"] for p in second["items"]] == ids[:1]
    assert second["next_cursor"] is None
    assert [p["id"] for p in my_payments(api, caller, status="created")] == ids[::-1]
    assert my_payments(api, caller, status="captured") == []
    tampered = api.get("/me/payments", caller=caller, query={"limit": 2, "cursor": cursor[:-2] + "AA"})
    assert_problem(tampered, 400, "invalid_cursor")
    refiltered = api.get("/me/payments", caller=caller, query={"limit": 2, "cursor": cursor, "status": "created"})
    assert_problem(refiltered, 400, "invalid_cursor")
    assert_problem(api.get("/me/payments", caller=caller, query={"status": "paid"}), 422)
    assert_problem(api.get("/me/payments", caller=caller, query={"limit": 0}), 422)
