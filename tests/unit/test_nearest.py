"""The best-first nearest search (pmc_common.nearest) answers exactly what reading every cell of the
cover and sorting would, by (distance in whole metres, id), while reading about `limit` items: checked
against that brute force on an in-memory sorted index, with items spread, clustered and piled on one spot."""

from __future__ import annotations

import bisect

from hypothesis import given, settings
from hypothesis import strategies as st

from pmc_common import geo
from pmc_common.nearest import Span, Spot, nearest, spot_key

PARTITION = 5  # the in-memory index's partition precision, as the facilities' (grievances use 7)


def name(n: int) -> str:
    return f"ID-{n:06d}"


class SortedIndex:
    """Spots in sort-key order; a read is one Query of a partition with a key range and a Limit."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        ids = [f"ID-{n:06d}" for n in range(len(points))]
        spots = [
            Spot(spot_key(lat, lng, i), i, lat, lng, n)
            for n, ((lat, lng), i) in enumerate(zip(points, ids, strict=True))
        ]
        self.spots = sorted(spots, key=lambda s: s.key)
        self.keys = [s.key for s in self.spots]
        self.reads = 0

    def read(self, span: Span, limit: int | None) -> list[Spot[int]]:
        assert len(span.cell) >= PARTITION  # every block lies inside one partition
        self.reads += 1
        start = bisect.bisect_left(self.keys, span.low)
        found = []
        for spot in self.spots[start:]:
            if spot.key > span.high or (limit is not None and len(found) == limit):
                break
            found.append(spot)
        return found


def brute_force(points: list[tuple[float, float]], lat: float, lng: float, radius: int, limit: int) -> list[int]:
    ranked = sorted((geo.distance_m(lat, lng, a, b), f"ID-{n:06d}", n) for n, (a, b) in enumerate(points))
    return [n for metres, _, n in ranked if metres <= radius][:limit]


def cover(lat: float, lng: float, radius_m: int) -> set[str]:
    """The cells a search starts from, as lookup.domain picks them."""
    return geo.search_cover(lat, lng, radius_m, 6 if radius_m <= 1_000 else 5)


KASBA = (18.5196, 73.8553)
offsets = st.tuples(st.floats(-0.004, 0.004), st.floats(-0.004, 0.004))


@settings(max_examples=60)
@given(
    spread=st.lists(offsets, max_size=150),
    pile=st.integers(0, 60),
    limit=st.integers(1, 25),
    radius=st.sampled_from([50, 100, 300, 1000]),
    here=offsets,
)
def test_best_first_matches_reading_everything(
    spread: list[tuple[float, float]], pile: int, limit: int, radius: int, here: tuple[float, float]
) -> None:
    points = [(KASBA[0] + a, KASBA[1] + b) for a, b in spread] + [KASBA] * pile
    lat, lng = KASBA[0] + here[0], KASBA[1] + here[1]
    index = SortedIndex(points)
    cells = cover(lat, lng, radius)
    answer = nearest(lat, lng, radius, limit, cells, index.read)
    assert [n for _, n in answer.found] == brute_force(points, lat, lng, radius, limit)
    assert [m for m, _ in answer.found] == [geo.distance_m(lat, lng, *points[n]) for _, n in answer.found]


def test_a_pile_on_one_spot_reads_about_the_limit() -> None:
    index = SortedIndex([KASBA] * 5_000)
    answer = nearest(*KASBA, 100, 20, cover(*KASBA, 100), index.read)
    assert [n for _, n in answer.found] == list(range(20))
    assert answer.items_read <= 2 * 20 + 21


def test_a_dense_spread_reads_in_proportion_to_the_limit() -> None:
    points = [(KASBA[0] + (n % 100) * 0.00002, KASBA[1] + (n // 100) * 0.00002) for n in range(10_000)]  # 2 m apart
    index = SortedIndex(points)
    here = (KASBA[0] + 0.001, KASBA[1] + 0.001)
    answer = nearest(*here, 1000, 20, cover(*here, 1000), index.read)
    assert [n for _, n in answer.found] == brute_force(points, *here, 1000, 20)
    assert answer.items_read <= 12 * 20, answer  # 10,000 within 200 m: reading the cover took them all
    assert answer.reads <= 20


def test_nearest_orders_by_distance_then_id_and_honours_radius_and_limit() -> None:
    here = (18.52, 73.85)
    points = [(18.521, 73.85), (18.521, 73.85), (18.53, 73.85), (18.60, 73.85)]  # ID-000000 and 1 tie at 111 m
    index = SortedIndex(points)
    two = nearest(*here, 2_000, 2, cover(*here, 2_000), index.read).found
    assert two == [(111, 0), (111, 1)]
    every = nearest(*here, 2_000, 10, cover(*here, 2_000), index.read).found
    assert [n for _, n in every] == [0, 1, 2]  # the fourth lies beyond the radius
