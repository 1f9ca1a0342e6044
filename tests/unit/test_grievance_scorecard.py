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

START = datetime(2026, 6, 10, 5, 12, 9, tzinfo=UTC)


def logged(at: datetime = START, ward: str = "W07") -> domain.Grievance:
    return domain.log(
        grievance_id="GRV-2606-7K3M9Q",
        category="garbage_not_collected",
        department="solid_waste_management",
        sla_hours=48,
        ward=ward,
        description="Garbage not collected behind the temple.",
        lat=18.5196,
        lng=73.8553,
        owner_sub="citizen",
        owner_phone_number=None,
        channel="app",
        now=at,
    ).grievance


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
