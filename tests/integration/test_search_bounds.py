"""Location searches cost a bounded number of DynamoDB requests whatever the input (issue 13, defect 3):
points outside the Pune region are a 422 `location_outside_pune` before anything is read, and the
costliest legitimate search stays within geo.MAX_CELLS queries. Requests are counted for real, on the
stores' botocore clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grievance import store as grievance_store
from lookup import store as lookup_store
from pmc_common.geo import LOCATION_OUTSIDE_PUNE, MAX_CELLS
from tests.harness import CITIZEN, Api

KASBA = {"lat": 18.5196, "lng": 73.8553}
OUTSIDE = [
    {"lat": 90, "lng": 0},  # the pole: 24,576 queries before the bound
    {"lat": 89.7, "lng": 0},
    {"lat": 89.95, "lng": 0},
    {"lat": -90, "lng": 180},
    {"lat": 0, "lng": 180},  # the antimeridian
    {"lat": 0, "lng": -180},
    {"lat": 19.0760, "lng": 72.8777},  # Mumbai
    {"lat": 18.3499, "lng": 73.85},  # just beyond the region's edges
    {"lat": 18.7001, "lng": 73.85},
    {"lat": 18.52, "lng": 73.6499},
    {"lat": 18.52, "lng": 74.1001},
]
REGION_CORNERS = [
    {"lat": 18.35, "lng": 73.65},
    {"lat": 18.35, "lng": 74.10},
    {"lat": 18.70, "lng": 73.65},
    {"lat": 18.70, "lng": 74.10},
    KASBA,
]


class RequestMeter:
    """Every HTTP request the stores send to DynamoDB (Query pages, GetItem, retries)."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, **_: Any) -> None:
        self.requests += 1


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """The table holds exactly the seed data when this module starts."""


@pytest.fixture
def meter(api: Api) -> Iterator[RequestMeter]:
    counting = RequestMeter()
    clients = [
        lookup_store.LookupItem._get_connection().connection.client,
        grievance_store.GrievanceItem._get_connection().connection.client,
    ]
    for client in clients:
        client.meta.events.register("before-send.dynamodb", counting)
    yield counting
    for client in clients:
        client.meta.events.unregister("before-send.dynamodb", counting)


def assert_outside_pune(reply: Any) -> None:
    assert reply.status == 422
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["type"] == "https://pmc.example/problems/validation"
    assert problem["code"] == LOCATION_OUTSIDE_PUNE
    assert problem["errors"] == [{"field": "query", "message": "location is outside the Pune region"}]


@pytest.mark.parametrize("point", OUTSIDE, ids=str)
@pytest.mark.parametrize("extra", [{"radius_m": 10_000}, {"radius_m": 1, "category": "hospital"}, {}], ids=str)
def test_a_facility_search_outside_pune_is_422_and_reads_nothing(
    api: Api, meter: RequestMeter, point: dict[str, float], extra: dict[str, Any]
) -> None:
    assert_outside_pune(api.get("/facilities", query=point | extra))
    assert meter.requests == 0  # refused before any read; nothing written either


@pytest.mark.parametrize("point", OUTSIDE, ids=str)
def test_a_nearby_grievance_search_outside_pune_is_422_and_reads_nothing(
    api: Api, meter: RequestMeter, point: dict[str, float]
) -> None:
    assert_outside_pune(api.get("/grievances/nearby", query=point | {"category": "pothole"}, caller=CITIZEN))
    assert meter.requests == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e308"])
def test_non_numbers_and_huge_numbers_are_422_and_read_nothing(api: Api, meter: RequestMeter, value: str) -> None:
    for path, query, caller in [
        ("/facilities", {"lat": value, "lng": 73.85, "radius_m": 10_000}, None),
        ("/facilities", {"lat": 18.52, "lng": value}, None),
        ("/grievances/nearby", {"lat": value, "lng": 73.85, "category": "pothole"}, CITIZEN),
    ]:
        reply = api.get(path, query=query, caller=caller)
        assert reply.status == 422, (path, query)
        assert reply.headers["content-type"] == "application/problem+json"
    assert meter.requests == 0


@pytest.mark.parametrize("point", REGION_CORNERS, ids=str)
@pytest.mark.parametrize("radius_m", [1_000, 1_001, 10_000])
def test_the_costliest_facility_searches_stay_within_the_cap(
    api: Api, meter: RequestMeter, point: dict[str, float], radius_m: int
) -> None:
    reply = api.get("/facilities", query=point | {"radius_m": radius_m, "category": "hospital", "limit": 100})
    assert reply.status == 200
    assert meter.requests <= MAX_CELLS + 1  # a Query per cell, one GetItem for the category


@pytest.mark.parametrize("point", REGION_CORNERS, ids=str)
def test_nearby_grievance_searches_stay_within_nine_cells(
    api: Api, meter: RequestMeter, point: dict[str, float]
) -> None:
    reply = api.get("/grievances/nearby", query=point | {"category": "pothole"}, caller=CITIZEN)
    assert reply.status == 200
    assert 1 <= meter.requests <= 9  # 100 m on 7-character cells meets at most 3 × 3
