"""Filing at the Citizen Facilitation Centres (issue 20) through the template's routes and real v2 events: a
clerk files for a walk-in citizen, who owns it and is texted; a clerk reads only their CFC's filings of the
IST day; every refusal is a problem+json that changes nothing."""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.sns.models import sns_backends

from local.events import eventbridge_event
from local.template import ACCOUNT_ID, REGION
from local.tokens import subject_of
from pmc_common.clock import FixedClock
from tests.harness import CITIZEN, STAFF, Api, Caller, Reply, fixed_clock, lambda_context

KASBA_CFC = "OFF-15GFXMY5"  # Citizen Facilitation Centre, Kasba Peth (sample), W07
KASBA_OFFICE_CFC = "OFF-BQ6WFEJC"  # the one at the Kasba–Vishrambaug Wada ward office
CLERK = Caller("+919800000601", ("cfc_clerk",), office=KASBA_CFC)
OTHER_CLERK = Caller("+919800000602", ("cfc_clerk",), office=KASBA_OFFICE_CFC)
NO_OFFICE_CLERK = Caller("+919800000603", ("cfc_clerk",))
W07_OFFICER = Caller("+919800000607", ("ward_officer",), "W07")
BODY = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    "lat": 18.5196,
    "lng": 73.8553,
    "address": "Kasba Peth",
    "attributes": {"bin_type": "community"},
}
START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)  # 10:42 IST


def walk_in() -> str:
    """A phone number no test used before: a citizen with no grievance yet."""
    return f"+9197{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture
def clock(local_aws: Any) -> Any:
    yield from fixed_clock("grievance", START)


def file(api: Api, phone_number: str, clerk: Caller = CLERK, **changes: Any) -> Reply:
    return api.request(
        "POST", "/cfc/grievances", json_body={**BODY, "citizen_phone_number": phone_number, **changes}, caller=clerk
    )


def filed(api: Api, phone_number: str, clerk: Caller = CLERK) -> dict[str, Any]:
    reply = file(api, phone_number, clerk)
    assert reply.status == 201, reply.body
    created: dict[str, Any] = reply.json()
    return created


def assert_problem(reply: Reply, status: int, field: str | None = None) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = reply.json()
    assert problem["status"] == status
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field]
    return problem


def cfc_list(api: Api, clerk: Caller = CLERK) -> list[str]:
    reply = api.get("/cfc/grievances", caller=clerk)
    assert reply.status == 200, reply.body
    return [item["id"] for item in reply.json()["items"]]


def stored(grievance_id: str) -> dict[str, Any]:
    from grievance import store

    g = store.get(grievance_id)
    assert g is not None
    return asdict(g)


def submitted_count() -> int:
    from grievance import store

    return sum(n for (w, _, s), n in store.counters("W07").by_key.items() if w == "W07" and s == "submitted")


def test_a_clerk_files_for_a_walk_in_citizen_who_owns_it(api: Api, clock: FixedClock) -> None:
    phone_number = walk_in()
    before = submitted_count()
    reply = file(api, phone_number)
    assert reply.status == 201, reply.body
    g = reply.json()
    assert reply.headers["location"] == f"/cfc/grievances/{g['id']}"
    assert (g["status"], g["ward"], g["citizen_phone_number"]) == ("submitted", "W07", phone_number)
    assert g["office"] == {
        "id": KASBA_CFC,
        "name": {"en": "Citizen Facilitation Centre, Kasba Peth (sample)", "mr": g["office"]["name"]["mr"]},
    }
    assert g["office"]["name"]["mr"]
    [created] = g["timeline"]
    assert (created["type"], created["actor"], created["office"]) == ("created", "cfc_clerk", g["office"])
    assert submitted_count() == before + 1

    # the citizen, signing in with that number, owns it; the clerk is not its owner
    citizen = Caller(phone_number)
    mine = api.get("/me/grievances", caller=citizen).json()["items"]
    assert [(i["id"], i["relation"]) for i in mine] == [(g["id"], "owner")]
    assert stored(g["id"])["owner_sub"] == subject_of(phone_number)
    detail = api.get(f"/grievances/{g['id']}", caller=citizen).json()
    assert (detail["relation"], detail["timeline"][0]["office"]) == ("owner", g["office"])
    assert g["id"] not in [i["id"] for i in api.get("/me/grievances", caller=CLERK).json()["items"]]
    staff_view = api.get(f"/grievances/{g['id']}", caller=W07_OFFICER).json()["staff"]
    assert (staff_view["channel"], staff_view["owner_phone_number"]) == ("cfc", phone_number)


def test_the_walk_in_citizen_is_texted_the_id_and_no_log_holds_the_number(
    api: Api, clock: FixedClock, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """The creation's outbox event, delivered to the notifier as the bus would, texts the citizen's number."""
    from grievance import notifier, store

    service_log = io.StringIO()
    handler = logging.StreamHandler(service_log)
    handler.setFormatter(notifier.logger.registered_formatter)  # JSON with the extra keys, as in Lambda
    service_logger = logging.getLogger("grievance")  # Powertools' Logger(service="grievance")
    service_logger.addHandler(handler)
    level = service_logger.level
    service_logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.INFO)  # botocore DEBUG prints request bodies; functions log at INFO in AWS
    sns = sns_backends[ACCOUNT_ID][REGION].sms_messages
    before = set(sns)
    phone_number = walk_in()
    try:
        g = filed(api, phone_number)
        [outbox] = list(store.OutboxItem.query(g["id"], store.OutboxItem.sk.startswith("event#")))
        detail = json.loads(outbox.detail)
        assert outbox.detail_type == "GrievanceStatusChanged"
        assert (detail["grievance_id"], detail["from_status"], detail["to_status"]) == (g["id"], None, "submitted")
        assert phone_number not in outbox.detail  # events carry no personal data: the notifier reads the number
        bus = {
            "id": str(uuid.uuid4()),
            "detail-type": "GrievanceStatusChanged",
            "source": "pmc.grievance",
            "time": g["created_at"],
            "detail": detail,
        }
        assert notifier.handler(eventbridge_event(bus), lambda_context()) == {"sent": 1}
    finally:
        service_logger.removeHandler(handler)
        service_logger.setLevel(level)
    captured = capsys.readouterr()
    logged = service_log.getvalue() + caplog.text + captured.out + captured.err
    assert g["id"] in logged  # the notifier logged the send, by id
    texts = [v for k, v in sns.items() if k not in before]
    assert texts == [(phone_number, f"PMC CARE: आपली तक्रार {g['id']} - सद्यस्थिती: नोंदवली.")]
    assert phone_number.removeprefix("+91") not in logged


def test_a_clerk_reads_only_the_filings_of_their_cfc_today(api: Api, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=1))
    first = filed(api, walk_in())
    clock.advance(timedelta(minutes=5))
    second = filed(api, walk_in())
    elsewhere = filed(api, walk_in(), OTHER_CLERK)
    # newest first; other tests of this module file at this CFC on this day too (one at 23:59 IST), in any order
    listed = cfc_list(api)
    assert listed.index(second["id"]) < listed.index(first["id"])
    assert elsewhere["id"] not in cfc_list(api)
    assert elsewhere["id"] in cfc_list(api, OTHER_CLERK)
    one = api.get(f"/cfc/grievances/{first['id']}", caller=CLERK)
    assert one.status == 200
    assert (one.json()["id"], one.json()["office"]["id"]) == (first["id"], KASBA_CFC)


def test_a_clerk_reading_another_cfcs_grievance_gets_404_and_nothing_changes(api: Api, clock: FixedClock) -> None:
    theirs = filed(api, walk_in(), OTHER_CLERK)
    before = stored(theirs["id"])
    problem = assert_problem(api.get(f"/cfc/grievances/{theirs['id']}", caller=CLERK), 404)
    unknown = assert_problem(api.get("/cfc/grievances/GRV-2606-000000", caller=CLERK), 404)
    assert problem["detail"] == unknown["detail"]  # the same as for an unknown id (API.md 1.5)
    assert_problem(api.get("/cfc/grievances/not-an-id", caller=CLERK), 404)
    assert stored(theirs["id"]) == before


def test_a_grievance_not_filed_at_a_cfc_is_404_to_a_clerk(api: Api, clock: FixedClock) -> None:
    reply = api.request("POST", "/grievances", json_body=BODY, caller=CITIZEN)
    assert reply.status == 201
    assert_problem(api.get(f"/cfc/grievances/{reply.json()['id']}", caller=CLERK), 404)


def test_the_clerks_day_ends_at_ist_midnight(api: Api, clock: FixedClock) -> None:
    clock.advance(datetime(2026, 6, 10, 18, 29, tzinfo=UTC) - clock.now())  # 23:59 IST
    late = filed(api, walk_in())
    clock.advance(timedelta(minutes=2))  # 00:01 IST, 11 June; still 10 June in UTC
    early = filed(api, walk_in())
    assert_problem(api.get(f"/cfc/grievances/{late['id']}", caller=CLERK), 404)
    assert api.get(f"/cfc/grievances/{early['id']}", caller=CLERK).status == 200
    assert late["id"] not in cfc_list(api)
    assert early["id"] in cfc_list(api)


def test_a_cursor_of_yesterday_is_refused_today(api: Api, clock: FixedClock) -> None:
    clock.advance(timedelta(days=30))
    filed(api, walk_in())
    filed(api, walk_in())
    page = api.get("/cfc/grievances", query={"limit": 1}, caller=CLERK).json()
    assert page["next_cursor"]
    clock.advance(timedelta(days=1))
    problem = assert_problem(api.get("/cfc/grievances", query={"cursor": page["next_cursor"]}, caller=CLERK), 400)
    assert problem["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("phone_number", "field"),
    [
        ("9800000001", "body.citizen_phone_number"),
        ("+91 98000 00001", "body.citizen_phone_number"),
        ("+9198000000011", "body.citizen_phone_number"),
        ("+919800000a01", "body.citizen_phone_number"),
        ("+449800000001", "body.citizen_phone_number"),
        ("+911800000001", "body.citizen_phone_number"),  # not a mobile number
        (919800000001, "body.citizen_phone_number"),
        (None, "body.citizen_phone_number"),
    ],
)
def test_a_malformed_phone_number_is_422_naming_the_field_and_files_nothing(
    api: Api, clock: FixedClock, phone_number: Any, field: str
) -> None:
    before, listed = submitted_count(), cfc_list(api)
    assert_problem(file(api, phone_number), 422, field)
    assert (submitted_count(), cfc_list(api)) == (before, listed)


def test_a_missing_phone_number_and_a_bad_body_are_422_and_file_nothing(api: Api, clock: FixedClock) -> None:
    before, listed = submitted_count(), cfc_list(api)
    assert_problem(
        api.request("POST", "/cfc/grievances", json_body=BODY, caller=CLERK), 422, "body.citizen_phone_number"
    )
    assert_problem(file(api, walk_in(), lat=19.0760, lng=72.8777), 422, "body")  # Mumbai
    assert_problem(file(api, walk_in(), category="unicorns"), 422, "body.category")
    assert_problem(file(api, walk_in(), status="resolved"), 422, "body.status")
    assert (submitted_count(), cfc_list(api)) == (before, listed)


@pytest.mark.parametrize(
    "caller",
    [
        CITIZEN,
        STAFF,
        W07_OFFICER,
        Caller("+919800000900", ("admin",)),
        Caller("+919800000604", ("staff",), office=KASBA_CFC),
    ],
    ids=["citizen", "staff", "ward_officer", "admin", "staff_with_an_office"],
)
def test_citizens_and_staff_may_not_use_cfc_routes(api: Api, clock: FixedClock, caller: Caller) -> None:
    mine = filed(api, walk_in())
    before, listed = submitted_count(), cfc_list(api)
    assert_problem(file(api, walk_in(), caller), 403)
    assert_problem(api.get("/cfc/grievances", caller=caller), 403)
    assert_problem(api.get(f"/cfc/grievances/{mine['id']}", caller=caller), 403)
    assert (submitted_count(), cfc_list(api)) == (before, listed)


@pytest.mark.parametrize(
    "clerk",
    [NO_OFFICE_CLERK, Caller("+919800000605", ("cfc_clerk",), office="OFF-FH9CXDYZ")],  # the head office: no CFC
    ids=["no_office", "not_a_cfc"],
)
def test_a_clerk_token_without_a_cfc_is_403_and_files_nothing(api: Api, clock: FixedClock, clerk: Caller) -> None:
    before, listed = submitted_count(), cfc_list(api)
    assert_problem(file(api, walk_in(), clerk), 403)
    assert_problem(api.get("/cfc/grievances", caller=clerk), 403)
    assert (submitted_count(), cfc_list(api)) == (before, listed)


def test_a_clerk_may_not_use_staff_routes(api: Api, clock: FixedClock) -> None:
    g = filed(api, walk_in())
    before = stored(g["id"])
    assert_problem(api.get("/staff/grievances", caller=CLERK), 403)
    assert_problem(api.get("/staff/grievances/stats", caller=CLERK), 403)
    patch = api.request("PATCH", f"/staff/grievances/{g['id']}", json_body={"note": "Looked at it"}, caller=CLERK)
    assert_problem(patch, 403)
    assert_problem(api.get(f"/grievances/{g['id']}", caller=CLERK), 404)  # not its owner, follower or staff
    assert stored(g["id"]) == before


def test_the_openapi_document_describes_the_cfc_routes(local_aws: Any) -> None:
    from grievance import api as grievance_api
    from pmc_common.openapi import document

    paths = document(grievance_api.app)["paths"]
    post = paths["/cfc/grievances"]["post"]
    assert {"201", "400", "401", "403", "409", "422"} <= post["responses"].keys()  # 409: Idempotency-Key
    assert "Location" in post["responses"]["201"]["headers"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/CfcGrievanceCreate"}
    assert {"200", "400", "401", "403"} <= paths["/cfc/grievances"]["get"]["responses"].keys()  # 400: cursor
    assert {"200", "401", "403", "404"} <= paths["/cfc/grievances/{grievance_id}"]["get"]["responses"].keys()


def test_a_retried_filing_with_its_idempotency_key_files_once(api: Api, clock: FixedClock) -> None:
    clock.advance(timedelta(hours=2))
    phone_number, key = walk_in(), str(uuid.uuid4())
    body = {**BODY, "citizen_phone_number": phone_number}
    first = api.request("POST", "/cfc/grievances", json_body=body, headers={"idempotency-key": key}, caller=CLERK)
    again = api.request("POST", "/cfc/grievances", json_body=body, headers={"idempotency-key": key}, caller=CLERK)
    assert (first.status, again.status) == (201, 201)
    assert again.headers["idempotency-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    mine = api.get("/me/grievances", caller=Caller(phone_number)).json()["items"]
    assert [i["id"] for i in mine] == [first.json()["id"]]
    changed = api.request(
        "POST",
        "/cfc/grievances",
        json_body={**body, "landmark": "Gate 2"},
        headers={"idempotency-key": key},
        caller=CLERK,
    )
    assert_problem(changed, 422)
    assert [i["id"] for i in api.get("/me/grievances", caller=Caller(phone_number)).json()["items"]] == [
        first.json()["id"]
    ]
