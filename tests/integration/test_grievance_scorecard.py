"""The public ward scorecard routes (issue 20) through the template's routes: no token, ETag and public
max-age, figures from the aggregates kept in each change's transaction, bad months and wards refused with
problem+json and nothing changed. (test_grievance_counters.py checks every aggregate against a recount.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmc_common.clock import FixedClock, iso
from tests.harness import CITIZEN, Api, fixed_clock
from tests.integration.test_grievance_api import GARBAGE

NOW = datetime(2037, 3, 20, 6, 0, 0, tzinfo=UTC)  # a year no other module uses: this module's figures alone
MONTH = "2037-03"
# the tests that log more grievances log them in Kothrud (W09), so W07's figures stay this module's four
KOTHRUD = {**GARBAGE, "lat": 18.5074, "lng": 73.8077}
OTHERS: list[int] = []  # open and overdue in W07's solid waste department before this module's grievances


@pytest.fixture
def clock(local_aws: Any) -> Any:
    yield from fixed_clock("grievance", NOW)


def resolve(grievance_id: str, at: datetime, rating: int | None = None, reopen: bool = False) -> None:
    """Resolve a grievance through the store (the lifecycle's own rules are tested elsewhere): the aggregates
    move in the same transaction as any change, whatever the route."""
    from grievance import domain, store

    g = store.get(grievance_id)
    assert g is not None
    when = iso(at)
    entry = {"at": when, "type": "status_changed", "actor": "staff", "from_status": g.status, "to_status": "resolved"}
    after = replace(g, status="resolved", resolved_at=when, first_resolved_at=when, timeline=(*g.timeline, entry))
    store.save(domain.StatusChange(after, g.status, "resolved", True), g)
    if rating is not None or reopen:
        read = store.get(grievance_id)
        assert read is not None
        if reopen:
            final = replace(read, status="reopened", reopen_count=1, resolved_at=None)
        else:
            entries = (
                {"at": when, "type": "feedback", "actor": "citizen", "rating": rating},
                {
                    "at": when,
                    "type": "status_changed",
                    "actor": "citizen",
                    "from_status": "resolved",
                    "to_status": "closed",
                },
            )
            final = replace(read, status="closed", closed_at=when, timeline=(*read.timeline, *entries))
        store.save(domain.StatusChange(final, "resolved", final.status), read)


def aggregates() -> dict[Any, Any]:
    from grievance import store

    return store.scorecard_month(MONTH, "W07")


def open_and_overdue() -> tuple[int, int]:
    """Open and overdue now in W07's solid waste department: figures of now, so other modules' open
    grievances there count too; tests compare with what they were before this module's."""
    from grievance import store

    counts = store.scorecard_now("W07").get(("W07", "solid_waste_management"), {})
    return counts.get("open_now", 0), counts.get("overdue_now", 0)


def sweep_until_counted(grievance_id: str, since: datetime) -> None:
    """The escalation sweep's work on one overdue grievance, 15 minutes past each due time (through
    escalation.escalate_one, not the whole table's sweep): three escalations, then, at level 3 and overdue
    still, counted in its ward × department's overdue now."""
    from grievance import escalation, store

    at = since
    for tick in range(4):
        g = store.get(grievance_id)
        assert g is not None
        at = max(at, datetime.fromisoformat(g.due_at)) + timedelta(minutes=15)
        escalation.escalate_one(grievance_id, event_id=f"scorecard-test-{grievance_id}-{tick}", now=at)
    final = store.get(grievance_id)
    assert final is not None
    assert (final.escalation_level, final.scorecard_now) == (3, "overdue")
    assert at < NOW


@pytest.fixture(scope="module")
def filed(api: Api) -> list[str]:
    """Four grievances in Kasba (W07) this month: resolved in 5 h and rated 5, in 30 h and rated 2, in 60 h
    and reopened, and one still open and overdue."""
    from grievance import api as grievance_api

    OTHERS.extend(open_and_overdue())

    logged_at = NOW - timedelta(days=10)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: FixedClock(logged_at)
    ids = []
    for _ in range(4):
        reply = api.request("POST", "/grievances", json_body=GARBAGE, caller=CITIZEN)
        assert reply.status == 201, reply.body
        ids.append(reply.json()["id"])
    grievance_api.app.dependency_overrides.clear()
    resolve(ids[0], logged_at + timedelta(hours=5), rating=5)
    resolve(ids[1], logged_at + timedelta(hours=30), rating=2)
    resolve(ids[2], logged_at + timedelta(hours=60), reopen=True)
    for grievance_id in ids[2:]:  # the reopened one and the untouched one: past due, as no sweep can help
        sweep_until_counted(grievance_id, logged_at)
    return ids


def test_a_wards_scorecard_is_public_cached_and_counts_each_verdict(
    api: Api, clock: FixedClock, filed: list[str]
) -> None:
    reply = api.request("GET", "/scorecard/wards/W07", query={"month": MONTH})  # no token
    assert reply.status == 200, reply.body
    assert reply.headers["cache-control"] == "public, max-age=60"
    body = reply.json()
    assert body["ward_name"] == {"en": "Kasba–Vishrambaug Wada", "mr": "कसबा–विश्रामबागवाडा"}
    swm = next(d for d in body["departments"] if d["department"] == "solid_waste_management")
    assert swm["department_name"]["mr"]
    assert {k: swm[k] for k in ("received", "resolved", "resolved_within_sla", "sla_compliance_pct")} == {
        "received": 4,
        "resolved": 3,
        "resolved_within_sla": 2,  # 48 h SLA: 5 h and 30 h
        "sla_compliance_pct": 66.7,
    }
    assert swm["median_hours_to_resolve"] == 30  # lower median of 5, 30, 60
    assert (swm["reopened_after_resolution"], swm["reopened_after_resolution_pct"]) == (1, 33.3)
    assert (swm["closed_satisfied"], swm["closed_low_rating"], swm["closed_auto_without_feedback"]) == (1, 1, 0)
    assert (swm["ratings"], swm["mean_rating"], swm["rating_4_5_pct"]) == (2, 3.5, 50.0)
    # the reopened one and the untouched one, both past due at level 3, besides other modules' open ones
    assert (swm["open"], swm["overdue_now"]) == (OTHERS[0] + 2, OTHERS[1] + 2)
    assert body["totals"]["received"] == 4
    assert body["score"] == 66.7  # 0.6 × 2/3 + 0.4 × (1 − 1/3), in per cent
    text = reply.body.decode()
    assert "+9198" not in text  # no personal data: no phone number,
    assert "Kasba Peth" not in text  # no address

    again = api.request(
        "GET", "/scorecard/wards/W07", query={"month": MONTH}, headers={"if-none-match": reply.headers["etag"]}
    )
    assert again.status == 304
    assert again.headers["etag"] == reply.headers["etag"]


def test_the_ranking_lists_the_15_wards_by_score(api: Api, clock: FixedClock, filed: list[str]) -> None:
    reply = api.request("GET", "/scorecard/wards", query={"month": MONTH})
    assert reply.status == 200, reply.body
    wards = reply.json()["wards"]
    assert sorted(w["ward"] for w in wards) == [f"W{n:02d}" for n in range(1, 16)]
    assert [w["rank"] for w in wards] == list(range(1, 16))
    kasba = next(w for w in wards if w["ward"] == "W07")
    assert (kasba["score"], kasba["resolved"], kasba["received"]) == (66.7, 3, 4)
    scores = [w["score"] for w in wards if w["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert "etag" in reply.headers


def test_the_trend_gives_12_months_ending_with_the_month(api: Api, clock: FixedClock, filed: list[str]) -> None:
    reply = api.request("GET", "/scorecard/wards/W07/trend")  # this IST month by default
    assert reply.status == 200, reply.body
    months = reply.json()["months"]
    assert [m["month"] for m in months] == [f"2036-{n:02d}" for n in range(4, 13)] + ["2037-01", "2037-02", MONTH]
    assert months[-1]["received"] == 4
    assert months[-1]["open"] is None


def test_a_change_changes_the_etag_at_once(api: Api, clock: FixedClock, filed: list[str]) -> None:
    first = api.request("GET", "/scorecard/wards/W09", query={"month": MONTH})
    assert api.request("POST", "/grievances", json_body=KOTHRUD, caller=CITIZEN).status == 201
    second = api.request(
        "GET", "/scorecard/wards/W09", query={"month": MONTH}, headers={"if-none-match": first.headers["etag"]}
    )
    assert second.status == 200
    assert second.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize(
    ("path", "query", "status", "field"),
    [
        ("/scorecard/wards", {"month": "2037-04"}, 422, "query.month"),  # a future month (IST)
        ("/scorecard/wards/W07", {"month": "2037-04"}, 422, "query.month"),
        ("/scorecard/wards/W07/trend", {"month": "2038-01"}, 422, "query.month"),
        ("/scorecard/wards", {"month": "2037-13"}, 422, "query.month"),
        ("/scorecard/wards/W07", {"month": "March"}, 422, "query.month"),
        ("/scorecard/wards/W16", {"month": MONTH}, 404, None),  # an unknown ward: as an unknown id
        ("/scorecard/wards/w07", {}, 404, None),
        ("/scorecard/wards/W99/trend", {}, 404, None),
    ],
)
def test_a_future_month_or_an_unknown_ward_is_refused_and_changes_nothing(
    api: Api, clock: FixedClock, filed: list[str], path: str, query: dict[str, str], status: int, field: str | None
) -> None:
    before = aggregates()
    reply = api.request("GET", path, query=query)
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == status
    if field is not None:
        assert [e["field"] for e in problem["errors"]] == [field]
    assert aggregates() == before


def test_the_first_ist_hours_of_a_month_are_that_month(api: Api, clock: FixedClock) -> None:
    """2037-03-31T19:00Z is 1 April 00:30 IST: a grievance logged then is April's, and April is not future."""
    from grievance import api as grievance_api

    at = datetime(2037, 3, 31, 19, 0, 0, tzinfo=UTC)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: FixedClock(at)
    reply = api.request("POST", "/grievances", json_body=KOTHRUD, caller=CITIZEN)
    assert reply.status == 201
    card = api.request("GET", "/scorecard/wards/W09", query={"month": "2037-04"})
    assert card.status == 200, card.body
    assert card.json()["totals"]["received"] == 1


def test_a_rebuild_writes_the_aggregates_a_recount_gives_and_again_the_same(api: Api, clock: FixedClock) -> None:
    """Grievances stored before the aggregates existed: the one-off rebuild (store.rebuild_scorecard) puts
    every month's items whole from the stored grievances, so a rerun changes nothing."""
    from grievance import api as grievance_api
    from grievance import scorecard, store

    month = "2038-05"
    at = datetime(2038, 5, 10, 6, 0, 0, tzinfo=UTC)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: FixedClock(at)
    ids = [api.request("POST", "/grievances", json_body=KOTHRUD, caller=CITIZEN).json()["id"] for _ in range(2)]
    resolve(ids[0], at + timedelta(hours=7), rating=4)
    kept = store.scorecard_month(month)
    for ward, department in kept:  # as if stored before the aggregates: none for the month
        store.ScorecardItem(f"{store.SCORECARD}#{month}", f"{ward}#{department}").delete()
    assert store.scorecard_month(month) == {}

    assert store.rebuild_scorecard() > 0
    grievances = [g for g in (store.get(i) for i in ids) if g is not None]
    expected = {(w, d): dict(c) for (m, w, d), c in scorecard.recount(grievances).items() if m == month}
    assert store.scorecard_month(month) == expected == kept
    store.rebuild_scorecard()
    assert store.scorecard_month(month) == expected


def forget_now_count(grievance_id: str) -> None:
    """As if stored before the open now / overdue now counts: recording nothing, in no count."""
    from grievance import scorecard, store

    g = store.get(grievance_id)
    assert g is not None
    assert g.scorecard_now is not None
    item = store.GrievanceItem.get(grievance_id, store.GRIEVANCE, consistent_read=True)
    item.update(actions=[store.GrievanceItem.doc.set({**item.doc, "scorecard_now": None})])
    taken = scorecard.now_marks(g)[(g.ward, g.department)]
    store.ScorecardItem(store.SCORECARD_NOW, f"{g.ward}#{g.department}").update(
        actions=[getattr(store.ScorecardItem, name).add(-n) for name, n in taken.items()]
    )


def test_the_rebuild_counts_open_grievances_stored_before_the_now_counts_once(api: Api, clock: FixedClock) -> None:
    """Deployed over grievances that record nothing: a change of one adds what it records and takes nothing;
    the rebuild counts the rest, each in a transaction on its version, and a rerun counts nothing twice."""
    from grievance import api as grievance_api
    from grievance import domain, store

    at = datetime(2038, 6, 10, 6, 0, 0, tzinfo=UTC)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: FixedClock(at)
    ids = [api.request("POST", "/grievances", json_body=KOTHRUD, caller=CITIZEN).json()["id"] for _ in range(3)]
    key = ("W09", "solid_waste_management")
    counted = store.scorecard_now("W09")[key]
    for grievance_id in ids:
        forget_now_count(grievance_id)
    assert store.scorecard_now("W09")[key]["open_now"] == counted["open_now"] - 3

    read = store.get(ids[0])  # rejected after the deploy: it added nothing, so it takes nothing
    assert read is not None
    assert read.scorecard_now is None
    rejected = domain.staff_change(read, status="rejected", assignee=None, note="Not PMC's.", now=at)
    store.save(rejected, read)
    assert store.scorecard_now("W09")[key]["open_now"] == counted["open_now"] - 3
    read = store.get(ids[1])  # assigned after the deploy: counted by that change
    assert read is not None
    store.save(domain.staff_change(read, status="assigned", assignee="JE SWM", note=None, now=at), read)
    assert store.scorecard_now("W09")[key]["open_now"] == counted["open_now"] - 2

    uncounted = uncounted_open(key)  # ids[2], and any other module's stored there without the store
    assert ids[2] in uncounted
    assert not set(ids[:2]) & set(uncounted)
    store.rebuild_scorecard()
    rebuilt = {**counted, "open_now": counted["open_now"] - 3 + 1 + len(uncounted)}
    assert store.scorecard_now("W09")[key] == rebuilt
    assert [g.scorecard_now for g in (store.get(i) for i in ids) if g is not None] == [None, "open", "open"]
    assert uncounted_open(key) == []
    store.rebuild_scorecard()
    assert store.scorecard_now("W09")[key] == rebuilt


def uncounted_open(key: tuple[str, str]) -> list[str]:
    """Open grievances of a ward × department recording nothing (a test's Scan; never a route's)."""
    from grievance import store

    grievances = (store._grievance(i) for i in store.GrievanceItem.scan(store.GrievanceItem.sk == store.GRIEVANCE))
    return [g.id for g in grievances if (g.ward, g.department) == key and g.is_open and g.scorecard_now is None]
