"""Stats counters are a derived figure: after any sequence of citizen, staff and system actions (re-routing
to another category or ward too) every counter (ward × department × status, and the SLA resolved /
within-SLA pair) moves exactly as a recount of the stored grievances does (API.md 3.8). So do the due
markers that `overdue` counts: one key-only item in the city's partition and one in the ward's per open
grievance, sort key its current due_at#id.
And the outbox: exactly one item per status change and per escalation the timelines record.

Other tests share the table, so the property compares changes: counters now − counters at the start
equals recount now − recount at the start, both read from the whole table; likewise the markers, which
for this run's own grievances must also be exactly the recount's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from local.events import scheduled_event
from local.template import ACCOUNT_ID, REGION
from pmc_common.clock import FixedClock
from tests.harness import CITIZEN, STAFF, Api
from tests.integration.test_grievance_api import GARBAGE

# A year of its own, far from other tests' grievances, so its sweeps find mostly its own.
START = datetime(2031, 3, 2, 4, 0, 0, tzinfo=UTC)
POINTS = [  # Kasba (W07) and Kothrud (W09): two wards, so a wrong key shows
    {"lat": 18.5196, "lng": 73.8553},
    {"lat": 18.5074, "lng": 73.8077},
]
CATEGORIES = ["garbage_not_collected", "pothole", "water_leakage"]
STATUSES = ["assigned", "in_progress", "resolved", "rejected", "closed", "submitted", "reopened"]
OPEN = {"submitted", "assigned", "in_progress", "reopened"}
NEXT_STEP = {"submitted": "assigned", "reopened": "assigned", "assigned": "in_progress", "in_progress": "resolved"}
ESCALATION_RULE = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/EscalationFunctionEscalation"
AUTO_CLOSE_RULE = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/AutoCloseFunctionAutoClose"


def whole_table() -> list[Any]:
    from grievance import store

    return list(store.GrievanceItem.scan())


def table_figures(items: list[Any] | None = None) -> tuple[Counter[str], Counter[str]]:
    """(counter items, recount of grievances), each keyed `ward#department#status` and `sla#ward#department`
    (`…#resolved` / `…#within`), read from the whole table."""
    from grievance import domain, store

    counters: Counter[str] = Counter()
    recount: Counter[str] = Counter()
    for item in whole_table() if items is None else items:
        if item.pk == store.STATS:
            if item.sk.startswith("sla#"):
                counters[f"{item.sk}#resolved"] += int(item.tally or 0)
                counters[f"{item.sk}#within"] += int(item.within or 0)
            else:
                counters[item.sk] += int(item.tally or 0)
        elif item.sk == store.GRIEVANCE:
            g = store._grievance(item)
            recount[f"{g.ward}#{g.department}#{g.status}"] += 1
            if g.first_resolved_at is not None:
                recount[f"sla#{g.ward}#{g.department}#resolved"] += 1
                recount[f"sla#{g.ward}#{g.department}#within"] += 1 if domain.within_sla(g) else 0
    return counters, recount


def marker_figures(items: list[Any]) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """(due markers stored, due markers a recount of the open grievances expects), as (pk, sk) keys,
    read from the whole table; every stored marker holds its key and nothing else."""
    from grievance import store

    markers: Counter[tuple[str, str]] = Counter()
    recount: Counter[tuple[str, str]] = Counter()
    for item in items:
        if item.pk == "open-due" or item.pk.startswith("open-due#"):
            assert set(item.attribute_values) == {"pk", "sk"}, item.attribute_values
            markers[(item.pk, item.sk)] += 1
        elif item.sk == store.GRIEVANCE:
            g = store._grievance(item)
            if g.status in OPEN:
                recount[("open-due", f"{g.due_at}#{g.id}")] += 1
                recount[(f"open-due#{g.ward}", f"{g.due_at}#{g.id}")] += 1
    return markers, recount


def outbox_figures(items: list[Any], ids: list[str]) -> tuple[Counter[tuple[Any, ...]], Counter[tuple[Any, ...]]]:
    """(outbox items stored, the events the timelines say were emitted), for the grievances `ids`: one
    GrievanceStatusChanged per status change (creation too) and one GrievanceEscalated per escalation,
    each (grievance id, type, from, to) or (grievance id, type, level)."""
    import json

    from grievance import store

    stored: Counter[tuple[Any, ...]] = Counter()
    expected: Counter[tuple[Any, ...]] = Counter()
    for grievance_id in ids:  # outbox attributes are not GrievanceItem's: read through the outbox model
        for outbox in store.OutboxItem.query(grievance_id, store.OutboxItem.sk.startswith("event#")):
            detail = json.loads(outbox.detail)
            assert outbox.kind == "outbox"
            assert outbox.expires_at > 0
            assert outbox.sk == f"event#{detail['event_id']}"
            if outbox.detail_type == "GrievanceEscalated":
                stored[(grievance_id, "GrievanceEscalated", detail["level"])] += 1
            else:
                stored[(grievance_id, "GrievanceStatusChanged", detail["from_status"], detail["to_status"])] += 1
    wanted = set(ids)
    for item in items:
        if item.pk in wanted and item.sk == store.GRIEVANCE:
            for e in store._grievance(item).timeline:
                if e["type"] in ("created", "status_changed"):
                    expected[(item.pk, "GrievanceStatusChanged", e["from_status"], e["to_status"])] += 1
                elif e["type"] == "escalated":
                    expected[(item.pk, "GrievanceEscalated", e["level"])] += 1
    return stored, expected


IST = ZoneInfo("Asia/Kolkata")


def ist_month(at: str) -> str:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(IST).strftime("%Y-%m")


def hours_bucket(created_at: str, resolved_at: str) -> str:
    """The documented buckets (docs/accountability.md): each whole hour below 168, then 168, 336, 720 up."""
    seconds = (datetime.fromisoformat(resolved_at) - datetime.fromisoformat(created_at)).total_seconds()
    hours = int(seconds // 3600)
    return f"h{hours if hours < 168 else 168 if hours < 336 else 336 if hours < 720 else 720}"


def scorecard_recount(grievances: list[Any]) -> tuple[Counter[tuple[str, ...]], dict[tuple[str, str], list[int]]]:
    """Issue 20's aggregates recounted from the grievances themselves, keyed (month, ward, department, field),
    and the whole hours to resolve of each (first-resolution month, ward), for the medians."""
    recount: Counter[tuple[str, ...]] = Counter()
    hours: dict[tuple[str, str], list[int]] = {}
    for g in grievances:
        recount[(ist_month(g.created_at), g.ward, g.department, "received")] += 1
        if g.first_resolved_at is None:
            continue
        key = (ist_month(g.first_resolved_at), g.ward, g.department)
        recount[(*key, "resolved")] += 1
        recount[(*key, "within_sla")] += g.first_resolved_at <= g.sla_due_at  # same format: text order is time
        recount[(*key, hours_bucket(g.created_at, g.first_resolved_at))] += 1
        seconds = (datetime.fromisoformat(g.first_resolved_at) - datetime.fromisoformat(g.created_at)).total_seconds()
        hours.setdefault((key[0], key[1]), []).append(int(seconds // 3600))
        recount[(*key, "reopened")] += g.reopen_count > 0
        ratings = [e["rating"] for e in g.timeline if e["type"] == "feedback"]
        recount[(*key, "rating_sum")] += sum(ratings)
        recount[(*key, "rated")] += len(ratings)
        recount[(*key, "rated_high")] += sum(r >= 4 for r in ratings)
        if g.status == "closed":
            closing = [e for e in g.timeline if e["type"] == "status_changed" and e["to_status"] == "closed"][-1]
            verdict = (
                "closed_auto"
                if closing["actor"] == "system"
                else "closed_satisfied"
                if ratings[-1] >= 4
                else "closed_low"
            )
            recount[(*key, verdict)] += 1
    return Counter({k: n for k, n in recount.items() if n}), hours


def scorecard_figures(
    items: list[Any], ids: list[str]
) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]], dict[tuple[str, str], list[int]]]:
    """(scorecard aggregates stored, their recount from every stored grievance, hours to resolve) for the
    months this run's grievances count in (created, first resolved): read with a Query a month. Every
    grievance of those months was written through the store (other modules' are in other years, or also
    through the store), so the aggregates must equal the recount exactly."""
    from grievance import store

    grievances = [store._grievance(i) for i in items if i.sk == store.GRIEVANCE and i.doc]
    mine = [g for g in grievances if g.id in ids]
    months = {ist_month(at) for g in mine for at in (g.created_at, g.first_resolved_at) if at is not None}
    stored: Counter[tuple[str, ...]] = Counter()
    for month in sorted(months):
        for (ward, department), fields in store.scorecard_month(month).items():
            stored.update({(month, ward, department, name): value for name, value in fields.items() if value})
    recount, hours = scorecard_recount(grievances)
    return (
        stored,
        Counter({k: n for k, n in recount.items() if k[0] in months}),
        {k: h for k, h in hours.items() if k[0] in months},
    )


def now_figures(items: list[Any]) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]]]:
    """(open now / overdue now stored, their sum over every stored grievance of what it records), keyed
    (ward, department, field). Grievances other tests wrote without the store record nothing, as stored."""
    from grievance import store

    stored: Counter[tuple[str, ...]] = Counter()
    for (ward, department), fields in store.scorecard_now().items():
        stored.update({(ward, department, name): n for name, n in fields.items() if n})
    recount: Counter[tuple[str, ...]] = Counter()
    for item in items:
        if item.sk == store.GRIEVANCE and item.doc:
            g = store._grievance(item)
            if g.scorecard_now is not None:
                recount[(g.ward, g.department, "open_now")] += 1
                recount[(g.ward, g.department, "overdue_now")] += g.scorecard_now == "overdue"
    return stored, Counter({k: n for k, n in recount.items() if n})


def now_recount(items: list[Any], ids: list[str], swept_at: datetime | None) -> Counter[tuple[str, ...]]:
    """Open now / overdue now of this run's grievances recounted from their status, due time and timeline:
    open; and overdue as of the last escalation sweep: open, due before that sweep and not re-routed since
    (a re-routing sets a due time from created_at, perhaps past: the next sweep counts it, docs/accountability.md)."""
    from grievance import store

    recount: Counter[tuple[str, ...]] = Counter()
    for item in items:
        if item.sk == store.GRIEVANCE and item.pk in ids:
            g = store._grievance(item)
            if g.status in OPEN:
                recount[(g.ward, g.department, "open_now")] += 1
                rerouted = [datetime.fromisoformat(e["at"]) for e in g.timeline if e["type"] == "rerouted"]
                overdue = (
                    swept_at is not None
                    and datetime.fromisoformat(g.due_at) < swept_at
                    and all(at <= swept_at for at in rerouted)
                )
                recount[(g.ward, g.department, "overdue_now")] += overdue
    return Counter({k: n for k, n in recount.items() if n})


def recorded(items: list[Any], ids: list[str]) -> Counter[tuple[str, ...]]:
    """What this run's grievances record in the now counts, summed as now_recount keys them."""
    from grievance import store

    found: Counter[tuple[str, ...]] = Counter()
    for item in items:
        if item.sk == store.GRIEVANCE and item.pk in ids:
            g = store._grievance(item)
            if g.scorecard_now is not None:
                found[(g.ward, g.department, "open_now")] += 1
                found[(g.ward, g.department, "overdue_now")] += g.scorecard_now == "overdue"
    return Counter({k: n for k, n in found.items() if n})


def of(ids: list[str], markers: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    return Counter({key: n for key, n in markers.items() if key[1].rsplit("#", 1)[1] in ids})


def moved(now: Counter[Any], then: Counter[Any]) -> dict[Any, int]:
    return {key: now[key] - then[key] for key in set(now) | set(then) if now[key] != then[key]}


class GrievanceActions(RuleBasedStateMachine):
    api: Api
    clock: FixedClock

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.swept_at: datetime | None = None  # the last escalation sweep's time
        items = whole_table()
        self.counters_at_start, self.recount_at_start = table_figures(items)
        self.markers_at_start, self.marker_recount_at_start = marker_figures(items)
        self.now_at_start, self.now_recount_at_start = now_figures(items)

    @initialize()
    def reset_clock(self) -> None:
        self.clock.advance(START + timedelta(days=60 * len(RUNS)) - self.clock.now())
        RUNS.append(1)

    @rule(point=st.sampled_from(POINTS), category=st.sampled_from(CATEGORIES))
    def citizen_logs(self, point: dict[str, float], category: str) -> None:
        body = {**GARBAGE, **point, "category": category}
        if category != "garbage_not_collected":
            body.pop("attributes")
        reply = self.api.request("POST", "/grievances", json_body=body, caller=CITIZEN)
        assert reply.status == 201, reply.body
        self.ids.append(reply.json()["id"])

    @precondition(lambda self: self.ids)
    @rule(
        pick=st.integers(min_value=0),
        status=st.none() | st.sampled_from(STATUSES),
        assignee=st.none() | st.sampled_from(["JE Roads", "JE SWM"]),
        note=st.none() | st.just("Checked on site."),
    )
    def staff_patches(self, pick: int, status: str | None, assignee: str | None, note: str | None) -> None:
        change = {k: v for k, v in {"status": status, "assignee": assignee, "note": note}.items() if v is not None}
        reply = self.api.request(
            "PATCH", f"/staff/grievances/{self.ids[pick % len(self.ids)]}", json_body=change, caller=STAFF
        )
        assert reply.status in (200, 409, 422), reply.body

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0), note=st.none() | st.just("Crew on site."))
    def staff_moves_it_on(self, pick: int, note: str | None) -> None:
        grievance_id = self.ids[pick % len(self.ids)]
        status = self.api.request("GET", f"/grievances/{grievance_id}", caller=STAFF).json()["status"]
        step = NEXT_STEP.get(status)
        if step is None:
            return
        change = {"status": step, "assignee": "JE Roads" if step == "assigned" else None, "note": note}
        if step == "resolved":  # proof of fix (issue 20): here a reason, which takes a note
            change |= {"resolution_reason": "no_fix_needed", "note": note or "Nothing to fix on site."}
        body = {k: v for k, v in change.items() if v is not None}
        reply = self.api.request("PATCH", f"/staff/grievances/{grievance_id}", json_body=body, caller=STAFF)
        assert reply.status == 200, reply.body

    @precondition(lambda self: self.ids)
    @rule(
        pick=st.integers(min_value=0),
        change=st.sampled_from(
            [{"note": "Material ordered."}, {"assignee": "JE"}, {"internal_note": "Called the JE."}]
        ),
    )
    def staff_notes_or_reassigns(self, pick: int, change: dict[str, str]) -> None:
        path = f"/staff/grievances/{self.ids[pick % len(self.ids)]}"
        reply = self.api.request("PATCH", path, json_body=change, caller=STAFF)
        assert reply.status in (200, 409), reply.body

    @precondition(lambda self: self.ids)
    @rule(
        pick=st.integers(min_value=0),
        category=st.none() | st.sampled_from(CATEGORIES),
        ward=st.none() | st.sampled_from(["W07", "W09", "W03"]),
    )
    def staff_reroutes(self, pick: int, category: str | None, ward: str | None) -> None:
        """Issue 15: ward, department, SLA due time and perhaps the status change at once."""
        to = {k: v for k, v in {"category": category, "ward": ward}.items() if v is not None}
        path = f"/staff/grievances/{self.ids[pick % len(self.ids)]}/reroute"
        reply = self.api.request("POST", path, json_body={"reason": "Wrong queue, sending it on.", **to}, caller=STAFF)
        assert reply.status in (200, 409, 422), reply.body  # 409 not open; 422 nowhere new

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0), rating=st.integers(min_value=1, max_value=5))
    def citizen_rates(self, pick: int, rating: int) -> None:
        path = f"/grievances/{self.ids[pick % len(self.ids)]}/feedback"
        reply = self.api.request("POST", path, json_body={"rating": rating, "comment": None}, caller=CITIZEN)
        assert reply.status in (200, 409), reply.body

    @precondition(lambda self: self.ids)
    @rule(pick=st.integers(min_value=0))
    def citizen_reopens(self, pick: int) -> None:
        path = f"/grievances/{self.ids[pick % len(self.ids)]}/reopen"
        reply = self.api.request("POST", path, json_body={"reason": "Still not fixed."}, caller=CITIZEN)
        assert reply.status in (200, 409), reply.body

    @rule(hours=st.sampled_from([1, 30, 24 * 8]))
    def time_passes(self, hours: int) -> None:
        self.clock.advance(timedelta(hours=hours))

    @rule()
    def escalation_sweep_runs(self) -> None:
        from grievance import escalation
        from tests.harness import lambda_context

        escalation.handler(scheduled_event("escalation", ESCALATION_RULE, self.clock.now()), lambda_context())
        self.swept_at = self.clock.now()
        self.clock.advance(timedelta(seconds=1))  # what follows comes after the sweep, by the clock too

    @precondition(lambda self: self.ids)
    @rule(days=st.integers(min_value=1, max_value=4))
    def days_pass_under_sweeps(self, days: int) -> None:
        """A day and a quarter-hour at a time, each a sweep of this run's grievances (escalation.escalate_one,
        what the sweep does with each overdue one; the whole table's sweep is escalation_sweep_runs): three
        escalations bring an overdue grievance to level 3, after which the sweep counts it in overdue now."""
        from grievance import escalation

        for _ in range(days):
            self.clock.advance(timedelta(hours=24, minutes=15))
            now = self.clock.now()
            for grievance_id in self.ids:
                escalation.escalate_one(grievance_id, event_id=f"counters-{now.isoformat()}", now=now)
            self.swept_at = now
        self.clock.advance(timedelta(seconds=1))

    @rule()
    def auto_close_sweep_runs(self) -> None:
        from grievance import auto_close
        from tests.harness import lambda_context

        auto_close.handler(scheduled_event("auto_close", AUTO_CLOSE_RULE, self.clock.now()), lambda_context())

    @invariant()
    def every_counter_and_due_marker_moves_with_the_recount(self) -> None:
        items = whole_table()
        counters, recount = table_figures(items)
        assert moved(counters, self.counters_at_start) == moved(recount, self.recount_at_start)
        markers, open_at_due = marker_figures(items)
        assert moved(markers, self.markers_at_start) == moved(open_at_due, self.marker_recount_at_start)
        assert of(self.ids, markers) == of(self.ids, open_at_due)  # this run's grievances: exactly
        outbox, emitted = outbox_figures(items, self.ids)  # one outbox item per status change, none lost
        assert outbox == emitted
        self.every_scorecard_figure_equals_a_recount(items)

    def every_scorecard_figure_equals_a_recount(self, items: list[Any]) -> None:
        """Issue 20: every aggregate of this module's months equals a recount from the grievances; open now
        and overdue now move exactly as what the grievances record, which for this run's grievances is a
        recount from their status and due time (overdue: due before the last sweep); and the public routes'
        figures, medians included, equal the recount's."""
        from grievance import scorecard

        stored, recount, hours = scorecard_figures(items, self.ids)
        assert stored == recount
        now_stored, now_recorded = now_figures(items)
        assert moved(now_stored, self.now_at_start) == moved(now_recorded, self.now_recount_at_start)
        assert recorded(items, self.ids) == now_recount(items, self.ids, self.swept_at)
        for ward in ("W07", "W09", "W03"):  # the routes show the stored counts
            reply = self.api.request("GET", f"/scorecard/wards/{ward}")
            assert reply.status == 200, reply.body
            for department in reply.json()["departments"]:
                key = (ward, department["department"])
                assert department["open"] == now_stored[(*key, "open_now")]
                assert department["overdue_now"] == now_stored[(*key, "overdue_now")]
        if not recount:
            return
        month = max(k[0] for k in recount)  # the latest month this run counts in: never after now
        for ward in ("W07", "W09", "W03"):
            reply = self.api.request("GET", f"/scorecard/wards/{ward}", query={"month": month})
            assert reply.status == 200, reply.body
            totals = reply.json()["totals"]
            mine: Counter[str] = Counter()  # the ward's departments summed
            for (at, where, _, name), n in recount.items():
                mine[name] += n if (at, where) == (month, ward) else 0
            assert totals["received"] == mine["received"]
            assert totals["resolved"] == mine["resolved"]
            assert totals["resolved_within_sla"] == mine["within_sla"]
            assert totals["reopened_after_resolution"] == mine["reopened"]
            assert totals["closed_satisfied"] == mine["closed_satisfied"]
            assert totals["closed_low_rating"] == mine["closed_low"]
            assert totals["closed_auto_without_feedback"] == mine["closed_auto"]
            assert totals["ratings"] == mine["rated"]
            assert totals["median_hours_to_resolve"] == scorecard.median_of_hours(hours.get((month, ward), []))


RUNS: list[int] = []


@pytest.fixture
def actions(api: Api) -> Iterator[type[GrievanceActions]]:
    from grievance import api as grievance_api

    clock = FixedClock(START)
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: clock
    GrievanceActions.api, GrievanceActions.clock = api, clock
    yield GrievanceActions
    grievance_api.app.dependency_overrides.clear()


def test_counters_equal_a_recount_after_any_sequence_of_actions(actions: Any) -> None:
    run = settings(
        max_examples=10, stateful_step_count=20, suppress_health_check=[HealthCheck.too_slow], deadline=None
    )(actions)
    run.TestCase().runTest()


def test_a_note_or_a_reassignment_moves_no_counter(api: Api, actions: Any) -> None:
    machine = actions()
    machine.reset_clock()
    machine.citizen_logs(POINTS[0], "pothole")
    machine.staff_patches(0, "assigned", "JE Roads", None)
    for change in (
        {"note": "Material ordered."},
        {"assignee": "JE SWM"},
        {"note": "Crew on site.", "assignee": "JE"},
        {"internal_note": "Owner asked for the JE's number."},
    ):
        reply = api.request("PATCH", f"/staff/grievances/{machine.ids[0]}", json_body=change, caller=STAFF)
        assert reply.status == 200, reply.body
        machine.every_counter_and_due_marker_moves_with_the_recount()
    from grievance import store

    g = store.get(machine.ids[0])
    assert g is not None
    counters, _ = table_figures()
    assert moved(counters, machine.counters_at_start) == {f"{g.ward}#{g.department}#assigned": 1}
