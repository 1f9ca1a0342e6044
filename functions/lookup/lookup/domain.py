"""Pure lookup rules: distances, the geohash cells a search must read, orders and cross-field checks.

No I/O here: the store fetches, these functions decide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pmc_common.errors import Invalid
from pmc_common.geo import EARTH_RADIUS_M, distance_m, encode, search_cover

__all__ = ["EARTH_RADIUS_M", "distance_m"]

FINE_PRECISION_MAX_RADIUS_M = 1_000  # up to here 6-character cells (≈1.2 × 0.6 km) keep reads small


def search_cells(lat: float, lng: float, radius_m: int) -> tuple[int, set[str]]:
    """The geohash precision for this radius and every cell its circle's bounding box meets: 422
    `location_outside_pune` outside the Pune region (API.md 2.3), and never more than geo.MAX_CELLS."""
    precision = 6 if radius_m <= FINE_PRECISION_MAX_RADIUS_M else 5
    return precision, search_cover(lat, lng, radius_m, precision)


def geohashes(lat: float, lng: float) -> tuple[str, str]:
    """The index keys of a facility: its 5- and 6-character cells."""
    fine = encode(lat, lng, 6)
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
