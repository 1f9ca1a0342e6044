"""Pure lookup rules: distances, the geohash cells a search must read, orders and cross-field checks.

No I/O here: the store fetches, these functions decide."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pygeohash

from pmc_common.errors import Invalid

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius, as API.md 1.1 fixes it
FINE_PRECISION_MAX_RADIUS_M = 1_000  # up to here 6-character cells (≈1.2 × 0.6 km) keep reads small


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


def search_cells(lat: float, lng: float, radius_m: int) -> tuple[int, set[str]]:
    """The geohash precision and every cell that meets the circle's bounding box.

    Grid points one cell apart from edge to edge hit every cell row and column the box meets."""
    precision = 6 if radius_m <= FINE_PRECISION_MAX_RADIUS_M else 5
    height, width = cell_size_deg(precision)
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    south, north = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    west, east = max(lng - dlng, -180.0), min(lng + dlng, 180.0)
    cells: set[str] = set()
    for y in _steps(south, north, height):
        for x in _steps(west, east, width):
            cells.add(pygeohash.encode(y, x, precision=precision))
    return precision, cells


def _steps(start: float, stop: float, step: float) -> Iterable[float]:
    value = start
    while value < stop:
        yield value
        value += step
    yield stop


def geohashes(lat: float, lng: float) -> tuple[str, str]:
    """The index keys of a facility: its 5- and 6-character cells."""
    fine = pygeohash.encode(lat, lng, precision=6)
    return fine[:5], fine


@dataclass(frozen=True)
class Found:
    facility: dict[str, Any]
    distance_m: int


def nearest(candidates: Iterable[dict[str, Any]], lat: float, lng: float, radius_m: int, limit: int) -> list[Found]:
    """Facilities within the radius, nearest first, ties by id, at most `limit`."""
    found = [Found(f, distance_m(lat, lng, f["lat"], f["lng"])) for f in candidates]
    inside = [f for f in found if f.distance_m <= radius_m]
    inside.sort(key=lambda f: (f.distance_m, f.facility["id"]))
    return inside[:limit]


def contacts_order(contact: dict[str, Any]) -> tuple[int, str]:
    return contact["sort"], contact["id"]


def offices_order(office: dict[str, Any]) -> tuple[bool, str, str, str]:
    """Ward with nulls first, then English name, then id for a stable tie."""
    return office["ward"] is not None, office["ward"] or "", office["name"]["en"], office["id"]


def departments_order(department: dict[str, Any]) -> tuple[str, str]:
    return department["name"]["en"], department["id"]


def check_office(office: dict[str, Any]) -> None:
    """A head office belongs to no ward; every other office to exactly one."""
    if office["type"] == "head_office" and office["ward"] is not None:
        raise Invalid.of("body.ward", "must be null for a head office")
    if office["type"] != "head_office" and office["ward"] is None:
        raise Invalid.of("body.ward", "is required for a ward office or CFC")
