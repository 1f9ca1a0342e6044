"""Ward derivation from PMC's boundary and the 15 ward polygons (data/), in pure Python: the same answers
as shapely, which made data/wards.geojson."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmc_common.errors import Invalid

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def geography():  # type: ignore[no-untyped-def]
    from grievance.reference import geography

    return geography()


def test_every_ward_office_lies_in_its_own_ward(geography) -> None:  # type: ignore[no-untyped-def]
    offices = json.loads((DATA / "offices.json").read_text(encoding="utf-8"))
    ward_offices = [o for o in offices if o["type"] == "ward_office"]
    assert len(ward_offices) == 15
    for office in ward_offices:
        assert geography.ward_of(office["lat"], office["lng"]) == office["ward"], office["name"]["en"]


def test_kasba_peth_is_w07(geography) -> None:  # type: ignore[no-untyped-def]
    assert geography.ward_of(18.5196, 73.8553) == "W07"


@pytest.mark.parametrize(
    ("lat", "lng"),
    [(19.0760, 72.8777), (18.60, 73.65), (18.5, 74.5), (0.0, 0.0)],  # Mumbai, west of Pune, east, null island
)
def test_points_outside_pmc_are_refused(geography, lat: float, lng: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as raised:
        geography.ward_of(lat, lng)
    assert raised.value.errors[0].message == "location is outside Pune Municipal Corporation limits"


@pytest.fixture(scope="module")
def shapely_wards():  # type: ignore[no-untyped-def]
    from shapely.geometry import shape

    def read(name: str) -> list[dict]:  # type: ignore[type-arg]
        return json.loads((DATA / name).read_text(encoding="utf-8"))["features"]  # type: ignore[no-any-return]

    return shape(read("pmc_boundary.geojson")[0]["geometry"]), [
        (f["properties"]["ward"], shape(f["geometry"])) for f in read("wards.geojson")
    ]


@settings(max_examples=2000)
@given(lat=st.floats(18.38, 18.68), lng=st.floats(73.68, 74.02))
def test_the_pure_geometry_answers_as_shapely(geography, shapely_wards, lat: float, lng: float) -> None:  # type: ignore[no-untyped-def]
    from shapely.geometry import Point

    boundary, wards = shapely_wards
    point = Point(lng, lat)
    expected = None
    if boundary.covers(point):
        inside = [ward for ward, polygon in wards if polygon.covers(point)]
        expected = inside[0] if inside else min(wards, key=lambda item: item[1].distance(point))[0]
    try:
        found = geography.ward_of(lat, lng)
    except Invalid:
        found = None
    assert found == expected
