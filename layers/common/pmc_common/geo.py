"""Distances and geohash cells shared by every "near a point" query (facilities, nearby grievances).

Reads grow with what is near the point and stay bounded whatever the point: a search starts only
inside the Pune region and never reads more than MAX_CELLS cells. Pure: no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygeohash

from pmc_common.errors import Invalid

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius, as API.md 1.1 fixes it


@dataclass(frozen=True)
class Region:
    """A latitude/longitude box (not across the antimeridian)."""

    south: float
    north: float
    west: float
    east: float

    def holds(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east  # False for NaN


# API.md 2.3: PMC's boundary (lat 18.43–18.62, lng 73.75–73.96 in data/pmc_boundary.geojson) with a
# margin of 8 to 15 km on every side, so a search from just outside the limit still works; the same
# box bounds where offices and facilities may stand. Cheap on purpose: the precise boundary polygon is
# for logging a grievance (grievance.reference), not for a search, which may start beyond it.
PUNE_REGION = Region(south=18.35, north=18.70, west=73.65, east=74.10)
LOCATION_OUTSIDE_PUNE = "location_outside_pune"

# The largest legitimate search, 10 km from a point of the Pune region on 5-character cells
# (≈ 4.9 × 4.6 km there), spans at most 4.3 cell heights and 4.4 cell widths, so it meets at most
# 6 × 6 cells; 1 km on 6-character cells at most 5 × 3, 100 m on 7-character cells at most 3 × 3.
# Near a pole a cover spans every longitude (thousands of cells): those are refused, not read.
MAX_CELLS = 36

# Cell edges are exact binary fractions, a point's degrees are not: widen the box by 1e-9° (0.1 mm)
# so that rounding can never leave out the cell a point on an edge is encoded in.
_EDGE_SLACK_DEG = 1e-9


class SearchTooWide(Invalid):
    """A cover that would need more than its cap of cells: refused before anything is read."""


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> int:
    """Haversine distance in whole metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))


def cell_size_deg(precision: int) -> tuple[float, float]:
    """(height, width) in degrees of a geohash cell: bits alternate, longitude first."""
    bits = 5 * precision
    lng_bits, lat_bits = (bits + 1) // 2, bits // 2
    return 180.0 / 2**lat_bits, 360.0 / 2**lng_bits


def in_pune_region(lat: float, lng: float) -> bool:
    return PUNE_REGION.holds(lat, lng)


def require_pune_region(lat: float, lng: float, field: str = "query") -> None:
    """422 `location_outside_pune` (API.md 2.3) for a point outside the Pune region."""
    if not in_pune_region(lat, lng):
        raise Invalid.of(field, "location is outside the Pune region", code=LOCATION_OUTSIDE_PUNE)


def search_cover(lat: float, lng: float, radius_m: int, precision: int) -> set[str]:
    """The cells a search from this point reads: 422 outside the Pune region, else at most MAX_CELLS."""
    require_pune_region(lat, lng)
    return cells_meeting(lat, lng, radius_m, precision)


def cells_meeting(lat: float, lng: float, radius_m: int, precision: int, max_cells: int = MAX_CELLS) -> set[str]:
    """Every cell of this precision that meets the circle's bounding box, anywhere on Earth (a circle
    around a pole spans every longitude; one across the antimeridian wraps). Counted before any is
    listed: more than `max_cells` raises SearchTooWide."""
    if not (-90.0 <= lat <= 90.0 and math.isfinite(lng) and radius_m >= 0):
        raise ValueError("not a point and radius")
    height, width = cell_size_deg(precision)
    rows_total, columns_total = round(180.0 / height), round(360.0 / width)
    reach = radius_m / EARTH_RADIUS_M  # radians of arc
    dlat = math.degrees(reach)
    south, north = lat - dlat - _EDGE_SLACK_DEG, lat + dlat + _EDGE_SLACK_DEG
    first_row = max(0, math.floor((south + 90.0) / height))
    last_row = min(rows_total - 1, math.floor((north + 90.0) / height))
    if north >= 90.0 or south <= -90.0:  # the circle holds a pole: every longitude
        first_column, columns = 0, columns_total
    else:
        # the exact half-width in longitude of a spherical cap (widest off its centre's latitude)
        dlng = math.degrees(math.asin(min(1.0, math.sin(reach) / math.cos(math.radians(lat)))))
        west, east = lng - dlng - _EDGE_SLACK_DEG, lng + dlng + _EDGE_SLACK_DEG
        first_column = math.floor((west + 180.0) / width)
        columns = min(columns_total, math.floor((east + 180.0) / width) - first_column + 1)
    rows = last_row - first_row + 1
    if rows * columns > max_cells:
        raise SearchTooWide.of("query", "the search covers too large an area")
    return {
        encode(
            -90.0 + (row + 0.5) * height,
            -180.0 + ((first_column + column) % columns_total + 0.5) * width,
            precision,
        )
        for row in range(first_row, last_row + 1)
        for column in range(columns)
    }


def encode(lat: float, lng: float, precision: int) -> str:
    return str(pygeohash.encode(lat, lng, precision=precision))
