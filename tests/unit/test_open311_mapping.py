"""Open311's pure mapping (issue 19): W3C datetimes and the 90-day window, form attributes in both shapes,
the location rules, the ward of an address-only request, and XML that escapes what it carries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from grievance.open311 import formats
from grievance.open311.mapping import (
    Location,
    Open311Error,
    attributes_of,
    request_form,
    requests_query,
    w3c_datetime,
)

NOW = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
CODES = {"pothole", "garbage_not_collected"}


def test_w3c_datetimes_take_an_offset_or_a_date_in_pune() -> None:
    assert w3c_datetime("2026-06-10T10:42:09+05:30", "start_date") == datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
    assert w3c_datetime("2026-06-10T05:12:09Z", "start_date") == datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
    assert w3c_datetime("2026-06-10", "start_date") == datetime(2026, 6, 9, 18, 30, tzinfo=UTC)
    assert w3c_datetime("2026-06-10", "end_date", end_of_day=True) == datetime(2026, 6, 10, 18, 29, 59, tzinfo=UTC)
    for wrong in ("2026-06-10T10:42:09", "yesterday", "2026-13-01", "2026-06-10T25:00:00Z"):
        with pytest.raises(Open311Error) as raised:
            w3c_datetime(wrong, "start_date")
        assert raised.value.code == 400


def test_the_window_defaults_to_the_last_90_days_and_never_spans_more() -> None:
    query = requests_query({}, CODES, NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    assert query.statuses == ("open", "closed")
    only_start = requests_query({"start_date": "2026-01-01T00:00:00Z"}, CODES, NOW)
    assert only_start.end - only_start.start == timedelta(days=90)
    with pytest.raises(Open311Error):
        requests_query({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"}, CODES, NOW)
    ids = requests_query({"service_request_id": "GRV-2606-7K3M9Q, nonsense", "status": "bogus"}, CODES, NOW)
    assert ids.ids == ("GRV-2606-7K3M9Q",)  # ids override the rest, even a wrong status


def test_form_attributes_take_single_values_and_lists() -> None:
    datatypes = {"colour": "multivaluelist", "count": "number", "kind": "singlevaluelist", "note": "string"}
    fields = [
        ("attribute[colour][]", "red"),
        ("attribute[colour][]", "blue"),
        ("attribute[count]", "3"),
        ("attribute[kind]", "dog"),
        ("attribute[note]", ""),
        ("description", "not an attribute"),
    ]
    assert attributes_of(fields, datatypes) == {"colour": ["red", "blue"], "count": 3, "kind": "dog"}
    assert attributes_of([("attribute[colour]", "red")], datatypes) == {"colour": ["red"]}
    with pytest.raises(Open311Error):
        attributes_of([("attribute[count]", "three")], datatypes)
    with pytest.raises(Open311Error):
        attributes_of([("attribute[kind]", "dog"), ("attribute[kind]", "cat")], datatypes)


def test_a_form_needs_a_location_of_one_of_three_kinds() -> None:
    datatypes: dict[str, dict[str, str]] = {"pothole": {}}
    base = [("api_key", "k"), ("service_code", "pothole")]
    assert request_form([*base, ("lat", "18.5"), ("long", "73.8")], datatypes).location == Location(
        18.5, 73.8, None, None
    )
    by_property = request_form([*base, ("address_id", "PMC-W07-000001")], datatypes)
    assert by_property.location.address_id == "PMC-W07-000001"
    for wrong in ([], [("lat", "18.5")], [("lat", "nan"), ("long", "73.8")], [("address_id", "W07")]):
        with pytest.raises(Open311Error):
            request_form([*base, *wrong], datatypes)


def test_xml_escapes_what_it_carries() -> None:
    text = "<script>alert('x')</script> & ]]> \"quoted\" पुणे"
    body = formats.xml("service_requests", [{"service_request_id": "GRV-2606-7K3M9Q", "description": text}])
    parsed = ElementTree.fromstring(body)  # noqa: S314  (our own output)
    assert parsed.findtext("request/description") == text
    assert b"<script>" not in body


def test_the_property_register_the_grievance_package_ships_holds_ids_and_wards_only() -> None:
    """address_id is checked against data/property_register.json: no owner, locality or amount leaves payments."""
    from grievance import reference

    for path in reference.FOLDER.iterdir():
        assert "owner_name" not in path.read_text(encoding="utf-8"), path.name
    rows = json.loads((reference.FOLDER / "property_register.json").read_text(encoding="utf-8"))
    assert len(rows) >= 200
    assert all(set(row) == {"property_id", "ward"} for row in rows)
