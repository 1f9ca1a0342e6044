"""City update lists read about what they return, not the table (API.md 2.4, DESIGN.md "Performance posture"):
items read (ScannedCount) and requests counted for real on the lookup store's client, over a ward with
hundreds of ended updates of its own and of the city's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmc_common.app import system_clock
from pmc_common.clock import FixedClock
from tests.harness import STAFF, Api
from tests.integration.test_read_bounds import ReadMeter

NOW = datetime(2041, 6, 1, 0, 0, tzinfo=UTC)  # far from every other module's dates and the seed's
ENDED_W07, ENDED_CITY = 600, 200  # ended before the 90-day window
RECENT_ENDED = 10  # ended inside it: read and dropped by the clock
ACTIVE_W07, ACTIVE_CITY, ACTIVE_W01 = 5, 2, 4


def update(number: int, ward: str | None, starts: datetime, hours: int, category: str = "water_cut") -> dict[str, Any]:
    from lookup import domain

    return domain.to_doc(
        domain.CityUpdate(
            id=f"UPD-R{number:07d}",
            category=category,
            ward=ward,
            title={"en": "A read-bounds update", "mr": "चाचणी सूचना"},
            body={"en": "Nothing happens here.", "mr": "येथे काहीही होत नाही."},
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            created_at=starts - timedelta(hours=2),
            updated_at=starts - timedelta(hours=2),
            status="",
        )
    )


@pytest.fixture(scope="module")
def updates(lookup_seed: None) -> list[dict[str, Any]]:
    from lookup import store

    made = []
    n = 0
    for i in range(ENDED_W07 + ENDED_CITY):
        made.append(update(n := n + 1, "W07" if i < ENDED_W07 else None, NOW - timedelta(days=100 + i % 600), 30))
    made += [update(n := n + 1, "W07", NOW - timedelta(days=20 + i), 48) for i in range(RECENT_ENDED)]
    made += [update(n := n + 1, "W07", NOW - timedelta(hours=1 + i), 24) for i in range(ACTIVE_W07)]
    made += [update(n := n + 1, None, NOW - timedelta(days=3 + i), 24 * 30, "health_drive") for i in range(ACTIVE_CITY)]
    made += [update(n := n + 1, "W01", NOW - timedelta(hours=3 + i), 24) for i in range(ACTIVE_W01)]
    store.put_updates(made)
    return made


@pytest.fixture
def meter(api: Api) -> Iterator[ReadMeter]:
    from lookup import api as lookup_api
    from lookup import store

    lookup_api.app.dependency_overrides[system_clock] = lambda: FixedClock(NOW)
    counting = ReadMeter()
    client = store.LookupItem._get_connection().connection.client
    client.meta.events.register("before-send.dynamodb", counting.sent)
    client.meta.events.register("before-parameter-build.dynamodb.Query", counting.ask_capacity)
    client.meta.events.register("after-call.dynamodb.Query", counting.answered)
    yield counting
    client.meta.events.unregister("before-send.dynamodb", counting.sent)
    client.meta.events.unregister("before-parameter-build.dynamodb.Query", counting.ask_capacity)
    client.meta.events.unregister("after-call.dynamodb.Query", counting.answered)
    lookup_api.app.dependency_overrides.clear()


def test_a_wards_public_list_reads_its_live_window_not_its_history(
    api: Api, updates: list[dict[str, Any]], meter: ReadMeter
) -> None:
    page = api.get("/city-updates", query={"ward": "W07"}).json()
    returned = len(page["items"])
    assert returned == ACTIVE_W07 + ACTIVE_CITY
    assert page["next_cursor"] is None
    # two Queries (the ward's partition, the city's), reading the active ones and those that ended in the window
    assert meter.requests == 2
    assert meter.items_read == returned + RECENT_ENDED
    print(
        f"\nGET /city-updates?ward=W07: {returned} returned, {meter.items_read} items read, {meter.requests} requests "
        f"({len(updates)} updates stored)"
    )


def test_a_small_page_reads_about_the_page(api: Api, updates: list[dict[str, Any]], meter: ReadMeter) -> None:
    page = api.get("/city-updates", query={"ward": "W07", "limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"] is not None
    assert meter.items_read <= 2 * (2 + 1)  # a page of limit + 1 from each partition at most


def test_a_filter_that_matches_nothing_reads_at_most_the_budget(
    api: Api, updates: list[dict[str, Any]], meter: ReadMeter
) -> None:
    from lookup import store

    public = api.get("/city-updates", query={"ward": "W07", "category": "event", "limit": 100}).json()
    assert public["items"] == []
    assert meter.items_read <= RECENT_ENDED + ACTIVE_W07 + ACTIVE_CITY
    meter.reset()
    staff = api.get("/staff/city-updates", query={"ward": "W07", "status": "active", "limit": 100}, caller=STAFF).json()
    assert len(staff["items"]) <= ACTIVE_W07
    assert meter.items_read <= store.READ_BUDGET + 101  # the budget, and the rest of the page it ended in
    assert meter.requests <= 3
    print(
        f"\nGET /staff/city-updates?ward=W07&status=active: {len(staff['items'])} returned, {meter.items_read} items "
        f"read, {meter.requests} requests, next_cursor {'set' if staff['next_cursor'] else 'null'}"
    )
