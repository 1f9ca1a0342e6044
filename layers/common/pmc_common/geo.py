"""Distances and geohash cells shared by every "near a point" query (facilities, nearby grievances).

Reads grow with what is near the point: a search queries the cells its circle meets, nothing else."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pygeohash

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius, as API.md 1.1 fixes it


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


def cells_meeting(lat: float, lng: float, radius_m: int, precision: int) -> set[str]:
    """Every cell of this precision that meets the circle's bounding box.

    Grid points one cell apart from edge to edge hit every cell row and column the box meets."""
    height, width = cell_size_deg(precision)
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    south, north = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    west, east = max(lng - dlng, -180.0), min(lng + dlng, 180.0)
    return {
        pygeohash.encode(y, x, precision=precision)
        for y in _steps(south, north, height)
        for x in _steps(west, east, width)
    }


def _steps(start: float, stop: float, step: float) -> Iterable[float]:
    value = start
    while value < stop:
        yield value
        value += step
    yield stop


def encode(lat: float, lng: float, precision: int) -> str:
    return str(pygeohash.encode(lat, lng, precision=precision))
