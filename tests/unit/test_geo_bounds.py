"""Location searches are bounded whatever the input (issue 13, defect 3): a point outside the Pune
region is a 422 before anything is read, and no cover, anywhere on Earth, lists more than MAX_CELLS
cells, so neither store makes more than MAX_CELLS queries for one search."""

from __future__ import annotations

import math
from typing import Any

import pygeohash
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pmc_common import geo
from pmc_common.errors import Invalid

any_lat = st.floats(min_value=-90, max_value=90)
any_lng = st.floats(min_value=-180, max_value=180)
facility_radius = st.integers(min_value=1, max_value=10_000)  # API.md 2.3
region_lat = st.floats(min_value=geo.PUNE_REGION.south, max_value=geo.PUNE_REGION.north)
region_lng = st.floats(min_value=geo.PUNE_REGION.west, max_value=geo.PUNE_REGION.east)
NEARBY_RADIUS_M, NEARBY_PRECISION = 100, 7  # grievance.api, grievance.store


def destination(lat: float, lng: float, distance_m: float, bearing: float) -> tuple[float, float]:
    """The point `distance_m` from (lat, lng) along a great circle at `bearing` (radians), in range."""
    reach, phi, lmb = distance_m / geo.EARTH_RADIUS_M, math.radians(lat), math.radians(lng)
    phi2 = math.asin(
        max(-1.0, min(1.0, math.sin(phi) * math.cos(reach) + math.cos(phi) * math.sin(reach) * math.cos(bearing)))
    )
    lmb2 = lmb + math.atan2(
        math.sin(bearing) * math.sin(reach) * math.cos(phi), math.cos(reach) - math.sin(phi) * math.sin(phi2)
    )
    lng2 = (math.degrees(lmb2) + 180.0) % 360.0 - 180.0
    return max(-90.0, min(90.0, math.degrees(phi2))), lng2


# --- the Pune region ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lng"),
    [
        (19.0760, 72.8777),  # Mumbai
        (18.3499, 73.85),  # just south of the box
        (18.7001, 73.85),
        (18.52, 73.6499),
        (18.52, 74.1001),
        (90.0, 0.0),
        (-90.0, 0.0),
        (0.0, 180.0),
        (0.0, -180.0),
        (math.nan, 73.85),
        (18.52, math.inf),
    ],
)
def test_a_search_outside_the_pune_region_is_422_location_outside_pune(lat: float, lng: float) -> None:
    with pytest.raises(Invalid) as raised:
        geo.search_cover(lat, lng, 100, NEARBY_PRECISION)
    assert raised.value.code == geo.LOCATION_OUTSIDE_PUNE
    assert [e.field for e in raised.value.errors] == ["query"]


def test_the_region_holds_pmc_with_a_margin_and_its_own_edges() -> None:
    # data/pmc_boundary.geojson spans lat 18.4288–18.6216, lng 73.7516–73.9630
    for lat, lng in [(18.4288, 73.7516), (18.6216, 73.9630), (18.35, 73.65), (18.70, 74.10), (18.5196, 73.8553)]:
        assert geo.in_pune_region(lat, lng)
    south_margin_m = geo.distance_m(18.35, 73.85, 18.4288, 73.85)
    west_margin_m = geo.distance_m(18.43, 73.65, 18.43, 73.7516)
    assert min(south_margin_m, west_margin_m) > 8_000


# --- the cap on cells ----------------------------------------------------------------------------


@given(region_lat, region_lng, facility_radius)
@example(18.70, 74.10, 10_000)
@example(18.35, 73.65, 10_000)
def test_every_legitimate_search_fits_under_the_cap(lat: float, lng: float, radius_m: int) -> None:
    from lookup import domain

    _, cells = domain.search_cells(lat, lng, radius_m)  # never refused inside the region
    assert len(cells) <= geo.MAX_CELLS
    assert len(geo.search_cover(lat, lng, NEARBY_RADIUS_M, NEARBY_PRECISION)) <= 9


def test_the_cap_is_the_largest_legitimate_search() -> None:
    """MAX_CELLS is tight: some 10 km search in the region needs all 36 cells (6 rows × 6 columns)."""
    from lookup import domain

    worst = max(  # every 0.005° (about 500 m) over the region
        len(domain.search_cells((18_350 + 5 * i) / 1000, (73_650 + 5 * j) / 1000, 10_000)[1])
        for i in range(71)
        for j in range(91)
    )
    assert worst == geo.MAX_CELLS


@given(any_lat, any_lng, facility_radius, st.sampled_from([5, 6, 7]))
@example(90.0, 0.0, 10_000, 5)
@example(89.7, 0.0, 10_000, 5)
@example(89.95, 0.0, 100, 7)
@example(-90.0, -180.0, 1, 7)
@example(0.0, 180.0, 10_000, 5)
def test_no_cover_anywhere_on_earth_exceeds_the_cap(lat: float, lng: float, radius_m: int, precision: int) -> None:
    try:
        cells = geo.cells_meeting(lat, lng, radius_m, precision)
    except geo.SearchTooWide:  # a 422, refused before a cell is listed
        return
    assert len(cells) <= geo.MAX_CELLS
    assert all(len(cell) == precision for cell in cells)


@pytest.mark.parametrize(("lat", "lng"), [(90.0, 0.0), (89.95, 0.0), (89.7, 0.0), (-90.0, 180.0), (-89.7, -180.0)])
def test_covers_near_a_pole_are_refused_before_being_listed(lat: float, lng: float) -> None:
    for radius_m, precision in [(10_000, 5), (1_000, 6), (NEARBY_RADIUS_M, NEARBY_PRECISION)]:
        with pytest.raises(geo.SearchTooWide):
            geo.cells_meeting(lat, lng, radius_m, precision)


def test_a_cover_across_the_antimeridian_wraps_and_stays_small() -> None:
    cells = geo.cells_meeting(0.0, 180.0, 10_000, 5)
    assert len(cells) <= geo.MAX_CELLS
    assert {geo.encode(0.0, 179.99, 5), geo.encode(0.0, -179.99, 5)} <= cells


@given(
    any_lat,
    any_lng,
    st.integers(min_value=1, max_value=2_000_000),
    st.integers(min_value=1, max_value=7),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=2 * math.pi),
)
@example(89.99, 10.0, 5_000, 2, 1.0, 0.0)  # across the pole
@example(0.0, 179.999, 5_000, 4, 1.0, math.pi / 2)  # across the antimeridian, eastward
@example(0.0, -179.999, 5_000, 4, 1.0, 3 * math.pi / 2)  # and westward
@example(-90.0, 0.0, 1_000, 3, 1.0, 1.0)
def test_a_cover_holds_every_point_of_its_circle(
    lat: float, lng: float, radius_m: int, precision: int, fraction: float, bearing: float
) -> None:
    """Wrapping at the antimeridian and spanning every longitude at a pole lose no point."""
    try:
        cells = geo.cells_meeting(lat, lng, radius_m, precision, max_cells=4096)
    except geo.SearchTooWide:
        return
    point = destination(lat, lng, radius_m * fraction, bearing)
    if geo.distance_m(lat, lng, *point) <= radius_m:
        assert pygeohash.encode(*point, precision=precision) in cells


# --- the queries the stores make --------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        self.queries += 1
        return []


@given(any_lat, any_lng, facility_radius)
@example(90.0, 0.0, 10_000)
@example(89.7, 0.0, 10_000)
@example(18.70, 74.10, 10_000)
@example(0.0, 180.0, 10_000)
def test_a_facility_search_makes_at_most_max_cells_queries(lat: float, lng: float, radius_m: int) -> None:
    from lookup import domain, store

    counter = QueryCounter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.LookupItem, "query", counter)  # what ByCell calls
        if geo.in_pune_region(lat, lng):
            _, cells = domain.search_cells(lat, lng, radius_m)
            store.nearest_facilities(lat, lng, radius_m, None, 100, cells)
        else:
            with pytest.raises(Invalid, match="1 field is invalid") as refused:
                domain.search_cells(lat, lng, radius_m)
            assert refused.value.code == geo.LOCATION_OUTSIDE_PUNE
            cells = set()
    assert counter.queries <= len(cells) <= geo.MAX_CELLS  # a cell beyond the circle is not read


@given(any_lat, any_lng)
@example(90.0, 0.0)
@example(89.95, 0.0)
@example(18.35, 73.65)
@example(0.0, -180.0)
def test_a_nearby_grievance_search_makes_at_most_max_cells_queries(lat: float, lng: float) -> None:
    from grievance import store

    counter = QueryCounter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store.GrievanceItem, "query", counter)  # what NearbyBySpot calls
        if geo.in_pune_region(lat, lng):
            cells = geo.search_cover(lat, lng, NEARBY_RADIUS_M, store.NEARBY_PRECISION)
            store.open_near("pothole", lat, lng, NEARBY_RADIUS_M, 20, cells)
        else:
            with pytest.raises(Invalid, match="1 field is invalid") as refused:
                geo.search_cover(lat, lng, NEARBY_RADIUS_M, store.NEARBY_PRECISION)
            assert refused.value.code == geo.LOCATION_OUTSIDE_PUNE
            cells = set()
    assert counter.queries <= len(cells) <= geo.MAX_CELLS


def test_neither_store_queries_more_cells_than_the_cap_even_if_asked() -> None:
    from grievance import store as grievance_store
    from lookup import store as lookup_store

    too_many = {f"tdr{n:03d}" for n in range(geo.MAX_CELLS + 1)}
    counter = QueryCounter()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lookup_store.LookupItem, "query", counter)
        patch.setattr(grievance_store.GrievanceItem, "query", counter)
        with pytest.raises(ValueError, match="at most 36"):
            lookup_store.nearest_facilities(18.52, 73.85, 10_000, None, 20, too_many)
        with pytest.raises(ValueError, match="at most 36"):
            grievance_store.open_near("pothole", 18.52, 73.85, 100, 20, {c + "xx" for c in too_many})
    assert counter.queries == 0
