"""The grievance lifecycle (API.md 3.9, 3.10, 3.7) as pure rules: every (from, to, actor) pair, staff
patches, escalation decisions, auto-close, reopen and SLA compliance; and the lifecycle diagram in
docs/grievance-lifecycle.md, rendered from domain.LIFECYCLE so the document cannot drift."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grievance import domain
from grievance.domain import Grievance
from pmc_common.clock import iso, parse_iso
from pmc_common.errors import Conflict, Invalid

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)
ACTORS = ("staff", "owner", "system")
OPEN = ("submitted", "assigned", "in_progress", "reopened")

# API.md 3.9 written out independently of domain.LIFECYCLE: the test's oracle.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("submitted", "assigned"): {"staff"},
    ("reopened", "assigned"): {"staff"},
    ("assigned", "in_progress"): {"staff"},
    ("in_progress", "resolved"): {"staff"},
    **{(status, "rejected"): {"staff"} for status in OPEN},
    ("resolved", "closed"): {"owner", "system"},
    ("resolved", "reopened"): {"owner"},
    ("closed", "reopened"): {"owner"},
}


def logged(now: datetime = START, sla_hours: int = 48) -> Grievance:
    return domain.log(
        grievance_id="GRV-2606-7K3M9Q",
        category="garbage_not_collected",
        department="solid_waste_management",
        sla_hours=sla_hours,
        ward="W07",
        body={"description": "Garbage not collected behind Kasba Ganpati for three days.", "lat": 18.52, "lng": 73.85},
        owner_sub="owner-sub",
        owner_phone_number="+919800000001",
        channel="app",
        now=now,
    ).grievance


def in_status(status: str, **changes: Any) -> Grievance:
    extra: dict[str, Any] = {"status": status}
    if status in ("assigned", "in_progress"):
        extra["assignee"] = "JE Roads, Kasba"
    if status in ("resolved", "closed"):
        extra["resolved_at"] = extra["first_resolved_at"] = iso(START + timedelta(hours=30))
    if status == "closed":
        extra["closed_at"] = iso(START + timedelta(hours=40))
    return replace(logged(), **{**extra, **changes})


# --- the table ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status", "actor"), list(itertools.product(domain.STATUSES, domain.STATUSES, ACTORS))
)
def test_every_status_pair_and_actor_is_allowed_exactly_as_api_md_says(
    from_status: str, to_status: str, actor: str
) -> None:
    expected = actor in ALLOWED.get((from_status, to_status), set())
    assert domain.allowed(from_status, to_status, actor) is expected


def test_the_table_lists_nothing_api_md_does_not() -> None:
    assert {pair: set(rule.by) for pair, rule in domain.LIFECYCLE.items()} == ALLOWED


def test_rejection_needs_a_note_and_assignment_an_assignee_and_a_reopen_a_reason() -> None:
    for status in OPEN:
        assert domain.LIFECYCLE[(status, "rejected")].requires == ("note",)
    assert domain.LIFECYCLE[("submitted", "assigned")].requires == ("assignee",)
    assert domain.LIFECYCLE[("reopened", "assigned")].requires == ("assignee",)
    assert domain.LIFECYCLE[("closed", "reopened")].requires == ("reason",)


@pytest.mark.parametrize(("from_status", "to_status"), list(itertools.product(domain.STATUSES, repeat=2)))
def test_staff_patch_obeys_the_table(from_status: str, to_status: str) -> None:
    current = in_status(from_status)
    patch = {"assignee": "JE Roads, Kasba", "note": "Checked on site."}
    if "staff" in ALLOWED.get((from_status, to_status), set()):
        change = domain.staff_change(current, status=to_status, now=START + timedelta(hours=1), **patch)
        assert change.grievance.status == to_status
        assert (change.from_status, change.to_status) == (from_status, to_status)
    else:
        with pytest.raises(Conflict) as raised:
            domain.staff_change(current, status=to_status, now=START + timedelta(hours=1), **patch)
        assert raised.value.code == "illegal_transition"
        assert raised.value.status == 409


# --- staff patches ----------------------------------------------------------------------------------


def field_of(error: Invalid) -> str:
    return error.errors[0].field


def test_staff_cannot_reject_without_a_note() -> None:
    with pytest.raises(Invalid) as raised:
        domain.staff_change(in_status("assigned"), status="rejected", assignee=None, note=None, now=START)
    assert raised.value.status == 422
    assert field_of(raised.value) == "body.note"


def test_staff_cannot_assign_without_an_assignee() -> None:
    with pytest.raises(Invalid) as raised:
        domain.staff_change(logged(), status="assigned", assignee=None, note="Sending someone.", now=START)
    assert raised.value.status == 422
    assert field_of(raised.value) == "body.assignee"


def test_an_empty_patch_is_invalid() -> None:
    with pytest.raises(Invalid) as raised:
        domain.staff_change(logged(), status=None, assignee=None, note=None, now=START)
    assert raised.value.status == 422
    assert field_of(raised.value) == "body"


@pytest.mark.parametrize("status", ["submitted", "resolved", "closed", "rejected", "reopened"])
def test_reassigning_outside_assigned_or_in_progress_is_illegal(status: str) -> None:
    with pytest.raises(Conflict) as raised:
        domain.staff_change(in_status(status), status=None, assignee="AE Roads", note=None, now=START)
    assert raised.value.code == "illegal_transition"


@pytest.mark.parametrize("status", ["assigned", "in_progress"])
def test_reassigning_records_an_assignee_change_without_a_status_change(status: str) -> None:
    change = domain.staff_change(in_status(status), status=None, assignee="AE Roads", note=None, now=START)
    assert change.to_status is None
    assert change.grievance.assignee == "AE Roads"
    assert change.grievance.timeline[-1]["type"] == "assignee_changed"


@pytest.mark.parametrize("status", ["closed", "rejected"])
def test_a_final_grievance_takes_no_notes(status: str) -> None:
    with pytest.raises(Conflict) as raised:
        domain.staff_change(in_status(status), status=None, assignee=None, note="One more thing", now=START)
    assert raised.value.code == "illegal_transition"


@pytest.mark.parametrize("status", [*OPEN, "resolved"])
def test_a_note_alone_is_added_to_the_timeline(status: str) -> None:
    change = domain.staff_change(in_status(status), status=None, assignee=None, note="Crew on the way", now=START)
    assert change.to_status is None
    assert change.grievance.status == status
    assert change.grievance.timeline[-1] == {
        "at": iso(START),
        "type": "note",
        "actor": "staff",
        "from_status": None,
        "to_status": None,
        "note": "Crew on the way",
        "level": None,
        "rating": None,
    }


def test_resolving_stamps_resolved_at_and_counts_the_first_resolution_only() -> None:
    at = START + timedelta(hours=20)
    first = domain.staff_change(in_status("in_progress"), status="resolved", assignee=None, note=None, now=at)
    assert first.grievance.resolved_at == iso(at)
    assert first.first_resolution is True
    again = replace(first.grievance, status="in_progress", resolved_at=None)
    second = domain.staff_change(again, status="resolved", assignee=None, note=None, now=at + timedelta(days=1))
    assert second.first_resolution is False
    assert second.grievance.first_resolved_at == iso(at)


# --- escalation ------------------------------------------------------------------------------------


def overdue_at(g: Grievance, hours: float = 1) -> datetime:
    return parse_iso(g.due_at) + timedelta(hours=hours)


def test_a_grievance_not_yet_overdue_is_not_escalated() -> None:
    g = logged()
    assert domain.escalate(g, sla_hours=48, event_id="e1", now=parse_iso(g.due_at)) is None
    assert domain.escalate(g, sla_hours=48, event_id="e1", now=START) is None


@pytest.mark.parametrize("status", ["resolved", "closed", "rejected"])
def test_a_grievance_that_is_not_open_is_never_escalated(status: str) -> None:
    g = in_status(status)
    assert domain.escalate(g, sla_hours=48, event_id="e1", now=overdue_at(g, 100)) is None


def test_level_three_stays_overdue_and_is_not_escalated_further() -> None:
    g = replace(logged(), escalation_level=3)
    assert g.overdue(overdue_at(g))
    assert domain.escalate(g, sla_hours=48, event_id="e1", now=overdue_at(g)) is None


def test_the_same_event_escalates_a_grievance_only_once() -> None:
    g = logged()
    now = overdue_at(g)
    first = domain.escalate(g, sla_hours=48, event_id="e1", now=now)
    assert first is not None
    # even were it overdue again at that time, the same event id is refused
    again = replace(first.grievance, due_at=iso(now - timedelta(hours=1)))
    assert domain.escalate(again, sla_hours=48, event_id="e1", now=now) is None
    assert domain.escalate(again, sla_hours=48, event_id="e2", now=now) is not None


@given(st.integers(min_value=1, max_value=720), st.integers(min_value=0, max_value=2), st.integers(1, 10_000))
def test_escalation_raises_the_level_and_extends_due_by_half_the_sla_at_least_12_hours(
    sla_hours: int, level: int, late_minutes: int
) -> None:
    g = replace(logged(sla_hours=sla_hours), escalation_level=level)
    now = parse_iso(g.due_at) + timedelta(minutes=late_minutes)
    escalation = domain.escalate(g, sla_hours=sla_hours, event_id="evt", now=now)
    assert escalation is not None
    e = escalation.grievance
    assert escalation.level == e.escalation_level == level + 1
    assert parse_iso(e.due_at) == now + max(timedelta(hours=12), timedelta(hours=sla_hours) / 2)
    assert parse_iso(e.due_at) >= now + timedelta(hours=12)
    assert not e.overdue(now)
    assert e.status == g.status
    assert e.sla_due_at == g.sla_due_at  # escalation never moves the SLA
    assert e.last_escalation_event_id == "evt"
    assert e.timeline[-1] == {
        "at": iso(now),
        "type": "escalated",
        "actor": "system",
        "from_status": None,
        "to_status": None,
        "note": None,
        "level": level + 1,
        "rating": None,
    }


@pytest.mark.parametrize(("sla_hours", "hours"), [(1, 12), (24, 12), (25, 12.5), (48, 24), (360, 180), (720, 360)])
def test_escalation_extension_examples(sla_hours: int, hours: float) -> None:
    assert domain.escalation_extension(sla_hours) == timedelta(hours=hours)


# --- auto-close ------------------------------------------------------------------------------------


def test_auto_close_closes_exactly_seven_days_after_resolution_and_not_a_second_before() -> None:
    g = in_status("resolved")
    resolved = parse_iso(str(g.resolved_at))
    assert domain.auto_close(g, now=resolved + timedelta(days=7) - timedelta(seconds=1)) is None
    change = domain.auto_close(g, now=resolved + timedelta(days=7))
    assert change is not None
    assert (change.from_status, change.to_status) == ("resolved", "closed")
    assert change.grievance.closed_at == iso(resolved + timedelta(days=7))
    assert change.grievance.timeline[-1]["actor"] == "system"
    assert change.grievance.timeline[-1]["to_status"] == "closed"


@pytest.mark.parametrize("status", [s for s in domain.STATUSES if s != "resolved"])
def test_auto_close_leaves_everything_but_resolved_alone(status: str) -> None:
    assert domain.auto_close(in_status(status), now=START + timedelta(days=60)) is None


# --- feedback and reopen ------------------------------------------------------------------------------


def test_feedback_closes_a_resolved_grievance_and_only_a_resolved_one() -> None:
    change = domain.give_feedback(in_status("resolved"), rating=4, comment="Cleared", now=START + timedelta(days=2))
    assert change.grievance.status == "closed"
    assert [e["type"] for e in change.grievance.timeline[-2:]] == ["feedback", "status_changed"]
    for status in (s for s in domain.STATUSES if s != "resolved"):
        with pytest.raises(Conflict) as raised:
            domain.give_feedback(in_status(status), rating=4, comment=None, now=START)
        assert raised.value.code == "not_resolved"


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_reopen_within_seven_days_clears_the_assignee_and_restarts_the_sla(status: str) -> None:
    g = in_status(status)
    now = parse_iso(str(g.resolved_at)) + timedelta(days=7)  # the last second of the window
    change = domain.reopen(g, reason="Garbage is back the next day.", sla_hours=48, now=now)
    r = change.grievance
    assert (r.status, r.reopen_count, r.assignee) == ("reopened", 1, None)
    assert r.due_at == iso(now + timedelta(hours=48))
    assert r.timeline[-1]["note"] == "Garbage is back the next day."


def test_reopen_after_the_window_is_refused() -> None:
    g = in_status("closed")
    with pytest.raises(Conflict) as raised:
        domain.reopen(
            g, reason="Still there.", sla_hours=48, now=parse_iso(str(g.resolved_at)) + timedelta(days=7, seconds=1)
        )
    assert raised.value.code == "reopen_window_passed"


def test_a_third_reopen_is_refused() -> None:
    g = in_status("resolved", reopen_count=2)
    with pytest.raises(Conflict) as raised:
        domain.reopen(g, reason="Still there.", sla_hours=48, now=parse_iso(str(g.resolved_at)))
    assert raised.value.code == "reopen_limit_reached"


@pytest.mark.parametrize("status", [*OPEN, "rejected"])
def test_reopen_from_another_status_is_not_resolved(status: str) -> None:
    with pytest.raises(Conflict) as raised:
        domain.reopen(in_status(status), reason="Still there.", sla_hours=48, now=START)
    assert raised.value.code == "not_resolved"


# --- SLA compliance ---------------------------------------------------------------------------------


def test_within_sla_counts_the_first_resolution_against_the_original_due_time() -> None:
    g = logged()
    on_time = replace(g, first_resolved_at=g.sla_due_at, due_at=iso(START + timedelta(days=30)))
    late = replace(g, first_resolved_at=iso(parse_iso(g.sla_due_at) + timedelta(seconds=1)))
    assert domain.within_sla(on_time)
    assert not domain.within_sla(late)
    assert not domain.within_sla(g)


def test_compliance_pct_examples() -> None:
    assert domain.compliance_pct(0, 0) is None
    assert domain.compliance_pct(1260, 1101) == 87.4
    assert domain.compliance_pct(3, 2) == 66.7
    assert domain.compliance_pct(3, 3) == 100.0
    assert domain.compliance_pct(7, 0) == 0.0


@given(st.integers(min_value=1, max_value=10_000_000), st.data())
def test_compliance_pct_has_one_decimal_and_is_within_rounding_of_the_ratio(resolved: int, data: Any) -> None:
    within = data.draw(st.integers(min_value=0, max_value=resolved))
    pct = domain.compliance_pct(resolved, within)
    assert pct is not None
    assert 0.0 <= pct <= 100.0
    assert abs(pct - within * 100 / resolved) <= 0.05 + 1e-9
    assert round(pct, 1) == pct


# --- the diagram in docs/ ---------------------------------------------------------------------------


def lifecycle_mermaid() -> str:
    """docs/grievance-lifecycle.md's diagram, from the table: one arrow per allowed (from, to)."""
    lines = ["stateDiagram-v2", "    [*] --> submitted: citizen, open311"]
    for (from_status, to_status), rule in domain.LIFECYCLE.items():
        label = ", ".join(sorted(rule.by))
        if rule.requires:
            label += " (" + ", ".join(rule.requires) + ")"
        lines.append(f"    {from_status} --> {to_status}: {label}")
    lines += ["    closed --> [*]", "    rejected --> [*]"]
    return "\n".join(lines)


def test_the_lifecycle_document_shows_the_table_as_it_is() -> None:
    document = (ROOT / "docs/grievance-lifecycle.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{lifecycle_mermaid()}\n```" in document, (
        "docs/grievance-lifecycle.md is out of date; paste this diagram:\n" + lifecycle_mermaid()
    )


def test_compliance_pct_rounds_an_exact_tie_up() -> None:
    assert domain.compliance_pct(16, 1) == 6.3  # 6.25 %
    assert domain.compliance_pct(8, 1) == 12.5
