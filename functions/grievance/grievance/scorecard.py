"""The public ward scorecard (issue 20): what one grievance adds to the aggregates of its ward × department
× IST month, and the figures, medians and ranking read back from those aggregates. Pure: the store writes
the aggregates in the transaction of every change; nothing here reads or writes.

Every figure is a function of the grievances as they are now (`marks`), so a change moves the aggregates
by `marks(after) − marks(before)` and a recount is the sum of `marks` over the grievances."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from grievance.domain import OPEN, Grievance, compliance_pct, within_sla
from pmc_common.clock import IST, parse_iso

Key = tuple[str, str, str]  # (IST month YYYY-MM, ward, department)
Marks = dict[Key, Counter[str]]

# Hours to resolve (first resolution − creation, whole hours, floored): one bucket per hour below a week,
# then three overflow buckets [168, 336), [336, 720), [720, ∞) named by their lower bound (720 h = the
# longest SLA a category may have, API.md 3.2).
EXACT_HOURS = 168
OVERFLOW_BUCKETS = (168, 336, 720)
BUCKETS: tuple[int, ...] = (*range(EXACT_HOURS), *OVERFLOW_BUCKETS)
HISTOGRAM_FIELDS = tuple(f"h{b}" for b in BUCKETS)
# the verdicts (issue 20): counted in the month of the grievance's first resolution, like `resolved`
VERDICTS = ("reopened", "closed_satisfied", "closed_low", "closed_auto")
FIELDS: tuple[str, ...] = (
    "received",
    "resolved",
    "within_sla",
    *VERDICTS,
    "rating_sum",
    "rated",
    "rated_high",
    *HISTOGRAM_FIELDS,
)
SATISFIED_RATING = 4  # 4 and 5
SLA_WEIGHT, NOT_REOPENED_WEIGHT = Decimal("0.6"), Decimal("0.4")


def month_of(at_iso: str) -> str:
    """The IST month (`YYYY-MM`) of a UTC timestamp: 2026-05-31T19:00:00Z is in 2026-06."""
    return parse_iso(at_iso).astimezone(IST).strftime("%Y-%m")


def current_month(now: datetime) -> str:
    return now.astimezone(IST).strftime("%Y-%m")


def months_until(month: str, count: int) -> list[str]:
    """The `count` months ending with `month`, oldest first."""
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def bucket_of(hours: int) -> int:
    """The lower bound of the histogram bucket holding a whole number of hours."""
    if hours < EXACT_HOURS:
        return max(hours, 0)
    return max(b for b in OVERFLOW_BUCKETS if b <= hours)


def hours_to_resolve(g: Grievance) -> int:
    """Whole hours (floored) from creation to the first resolution."""
    assert g.first_resolved_at is not None
    seconds = (parse_iso(g.first_resolved_at) - parse_iso(g.created_at)).total_seconds()
    return int(seconds // 3600)


def _closing(g: Grievance) -> dict[str, Any] | None:
    """The timeline entry that closed it last, while it is closed."""
    if g.status != "closed":
        return None
    moves = [e for e in g.timeline if e.get("type") == "status_changed" and e.get("to_status") == "closed"]
    return moves[-1] if moves else None


def marks(g: Grievance) -> Marks:
    """What the grievance adds, as it is now, to the aggregates of its ward × department: `received` in its
    creation month; in the month of its first resolution `resolved`, `within_sla`, its hours bucket, the
    verdicts (reopened at least once; closed now by the owner's rating 4–5 or 1–3, or by auto-close) and
    every rating it was given."""
    found: Marks = {}
    found.setdefault((month_of(g.created_at), g.ward, g.department), Counter())["received"] += 1
    if g.first_resolved_at is None:
        return found
    counts = found.setdefault((month_of(g.first_resolved_at), g.ward, g.department), Counter())
    counts["resolved"] += 1
    counts["within_sla"] += 1 if within_sla(g) else 0
    counts[f"h{bucket_of(hours_to_resolve(g))}"] += 1
    counts["reopened"] += 1 if g.reopen_count > 0 else 0
    closing = _closing(g)
    ratings = [int(e["rating"]) for e in g.timeline if e.get("type") == "feedback" and e.get("rating") is not None]
    if closing is not None:
        if closing.get("actor") == "system" or not ratings:
            counts["closed_auto"] += 1
        elif ratings[-1] >= SATISFIED_RATING:
            counts["closed_satisfied"] += 1
        else:
            counts["closed_low"] += 1
    counts["rating_sum"] += sum(ratings)
    counts["rated"] += len(ratings)
    counts["rated_high"] += sum(1 for r in ratings if r >= SATISFIED_RATING)
    return {key: Counter({f: n for f, n in c.items() if n}) for key, c in found.items()}


def moved(before: Grievance | None, after: Grievance) -> Marks:
    """How a change moves the aggregates: marks(after) − marks(before), only what changes."""
    old = marks(before) if before is not None else {}
    new = marks(after)
    changes: Marks = {}
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key, Counter()), new.get(key, Counter())
        delta = Counter({f: now[f] - was[f] for f in set(was) | set(now) if now[f] != was[f]})
        if delta:
            changes[key] = delta
    return changes


def recount(grievances: Iterable[Grievance]) -> Marks:
    """The aggregates as a sum over grievances (tests, and the bench's seed)."""
    total: Marks = {}
    for g in grievances:
        for key, counts in marks(g).items():
            total.setdefault(key, Counter()).update(counts)
    return total


# --- figures ---------------------------------------------------------------------------------------


def median_hours(aggregate: Mapping[str, int]) -> int | None:
    """The lower median (rank ⌈n/2⌉) of the whole hours to resolve, read from the histogram: exact below
    168 h, else the lower bound of its overflow bucket (168, 336 or 720); None when nothing was resolved."""
    total = sum(aggregate.get(f, 0) for f in HISTOGRAM_FIELDS)
    if total == 0:
        return None
    rank, seen = (total + 1) // 2, 0
    for bucket, name in zip(BUCKETS, HISTOGRAM_FIELDS, strict=True):
        seen += aggregate.get(name, 0)
        if seen >= rank:
            return bucket
    raise AssertionError("unreachable: the histogram holds `total` grievances")


def median_of_hours(hours: Sequence[int]) -> int | None:
    """The same median from the hours themselves (the recount's way): the lower median, then its bucket."""
    if not hours:
        return None
    ordered = sorted(hours)
    return bucket_of(ordered[(len(ordered) + 1) // 2 - 1])


def pct(part: int, whole: int) -> float | None:
    return compliance_pct(whole, part)  # one decimal, half up; None of nothing


def mean_rating(aggregate: Mapping[str, int]) -> float | None:
    rated = aggregate.get("rated", 0)
    if rated == 0:
        return None
    exact = Decimal(aggregate.get("rating_sum", 0)) / Decimal(rated)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def total(aggregates: Iterable[Mapping[str, int]]) -> Counter[str]:
    summed: Counter[str] = Counter()
    for a in aggregates:
        summed.update({f: int(n) for f, n in a.items() if f in FIELDS})
    return summed


def figures(aggregate: Mapping[str, int], *, open_now: int | None, overdue_now: int | None) -> dict[str, Any]:
    """ScorecardFigures of one ward × department, or of a ward (aggregates summed first)."""
    resolved = aggregate.get("resolved", 0)
    return {
        "received": aggregate.get("received", 0),
        "resolved": resolved,
        "open": open_now,
        "overdue_now": overdue_now,
        "resolved_within_sla": aggregate.get("within_sla", 0),
        "sla_compliance_pct": compliance_pct(resolved, aggregate.get("within_sla", 0)),
        "median_hours_to_resolve": median_hours(aggregate),
        "reopened_after_resolution": aggregate.get("reopened", 0),
        "reopened_after_resolution_pct": pct(aggregate.get("reopened", 0), resolved),
        "closed_satisfied": aggregate.get("closed_satisfied", 0),
        "closed_low_rating": aggregate.get("closed_low", 0),
        "closed_auto_without_feedback": aggregate.get("closed_auto", 0),
        "ratings": aggregate.get("rated", 0),
        "mean_rating": mean_rating(aggregate),
        "rating_4_5_pct": pct(aggregate.get("rated_high", 0), aggregate.get("rated", 0)),
    }


def score(aggregate: Mapping[str, int]) -> float | None:
    """The ranking score, 0–100, one decimal half up: 0.6 × SLA compliance % + 0.4 × (100 − reopened-after-
    resolution %), both over the month's first resolutions, from exact fractions; None when none."""
    resolved = aggregate.get("resolved", 0)
    if resolved == 0:
        return None
    within = Decimal(aggregate.get("within_sla", 0) * 100) / resolved
    kept = 100 - Decimal(aggregate.get("reopened", 0) * 100) / resolved
    exact = SLA_WEIGHT * within + NOT_REOPENED_WEIGHT * kept
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ranked(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wards best first: score descending (none last), then fewer overdue now, then ward code; rank 1..n."""
    order = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0.0), r["overdue_now"] or 0, r["ward"]))
    return [{**row, "rank": position} for position, row in enumerate(order, start=1)]


# --- open now, overdue now ----------------------------------------------------------------------------
# Figures of now, not of a month: one item per ward × department holds `open_now` and `overdue_now`. Each
# grievance records in `scorecard_now` what it adds to them ("open", "overdue" or None), so a change moves
# them by what the grievance added as read (`before.scorecard_now`, at its ward × department then) and what
# it adds as written: exact even for a grievance stored before the counts, which added nothing.
#
# A grievance is counted overdue by the escalation sweep (grievance.escalation), the one writer that looks
# at the clock: every 15 minutes it takes each open grievance due before its time and escalates it (a new
# due time ahead: not overdue any more) or, when it cannot (level 3), records it "overdue". Every other
# change keeps "overdue" only while the grievance stays open at the same due time, ward and department (a
# change that moves the due time moves it ahead: reopen, re-routing, escalation). So after a sweep at T,
# `overdue_now` counts the open grievances due before T: "overdue now" as of the last sweep.

NOW_FIELDS = ("open_now", "overdue_now")
OPEN_NOW, OVERDUE_NOW = "open", "overdue"


def settled(before: Grievance | None, after: Grievance, *, overdue: bool = False) -> Grievance:
    """`after` with the `scorecard_now` it is to record: None when not open; "overdue" when the sweep counts
    it (`overdue`) or it was counted so and keeps its due time, ward and department; else "open"."""
    if after.status not in OPEN:
        state = None
    elif overdue or (
        before is not None
        and before.scorecard_now == OVERDUE_NOW
        and (before.due_at, before.ward, before.department) == (after.due_at, after.ward, after.department)
        and before.status in OPEN
    ):
        state = OVERDUE_NOW
    else:
        state = OPEN_NOW
    return after if after.scorecard_now == state else replace(after, scorecard_now=state)


def now_marks(g: Grievance) -> dict[tuple[str, str], Counter[str]]:
    """What the grievance adds to the now counts, as it recorded (`scorecard_now`): (ward, department) → fields."""
    if g.scorecard_now is None:
        return {}
    counts = Counter({"open_now": 1, "overdue_now": 1 if g.scorecard_now == OVERDUE_NOW else 0})
    return {(g.ward, g.department): +counts}


def now_moved(before: Grievance | None, after: Grievance) -> dict[tuple[str, str], Counter[str]]:
    """How a change moves the now counts: now_marks(after) − now_marks(before), only what changes."""
    old = now_marks(before) if before is not None else {}
    new = now_marks(after)
    changes: dict[tuple[str, str], Counter[str]] = {}
    for key in sorted(set(old) | set(new)):
        was, now = old.get(key, Counter()), new.get(key, Counter())
        delta = Counter({f: now[f] - was[f] for f in NOW_FIELDS if now[f] != was[f]})
        if delta:
            changes[key] = delta
    return changes


def now_recount(grievances: Iterable[Grievance]) -> dict[tuple[str, str], Counter[str]]:
    """The now counts as a sum over grievances of what each recorded (the rebuild, tests, the bench)."""
    found: dict[tuple[str, str], Counter[str]] = {}
    for g in grievances:
        for key, counts in now_marks(g).items():
            found.setdefault(key, Counter()).update(counts)
    return found
