"""The escalation and auto-close sweeps (API.md 3.10) against the template's table in moto, driven
by scheduled events as EventBridge delivers them.

Each test works in its own past year, so grievances of other tests (later years) are never due in
it, and rejects what it left open, so they are not due in later ones either."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from grievance import auto_close, domain, escalation, store
from grievance.domain import Grievance
from local.events import scheduled_event
from local.template import ACCOUNT_ID, REGION
from pmc_common import ids
from pmc_common.clock import iso, parse_iso
from tests.harness import lambda_context

ESCALATION_RULE = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/EscalationFunctionEscalation"
AUTO_CLOSE_RULE = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/AutoCloseFunctionAutoClose"
GARBAGE_SLA = 48  # garbage_not_collected
BODY = {"description": "Garbage not collected behind Kasba Ganpati for three days.", "lat": 18.5196, "lng": 73.8553}


@dataclass
class Seeder:
    """Logs grievances at chosen past times and rejects whatever is still open afterwards."""

    ward: str = "W07"
    created: list[str] = field(default_factory=list)
    get: Callable[[str], Grievance | None] = store.get  # the real one, even while a test spies on it

    def log(
        self, at: datetime, category: str = "garbage_not_collected", department: str = "solid_waste_management"
    ) -> Grievance:
        sla_hours = {"garbage_not_collected": GARBAGE_SLA, "illegal_construction": 360}[category]
        change = domain.log(
            grievance_id=ids.grievance_id(at),
            category=category,
            department=department,
            sla_hours=sla_hours,
            ward=self.ward,
            **BODY,
            owner_sub="sweep-owner",
            owner_phone_number="+919800000001",
            channel="app",
            now=at,
        )
        assert store.create(change)
        self.created.append(change.grievance.id)
        stored = self.get(change.grievance.id)  # as stored: version 1, which later writes are conditioned on
        assert stored is not None
        return stored

    def staff(self, g: Grievance, status: str, at: datetime) -> Grievance:
        proof = {"resolution_reason": "no_fix_needed"} if status == "resolved" else {}  # issue 20
        change = domain.staff_change(g, status=status, assignee="JE Roads, Kasba", note="Done.", now=at, proof=proof)
        return store.save(change, read=g)

    def resolved(self, at: datetime) -> Grievance:
        g = self.log(at - timedelta(hours=3))
        g = self.staff(g, "assigned", at - timedelta(hours=2))
        g = self.staff(g, "in_progress", at - timedelta(hours=1))
        return self.staff(g, "resolved", at)

    def clean_up(self) -> None:
        for grievance_id in self.created:
            g = self.get(grievance_id)
            if g is not None and g.is_open:
                self.staff(g, "rejected", parse_iso(g.updated_at))


@pytest.fixture
def seed(local_aws: Any) -> Iterator[Seeder]:
    seeder = Seeder()
    yield seeder
    seeder.clean_up()


class Published:
    """The domain events the sweeps wrote to the outbox of the seeded grievances, read from the table (what
    the relay will put on the bus), oldest first; `clear()` forgets those written so far. Logging one
    writes its creation event, which is not the sweeps' and never listed."""

    def __init__(self, seed: Seeder) -> None:
        self.seed = seed
        self.forgotten: set[tuple[str, str]] = set()

    def items(self) -> list[Any]:
        found = []
        for grievance_id in self.seed.created:
            found.extend(store.OutboxItem.query(grievance_id, store.OutboxItem.sk.startswith("event#")))
        return [
            i
            for i in sorted(found, key=lambda i: (i.created_at, i.sk))
            if (i.pk, i.sk) not in self.forgotten and json.loads(i.detail).get("from_status", "") is not None
        ]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for item in self.items():
            d = json.loads(item.detail)
            if item.detail_type == "GrievanceEscalated":
                yield item.detail_type, (d["grievance_id"], d["level"], d["due_at"])
            else:
                yield item.detail_type, (d["grievance_id"], d["from_status"], d["to_status"], d["at"])

    def __len__(self) -> int:
        return len(self.items())

    def clear(self) -> None:
        self.forgotten |= {(i.pk, i.sk) for i in self.items()}


@pytest.fixture
def published(seed: Seeder) -> Published:
    return Published(seed)


def sweep(at: datetime) -> dict[str, Any]:
    result: dict[str, Any] = escalation.handler(scheduled_event("escalation", ESCALATION_RULE, at), lambda_context())
    return result


def close_sweep(at: datetime) -> dict[str, Any]:
    result: dict[str, Any] = auto_close.handler(scheduled_event("auto_close", AUTO_CLOSE_RULE, at), lambda_context())
    return result


def escalations(g: Grievance) -> list[dict[str, Any]]:
    return [e for e in g.timeline if e["type"] == "escalated"]


# --- escalation ------------------------------------------------------------------------------------


def test_overdue_grievances_go_up_one_level_with_a_new_due_time(seed: Seeder, published: Published) -> None:
    created = datetime(2019, 3, 1, 6, 0, tzinfo=UTC)
    overdue = [seed.log(created + timedelta(minutes=i)) for i in range(3)]
    now = created + timedelta(hours=GARBAGE_SLA, minutes=15)

    result = sweep(now)

    event = scheduled_event("escalation", ESCALATION_RULE, now)
    assert result == {
        "event_id": event["id"],
        "time": "2019-03-03T06:15:00Z",
        "examined": 3,
        "escalated": 3,
        "skipped": 0,
    }
    for before in overdue:
        g = store.get(before.id)
        assert g is not None
        assert (g.status, g.escalation_level) == ("submitted", 1)
        assert g.due_at == iso(now + timedelta(hours=24))  # max(12 h, 48 h / 2)
        assert g.sla_due_at == before.sla_due_at
        assert g.last_escalation_event_id == event["id"]
        assert escalations(g) == [
            {
                "at": iso(now),
                "type": "escalated",
                "actor": "system",
                "from_status": None,
                "to_status": None,
                "note": None,
                "level": 1,
                "rating": None,
                "category": None,
                "ward": None,
                "department": None,
            }
        ]
    assert sorted(p for p in published if p[0] == "GrievanceEscalated") == sorted(
        ("GrievanceEscalated", (g.id, 1, iso(now + timedelta(hours=24)))) for g in overdue
    )


def test_the_same_event_twice_escalates_nothing_the_second_time(seed: Seeder, published: Published) -> None:
    created = datetime(2018, 3, 1, 6, 0, tzinfo=UTC)
    g = seed.log(created)
    now = created + timedelta(hours=GARBAGE_SLA, seconds=1)

    first = sweep(now)
    second = sweep(now)

    assert (first["examined"], first["escalated"]) == (1, 1)
    assert second == {**first, "examined": 0, "escalated": 0, "skipped": 0}  # its new due_at is ≥ 12 h ahead
    after = store.get(g.id)
    assert after is not None
    assert after.escalation_level == 1
    assert len(escalations(after)) == 1
    assert len(published) == 1


def test_a_replay_finding_an_item_escalated_by_that_event_skips_it(seed: Seeder) -> None:
    created = datetime(2017, 3, 1, 6, 0, tzinfo=UTC)
    g = seed.log(created)
    now = created + timedelta(hours=GARBAGE_SLA, minutes=1)
    sweep(now)
    # Even were it due again (say staff moved due_at back), the same event id does not escalate it twice.
    after = store.get(g.id)
    assert after is not None
    assert store.save_quietly(replace(after, due_at=iso(now - timedelta(minutes=1))), read=after)

    replay = sweep(now)

    assert (replay["examined"], replay["escalated"], replay["skipped"]) == (1, 0, 1)
    final = store.get(g.id)
    assert final is not None
    assert final.escalation_level == 1


def test_later_events_escalate_again_up_to_level_three_and_then_stop(seed: Seeder, published: Published) -> None:
    created = datetime(2016, 3, 1, 6, 0, tzinfo=UTC)
    g = seed.log(created)
    now = created + timedelta(hours=GARBAGE_SLA, minutes=15)
    results = []
    for _ in range(5):
        results.append(sweep(now))
        now += timedelta(hours=24, minutes=15)  # past the extended due time, on a 15-minute tick

    assert [r["escalated"] for r in results] == [1, 1, 1, 0, 0]
    assert [r["skipped"] for r in results] == [0, 0, 0, 1, 1]  # level 3: still overdue, read, left alone
    final = store.get(g.id)
    assert final is not None
    assert final.escalation_level == 3
    assert [e["level"] for e in escalations(final)] == [1, 2, 3]
    assert final.overdue(now)
    assert [p[1][1] for p in published] == [1, 2, 3]


def test_only_overdue_grievances_are_read(seed: Seeder, monkeypatch: pytest.MonkeyPatch) -> None:
    created = datetime(2015, 3, 1, 6, 0, tzinfo=UTC)
    overdue = [seed.log(created), seed.log(created + timedelta(hours=1))]
    not_yet_due = [seed.log(created + timedelta(hours=3)), seed.log(created + timedelta(hours=20))]
    long_sla = seed.log(created, category="illegal_construction", department="building_control")  # 360 h
    resolved = seed.resolved(created + timedelta(hours=2))  # not open: not in the index at all
    now = created + timedelta(hours=GARBAGE_SLA + 2)
    read: list[str] = []
    real_get = store.get

    def get(grievance_id: str) -> Grievance | None:
        read.append(grievance_id)
        return real_get(grievance_id)

    monkeypatch.setattr(store, "get", get)

    result = sweep(now)

    assert (result["examined"], result["escalated"], result["skipped"]) == (2, 2, 0)
    assert sorted(read) == sorted(g.id for g in overdue)
    for g in (*not_yet_due, long_sla, resolved):
        after = real_get(g.id)
        assert after is not None
        assert after.escalation_level == 0


def test_a_grievance_changed_between_read_and_write_is_skipped(seed: Seeder, monkeypatch: pytest.MonkeyPatch) -> None:
    created = datetime(2014, 3, 1, 6, 0, tzinfo=UTC)
    g = seed.log(created)
    now = created + timedelta(hours=GARBAGE_SLA + 1)
    real_get = store.get

    def get_then_staff_acts(grievance_id: str) -> Grievance | None:
        read = real_get(grievance_id)
        assert read is not None
        seed.staff(read, "assigned", now)  # lands between the sweep's read and its write
        return read

    monkeypatch.setattr(store, "get", get_then_staff_acts)

    result = sweep(now)

    assert (result["examined"], result["escalated"], result["skipped"]) == (1, 0, 1)
    after = real_get(g.id)
    assert after is not None
    assert (after.status, after.escalation_level) == ("assigned", 0)


# --- auto-close ------------------------------------------------------------------------------------


def counts(ward: str) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (w, _, status), n in store.counters(ward).by_key.items():
        if w == ward:
            totals[status] = totals.get(status, 0) + n
    return totals


def test_auto_close_closes_what_was_resolved_seven_days_ago_and_a_rerun_closes_nothing(
    seed: Seeder, published: Published
) -> None:
    seed.ward = "W13"
    now = datetime(2013, 3, 8, 20, 30, tzinfo=UTC)
    old = [seed.resolved(now - timedelta(days=7)), seed.resolved(now - timedelta(days=9))]
    recent = seed.resolved(now - timedelta(days=7) + timedelta(seconds=1))
    rated = seed.resolved(now - timedelta(days=8))
    store.save(domain.give_feedback(rated, rating=5, comment=None, now=now - timedelta(days=1)), read=rated)
    before = counts("W13")
    published.clear()

    result = close_sweep(now)

    event = scheduled_event("auto_close", AUTO_CLOSE_RULE, now)
    assert result == {"event_id": event["id"], "time": "2013-03-08T20:30:00Z", "examined": 2, "closed": 2}
    for g in old:
        after = store.get(g.id)
        assert after is not None
        assert (after.status, after.closed_at) == ("closed", iso(now))
        assert after.timeline[-1]["actor"] == "system"
        assert (after.timeline[-1]["from_status"], after.timeline[-1]["to_status"]) == ("resolved", "closed")
    still = store.get(recent.id)
    assert still is not None
    assert still.status == "resolved"
    after_counts = counts("W13")
    assert after_counts["resolved"] == before["resolved"] - 2
    assert after_counts["closed"] == before["closed"] + 2
    assert sorted(published) == sorted(("GrievanceStatusChanged", (g.id, "resolved", "closed", iso(now))) for g in old)

    rerun = close_sweep(now)

    assert rerun == {**result, "examined": 0, "closed": 0}
    assert counts("W13") == after_counts


def test_auto_close_leaves_a_grievance_reopened_meanwhile(seed: Seeder, monkeypatch: pytest.MonkeyPatch) -> None:
    seed.ward = "W13"
    now = datetime(2012, 3, 8, 20, 30, tzinfo=UTC)
    g = seed.resolved(now - timedelta(days=7))
    real_get = store.get

    def get_then_owner_reopens(grievance_id: str) -> Grievance | None:
        read = real_get(grievance_id)
        assert read is not None
        store.save(domain.reopen(read, reason="Garbage is back again.", sla_hours=48, now=now), read=read)
        return read

    monkeypatch.setattr(store, "get", get_then_owner_reopens)

    result = close_sweep(now)

    assert (result["examined"], result["closed"]) == (1, 0)
    after = real_get(g.id)
    assert after is not None
    assert after.status == "reopened"


def test_the_sweep_publishes_the_backlog_for_its_alarm(
    seed: Seeder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    created = datetime(2011, 3, 1, 6, 0, tzinfo=UTC)
    seed.log(created)
    seed.log(created + timedelta(minutes=1))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    escalation.metrics.clear_metrics()  # earlier sweeps ran with metrics disabled, never flushed
    capsys.readouterr()

    sweep(created + timedelta(hours=GARBAGE_SLA, minutes=15))

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    published = {
        m["Name"]: blob[m["Name"]] for blob in blobs for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert published["OverdueGrievances"] == [2.0]  # what EscalationBacklogAlarm watches
    assert published["GrievancesEscalated"] == [2.0]
    assert any(blob.get("service") == "grievance" and "OverdueGrievances" in blob for blob in blobs)
