"""Open311 GeoReport v2 at /open311/v2 (API.md 6, issue 19) through the template's routes and real v2 events:
every resource in both formats against the specification's examples, POST validation, keys and rate limits,
round trips with the app and the staff queue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest

from pmc_common.clock import FixedClock
from tests.harness import ADMIN, CITIZEN, STAFF, Api, Reply, fixed_clock

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
    yield from fixed_clock("grievance", START)


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
        "/open311/v2/discovery",
        "/open311/v2/services",
        "/open311/v2/services/garbage_not_collected",
        "/open311/v2/services/pothole",
    ],
)
def test_public_definitions_carry_an_etag_and_answer_304_while_it_holds(api: Api, path: str) -> None:
    tags = {}
    for fmt in ("json", "xml"):
        first = api.get(f"{path}.{fmt}")
        assert first.status == 200
        tag = first.headers["etag"]
        assert first.headers["cache-control"] == "public, max-age=300"
        assert api.get(f"{path}.{fmt}").headers["etag"] == tag  # a function of the answer alone
        again = api.get(f"{path}.{fmt}", headers={"if-none-match": tag})
        assert (again.status, again.body, again.headers["etag"]) == (304, b"", tag)
        listed = api.get(f"{path}.{fmt}", headers={"if-none-match": f'"other", W/{tag}'})
        assert listed.status == 304
        stale = api.get(f"{path}.{fmt}", headers={"if-none-match": '"0123456789abcdef0123456789abcdef"'})
        assert (stale.status, stale.body) == (200, first.body)
        tags[fmt] = tag
    assert tags["json"] != tags["xml"]  # each format is its own representation


def test_requests_and_errors_are_never_cached(api: Api, clock: FixedClock) -> None:
    for path in ("/open311/v2/requests.json", "/open311/v2/services/no_such_service.json"):
        reply = api.get(path, headers={"if-none-match": "*"})
        assert reply.status in (200, 404)
        assert "etag" not in reply.headers
        assert reply.headers["cache-control"] == "no-store"


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


def test_a_post_to_another_jurisdiction_is_a_404_and_changes_nothing(api: Api, clock: FixedClock) -> None:
    key = issue_key(api)
    before = grievance_count()
    fields = {"api_key": key["api_key"], "jurisdiction_id": "sfgov.org", "service_code": "pothole", **LOCATED}
    reply = post(api, fields, "xml")
    assert reply.status == 404
    assert xml(reply).findtext("error/code") == "404"
    assert grievance_count() == before


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
    staff_move(api, g["id"], {"status": "resolved", "note": "Cleared.", "resolution_reason": "no_fix_needed"})
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


# --- keys ------------------------------------------------------------------------------------------------


def test_a_key_is_shown_once_stored_hashed_and_revocable(api: Api, clock: FixedClock) -> None:
    import hashlib

    from grievance.open311 import store as open311_store
    from grievance.store import GrievanceItem

    issued = issue_key(api, "Research dashboard")
    assert issued["id"].startswith("KEY-")
    assert issued["api_key"].startswith("o311_")
    assert len(issued["api_key"]) == 37
    assert issued["key_prefix"] == issued["api_key"][:9]
    assert issued["created_at"] == "2026-06-10T05:12:09Z"
    listed_keys = api.get("/admin/open311/keys", caller=ADMIN).json()
    mine = next(k for k in listed_keys["items"] if k["id"] == issued["id"])
    assert mine["api_key"] is None
    assert listed_keys["next_cursor"] is None
    stored = GrievanceItem.get(open311_store.KEYS, issued["id"]).doc
    assert issued["api_key"] not in json.dumps(stored)
    assert stored["key_hash"] == hashlib.sha256(issued["api_key"].encode()).hexdigest()
    assert api.request("DELETE", f"/admin/open311/keys/{issued['id']}", caller=ADMIN).status == 204
    assert api.request("DELETE", f"/admin/open311/keys/{issued['id']}", caller=ADMIN).status == 204
    revoked = next(k for k in api.get("/admin/open311/keys", caller=ADMIN).json()["items"] if k["id"] == issued["id"])
    assert revoked["revoked_at"] == "2026-06-10T05:12:09Z"
    before = grievance_count()
    reply = post(api, {"api_key": issued["api_key"], "service_code": "pothole", **LOCATED})
    assert reply.status == 403
    assert grievance_count() == before


def test_key_routes_are_for_admins_and_check_their_input(api: Api) -> None:
    before = len(api.get("/admin/open311/keys", caller=ADMIN).json()["items"])
    assert api.get("/admin/open311/keys", caller=STAFF).status == 403
    assert api.request("POST", "/admin/open311/keys", json_body={"name": "Staff key"}, caller=STAFF).status == 403
    for body in ({"name": "ab", "contact_email": None}, {"name": "Fine name", "contact_email": "not-an-email"}):
        reply = api.request("POST", "/admin/open311/keys", json_body=body, caller=ADMIN)
        assert reply.status == 422, body
    assert len(api.get("/admin/open311/keys", caller=ADMIN).json()["items"]) == before
    assert api.request("DELETE", "/admin/open311/keys/KEY-00000000", caller=ADMIN).status == 404
    assert api.request("DELETE", "/admin/open311/keys/nonsense", caller=ADMIN).status == 404


# --- requests: posting -------------------------------------------------------------------------------------

LOCATED = {"lat": "18.5196", "long": "73.8553", "description": "Deep pothole outside the bus stop."}


def test_a_posted_request_enters_the_staff_queue_and_its_token_resolves(api: Api, clock: FixedClock) -> None:
    from grievance import store

    key = issue_key(api)
    fields = [
        ("api_key", key["api_key"]),
        ("service_code", "garbage_not_collected"),
        ("lat", "18.5196"),
        ("long", "73.8553"),
        ("address_string", "Kasba Peth"),
        ("description", "Garbage not collected for a week."),
        ("attribute[bin_type]", "community"),
        ("email", "asha@example.org"),
        ("first_name", "Asha"),
        ("phone", "+919800000055"),
        ("device_id", "device-123"),
        ("media_url", "https://example.org/photo.jpg"),
    ]
    reply = post(api, fields, "xml")
    assert reply.status == 201
    root = xml(reply)
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == ["service_request_id", "token"]
    request_id, token = root[0].findtext("service_request_id") or "", root[0].findtext("token")
    assert reply.headers["location"] == f"/open311/v2/requests/{request_id}.xml"
    resolved = api.get(f"/open311/v2/tokens/{token}.json").json()
    assert resolved == [{"service_request_id": request_id, "token": token}]
    token_xml = xml(api.get(f"/open311/v2/tokens/{token}.xml"))
    assert token_xml.findtext("request/service_request_id") == request_id
    queue = api.get("/staff/grievances", caller=STAFF, query={"status": "submitted", "limit": "100"}).json()
    assert request_id in [i["id"] for i in queue["items"]]
    detail = api.get(f"/grievances/{request_id}", caller=STAFF).json()
    assert detail["timeline"][0]["actor"] == "open311"
    assert detail["staff"]["channel"] == "open311"
    assert detail["staff"]["owner_phone_number"] is None
    assert detail["attributes"] == {"bin_type": "community"}
    g = store.get(request_id)
    assert g is not None
    assert g.owner_sub == f"open311:{key['id']}"
    for path in (f"/open311/v2/requests/{request_id}.json", f"/open311/v2/requests/{request_id}.xml"):
        text = api.get(path).body.decode()
        assert request_id in text
        assert not any(word in text for word in ("asha@", "Asha", "+919800000055", "device-123", "example.org"))


def test_an_address_only_request_takes_the_ward_of_its_place(api: Api, clock: FixedClock) -> None:
    from grievance import store

    key = issue_key(api)
    by_property = post(api, {"api_key": key["api_key"], "service_code": "pothole", "address_id": "PMC-W09-199577"})
    assert by_property.status == 201, by_property.body
    g = store.get(by_property.json()[0]["service_request_id"])
    assert g is not None
    assert (g.ward, g.lat, g.lng) == ("W09", None, None)
    from grievance.open311.routes import property_wards  # the register's wards are those its ids name

    assert len(property_wards()) == 210
    assert all(property_id[4:7] == ward for property_id, ward in property_wards().items())
    by_place = post(api, {"api_key": key["api_key"], "service_code": "pothole", "address_string": "Near Baner road"})
    assert by_place.status == 201, by_place.body
    placed = store.get(by_place.json()[0]["service_request_id"])
    assert placed is not None
    assert placed.ward == "W01"
    (item,) = api.get(f"/open311/v2/requests/{placed.id}.json").json()
    assert "lat" not in item
    assert item["address"] == "Near Baner road"
    for address, ward in (("Lane 5, Koregaon Park", "W05"), ("खराडी बायपास", "W10")):  # the gazetteer of data/
        reply = post(api, {"api_key": key["api_key"], "service_code": "pothole", "address_string": address})
        assert reply.status == 201, reply.body
        found = store.get(reply.json()[0]["service_request_id"])
        assert found is not None
        assert found.ward == ward
    detail = api.get(f"/grievances/{placed.id}", caller=STAFF)
    assert detail.status == 200
    assert (detail.json()["lat"], detail.json()["ward"]) == (None, "W01")
    queue = api.get("/staff/grievances", caller=STAFF, query={"ward": "W09", "category": "pothole", "limit": "100"})
    assert queue.status == 200
    assert g.id in [i["id"] for i in queue.json()["items"]]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"lat": "18.5196", "long": "73.8553"}, "service_code is required"),
        ({"service_code": "no_such_service", "lat": "18.5196", "long": "73.8553"}, "service_code"),
        ({"service_code": "pothole"}, "location is required"),
        ({"service_code": "pothole", "lat": "18.5196"}, "lat and long"),
        ({"service_code": "pothole", "lat": "91", "long": "73.8553"}, "lat must be between"),
        ({"service_code": "pothole", "lat": "north", "long": "73.8553"}, "lat must be a number"),
        ({"service_code": "pothole", "lat": "28.6139", "long": "77.2090"}, "outside Pune"),
        ({"service_code": "pothole", "address_string": "Somewhere in Mumbai"}, "names no place"),
        ({"service_code": "pothole", "address_id": "PMC-W99-000001"}, "address_id"),
        ({"service_code": "pothole", "address_id": "PMC-W09-000001"}, "address_id names no property"),
        ({"service_code": "pothole", **LOCATED, "address_id": "PMC-W07-999999"}, "address_id names no property"),
        ({"service_code": "pothole", **LOCATED, "description": "x" * 4001}, "description must be at most 4000"),
        ({"service_code": "pothole", **LOCATED, "description": "bell \x07"}, "control characters"),
        ({"service_code": "pothole", **LOCATED, "media_url": "javascript:alert(1)"}, "media_url"),
        ({"service_code": "garbage_not_collected", **LOCATED, "attribute[bin_type]": "golden"}, "attribute[bin_type]"),
        ({"service_code": "garbage_not_collected", **LOCATED, "attribute[colour]": "red"}, "attribute[colour]"),
        ({"service_code": "pothole", **LOCATED, "first_name": "A" * 201}, "first_name"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_form_is_a_400_and_changes_nothing(
    api: Api, clock: FixedClock, fields: dict[str, str], message: str, fmt: str
) -> None:
    key = issue_key(api)
    before = grievance_count()
    reply = post(api, {"api_key": key["api_key"], **fields}, fmt)
    assert reply.status == 400
    if fmt == "json":
        (error,) = reply.json()
        assert error["code"] == 400
        assert message in error["description"]
    else:
        root = xml(reply)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "400"
        assert message in (root.findtext("error/description") or "")
    assert grievance_count() == before


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"service_code": "pothole"}', "application/json", "Content-Type"),
        (b"api_key=KEY&" + b"&".join(b"f%d=1" % n for n in range(250)), FORM, "fields"),
        (b"description=" + b"x" * (70 * 1024), FORM, "KiB"),
        (b"description=%ff%fe", FORM, "UTF-8"),
    ],
)
def test_an_unreadable_form_is_a_400_and_changes_nothing(
    api: Api, clock: FixedClock, body: bytes, content_type: str, message: str
) -> None:
    before = grievance_count()
    reply = api.request("POST", "/open311/v2/requests.json", body=body, headers={"content-type": content_type})
    assert reply.status == 400
    assert message in reply.json()[0]["description"]
    assert grievance_count() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_over_256_kib_is_a_400_in_the_open311_format(api: Api, clock: FixedClock, fmt: str) -> None:
    before = grievance_count()
    body = b"description=" + b"x" * (300 * 1024)
    reply = api.request("POST", f"/open311/v2/requests.{fmt}", body=body, headers={"content-type": FORM})
    assert reply.status == 400
    answer = reply.json()[0] if fmt == "json" else {"code": int(xml(reply).findtext("error/code") or 0)}
    assert answer["code"] == 400
    assert grievance_count() == before


@pytest.mark.parametrize("api_key", [None, "", "o311_NotAKeyThatWasEverIssued000000000"])
def test_a_missing_or_unknown_key_is_a_403_and_changes_nothing(
    api: Api, clock: FixedClock, api_key: str | None
) -> None:
    before = grievance_count()
    fields = {"service_code": "pothole", **LOCATED} | ({"api_key": api_key} if api_key is not None else {})
    reply = post(api, fields, "xml")
    assert reply.status == 403
    assert xml(reply).findtext("error/code") == "403"
    assert grievance_count() == before


def test_a_key_gets_120_requests_a_minute_then_429_with_retry_after(api: Api, clock: FixedClock) -> None:
    key = issue_key(api)
    other = issue_key(api, "Another client")
    before = grievance_count()
    for _ in range(120):
        assert post(api, {"api_key": key["api_key"]}).status == 400  # counted, then refused for no service_code
    reply = post(api, {"api_key": key["api_key"], "service_code": "pothole", **LOCATED})
    assert reply.status == 429
    assert reply.headers["retry-after"] == str(60 - START.second)
    assert reply.json()[0]["code"] == 429
    assert grievance_count() == before
    assert api.get("/open311/v2/requests.json", query={"api_key": key["api_key"]}).status == 429
    assert post(api, {"api_key": other["api_key"], "service_code": "pothole", **LOCATED}).status == 201  # per key
    clock.advance(timedelta(minutes=1))  # a fixed UTC minute: the next one starts afresh
    assert post(api, {"api_key": key["api_key"], "service_code": "pothole", **LOCATED}).status == 201
    used = next(k for k in api.get("/admin/open311/keys", caller=ADMIN).json()["items"] if k["id"] == key["id"])
    assert used["last_used_at"] == "2026-06-10T05:13:09Z"


def test_a_list_stops_before_its_answer_grows_too_large(api: Api, clock: FixedClock, monkeypatch: Any) -> None:
    from grievance.open311 import routes

    clock.advance(timedelta(days=800))  # a window of its own
    logged = []
    for _ in range(3):
        clock.advance(timedelta(minutes=1))
        logged.append(log(api)["id"])
    whole = [i["service_request_id"] for i in listed(api)]
    assert whole == logged[::-1]
    from grievance import store

    newest = store.get(logged[-1])
    assert newest is not None
    view = routes._request_view(newest, None)  # type: ignore[arg-type]  # no photo: the request is not read
    one_size = len(json.dumps(view, ensure_ascii=False).encode()) + routes.XML_OVERHEAD_BYTES
    monkeypatch.setattr(routes, "MAX_ANSWER_BYTES", 2 * one_size + 10)
    assert [i["service_request_id"] for i in listed(api)] == logged[::-1][:2]  # the newest that fit
    assert [r.findtext("service_request_id") for r in listed(api, "xml")] == logged[::-1][:2]
