"""The k nearest items to a point, read from a geohash index whose sort key starts with the item's
12-character geohash: best first, so reads follow `limit`, not the density. Pure: the store reads.

Z-order makes every geohash block (any number of bits) one contiguous sort-key range. Blocks are read
nearest first with a Limit of what the answer still needs; a block that holds more is split at the last
key read, and its unread parts wait in the queue with their distance from the point. The search stops
once `limit` items are nearer than every unread block (ties by id, as API.md orders)."""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pmc_common.geo import EARTH_RADIUS_M, MAX_CELLS, distance_m, encode

ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz"  # in ASCII order: geohash order is sort-key order
SPOT_PRECISION = 12  # cells of a few centimetres: items at one spot share a block and sort by id
FINEST_BITS = 5 * SPOT_PRECISION
SLACK_M = 0.01  # a box's distance is computed to its clamped corner: keep the bound a lower bound


def spot_key(lat: float, lng: float, item_id: str) -> str:
    """The sort key of an item in a nearest-first index: its 12-character geohash, then its id."""
    return f"{encode(lat, lng, SPOT_PRECISION)}#{item_id}"


@dataclass(frozen=True)
class Spot[T]:
    """One item read from the index: its sort key, position and what the store made of it."""

    key: str
    id: str
    lat: float
    lng: float
    value: T


@dataclass(frozen=True)
class Span:
    """A contiguous sort-key range inside one block: `cell` names the block's whole-character
    prefix (the store derives the partition from it); read keys from `low` to `high` inclusive."""

    cell: str
    low: str
    high: str


type Reader[T] = Callable[[Span, int | None], list[Spot[T]]]  # up to Limit items in key order (None: all)


@dataclass(frozen=True)
class Nearest[T]:
    found: list[tuple[int, T]]  # (distance in whole metres, item), nearest first, ties by id
    reads: int  # Query calls made (each may be more than one request only when unlimited)
    items_read: int


def _bits(cell: str) -> str:
    return "".join(f"{ALPHABET.index(c):05b}" for c in cell)


def _span(bits: str, after: str | None) -> Span:
    full, rest = divmod(len(bits), 5)
    cell = "".join(ALPHABET[int(bits[i : i + 5], 2)] for i in range(0, 5 * full, 5))
    if rest:
        first = int(bits[5 * full :], 2) << (5 - rest)
        low, high = cell + ALPHABET[first], cell + ALPHABET[first + (1 << (5 - rest)) - 1] + "~"
    else:
        low, high = cell, cell + "~"  # "~" sorts after every geohash character and "#"
    # a space sorts before "#" and every id character: the first key strictly after `after`
    return Span(cell, low if after is None else after + " ", high)


def _box(bits: str) -> tuple[float, float, float, float]:
    south, north, west, east = -90.0, 90.0, -180.0, 180.0
    for n, bit in enumerate(bits):  # longitude first, then alternating
        if n % 2 == 0:
            middle = (west + east) / 2
            west, east = (middle, east) if bit == "1" else (west, middle)
        else:
            middle = (south + north) / 2
            south, north = (middle, north) if bit == "1" else (south, middle)
    return south, north, west, east


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _bound(lat: float, lng: float, bits: str) -> int:
    """No item of the block is nearer than this many whole metres (as distance_m rounds)."""
    south, north, west, east = _box(bits)
    nearest = _metres(lat, lng, min(max(lat, south), north), min(max(lng, west), east))
    return max(0, round(nearest - SLACK_M))


def nearest[T](lat: float, lng: float, radius_m: int, limit: int, cells: Iterable[str], read: Reader[T]) -> Nearest[T]:
    """The `limit` items nearest the point within the radius, from the cells of its cover.

    At most MAX_CELLS cells, like every search; a block is split only during the first MAX_CELLS
    reads, after which what must still be read is read whole, so the number of reads stays bounded."""
    cover = sorted(cells)
    if len(cover) > MAX_CELLS:
        raise ValueError(f"{len(cover)} cells: a search reads at most {MAX_CELLS}")
    # queue entries: (metres, tie, 0 item | 1 block, sequence); an item beats a block only if strictly
    # nearer, or as near with a smaller id than any the block can still hold (its tie)
    queue: list[tuple[int, str, int, int]] = []
    items: dict[int, T] = {}
    blocks: dict[int, tuple[str, str | None]] = {}  # bits, the last key read in it
    numbers = itertools.count()

    def push_block(bits: str, after: str | None = None, after_id: str = "") -> None:
        bound = _bound(lat, lng, bits)
        if bound <= radius_m:
            blocks[number := next(numbers)] = (bits, after)
            heapq.heappush(queue, (bound, after_id if len(bits) == FINEST_BITS else "", 1, number))

    for cell in cover:
        push_block(_bits(cell))
    found: list[tuple[int, T]] = []
    reads = items_read = 0
    while queue and len(found) < limit:
        metres, _, kind, number = heapq.heappop(queue)
        if kind == 0:
            found.append((metres, items.pop(number)))
            continue
        bits, after = blocks.pop(number)
        needed = limit - len(found)
        refine = reads < MAX_CELLS
        spots = read(_span(bits, after), needed if refine else None)
        reads += 1
        items_read += len(spots)
        for spot in spots:
            metres = distance_m(lat, lng, spot.lat, spot.lng)
            if metres <= radius_m:
                items[number := next(numbers)] = spot.value
                heapq.heappush(queue, (metres, spot.id, 0, number))
        if refine and len(spots) == needed:
            _split(bits, spots[0].key, spots[-1], push_block)
    return Nearest(found, reads, items_read)


def _split[T](bits: str, first: str, last: Spot[T], push_block: Callable[..., None]) -> None:
    """Queue what a block holds after the last key read: the deepest block holding everything just
    read (items at one spot: their 12-character cell, resumed by id), then the later sibling at each
    level up to the block itself. Everything before the last key has been read."""
    last_bits = _bits(last.key.split("#", 1)[0])
    if len(bits) == FINEST_BITS:
        push_block(bits, last.key, last.id)
        return
    common = len(bits)
    first_bits = _bits(first.split("#", 1)[0])
    while common < FINEST_BITS and first_bits[common] == last_bits[common]:
        common += 1
    depth = max(common, len(bits) + 1)
    push_block(last_bits[:depth], last.key, last.id)
    for level in range(depth, len(bits), -1):
        node = last_bits[:level]
        if node[-1] == "0":  # its sibling comes after it in key order: not read yet
            push_block(node[:-1] + "1")
