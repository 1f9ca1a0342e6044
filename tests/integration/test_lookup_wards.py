"""GET /wards and GET /wards/{ward} (issue 16): the 15 wards as data, public and cached for a day, with
boundaries simplified for phones by default and the original ones on `detail=full`."""

from __future__ import annotations

import json

import pytest

from tests.harness import ADMIN, Api
from tests.integration.conftest import DATA

WARD_CODES = [f"W{n:02d}" for n in range(1, 16)]
PHONE_BUDGET = 40 * 1024  # the default list, uncompressed (about 35 KB; 9 KB gzipped)


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


def features(name: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {f["properties"]["ward"]: f for f in json.loads((DATA / name).read_text(encoding="utf-8"))["features"]}


def test_the_fifteen_wards_with_names_offices_and_simplified_boundaries(api: Api) -> None:
    reply = api.get("/wards")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "public, max-age=86400"
    page = reply.json()
    assert page["next_cursor"] is None
    assert [w["code"] for w in page["items"]] == WARD_CODES
    kasba = page["items"][6]
    assert set(kasba) == {"code", "name", "office", "boundary"}
    assert kasba["name"] == {"en": "Kasba–Vishrambaug Wada", "mr": "कसबा–विश्रामबागवाडा"}
    offices = {o["ward"]: o for o in json.loads((DATA / "offices.json").read_text()) if o["type"] == "ward_office"}
    for ward in page["items"]:
        office = offices[ward["code"]]
        assert ward["office"] == {k: office[k] for k in ("id", "name", "address", "lat", "lng", "phone")}
    simplified = features("wards_simplified.geojson")
    assert all(w["boundary"] == simplified[w["code"]]["geometry"] for w in page["items"])
    assert kasba["boundary"]["type"] in ("Polygon", "MultiPolygon")
    assert len(reply.body) <= PHONE_BUDGET, len(reply.body)


def test_detail_full_serves_the_original_polygons(api: Api) -> None:
    full = api.get("/wards", query={"detail": "full"})
    assert full.status == 200
    original = features("wards.geojson")
    assert all(w["boundary"] == original[w["code"]]["geometry"] for w in full.json()["items"])
    assert len(full.body) > 2.5 * len(api.get("/wards").body)  # what simplification saves a phone (102 / 35 KB)
    one = api.get("/wards/W07", query={"detail": "full"})
    assert one.json()["boundary"] == original["W07"]["geometry"]
    assert api.get("/wards", query={"detail": "simplified"}).body == api.get("/wards").body


def test_one_ward_is_its_list_item(api: Api) -> None:
    listed = api.get("/wards").json()["items"]
    for code in ("W01", "W07", "W15"):
        reply = api.get(f"/wards/{code}")
        assert reply.status == 200
        assert reply.headers["cache-control"] == "public, max-age=86400"
        assert reply.json() == listed[int(code[1:]) - 1]


@pytest.mark.parametrize("path", ["/wards/W16", "/wards/W00", "/wards/w07", "/wards/W7", "/wards/OFF-3H7K2M9P"])
def test_unknown_or_malformed_ward_codes_are_404(api: Api, path: str) -> None:
    reply = api.get(path)
    assert reply.status == 404
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["type"] == "https://pmc.example/problems/not-found"


@pytest.mark.parametrize("path", ["/wards", "/wards/W07"])
def test_an_unknown_detail_is_422(api: Api, path: str) -> None:
    reply = api.get(path, query={"detail": "medium"})
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in reply.json()["errors"]] == ["query.detail"]


@pytest.mark.parametrize("path", ["/wards", "/wards/W07", "/wards?detail=full"])
@pytest.mark.parametrize("form", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_gives_304_with_the_same_validators(api: Api, path: str, form: str) -> None:
    path, _, query = path.partition("?")
    params = dict([query.split("=")]) if query else None
    first = api.get(path, query=params)
    etag = first.headers["etag"]
    assert len(etag) == 34
    assert etag.startswith('"')
    again = api.get(path, query=params, headers={"if-none-match": form.format(etag=etag)})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=86400"
    assert api.get(path, query=params, headers={"if-none-match": '"0000"'}).status == 200


def test_each_detail_has_its_own_etag(api: Api) -> None:
    assert api.get("/wards").headers["etag"] != api.get("/wards", query={"detail": "full"}).headers["etag"]


def test_a_changed_ward_office_changes_the_wards_etag_at_once(api: Api) -> None:
    before = api.get("/wards/W07")
    office = before.json()["office"]
    stored = api.get(f"/offices/{office['id']}")
    current = {k: v for k, v in stored.json().items() if k not in ("id", "updated_at")}
    changed = current | {"phone": "+912025501234"}
    reply = api.request(
        "PUT",
        f"/offices/{office['id']}",
        json_body=changed,
        headers={"if-match": stored.headers["etag"]},
        caller=ADMIN,
    )
    assert reply.status == 200, reply.body
    try:
        after = api.get("/wards/W07", headers={"if-none-match": before.headers["etag"]})
        assert after.status == 200
        assert after.json()["office"]["phone"] == "+912025501234"
        assert api.get("/wards").json()["items"][6]["office"]["phone"] == "+912025501234"
    finally:
        restored = api.request("PUT", f"/offices/{office['id']}", json_body=current, caller=ADMIN)
        assert restored.status == 200
    assert api.get("/wards/W07").headers["etag"] == before.headers["etag"]


def test_a_ward_without_a_ward_office_shows_none(api: Api) -> None:
    office = api.get("/wards/W03").json()["office"]
    stored = api.get(f"/offices/{office['id']}").json()
    assert api.request("DELETE", f"/offices/{office['id']}", caller=ADMIN).status == 204
    try:
        assert api.get("/wards/W03").json()["office"] is None
        assert api.get("/wards").json()["items"][2]["office"] is None
    finally:
        from lookup import store

        store.put_all("office", [stored])


def test_the_lookup_function_does_not_import_shapely() -> None:
    import sys

    import lookup.api  # noqa: F401

    assert "shapely" not in sys.modules or "lookup.wards" not in str(sys.modules["shapely"])
    import lookup.wards as wards_module

    assert "shapely" not in wards_module.__dict__
