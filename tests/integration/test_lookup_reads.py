"""Lookup public reads on the template's table with the seed data: shapes, orders, caching."""

from __future__ import annotations

import json

import pytest

from tests.harness import Api
from tests.integration.conftest import DATA


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


def test_emergency_numbers_are_public_cached_and_ordered(api: Api) -> None:
    reply = api.get("/emergency-numbers")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "public, max-age=300"
    assert reply.headers["etag"].startswith('"')
    assert len(reply.headers["etag"]) == 34
    page = reply.json()
    assert page["next_cursor"] is None
    numbers = [c["number"] for c in page["items"]]
    assert {"112", "100", "101", "108", "1091", "1098"} <= set(numbers)
    keys = [(c["sort"], c["id"]) for c in page["items"]]
    assert keys == sorted(keys)
    assert set(page["items"][0]) == {
        "id",
        "number",
        "name",
        "category",
        "scope",
        "hours",
        "sample",
        "sort",
        "updated_at",
    }


@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", "*", '"nope", {etag}'])
def test_if_none_match_gives_304_with_the_same_validators(api: Api, form: str) -> None:
    first = api.get("/departments")
    etag = first.headers["etag"]
    again = api.get("/departments", headers={"if-none-match": form.format(etag=etag)})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=300"


def test_a_stale_if_none_match_gets_the_body(api: Api) -> None:
    assert api.get("/departments", headers={"if-none-match": '"0000"'}).status == 200


def test_offices_seed_and_filters(api: Api) -> None:
    offices = api.get("/offices").json()["items"]
    seeded_ids = {o["id"] for o in json.loads((DATA / "offices.json").read_text(encoding="utf-8"))}
    seeded_types = [o["type"] for o in offices if o["id"] in seeded_ids]
    assert len(seeded_types) == len(seeded_ids)  # other tests may add offices, never remove seeded ones
    assert seeded_types.count("head_office") == 1
    assert seeded_types.count("ward_office") == 15
    assert seeded_types.count("cfc") == 42
    assert offices[0]["ward"] is None  # nulls first
    wards = [o["ward"] for o in offices[1:]]
    assert wards == sorted(wards)
    w07 = api.get("/offices", query={"type": "ward_office", "ward": "W07"}).json()["items"]
    assert len(w07) == 1
    assert w07[0]["ward"] == "W07"
    one = api.get(f"/offices/{w07[0]['id']}")
    assert one.status == 200
    assert one.json() == w07[0]


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/offices", {"type": "zoo"}, "query.type"),
        ("/offices", {"ward": "W16"}, "query.ward"),
        ("/whos-who", {"ward": "7"}, "query.ward"),
        ("/whos-who", {"department": "no_such_department"}, "query.department"),
    ],
)
def test_unknown_filter_values_are_422(api: Api, path: str, query: dict[str, str], field: str) -> None:
    reply = api.get(path, query=query)
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in reply.json()["errors"]] == [field]


@pytest.mark.parametrize(
    "path", ["/offices/OFF-ZZZZZZZZ", "/offices/off-1", "/facilities/FAC-00000000", "/facilities/x"]
)
def test_unknown_or_malformed_ids_are_404(api: Api, path: str) -> None:
    reply = api.get(path)
    assert reply.status == 404
    assert reply.json()["type"] == "https://pmc.example/problems/not-found"


def test_facility_categories_and_whos_who(api: Api) -> None:
    categories = [c["id"] for c in api.get("/facility-categories").json()["items"]]
    assert len(categories) == 15
    assert "ev_charging" in categories
    who = api.get("/whos-who", query={"ward": "W07"}).json()["items"]
    assert who
    assert all(w["ward"] == "W07" for w in who)
    assert [(w["sort"], w["id"]) for w in who] == sorted((w["sort"], w["id"]) for w in who)
