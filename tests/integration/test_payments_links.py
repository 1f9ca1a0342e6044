"""Quick views, links, dues and bills (API.md 4.3, 4.4, issue 17) on the seed records of data/: masking, the
owner-name check (NFKC, case folding, whitespace), 10 mismatches an hour across both kinds → 429, at most 20
links of a kind even in parallel, someone else's link → 404, and the worked examples of API.md 4.2."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.dynamodb_local import DYNAMODB_LOCAL, MOTO
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller, fixed_clock

DATA = Path(__file__).resolve().parents[2] / "data"
PROBLEM = "application/problem+json"
MAY_10 = datetime(2026, 5, 10, 5, 58, tzinfo=UTC)  # 11:28 IST
SEPT_2 = datetime(2026, 9, 2, 6, 0, tzinfo=UTC)
MISMATCH = {
    "field": "body.owner_name",
    "message": "does not match the owner name on record",
}
PROPERTIES: list[dict[str, Any]] = json.loads((DATA / "properties.json").read_text(encoding="utf-8"))
CONNECTIONS: list[dict[str, Any]] = json.loads((DATA / "water_connections.json").read_text(encoding="utf-8"))


def fresh_citizen() -> Caller:
    return Caller(f"+9197{uuid.uuid4().int % 10**8:08d}")


@pytest.fixture(scope="module")
def payments_seed(api: Api) -> None:
    """The seed records, and no line held by an open payment another module left (dues show held lines
    `in_payment` and without the rebate, API.md 4.2, 4.4), so the worked examples hold whatever ran before."""
    from payments import seed
    from payments.store import PaymentsItem

    seed.load(DATA)
    with PaymentsItem.batch_write() as batch:
        for item in PaymentsItem.scan(PaymentsItem.pk.startswith("lock#"), attributes_to_get=["pk", "sk"]):
            batch.delete(item)


@pytest.fixture
def clock(api: Api, payments_seed: None) -> Iterator[FixedClock]:
    yield from fixed_clock("payments", MAY_10)


def at(clock: FixedClock, when: datetime) -> None:
    clock.advance(when - clock.now())


def link_property(api: Api, caller: Caller, property_id: str = "PMC-W07-000001", name: str = "Ramesh Kulkarni") -> Any:
    return api.request(
        "POST", "/me/properties", json_body={"property_id": property_id, "owner_name": name}, caller=caller
    )


def link_water(api: Api, caller: Caller, consumer_no: str = "WC-1000001", name: str = "Ramesh Kulkarni") -> Any:
    return api.request(
        "POST", "/me/water-connections", json_body={"consumer_no": consumer_no, "owner_name": name}, caller=caller
    )


def listed(api: Api, caller: Caller, path: str, key: str) -> list[str]:
    reply = api.get(path, caller=caller)
    assert reply.status == 200
    assert reply.json()["next_cursor"] is None
    return [item[key] for item in reply.json()["items"]]


def assert_problem(reply: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == PROBLEM
    body: dict[str, Any] = reply.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


# --- quick views ---------------------------------------------------------------------------------


def test_property_quick_view_masks_the_owner_and_shows_the_dues_of_today(api: Api, clock: FixedClock) -> None:
    reply = api.get("/properties/PMC-W07-000001")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json() == {
        "property_id": "PMC-W07-000001",
        "ward": "W07",
        "owner_name_masked": "R***** K*******",
        "locality": {"en": "Kasba Peth", "mr": "कसबा पेठ"},
        "outstanding_paise": 1208000,
        "as_of": "2026-05-10",
    }
    assert api.get("/properties/PMC-W03-000042").json()["outstanding_paise"] == 0  # fully paid


def test_as_of_is_the_ist_date(api: Api, clock: FixedClock) -> None:
    at(clock, datetime(2026, 5, 31, 19, 0, tzinfo=UTC))  # 1 June 00:30 IST: the rebate has ended
    reply = api.get("/properties/PMC-W07-000001").json()
    assert reply["as_of"] == "2026-06-01"
    assert reply["outstanding_paise"] == 1248000


def test_water_quick_view(api: Api, clock: FixedClock) -> None:
    at(clock, SEPT_2)
    reply = api.get("/water-connections/WC-1000001")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert reply.json() == {
        "consumer_no": "WC-1000001",
        "ward": "W07",
        "owner_name_masked": "R***** K*******",
        "connection_type": "domestic",
        "outstanding_paise": 86778,
        "as_of": "2026-09-02",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/properties/PMC-W07-999999",
        "/properties/pmc-w07-000001",
        "/properties/PMC-W16-000001",
        "/properties/PMC-W07-00001",
        "/water-connections/WC-9999999",
        "/water-connections/WC-100000",
        "/water-connections/wc-1000001",
    ],
)
def test_unknown_or_malformed_quick_view_is_404(api: Api, clock: FixedClock, path: str) -> None:
    body = assert_problem(api.get(path), 404)
    assert body["instance"] == path


# --- links ---------------------------------------------------------------------------------------


def test_link_list_dues_and_unlink_a_property(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    created = link_property(api, citizen, name="ramesh  KULKARNI")  # NFKC + casefold + whitespace
    assert created.status == 201
    assert created.headers["location"] == "/me/properties/PMC-W07-000001/dues"
    assert created.json() == {
        "property_id": "PMC-W07-000001",
        "ward": "W07",
        "owner_name": "Ramesh Kulkarni",
        "locality": {"en": "Kasba Peth", "mr": "कसबा पेठ"},
        "outstanding_paise": 1208000,
        "as_of": "2026-05-10",
        "linked_at": "2026-05-10T05:58:00Z",
    }
    clock.advance(MAY_10 - MAY_10.replace(hour=4))  # an hour later: linking again changes nothing
    again = link_property(api, citizen, name="Ramesh Kulkarni")
    assert again.status == 200
    assert "location" not in again.headers
    assert again.json()["linked_at"] == "2026-05-10T05:58:00Z"
    assert listed(api, citizen, "/me/properties", "property_id") == ["PMC-W07-000001"]

    dues = api.get("/me/properties/PMC-W07-000001/dues", caller=citizen)
    assert dues.status == 200
    assert dues.headers["cache-control"] == "no-store"
    line = {
        "installment": "H1",
        "due_on": "2026-06-30",
        "principal_paise": 624000,
        "general_tax_paise": 400000,
        "paid_principal_paise": 0,
        "unpaid_principal_paise": 624000,
        "months_late": 0,
        "penalty_paise": 0,
        "total_paise": 624000,
        "status": "unpaid",
    }
    assert dues.json() == {
        "property_id": "PMC-W07-000001",
        "as_of": "2026-05-10",
        "total_paise": 1208000,
        "years": [
            {
                "financial_year": "2026-27",
                "rebate_eligible": True,
                "rebate_until": "2026-05-31",
                "rebate_paise": 40000,
                "total_paise": 1208000,
                "lines": [
                    {"id": "2026-27-H1", **line},
                    {"id": "2026-27-H2", **line, "installment": "H2", "due_on": "2026-12-31"},
                ],
            }
        ],
    }

    assert api.request("DELETE", "/me/properties/PMC-W07-000001", caller=citizen).status == 204
    assert listed(api, citizen, "/me/properties", "property_id") == []
    assert_problem(api.request("DELETE", "/me/properties/PMC-W07-000001", caller=citizen), 404)
    assert_problem(api.get("/me/properties/PMC-W07-000001/dues", caller=citizen), 404)
    assert link_property(api, citizen).status == 201  # linkable again


def test_penalty_example_of_api_md(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    assert link_property(api, citizen).status == 201
    at(clock, datetime(2026, 8, 5, 6, 0, tzinfo=UTC))
    year = api.get("/me/properties/PMC-W07-000001/dues", caller=citizen).json()["years"][0]
    h1 = year["lines"][0]
    assert (h1["months_late"], h1["penalty_paise"], h1["total_paise"]) == (2, 24960, 648960)
    assert (year["rebate_eligible"], year["rebate_until"], year["rebate_paise"]) == (False, None, 0)


def test_link_water_connection_and_read_its_bills(api: Api, clock: FixedClock) -> None:
    at(clock, SEPT_2)
    citizen = fresh_citizen()
    created = link_water(api, citizen, name="RAMESH\tkulkarni")
    assert created.status == 201
    assert created.headers["location"] == "/me/water-connections/WC-1000001/bills"
    assert created.json() == {
        "consumer_no": "WC-1000001",
        "ward": "W07",
        "owner_name": "Ramesh Kulkarni",
        "connection_type": "domestic",
        "outstanding_paise": 86778,
        "as_of": "2026-09-02",
        "linked_at": "2026-09-02T06:00:00Z",
    }
    assert link_water(api, citizen).status == 200
    assert listed(api, citizen, "/me/water-connections", "consumer_no") == ["WC-1000001"]
    bills = api.get("/me/water-connections/WC-1000001/bills", caller=citizen)
    assert bills.status == 200
    assert bills.json() == {
        "consumer_no": "WC-1000001",
        "as_of": "2026-09-02",
        "total_paise": 86778,
        "bills": [
            {
                "id": "2026-27-Q1",
                "financial_year": "2026-27",
                "period_from": "2026-04-01",
                "period_to": "2026-06-30",
                "issued_on": "2026-07-01",
                "due_on": "2026-07-31",
                "consumption_kl": 42,
                "amount_paise": 84250,
                "paid_paise": 0,
                "unpaid_paise": 84250,
                "months_late": 2,
                "late_fee_paise": 2528,
                "total_paise": 86778,
                "status": "unpaid",
            }
        ],
    }
    assert api.request("DELETE", "/me/water-connections/WC-1000001", caller=citizen).status == 204
    assert_problem(api.get("/me/water-connections/WC-1000001/bills", caller=citizen), 404)
    assert_problem(api.request("DELETE", "/me/water-connections/WC-1000001", caller=citizen), 404)


def test_lists_are_by_linked_at(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    chosen = [p for p in PROPERTIES if p["property_id"] != "PMC-W07-000001"][:3]
    for p in reversed(chosen):
        assert link_property(api, citizen, p["property_id"], p["owner_name"]).status == 201
        clock.advance(MAY_10.replace(minute=59) - MAY_10)
    assert listed(api, citizen, "/me/properties", "property_id") == [p["property_id"] for p in reversed(chosen)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.property_id"),
        ({"property_id": "PMC-W07-000001"}, "body.owner_name"),
        ({"owner_name": "Ramesh Kulkarni"}, "body.property_id"),
        ({"property_id": "PMC-W07-1", "owner_name": "Ramesh Kulkarni"}, "body.property_id"),
        ({"property_id": 7, "owner_name": "Ramesh Kulkarni"}, "body.property_id"),
        ({"property_id": "PMC-W07-000001", "owner_name": "R"}, "body.owner_name"),
        ({"property_id": "PMC-W07-000001", "owner_name": "R" * 101}, "body.owner_name"),
        ({"property_id": "PMC-W07-000001", "owner_name": "Ramesh\x00Kulkarni"}, "body.owner_name"),
        ({"property_id": "PMC-W07-000001", "owner_name": 42}, "body.owner_name"),
        ({"property_id": "PMC-W07-000001", "owner_name": "Ramesh Kulkarni", "ward": "W07"}, "body.ward"),
        ([], "body"),
    ],
)
def test_a_bad_link_body_is_422_and_links_nothing(api: Api, clock: FixedClock, body: Any, field: str) -> None:
    citizen = fresh_citizen()
    reply = api.request("POST", "/me/properties", json_body=body, caller=citizen)
    problem = assert_problem(reply, 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert listed(api, citizen, "/me/properties", "property_id") == []


def test_a_bad_water_body_is_422(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    reply = api.request(
        "POST", "/me/water-connections", json_body={"consumer_no": "WC-12", "owner_name": "Ramesh"}, caller=citizen
    )
    assert [e["field"] for e in assert_problem(reply, 422)["errors"]] == ["body.consumer_no"]
    assert listed(api, citizen, "/me/water-connections", "consumer_no") == []


def test_unknown_record_is_404_and_links_nothing(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    assert_problem(link_property(api, citizen, "PMC-W07-999999"), 404)
    assert_problem(link_water(api, citizen, "WC-9999999"), 404)
    assert listed(api, citizen, "/me/properties", "property_id") == []
    assert listed(api, citizen, "/me/water-connections", "consumer_no") == []


def test_a_mismatch_is_422_without_any_hint_of_the_name(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    for reply in (link_property(api, citizen, name="Ramesh Kulkarny"), link_water(api, citizen, name="Suresh")):
        problem = assert_problem(reply, 422, "owner_name_mismatch")
        assert problem["errors"] == [MISMATCH]
        text = reply.body.decode()
        for hint in ("Ramesh", "Kulkarni", "R*****", "K*******", "ramesh", "kulkarni"):
            assert hint not in text
    assert listed(api, citizen, "/me/properties", "property_id") == []
    assert listed(api, citizen, "/me/water-connections", "consumer_no") == []


def test_ten_mismatches_an_hour_across_both_kinds_then_429_even_with_the_right_name(
    api: Api, clock: FixedClock
) -> None:
    citizen = fresh_citizen()
    for n in range(10):
        reply = link_property(api, citizen, name="Wrong Name") if n % 2 else link_water(api, citizen, name="Wrong")
        assert_problem(reply, 422, "owner_name_mismatch")
    limited = link_property(api, citizen)  # the right name
    assert_problem(limited, 429)
    assert limited.headers["retry-after"] == str(3600 - 58 * 60)  # to 06:00Z
    assert_problem(link_water(api, citizen), 429)
    assert listed(api, citizen, "/me/properties", "property_id") == []
    assert link_property(api, fresh_citizen()).status == 201  # per caller
    at(clock, datetime(2026, 5, 10, 6, 0, 1, tzinfo=UTC))  # the next fixed UTC hour
    assert link_property(api, citizen).status == 201


def test_another_citizens_link_is_404(api: Api, clock: FixedClock) -> None:
    owner, other = fresh_citizen(), fresh_citizen()
    assert link_property(api, owner).status == 201
    assert link_water(api, owner).status == 201
    assert_problem(api.get("/me/properties/PMC-W07-000001/dues", caller=other), 404)
    assert_problem(api.get("/me/water-connections/WC-1000001/bills", caller=other), 404)
    assert_problem(api.request("DELETE", "/me/properties/PMC-W07-000001", caller=other), 404)
    assert_problem(api.request("DELETE", "/me/water-connections/WC-1000001", caller=other), 404)
    assert_problem(api.get("/me/properties/PMC-W07-999999/dues", caller=other), 404)
    assert_problem(api.get("/me/properties/not-an-id/dues", caller=other), 404)
    assert listed(api, other, "/me/properties", "property_id") == []
    assert listed(api, owner, "/me/properties", "property_id") == ["PMC-W07-000001"]  # untouched
    assert link_property(api, other).status == 201  # several citizens may link one record


def test_at_most_20_links_of_a_kind_even_in_parallel(api: Api, clock: FixedClock) -> None:
    citizen = fresh_citizen()
    chosen = PROPERTIES[:25]
    with ThreadPoolExecutor(max_workers=8) as callers:
        replies = list(callers.map(lambda p: link_property(api, citizen, p["property_id"], p["owner_name"]), chosen))
    assert sorted(r.status for r in replies) == [201] * 20 + [409] * 5
    for reply in replies:
        if reply.status == 409:
            assert_problem(reply, 409, "link_limit_reached")
    assert len(listed(api, citizen, "/me/properties", "property_id")) == 20
    first = CONNECTIONS[0]  # the limit is per kind
    assert link_water(api, citizen, first["consumer_no"], first["owner_name"]).status == 201
    linked = next(r for r in replies if r.status == 201).json()["property_id"]
    assert link_property(api, citizen, linked, "x" + PROPERTIES[0]["owner_name"]).status == 422  # name first
    owner = next(p["owner_name"] for p in chosen if p["property_id"] == linked)
    assert link_property(api, citizen, linked, owner).status == 200  # already linked before the limit
    assert api.request("DELETE", f"/me/properties/{linked}", caller=citizen).status == 204
    spare = next(p for p in chosen if p["property_id"] not in listed(api, citizen, "/me/properties", "property_id"))
    assert link_property(api, citizen, spare["property_id"], spare["owner_name"]).status == 201


@pytest.mark.skipif(
    os.environ.get("DYNAMODB_ENGINE", DYNAMODB_LOCAL) == MOTO,
    reason="moto's TransactWriteItems is not thread-safe: parallel ones are not isolated",
)
def test_the_store_never_passes_the_link_limit_under_parallel_writes(api: Api, payments_seed: None) -> None:
    from payments import store

    sub = str(uuid.uuid4())
    with ThreadPoolExecutor(max_workers=16) as writers:
        outcomes = list(
            writers.map(
                lambda p: store.link("property", sub, p["property_id"], "2026-05-10T05:58:00Z", 20), PROPERTIES[:40]
            )
        )
    assert outcomes.count("linked") == 20
    assert outcomes.count("limit_reached") == 20
    assert len(store.links("property", sub)) == 20
