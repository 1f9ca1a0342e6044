"""The facility finder on the geohash indexes, and the paged list by id."""

from __future__ import annotations

import json

import pytest

from lookup import domain, seed, store
from tests.harness import Api
from tests.integration.conftest import DATA

KASBA = {"lat": 18.5196, "lng": 73.8553}
SEEDED = json.loads((DATA / "facilities.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


def test_nearest_first_within_the_radius_with_distances(api: Api) -> None:
    reply = api.get("/facilities", query={**KASBA, "radius_m": 2500, "limit": 100})
    assert reply.status == 200
    assert reply.headers["cache-control"] == "public, max-age=300"
    items = reply.json()["items"]
    assert items
    distances = [f["distance_m"] for f in items]
    assert distances == sorted(distances)
    assert max(distances) <= 2500
    assert len(items) < 100  # the whole circle fits in one answer, so none is cut by the limit
    expected = {f["id"] for f in SEEDED if domain.distance_m(KASBA["lat"], KASBA["lng"], f["lat"], f["lng"]) <= 2500}
    assert {f["id"] for f in items} == expected  # nothing inside the circle is missed
    assert "sample" not in items[0]


def test_limit_category_and_default_radius(api: Api) -> None:
    items = api.get("/facilities", query={**KASBA, "category": "hospital", "limit": 3}).json()["items"]
    assert 1 <= len(items) <= 3
    assert all(f["category"] == "hospital" for f in items)
    assert all(f["distance_m"] <= 2000 for f in items)


def test_a_point_outside_the_pune_region_is_422(api: Api) -> None:
    reply = api.get("/facilities", query={"lat": 19.0760, "lng": 72.8777})  # Mumbai
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["code"] == "location_outside_pune"
    assert reply.json()["errors"] == [{"field": "query", "message": "location is outside the Pune region"}]


def test_a_search_from_just_outside_pmc_finds_facilities_inside(api: Api) -> None:
    # 18.40, 73.85 lies south of PMC's limit (18.4288) but inside the Pune region's margin
    items = api.get("/facilities", query={"lat": 18.40, "lng": 73.85, "radius_m": 10_000, "limit": 100}).json()["items"]
    assert items
    assert all(f["distance_m"] <= 10_000 for f in items)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": 91, "lng": 73.85}, "query.lat"),
        ({"lat": 18.5, "lng": 181}, "query.lng"),
        ({**KASBA, "radius_m": 0}, "query.radius_m"),
        ({**KASBA, "radius_m": 10001}, "query.radius_m"),
        ({**KASBA, "limit": 500}, "query.limit"),
        ({**KASBA, "limit": 0}, "query.limit"),
        ({**KASBA, "category": "zoo"}, "query.category"),
        ({"lat": 18.5}, "query"),
        ({"radius_m": 100}, "query.radius_m"),
        ({**KASBA, "cursor": "abc"}, "query.cursor"),
        ({"lat": "north", "lng": 73.85}, "query.lat"),
    ],
)
def test_bad_finder_queries_are_422(api: Api, query: dict[str, object], field: str) -> None:
    reply = api.get("/facilities", query=query)
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["errors"][0]["field"] == field


def test_the_list_pages_through_every_facility_by_id(api: Api) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = api.get("/facilities", query=query).json()
        seen += [f["id"] for f in page["items"]]
        assert all(f["distance_m"] is None for f in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    assert set(seen) >= {f["id"] for f in SEEDED}


def test_a_category_list_uses_its_own_cursor(api: Api) -> None:
    page = api.get("/facilities", query={"category": "garden", "limit": 5}).json()
    assert len(page["items"]) == 5
    assert all(f["category"] == "garden" for f in page["items"])
    cursor = page["next_cursor"]
    assert cursor
    following = api.get("/facilities", query={"category": "garden", "limit": 5, "cursor": cursor}).json()
    assert following["items"][0]["id"] > page["items"][-1]["id"]
    moved = api.get("/facilities", query={"category": "hospital", "limit": 5, "cursor": cursor})
    assert moved.status == 400
    assert moved.json()["code"] == "invalid_cursor"
    tampered = api.get("/facilities", query={"category": "garden", "limit": 5, "cursor": cursor[:-3] + "AAA"})
    assert tampered.status == 400
    assert tampered.json()["code"] == "invalid_cursor"


def test_reads_grow_with_facilities_near_the_point_not_with_the_table(api: Api) -> None:
    _, cells = domain.search_cells(KASBA["lat"], KASBA["lng"], 1500)
    before = store.nearest_facilities(KASBA["lat"], KASBA["lng"], 1500, None, 100, cells).items_read
    far_away = [
        {
            **seed.documents(store.FACILITY, DATA)[0],  # shaped as served, so list routes read them like any other
            "id": f"FAC-FAR{index:05d}",
            "lat": 18.45 + (index % 40) * 0.001,
            "lng": 74.00 + (index // 40) * 0.001,
        }
        for index in range(2000)
    ]
    store.put_all(store.FACILITY, far_away)
    after = store.nearest_facilities(KASBA["lat"], KASBA["lng"], 1500, None, 100, cells).items_read
    assert after == before
    assert before < len(SEEDED) / 4
    nearest = api.get("/facilities", query={**KASBA, "radius_m": 1500, "limit": 100}).json()["items"]
    assert not any(f["id"].startswith("FAC-FAR") for f in nearest)
    with store.LookupItem.batch_write() as batch:  # leave the module's table as the seed made it
        for facility in far_away:
            batch.delete(store.LookupItem(store.FACILITY, facility["id"]))
