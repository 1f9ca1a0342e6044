"""Pure lookup rules: the geohash cells a search starts from, orders and cross-field checks.

No I/O here: the store fetches, these functions decide."""

from __future__ import annotations

from typing import Any

from pmc_common.errors import Invalid
from pmc_common.geo import EARTH_RADIUS_M, distance_m, search_cover

__all__ = ["EARTH_RADIUS_M", "distance_m"]

FINE_PRECISION_MAX_RADIUS_M = 1_000  # up to here 6-character cells (≈1.2 × 0.6 km) keep reads small


def search_cells(lat: float, lng: float, radius_m: int) -> tuple[int, set[str]]:
    """The geohash precision for this radius and every cell its circle's bounding box meets: 422
    `location_outside_pune` outside the Pune region (API.md 2.3), and never more than geo.MAX_CELLS."""
    precision = 6 if radius_m <= FINE_PRECISION_MAX_RADIUS_M else 5
    return precision, search_cover(lat, lng, radius_m, precision)


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
