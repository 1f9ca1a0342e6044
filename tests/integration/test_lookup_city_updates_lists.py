"""The public city updates list (API.md 2.4) against a plain-Python filter of the stored updates, for any set
of updates written through the store (published, moved, withdrawn), any ward, category, time and page size."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmc_common.app import system_clock
from pmc_common.clock import FixedClock, parse_iso
from tests.harness import Api

NOW = datetime(2026, 6, 10, 5, 0, tzinfo=UTC)
WARDS = (None, "W01", "W07")
CATEGORIES = ("water_cut", "road_closure", "other")

update_plans = st.fixed_dictionaries(
    {
        "ward": st.sampled_from(WARDS),
        "category": st.sampled_from(CATEGORIES),
        # started this long before the list is read (negative: after), spanning up to the 90-day maximum
        "started_days_ago": st.integers(-10, 100),
        "started_hours_ago": st.integers(0, 23),
        "span_days": st.integers(0, 89),
        "span_hours": st.integers(1, 24),
        "moved_hours": st.none() | st.integers(-24 * 5, 24 * 5),  # a patch moving the window (its copies move)
        "withdrawn": st.booleans(),
    }
)


@pytest.fixture(scope="module", autouse=True)
def seeded(lookup_seed: None) -> None:
    """Start from the seed; each example then replaces every city update."""


def clear_updates() -> None:
    from lookup import store

    items = store.CityUpdateListing.scan(store.CityUpdateListing.pk.startswith(store.CITY_UPDATE))
    with store.CityUpdateListing.batch_write() as batch:
        for item in items:
            batch.delete(item)


def write(plan: dict[str, Any], number: int, now: datetime) -> None:
    """One update through the store's own writes: created, then perhaps moved, then perhaps withdrawn."""
    from lookup import domain, store

    starts = now - timedelta(days=plan.get("started_days_ago", 0), hours=plan["started_hours_ago"])
    update = domain.CityUpdate(
        id=f"UPD-{number:08d}",
        category=plan["category"],
        ward=plan["ward"],
        title={"en": "A test update", "mr": "चाचणी सूचना"},
        body={"en": "Nothing happens here.", "mr": "येथे काहीही होत नाही."},
        starts_at=starts,
        ends_at=starts + timedelta(days=plan.get("span_days", 0), hours=plan["span_hours"]),
        created_at=starts - timedelta(hours=1),
        updated_at=starts - timedelta(hours=1),
        status="",
    )
    doc = store.create_update(lambda: domain.to_doc(update))
    if plan["moved_hours"] is not None:
        shift = timedelta(hours=plan["moved_hours"])
        update = replace(update, starts_at=update.starts_at + shift, ends_at=update.ends_at + shift)
        doc = save(doc, update)
    if plan["withdrawn"]:
        save(doc, replace(update, withdrawn_at=now - timedelta(days=200)))


def save(doc: dict[str, Any], update: Any) -> dict[str, Any]:
    from lookup import domain, store

    read = store.get_update(doc["id"])
    assert read is not None
    changed = domain.to_doc(update)
    store.save_update(read, changed)
    return changed


def expected(ward: str | None, category: str | None, now: datetime) -> list[str]:
    """The plain filter: every stored update, active now, of the ward or city-wide, of the category."""
    from lookup import store

    docs = [item.doc for item in store.LookupItem.query(store.CITY_UPDATE)]
    kept = [
        d
        for d in docs
        if d["withdrawn_at"] is None
        and parse_iso(d["starts_at"]) <= now < parse_iso(d["ends_at"])
        and (ward is None or d["ward"] in (ward, None))
        and (category is None or d["category"] == category)
    ]
    return [d["id"] for d in sorted(kept, key=lambda d: (d["starts_at"], d["id"]), reverse=True)]


def listed(api: Api, ward: str | None, category: str | None, limit: int) -> list[str]:
    query = {"limit": limit} | ({"ward": ward} if ward else {}) | ({"category": category} if category else {})
    found: list[str] = []
    cursor = None
    for _ in range(100):
        reply = api.get("/city-updates", query=query | ({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.body
        page = reply.json()
        assert len(page["items"]) <= limit
        assert all(u["status"] == "active" for u in page["items"])
        found += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found
    raise AssertionError("the list did not end")


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    plans=st.lists(update_plans, max_size=8),
    ward=st.sampled_from((None, "W01", "W07", "W09")),
    category=st.none() | st.sampled_from(CATEGORIES),
    at_hours=st.integers(-24 * 10, 24 * 20),
    limit=st.integers(1, 4),
)
def test_the_public_list_is_the_plain_filter_of_the_stored_updates(
    api: Api, plans: list[dict[str, Any]], ward: str | None, category: str | None, at_hours: int, limit: int
) -> None:
    from lookup import api as lookup_api

    clear_updates()
    now = NOW + timedelta(hours=at_hours)
    for number, plan in enumerate(plans):
        write(plan, number, now)
    lookup_api.app.dependency_overrides[system_clock] = lambda: FixedClock(now)
    try:
        assert listed(api, ward, category, limit) == expected(ward, category, now)
    finally:
        lookup_api.app.dependency_overrides.clear()


def test_the_plain_filter_sees_the_updates_written(api: Api) -> None:
    """The comparison can fail: an active update is expected, and it is listed."""
    from lookup import api as lookup_api

    clear_updates()
    plan = {
        "ward": "W07",
        "category": "water_cut",
        "started_hours_ago": 1,
        "span_hours": 5,
        "moved_hours": None,
        "withdrawn": False,
    }
    write(plan, 1, NOW)
    assert expected("W07", None, NOW) == ["UPD-00000001"]
    assert expected("W01", None, NOW) == []
    lookup_api.app.dependency_overrides[system_clock] = lambda: FixedClock(NOW)
    try:
        assert listed(api, "W07", None, 2) == ["UPD-00000001"]
    finally:
        lookup_api.app.dependency_overrides.clear()
