import pygeohash
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lookup import domain
from pmc_common.errors import Invalid

pune_lat = st.floats(min_value=18.40, max_value=18.65)
pune_lng = st.floats(min_value=73.70, max_value=74.05)


def test_haversine_distance_in_whole_metres() -> None:
    assert domain.distance_m(18.5196, 73.8553, 18.5196, 73.8553) == 0
    # one minute of latitude is about 1853 m on this sphere
    assert domain.distance_m(18.5, 73.85, 18.5 + 1 / 60, 73.85) == 1853


@given(pune_lat, pune_lng, st.integers(min_value=1, max_value=10_000), st.floats(0, 1), st.floats(0, 6.283))
def test_every_point_inside_the_radius_lies_in_a_searched_cell(
    lat: float, lng: float, radius_m: int, fraction: float, bearing: float
) -> None:
    import math

    precision, cells = domain.search_cells(lat, lng, radius_m)
    reach = radius_m * fraction / domain.EARTH_RADIUS_M
    point_lat = lat + math.degrees(reach * math.cos(bearing))
    point_lng = lng + math.degrees(reach * math.sin(bearing) / math.cos(math.radians(lat)))
    if domain.distance_m(lat, lng, point_lat, point_lng) <= radius_m:
        assert pygeohash.encode(point_lat, point_lng, precision=precision) in cells


def test_small_searches_read_fine_cells_and_stay_few() -> None:
    precision, cells = domain.search_cells(18.52, 73.85, 500)
    assert precision == 6
    assert len(cells) <= 9
    precision, cells = domain.search_cells(18.52, 73.85, 10_000)
    assert precision == 5
    assert len(cells) <= 36


def test_offices_sort_head_office_first_then_ward_and_name() -> None:
    offices = [
        {"id": "OFF-2", "ward": "W02", "name": {"en": "B"}},
        {"id": "OFF-1", "ward": "W01", "name": {"en": "Z"}},
        {"id": "OFF-0", "ward": None, "name": {"en": "PMC Main Building"}},
    ]
    assert [o["id"] for o in sorted(offices, key=domain.offices_order)] == ["OFF-0", "OFF-1", "OFF-2"]


@pytest.mark.parametrize(("kind", "ward"), [("head_office", "W01"), ("ward_office", None), ("cfc", None)])
def test_office_ward_rule(kind: str, ward: str | None) -> None:
    with pytest.raises(Invalid):
        domain.check_office({"type": kind, "ward": ward})
    domain.check_office({"type": kind, "ward": None if kind == "head_office" else "W01"})
