"""The public scorecard's maths (issue 20), without AWS: IST months, the hours histogram and its median,
the verdicts each grievance adds, the ranking score and order."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from grievance import domain, scorecard
from pmc_common.clock import iso, parse_iso
from tests import grievances

START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)


def logged(at: datetime = START, ward: str = "W07") -> domain.Grievance:
    return grievances.logged(at, ward=ward, owner_sub="citizen").grievance


def resolved(g: domain.Grievance, after: timedelta) -> domain.Grievance:
    """Resolved `after` its creation, built directly (the rules of getting there are the lifecycle's)."""
    at = iso(parse_iso(g.created_at) + after)
    entry = {
        "at": at,
        "type": "status_changed",
        "actor": "staff",
        "from_status": "in_progress",
        "to_status": "resolved",
    }
    return replace(
        g,
        status="resolved",
        resolved_at=at,
        first_resolved_at=g.first_resolved_at or at,
        timeline=(*g.timeline, entry),
    )


def closed(g: domain.Grievance, rating: int | None) -> domain.Grievance:
    """Closed by the owner's rating, or by auto-close when None."""
    at = iso(parse_iso(g.resolved_at or g.created_at) + timedelta(days=7))
    entries: tuple[dict[str, object], ...] = (
        {"at": at, "type": "status_changed", "actor": "system", "from_status": "resolved", "to_status": "closed"},
    )
    if rating is not None:
        entries = (
            {"at": at, "type": "feedback", "actor": "citizen", "rating": rating},
            {"at": at, "type": "status_changed", "actor": "citizen", "from_status": "resolved", "to_status": "closed"},
        )
    return replace(g, status="closed", closed_at=at, timeline=(*g.timeline, *entries))


def reopened(g: domain.Grievance) -> domain.Grievance:
    return replace(g, status="reopened", reopen_count=g.reopen_count + 1, resolved_at=None)


def histogram(hours: list[int]) -> Counter[str]:
    return Counter(f"h{scorecard.bucket_of(h)}" for h in hours)


def test_months_are_ist() -> None:
    assert scorecard.month_of("2026-05-31T18:29:59Z") == "2026-05"
    assert scorecard.month_of("2026-05-31T18:30:00Z") == "2026-06"  # 00:00 IST on 1 June
    assert scorecard.months_until("2026-03", 12) == [f"2025-{m:02d}" for m in range(4, 13)] + [
        "2026-01",
        "2026-02",
        "2026-03",
    ]


def test_buckets_are_exact_hours_below_a_week_then_three_overflows() -> None:
    assert [scorecard.bucket_of(h) for h in (0, 1, 167, 168, 335, 336, 719, 720, 10_000)] == [
        0,
        1,
        167,
        168,
        168,
        336,
        336,
        720,
        720,
    ]
    assert len(scorecard.HISTOGRAM_FIELDS) == 171


@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=60))
def test_the_histograms_median_equals_the_median_of_the_hours(hours: list[int]) -> None:
    assert scorecard.median_hours(histogram(hours)) == scorecard.median_of_hours(hours)


def test_the_median_is_the_lower_median_in_whole_hours() -> None:
    assert scorecard.median_hours(histogram([5, 1, 9, 30])) == 5
    assert scorecard.median_hours(histogram([5, 1, 9])) == 5
    assert scorecard.median_hours(histogram([200, 400, 900])) == 336  # an overflow bucket: its lower bound
    assert scorecard.median_hours(Counter()) is None


def test_a_resolution_counts_in_its_ist_month_with_its_hours_and_sla() -> None:
    g = resolved(logged(), timedelta(hours=30, minutes=59))
    assert scorecard.marks(g) == {
        ("2026-06", "W07", "solid_waste_management"): Counter(received=1, resolved=1, within_sla=1, h30=1)
    }


@given(st.sampled_from(["feedback_high", "feedback_low", "auto", "reopen", "reopen_then_auto", "rated_reopened"]))
def test_each_verdict_is_counted_once_in_the_resolution_month(path: str) -> None:
    g = resolved(logged(), timedelta(hours=60))  # outside the 48 h SLA
    if path == "feedback_high":
        g = closed(g, 5)
    elif path == "feedback_low":
        g = closed(g, 2)
    elif path == "auto":
        g = closed(g, None)
    elif path == "reopen":
        g = reopened(g)
    elif path == "reopen_then_auto":
        g = closed(resolved(reopened(g), timedelta(days=40)), None)  # first resolution's month still counts
    else:
        g = reopened(closed(g, 1))  # the rating stays given, the closing verdict goes
    counts = scorecard.marks(g)[("2026-06", "W07", "solid_waste_management")]
    expected = {
        "feedback_high": {"closed_satisfied": 1, "rating_sum": 5, "rated": 1, "rated_high": 1},
        "feedback_low": {"closed_low": 1, "rating_sum": 2, "rated": 1},
        "auto": {"closed_auto": 1},
        "reopen": {"reopened": 1},
        "reopen_then_auto": {"reopened": 1, "closed_auto": 1},
        "rated_reopened": {"reopened": 1, "rating_sum": 1, "rated": 1},
    }[path]
    figures = (*scorecard.VERDICTS, "rating_sum", "rated", "rated_high")
    assert {k: n for k, n in counts.items() if k in figures} == expected
    assert (counts["resolved"], counts["within_sla"], counts["h60"]) == (1, 0, 1)


def test_a_change_moves_only_the_difference() -> None:
    before = logged()
    after = replace(before, ward="W09")  # a re-routing to another ward
    assert scorecard.moved(before, after) == {
        ("2026-06", "W07", "solid_waste_management"): Counter(received=-1),
        ("2026-06", "W09", "solid_waste_management"): Counter(received=1),
    }
    assert scorecard.moved(before, replace(before, updated_at=iso(START + timedelta(hours=1)))) == {}


def test_the_score_weighs_sla_and_reopens_and_ranks_none_last() -> None:
    assert scorecard.score({"resolved": 3, "within_sla": 2, "reopened": 1}) == 66.7  # 0.6 × 66.67 + 0.4 × 66.67
    assert scorecard.score({"resolved": 0}) is None
    rows = [
        {"ward": "W02", "score": None, "overdue_now": 0},
        {"ward": "W01", "score": 80.0, "overdue_now": 5},
        {"ward": "W03", "score": 80.0, "overdue_now": 1},
        {"ward": "W04", "score": 90.0, "overdue_now": 9},
    ]
    assert [(r["ward"], r["rank"]) for r in scorecard.ranked(rows)] == [("W04", 1), ("W03", 2), ("W01", 3), ("W02", 4)]


# --- open now, overdue now --------------------------------------------------------------------------


def test_a_new_grievance_records_open_and_adds_one_open():
    g = scorecard.settled(None, logged())
    assert g.scorecard_now == "open"
    assert scorecard.now_moved(None, g) == {("W07", "solid_waste_management"): Counter({"open_now": 1})}


def test_the_sweep_counts_it_overdue_once_and_a_change_at_the_same_due_time_keeps_it():
    g = scorecard.settled(None, logged())
    counted = scorecard.settled(g, g, overdue=True)
    assert counted.scorecard_now == "overdue"
    assert scorecard.now_moved(g, counted) == {("W07", "solid_waste_management"): Counter({"overdue_now": 1})}
    assigned = scorecard.settled(counted, replace(counted, status="assigned", assignee="JE SWM"))
    assert assigned.scorecard_now == "overdue"
    assert scorecard.now_moved(counted, assigned) == {}
    assert scorecard.settled(counted, counted, overdue=True) == counted  # counted already: nothing moves


def test_closing_escalating_or_rerouting_an_overdue_one_takes_what_it_added():
    counted = scorecard.settled(None, logged(), overdue=True)
    key = ("W07", "solid_waste_management")
    rejected = scorecard.settled(counted, replace(counted, status="rejected"))
    assert rejected.scorecard_now is None
    assert scorecard.now_moved(counted, rejected) == {key: Counter({"open_now": -1, "overdue_now": -1})}
    later = iso(parse_iso(counted.due_at) + timedelta(hours=24))
    escalated = scorecard.settled(counted, replace(counted, due_at=later, escalation_level=1))
    assert escalated.scorecard_now == "open"
    assert scorecard.now_moved(counted, escalated) == {key: Counter({"overdue_now": -1})}
    moved = scorecard.settled(counted, replace(counted, ward="W09"))  # same due time, another ward
    assert scorecard.now_moved(counted, moved) == {
        key: Counter({"open_now": -1, "overdue_now": -1}),
        ("W09", "solid_waste_management"): Counter({"open_now": 1}),
    }


def test_a_grievance_stored_before_the_counts_takes_nothing_and_adds_what_it_records():
    before = logged()  # records None, as stored before the counts
    assert scorecard.now_marks(before) == {}
    assert scorecard.now_moved(before, scorecard.settled(before, replace(before, status="rejected"))) == {}
    assigned = scorecard.settled(before, replace(before, status="assigned"))
    assert scorecard.now_moved(before, assigned) == {("W07", "solid_waste_management"): Counter({"open_now": 1})}


CHANGES = st.lists(
    st.sampled_from(["assign", "resolve", "reject", "reopen", "escalate", "sweep", "reroute"]), max_size=12
)


def step(g: domain.Grievance, change: str) -> domain.Grievance:
    """One change as the lifecycle would make it, in the fields the now counts look at."""
    due = iso(parse_iso(g.due_at) + timedelta(hours=12))
    if change == "reopen":
        return g if g.is_open else replace(g, status="reopened", due_at=due)
    if not g.is_open or change == "sweep":
        return g
    if change == "escalate":
        return replace(g, due_at=due)
    if change == "reroute":
        return replace(g, ward="W09" if g.ward == "W07" else "W07")
    return replace(g, status={"assign": "assigned", "resolve": "resolved", "reject": "rejected"}[change])


@given(CHANGES)
def test_the_moves_sum_to_what_the_grievance_records_now(changes):
    """Whatever a grievance goes through, the sum of the moves is now_marks of it as it is: the counts equal a
    recount, and a closed grievance adds nothing."""
    g = scorecard.settled(None, logged())
    total: Counter[tuple[str, str, str]] = Counter()
    for (ward, department), delta in scorecard.now_moved(None, g).items():
        total.update({(ward, department, f): n for f, n in delta.items()})
    for change in changes:
        after = step(g, change)
        settled = scorecard.settled(g, after, overdue=change == "sweep" and g.is_open)
        for (ward, department), delta in scorecard.now_moved(g, settled).items():
            total.update({(ward, department, f): n for f, n in delta.items()})
        g = settled
    expected = Counter({(w, d, f): n for (w, d), c in scorecard.now_recount([g]).items() for f, n in c.items() if n})
    assert {k: n for k, n in total.items() if n} == expected  # none negative, none left over
    assert (g.scorecard_now is None) == (not g.is_open)
