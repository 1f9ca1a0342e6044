"""For any set of grievances and any valid GET requests query, the Open311 list read from the indexes equals a
filter of those grievances in plain Python (issue 19): same requests, newest first, at most 1000."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grievance.domain import STATUSES
from pmc_common.clock import IST, FixedClock

CODES = ("garbage_not_collected", "pothole", "streetlight_not_working")
ROUNDS = count()
DAY = timedelta(days=1)

grievance_specs = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(STATUSES), st.integers(min_value=0, max_value=120 * 24 * 60)),
    max_size=12,
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "service_code": st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True).map(",".join),
        "status": st.sampled_from(["open", "closed", "open,closed", "closed,open"]),
        "start_date": st.integers(min_value=0, max_value=120),
        "end_date": st.integers(min_value=0, max_value=120),
    },
)


def _store(base: datetime, specs: Sequence[tuple[str, str, int]]) -> list[Any]:
    """The grievances as stored, each in the status drawn (counted and indexed as the store does)."""
    from grievance import domain, reference, store

    stored = []
    for code, status, minutes in specs:
        category = reference.category(code)
        at = base + timedelta(minutes=minutes)
        change = domain.log(
            grievance_id=f"GRV-{at:%y%m}-000000",
            category=code,
            department=category.department_id,
            sla_hours=category.sla_hours,
            ward="W07",
            description="A property-test grievance.",
            lat=18.5196,
            lng=73.8553,
            owner_sub="property-test",
            owner_phone_number=None,
            channel="app",
            now=at,
        )
        drawn = replace(change.grievance, status=status)
        stored.append(store.create(replace(change, grievance=drawn, to_status=status)))
    return stored


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(specs=grievance_specs, params=queries, picks=st.none() | st.lists(st.integers(0, 11), max_size=4))
def test_the_open311_list_is_a_plain_filter_of_the_grievances(
    api: Any, specs: Any, params: dict[str, Any], picks: list[int] | None
) -> None:
    from grievance import api as grievance_api

    # A stretch of time no other test uses, 400 days per example: a window reaches back 90 days before its
    # example's base and the previous example's grievances run to 120 days after its own, so 200 days apart
    # (as first written) let an end_date-only query see the previous example's last grievances.
    base = datetime(2050, 1, 1, tzinfo=UTC) + next(ROUNDS) * 400 * DAY
    stored = _store(base, specs)
    now = base + 121 * DAY
    dates = {name: base + value * DAY for name, value in params.items() if name.endswith("_date")}
    query = {name: value for name, value in params.items() if not name.endswith("_date")}
    query |= {name: at.astimezone(IST).isoformat() for name, at in dates.items()}
    if picks is not None:
        query["service_request_id"] = ",".join(
            stored[n % len(stored)].id if stored else "GRV-3101-ZZZZZZ" for n in picks
        )
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: FixedClock(now)
    try:
        reply = api.get("/open311/v2/requests.json", query=query)
    finally:
        grievance_api.app.dependency_overrides.clear()

    # the same question in plain Python, from the specification's words
    newest_first = sorted(stored, key=lambda g: (g.created_at, g.id), reverse=True)
    if picks is not None and query["service_request_id"]:
        asked = list(dict.fromkeys(query["service_request_id"].split(",")))
        by_id = {g.id: g for g in stored}
        assert reply.status == 200, reply.body
        assert [i["service_request_id"] for i in reply.json()] == [by_id[i].id for i in asked if i in by_id]
        return
    given_start, given_end = dates.get("start_date"), dates.get("end_date")
    if given_start is None and given_end is None:
        start, end = now - 90 * DAY, now
    elif given_start is None:
        assert given_end is not None
        start, end = given_end - 90 * DAY, given_end
    elif given_end is None:
        start, end = given_start, given_start + 90 * DAY
    else:
        start, end = given_start, given_end
    if start > end or end - start > 90 * DAY:
        assert reply.status == 400
        assert reply.json()[0]["code"] == 400
        return
    codes = params["service_code"].split(",") if "service_code" in params else CODES
    wanted = {s.strip() for s in params.get("status", "open,closed").split(",")}
    closed = {"resolved", "closed", "rejected"}
    plain = [
        g
        for g in newest_first
        if g.category in codes
        and ("closed" if g.status in closed else "open") in wanted
        and start <= datetime.fromisoformat(g.created_at) <= end
    ][:1000]
    assert reply.status == 200, reply.body
    items = reply.json()
    assert [i["service_request_id"] for i in items] == [g.id for g in plain]
    assert [i["status"] for i in items] == ["closed" if g.status in closed else "open" for g in plain]


def test_a_list_reads_what_it_returns(api: Any, monkeypatch: Any) -> None:
    """Below the 1000 cap a list reads exactly the items it returns, whatever else the table holds: other
    services, other statuses, other times are in other partitions or outside the key range."""
    from grievance import reference
    from grievance.open311 import mapping
    from grievance.open311 import store as open311_store
    from grievance.store import GrievanceItem

    base = datetime(2035, 1, 1, tzinfo=UTC)
    specs = [(CODES[n % 3], STATUSES[n % 7], n * 600) for n in range(60)]  # 60 over 25 days
    specs += [(code, status, 200 * 24 * 60) for code, status, _ in specs[:20]]  # and 20 outside the window
    stored = _store(base, specs)
    read: list[Any] = []
    query_index = GrievanceItem.open311_by_requested.query

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = query_index(*args, **kwargs)
        read.append(result)
        return result

    monkeypatch.setattr(GrievanceItem.open311_by_requested, "query", counted)
    params = {"service_code": "pothole", "status": "open", "start_date": base.isoformat()}
    query = mapping.requests_query(params, reference.categories(), base + 100 * DAY)
    found = open311_store.requested_between(query, query.service_codes, mapping.MAX_REQUESTS)
    assert [g.id for g in found] == [
        g.id for g in sorted(stored, key=lambda g: (g.created_at, g.id), reverse=True) if query.matches(g)
    ]
    assert found
    assert sum(r.page_iter.total_scanned_count for r in read) == len(found)
