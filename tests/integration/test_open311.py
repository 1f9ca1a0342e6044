"""Open311 GeoReport v2 at /open311/v2 (API.md 6, issue 19) through the template's routes and real v2 events:
every resource in both formats against the specification's examples, POST validation, keys and rate limits,
round trips with the app and the staff queue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from pmc_common.clock import FixedClock
from tests.harness import ADMIN, CITIZEN, STAFF, Api, Reply

START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
KASBA = {"lat": 18.5196, "lng": 73.8553}
GARBAGE = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    **KASBA,
    "address": "Kasba Peth",
    "attributes": {"bin_type": "community"},
}
FORM = "application/x-www-form-urlencoded"
# The children of each element in the specification's examples (GeoReport v2, Service Discovery)
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
ATTRIBUTE = {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
PERSONAL = ("+9198", "owner", "phone", "email", "first_name", "device_id", "Asha")


@pytest.fixture
def clock(local_aws: Any) -> Iterator[FixedClock]:
    from grievance import api as grievance_api

    fixed = FixedClock(START)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: fixed
    yield fixed
    grievance_api.app.dependency_overrides.clear()


def xml(reply: Reply) -> ElementTree.Element:
    assert reply.headers["content-type"].startswith("text/xml"), reply.headers
    assert reply.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(reply.body)  # noqa: S314  (our own reply, parsed to check its shape)


def children(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def issue_key(api: Api, name: str = "Pune Civic Dashboard") -> dict[str, Any]:
    reply = api.request("POST", "/admin/open311/keys", json_body={"name": name, "contact_email": None}, caller=ADMIN)
    assert reply.status == 201, reply.body
    return dict(reply.json())


def post(api: Api, fields: dict[str, str] | list[tuple[str, str]], fmt: str = "json", **headers: str) -> Reply:
    return api.request(
        "POST",
        f"/open311/v2/requests.{fmt}",
        body=urlencode(fields).encode(),
        headers={"content-type": FORM, **headers},
    )


def grievance_count() -> int:
    from grievance import store

    return sum(store.counters(None).by_key.values())


# --- discovery and services ------------------------------------------------------------------------------


def test_discovery_in_both_formats_names_this_endpoint(api: Api) -> None:
    root = xml(api.get("/open311/v2/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert endpoint is not None
    assert set(children(endpoint)) == ENDPOINT
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert endpoint.findtext("url") == "http://api.local/open311/v2"
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    as_json = api.get("/open311/v2/discovery.json")
    assert as_json.headers["content-type"].startswith("application/json")
    body = as_json.json()
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert body["changeset"] == root.findtext("changeset")
    assert body["changeset"].endswith("+05:30")


def test_services_list_every_category_as_the_examples_do(api: Api) -> None:
    from grievance import reference

    root = xml(api.get("/open311/v2/services.xml"))
    assert root.tag == "services"
    assert {child.tag for child in root} == {"service"}
    codes = [s.findtext("service_code") for s in root]
    assert codes == sorted(reference.categories())
    garbage = next(s for s in root if s.findtext("service_code") == "garbage_not_collected")
    assert set(children(garbage)) == SERVICE
    assert garbage.findtext("metadata") == "true"
    assert garbage.findtext("type") == "realtime"
    items = api.get("/open311/v2/services.json").json()
    assert isinstance(items, list)
    assert [s["service_code"] for s in items] == codes
    assert next(s for s in items if s["service_code"] == "garbage_not_collected")["metadata"] is True
    assert all(set(s) == SERVICE for s in items)


def test_a_service_definition_lists_its_attributes_and_values(api: Api) -> None:
    root = xml(api.get("/open311/v2/services/garbage_not_collected.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert attribute is not None
    assert set(children(attribute)) == ATTRIBUTE - {"datatype_description"}  # absent values are left out
    assert attribute.findtext("code") == "bin_type"
    assert attribute.findtext("datatype") == "singlevaluelist"
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("required") == "false"
    values = attribute.findall("values/value")
    assert [v.findtext("key") for v in values] == ["community", "door_to_door", "litter_bin"]
    assert all(children(v) == ["key", "name"] for v in values)
    body = api.get("/open311/v2/services/garbage_not_collected.json").json()
    assert body["service_code"] == "garbage_not_collected"
    assert body["attributes"][0]["values"][0] == {"key": "community", "name": "Community bin"}


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services/no_such_service",
        "/open311/v2/requests/GRV-2606-ZZZZZZ",
        "/open311/v2/requests/not-an-id",
        "/open311/v2/tokens/ZZZZZZZZZZZZZZZZ",
        "/open311/v2/nothing",
    ],
)
def test_unknown_resources_are_404_in_the_open311_format(api: Api, path: str) -> None:
    root = xml(api.get(f"{path}.xml"))
    assert root.tag == "errors"
    assert children(root) == ["error"]
    assert children(root[0]) == ["code", "description"]
    assert root[0].findtext("code") == "404"
    reply = api.get(f"{path}.json")
    assert reply.status == 404
    assert [e["code"] for e in reply.json()] == [404]
    assert set(reply.json()[0]) == {"code", "description"}


def test_a_resource_without_a_format_is_a_404_in_xml(api: Api) -> None:
    reply = api.get("/open311/v2/services")
    assert reply.status == 404
    assert xml(reply).tag == "errors"


def test_another_jurisdiction_is_a_404(api: Api) -> None:
    reply = api.get("/open311/v2/services.json", query={"jurisdiction_id": "sfgov.org"})
    assert reply.status == 404
    assert reply.json()[0]["code"] == 404
    assert api.get("/open311/v2/services.json", query={"jurisdiction_id": "pmc.gov.in"}).status == 200


# --- requests: reading ------------------------------------------------------------------------------------


def log(api: Api, body: dict[str, Any] | None = None) -> dict[str, Any]:
    reply = api.request("POST", "/grievances", json_body=body or GARBAGE, caller=CITIZEN)
    assert reply.status == 201, reply.body
    return dict(reply.json())


def listed(api: Api, fmt: str = "json", **query: str) -> Any:
    reply = api.get(f"/open311/v2/requests.{fmt}", query=query)
    assert reply.status == 200, reply.body
    return reply.json() if fmt == "json" else xml(reply)


def staff_move(api: Api, grievance_id: str, body: dict[str, Any]) -> None:
    reply = api.request("PATCH", f"/staff/grievances/{grievance_id}", json_body=body, caller=STAFF)
    assert reply.status == 200, reply.body


def test_a_grievance_logged_in_the_app_follows_its_status_in_open311(api: Api, clock: FixedClock) -> None:
    g = log(api)
    (item,) = listed(api, service_request_id=g["id"])
    assert set(item) == REQUEST - {"status_notes", "service_notice", "address_id", "zipcode", "media_url"}
    assert item["status"] == "open"
    assert item["service_code"] == "garbage_not_collected"
    assert item["service_name"] == "Garbage not collected"
    assert item["agency_responsible"] == "Solid Waste Management"
    assert item["requested_datetime"] == "2026-06-10T10:42:09+05:30"
    assert item["expected_datetime"] == "2026-06-12T10:42:09+05:30"
    assert (item["lat"], item["long"], item["address"]) == (18.5196, 73.8553, "Kasba Peth")
    clock.advance(timedelta(hours=1))
    staff_move(api, g["id"], {"status": "assigned", "assignee": "JE Solid Waste, Kasba"})
    staff_move(api, g["id"], {"note": "Truck sent this evening.", "internal_note": "Call the contractor"})
    (item,) = listed(api, service_request_id=g["id"])
    assert item["status"] == "open"
    assert item["status_notes"] == "Truck sent this evening."
    assert item["updated_datetime"] == "2026-06-10T11:42:09+05:30"
    staff_move(api, g["id"], {"status": "in_progress"})
    staff_move(api, g["id"], {"status": "resolved", "note": "Cleared."})
    root = xml(api.get(f"/open311/v2/requests/{g['id']}.xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    request = root[0]
    assert request.findtext("status") == "closed"
    assert request.findtext("status_notes") == "Cleared."
    assert children(request)[0] == "service_request_id"
    assert set(children(request)) <= REQUEST
    text = api.get(f"/open311/v2/requests/{g['id']}.json").body.decode()
    assert not any(word in text for word in PERSONAL)
    assert "JE Solid Waste" not in text
    assert "contractor" not in text


def test_the_list_reads_by_window_status_and_service(api: Api, clock: FixedClock) -> None:
    clock.advance(timedelta(days=400))  # a window of its own
    first = log(api)
    clock.advance(timedelta(days=1))
    pothole = log(api, {**GARBAGE, "category": "pothole", "attributes": {}})
    clock.advance(timedelta(days=1))
    rejected = log(api)
    staff_move(api, rejected["id"], {"status": "rejected", "note": "Duplicate of another request."})
    ids = [i["service_request_id"] for i in listed(api)]  # the last 90 days by default, newest first
    assert ids[:3] == [rejected["id"], pothole["id"], first["id"]]
    assert [i["service_request_id"] for i in listed(api, status="closed")][:1] == [rejected["id"]]
    assert rejected["id"] not in [i["service_request_id"] for i in listed(api, status="open")]
    only_potholes = listed(api, service_code="pothole")
    assert {i["service_code"] for i in only_potholes} == {"pothole"}
    assert pothole["id"] in str(only_potholes)
    day = clock.now().date()
    window = listed(api, start_date=f"{day - timedelta(days=1)}T00:00:00+05:30", end_date=f"{day}T00:00:00+05:30")
    assert [i["service_request_id"] for i in window] == [pothole["id"]]
    root = listed(api, "xml", service_request_id=f"{first['id']},{pothole['id']},GRV-2606-ZZZZZZ")
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root] == [first["id"], pothole["id"]]  # ids override all


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start_date": "2026-06-01T00:00:00+05:30", "end_date": "2026-12-01T00:00:00+05:30"}, "90 days"),
        ({"start_date": "2026-06-10T00:00:00+05:30", "end_date": "2026-06-01T00:00:00+05:30"}, "after"),
        ({"start_date": "2026-06-10T00:00:00"}, "offset"),
        ({"end_date": "yesterday"}, "offset"),
        ({"status": "pending"}, "status"),
        ({"service_code": "pothole,no_such_service"}, "service_code"),
    ],
)
def test_a_wrong_query_is_a_400_in_both_formats(api: Api, query: dict[str, str], message: str) -> None:
    reply = api.get("/open311/v2/requests.json", query=query)
    assert reply.status == 400
    (error,) = reply.json()
    assert error["code"] == 400
    assert message in error["description"]
    root = xml(api.get("/open311/v2/requests.xml", query=query))
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"
