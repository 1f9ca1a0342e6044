"""Reads follow the answer, not the table (issue 14): every staff queue filter form reads at most twice
the items it returns plus one page, nearby and facility searches read in proportion to `limit`, and
stats take at most 3 requests. Requests and items read (ScannedCount) are counted for real on the
stores' botocore clients, over a ward, a year and a corner of the Pune region of this module's own."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmc_common.clock import FixedClock, iso
from pmc_common.geo import MAX_CELLS, distance_m
from tests.harness import CITIZEN, STAFF, Api, Caller, fixed_clock
from tests.integration.conftest import DATA

NOW = datetime(2040, 6, 1, 0, 0, tzinfo=UTC)  # a year of its own: no other module's sweep reaches it
WARD = "W15"  # no other module logs grievances here
W15_OFFICER = Caller("+919800000115", ("ward_officer",), "W15")
CATEGORIES = (  # (category, department)
    ("pothole", "roads"),
    ("broken_footpath", "roads"),
    ("water_leakage", "water_supply"),
    ("garbage_not_collected", "solid_waste_management"),
)
STATUSES = ("submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened")
OPEN = {"submitted", "assigned", "in_progress", "reopened"}
SPOT = (18.40, 74.05)  # inside the Pune region, outside the city: only this module's items are near
NEARBY_CATEGORY = "dead_animal"
PAGE = 20  # the default limit
MAX_KEY_BYTES = 64  # a due marker: ("open-due#W15", "<due_at>#<id>") is about 50 bytes; 1 MB counts 16,000
QUEUE_FORMS = list(
    itertools.product(
        ("submitted", "open", "all"),
        (None, WARD),
        (None, "roads"),
        (None, "pothole", "tree_fall"),  # tree_fall: none in the table's own ward
        (None, "true", "false"),
    )
)


@dataclass
class ReadMeter:
    """Every request a store's client sends, the items each Query read (ScannedCount), and for each
    COUNT Query (no Items in its answer) the keys it read and the read capacity it took."""

    requests: int = 0
    items_read: int = 0
    counted: list[tuple[int, float]] = field(default_factory=list)

    def sent(self, **_: Any) -> None:
        self.requests += 1

    @staticmethod
    def ask_capacity(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    def answered(self, parsed: dict[str, Any], **_: Any) -> None:
        read = int(parsed.get("ScannedCount", 0))
        self.items_read += read
        if "Items" not in parsed:
            self.counted.append((read, float(parsed["ConsumedCapacity"]["CapacityUnits"])))

    def reset(self) -> None:
        self.requests = self.items_read = 0
        self.counted = []


@pytest.fixture(scope="module")
def clock(local_aws: Any) -> Iterator[FixedClock]:
    yield from fixed_clock("grievance", NOW)


def grievance(n: int, category: str, department: str, status: str, created: datetime, at: tuple[float, float]) -> Any:
    from grievance import domain

    g = domain.log(
        grievance_id=f"GRV-RB-{n:06d}",
        category=category,
        department=department,
        sla_hours=48,
        ward=WARD,
        description="A grievance of the read-bounds test.",
        lat=at[0],
        lng=at[1],
        owner_sub=f"rb-{n % 7}",
        owner_phone_number=None,
        channel="app",
        now=created,
    ).grievance
    return replace(g, status=status)


@pytest.fixture(scope="module")
def grievances(api: Api) -> Iterator[list[Any]]:
    """300 grievances over four categories, every status, due before and after NOW; 150 open ones of
    one category near SPOT, 100 of them on the spot itself. Written directly with their due markers (no
    counters: stats only count requests here), removed at the end."""
    from grievance import store

    made = []
    for n in range(300):
        category, department = CATEGORIES[n % len(CATEGORIES)]
        created = NOW - timedelta(hours=n % 97, days=1)  # due 48 h later: some before NOW, some after
        made.append(grievance(n, category, department, STATUSES[n % len(STATUSES)], created, (18.45, 74.0)))
    for n in range(300, 450):
        at = SPOT if n < 400 else (SPOT[0] + (n % 7 - 3) * 0.0002, SPOT[1] + (n % 11 - 5) * 0.0002)
        made.append(grievance(n, NEARBY_CATEGORY, "veterinary", "submitted", NOW - timedelta(hours=n % 13), at))
    with store.GrievanceItem.batch_write() as batch:
        for g in made:
            doc = {k: v for k, v in asdict(g).items() if k not in ("followers_count", "photo_count", "version")}
            item = store.GrievanceItem(g.id, store.GRIEVANCE, kind=store.GRIEVANCE, doc=doc, version=1)
            for name, value in store.index_keys(g).items():
                if value is not None:
                    setattr(item, name, value)
            batch.save(item)
            for marker in store.due_markers(g):
                batch.save(marker)
    yield made
    with store.GrievanceItem.batch_write() as batch:
        for g in made:
            batch.delete(store.GrievanceItem(g.id, store.GRIEVANCE))
            for marker in store.due_markers(g):
                batch.delete(marker)


@pytest.fixture(scope="module")
def facilities(lookup_seed: None) -> Iterator[list[dict[str, Any]]]:
    """The seed data, and 3,000 facilities 50 m apart in a 3 × 3 km square around SPOT, every
    category; removed at the end."""
    from lookup import seed, store

    shape = seed.documents(store.FACILITY, DATA)[0]
    categories = sorted({f["category"] for f in seed.documents(store.FACILITY, DATA)})
    made = [
        {
            **shape,
            "id": f"FAC-RB{n:06d}",
            "category": categories[n % len(categories)],
            "lat": SPOT[0] - 0.0135 + (n % 60) * 0.00045,
            "lng": SPOT[1] - 0.0135 + (n // 60) * 0.00054,
        }
        for n in range(3000)
    ]
    store.put_all(store.FACILITY, made)
    yield made
    with store.LookupItem.batch_write() as batch:
        for f in made:
            batch.delete(store.LookupItem(store.FACILITY, f["id"]))


@pytest.fixture
def meter(api: Api) -> Iterator[ReadMeter]:
    from grievance import store as grievance_store
    from lookup import store as lookup_store

    counting = ReadMeter()
    clients = [
        grievance_store.GrievanceItem._get_connection().connection.client,
        lookup_store.LookupItem._get_connection().connection.client,
    ]
    for client in clients:
        client.meta.events.register("before-send.dynamodb", counting.sent)
        client.meta.events.register("before-parameter-build.dynamodb.Query", counting.ask_capacity)
        client.meta.events.register("after-call.dynamodb.Query", counting.answered)
    yield counting
    for client in clients:
        client.meta.events.unregister("before-send.dynamodb", counting.sent)
        client.meta.events.unregister("before-parameter-build.dynamodb.Query", counting.ask_capacity)
        client.meta.events.unregister("after-call.dynamodb.Query", counting.answered)


def expected_queue(
    made: list[Any], status: str, department: str | None, category: str | None, overdue: str | None
) -> list[str]:
    wanted = STATUSES if status == "all" else OPEN if status == "open" else {status}
    now = iso(NOW)
    found = [
        g
        for g in made
        if g.status in wanted
        and department in (None, g.department)
        and category in (None, g.category)
        and (overdue is None or (g.status in OPEN and g.due_at < now) == (overdue == "true"))
    ]
    return [g.id for g in sorted(found, key=lambda g: (g.due_at, g.id))]


@pytest.mark.parametrize(("status", "ward", "department", "category", "overdue"), QUEUE_FORMS, ids=str)
def test_every_queue_filter_form_reads_at_most_twice_what_it_returns_plus_a_page(
    api: Api,
    clock: FixedClock,
    grievances: list[Any],
    meter: ReadMeter,
    status: str,
    ward: str | None,
    department: str | None,
    category: str | None,
    overdue: str | None,
) -> None:
    query = {
        k: v
        for k, v in [
            ("status", status),
            ("ward", ward),
            ("department", department),
            ("category", category),
            ("overdue", overdue),
        ]
        if v
    }
    served: list[str] = []
    cursor = None
    for _ in range(2):  # the first two pages
        meter.reset()
        reply = api.get("/staff/grievances", query=query | ({"cursor": cursor} if cursor else {}), caller=STAFF)
        assert reply.status == 200, reply.body
        page = reply.json()
        returned = len(page["items"])
        if department == "roads" and category == "tree_fall":  # tree_fall is the tree authority's
            assert returned == 0
            assert meter.requests == 0
        assert meter.items_read <= 2 * returned + PAGE + 1, (returned, meter)
        served += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    if ward == WARD:  # the ward is this module's alone: the answer is known
        assert served == expected_queue(grievances, status, department, category, overdue)[: len(served)]
        assert len(served) == min(2 * PAGE, len(expected_queue(grievances, status, department, category, overdue)))


def test_a_ward_officer_s_queue_reads_within_the_bound(
    api: Api, clock: FixedClock, grievances: list[Any], meter: ReadMeter
) -> None:
    reply = api.get("/staff/grievances", query={"category": "water_leakage", "limit": 5}, caller=W15_OFFICER)
    assert reply.status == 200
    items = reply.json()["items"]
    assert [i["id"] for i in items] == expected_queue(grievances, "open", None, "water_leakage", None)[:5]
    assert meter.items_read <= 2 * len(items) + 5 + 1


@pytest.mark.parametrize("ward", [None, WARD])
def test_stats_take_at_most_three_requests(
    api: Api, clock: FixedClock, grievances: list[Any], meter: ReadMeter, ward: str | None
) -> None:
    reply = api.get("/staff/grievances/stats", query={"ward": ward} if ward else {}, caller=STAFF)
    assert reply.status == 200
    assert meter.requests <= (3 if ward else 2)  # the counters (a ward's: and its SLA ones), then `overdue`
    overdue = sum(1 for g in grievances if g.status in OPEN and g.due_at < iso(NOW))
    assert reply.json()["overdue"] == overdue if ward else reply.json()["overdue"] >= overdue
    # ...and stay so at 100,000 grievances: `overdue` is one COUNT Query whose keys cost at most
    # MAX_KEY_BYTES each (read capacity: 0.5 per 4 KB, eventually consistent), so one 1 MB page
    # counts 1 MB / MAX_KEY_BYTES of them; an index entry on DynamoDB Local costs its whole item
    [(keys, capacity)] = meter.counted
    assert keys >= overdue
    assert capacity <= 0.5 * math.ceil(keys * MAX_KEY_BYTES / 4096), (keys, capacity)


@pytest.mark.parametrize("offset_m", [0, 40])
def test_nearby_reads_in_proportion_to_its_twenty(
    api: Api, grievances: list[Any], meter: ReadMeter, offset_m: int
) -> None:
    here = {"lat": SPOT[0] + offset_m / 111_000, "lng": SPOT[1], "category": NEARBY_CATEGORY}
    reply = api.get("/grievances/nearby", query=here, caller=CITIZEN)
    assert reply.status == 200
    items = reply.json()["items"]
    near = sorted(
        (distance_m(here["lat"], here["lng"], g.lat, g.lng), g.id) for g in grievances if g.category == NEARBY_CATEGORY
    )
    assert [(i["distance_m"], i["id"]) for i in items] == [pair for pair in near if pair[0] <= 100][:20]
    assert meter.items_read <= 2 * 20 + 21, meter  # was every open one of the category in 9 cells: 150
    assert meter.requests <= MAX_CELLS


@pytest.mark.parametrize(("category", "limit"), [(None, 20), ("hospital", 20), (None, 100), ("garden", 5)])
def test_a_facility_search_reads_in_proportion_to_its_limit(
    api: Api, facilities: list[dict[str, Any]], meter: ReadMeter, category: str | None, limit: int
) -> None:
    query = {"lat": SPOT[0], "lng": SPOT[1], "limit": limit} | ({"category": category} if category else {})
    reply = api.get("/facilities", query=query)
    assert reply.status == 200
    items = reply.json()["items"]
    near = sorted(
        (distance_m(SPOT[0], SPOT[1], f["lat"], f["lng"]), f["id"])
        for f in facilities
        if category in (None, f["category"])
    )
    assert [(i["distance_m"], i["id"]) for i in items] == [pair for pair in near if pair[0] <= 2000][:limit]
    # a read of a block stops at what is still needed; one that holds more is split at the last key
    # read, so each split costs at most that many: here about 7 × limit (the cover read all 3,000)
    assert meter.items_read <= 8 * limit, meter
    assert meter.requests <= MAX_CELLS + 1  # and one GetItem for the category
