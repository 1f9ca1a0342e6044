"""The public ward scorecard routes (issue 20): no token, no personal data, ETag and public max-age (API.md
1.9). Each reads a fixed number of aggregate items (the month's, and open now / overdue now, kept current in
the transactions that change a grievance and by the escalation sweep), never the grievances themselves nor
anything that grows with them."""

from __future__ import annotations

from typing import Annotated, Any

from grievance import reference, scorecard, store
from pmc_common.app import App, Now, Query, Request, Response
from pmc_common.caching import cached_json
from pmc_common.errors import Invalid, NotFound
from pmc_common.models import Bilingual, View

SCORECARD_MAX_AGE = 60  # a change shows within a minute ("overdue now" moves with each 15-minute sweep)
TREND_MONTHS = 12
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="IST month YYYY-MM; default this month")]


class ScorecardFigures(View):
    received: int
    resolved: int
    open: int | None
    overdue_now: int | None
    resolved_within_sla: int
    sla_compliance_pct: float | None
    median_hours_to_resolve: int | None
    reopened_after_resolution: int
    reopened_after_resolution_pct: float | None
    closed_satisfied: int
    closed_low_rating: int
    closed_auto_without_feedback: int
    ratings: int
    mean_rating: float | None
    rating_4_5_pct: float | None


class RankedWard(ScorecardFigures):
    rank: int
    ward: str
    ward_name: Bilingual
    score: float | None


class WardRankingView(View):
    month: str
    wards: list[RankedWard]


class DepartmentScorecard(ScorecardFigures):
    department: str
    department_name: Bilingual


class WardScorecardView(View):
    month: str
    ward: str
    ward_name: Bilingual
    score: float | None
    totals: ScorecardFigures
    departments: list[DepartmentScorecard]


class MonthScorecard(ScorecardFigures):
    month: str


class WardTrendView(View):
    ward: str
    ward_name: Bilingual
    months: list[MonthScorecard]


def _month(month: str | None, now_month: str) -> str:
    """The month asked for, this IST month by default; a month after this one → 422 query.month."""
    if month is None:
        return now_month
    if month > now_month:
        raise Invalid.of("query.month", "must not be after the current month (IST)")
    return month


def _ward(ward: str) -> str:
    if ward not in reference.WARDS:  # W16, w07 and anything else: as unknown as a missing id (API.md 1.2)
        raise NotFound("No ward with that code")
    return ward


def register(app: App) -> None:
    """Add the scorecard routes to the grievance API's app."""

    @app.get("/scorecard/wards", response_model=WardRankingView, name="get_ward_ranking")
    def ward_ranking(request: Request, clock: Now, month: Month = None) -> Response:
        """The 15 wards ranked by score for an IST month (docs/accountability.md)."""
        now = clock.now()
        chosen = _month(month, scorecard.current_month(now))
        aggregates = store.scorecard_month(chosen)  # one Query
        now_counts = store.scorecard_now()  # one Query
        rows = []
        for ward in reference.WARDS:
            summed = scorecard.total(a for (w, _), a in aggregates.items() if w == ward)
            counts = [c for (w, _), c in now_counts.items() if w == ward]
            rows.append(
                {
                    "ward": ward,
                    "ward_name": reference.ward_name(ward),
                    "score": scorecard.score(summed),
                    **scorecard.figures(
                        summed,
                        open_now=sum(c["open_now"] for c in counts),
                        overdue_now=sum(c["overdue_now"] for c in counts),
                    ),
                }
            )
        payload = {"month": chosen, "wards": scorecard.ranked(rows)}
        return cached_json(request, WardRankingView.model_validate(payload).model_dump(mode="json"), SCORECARD_MAX_AGE)

    @app.get("/scorecard/wards/{ward}", response_model=WardScorecardView, name="get_ward_scorecard")
    def ward_scorecard(request: Request, ward: str, clock: Now, month: Month = None) -> Response:
        """One ward's month, per department (every department, zeros included) and in total."""
        ward = _ward(ward)
        now = clock.now()
        chosen = _month(month, scorecard.current_month(now))
        aggregates = store.scorecard_month(chosen, ward)  # one Query
        now_counts = store.scorecard_now(ward)  # one Query
        departments: list[dict[str, Any]] = []
        for department in sorted(reference.departments()):
            counts = now_counts.get((ward, department), {})
            figures = scorecard.figures(
                aggregates.get((ward, department), {}),
                open_now=counts.get("open_now", 0),
                overdue_now=counts.get("overdue_now", 0),
            )
            departments.append(
                {"department": department, "department_name": reference.department_name(department), **figures}
            )
        summed = scorecard.total(aggregates.values())
        totals = scorecard.figures(
            summed,
            open_now=sum(d["open"] for d in departments),
            overdue_now=sum(d["overdue_now"] for d in departments),
        )
        payload = {
            "month": chosen,
            "ward": ward,
            "ward_name": reference.ward_name(ward),
            "score": scorecard.score(summed),
            "totals": totals,
            "departments": departments,
        }
        return cached_json(
            request, WardScorecardView.model_validate(payload).model_dump(mode="json"), SCORECARD_MAX_AGE
        )

    @app.get("/scorecard/wards/{ward}/trend", response_model=WardTrendView, name="get_ward_scorecard_trend")
    def ward_trend(request: Request, ward: str, clock: Now, month: Month = None) -> Response:
        """A ward's 12 months ending with `month` (this IST month by default), oldest first; `open` and
        `overdue_now` are null (they are figures of now, not of a month)."""
        ward = _ward(ward)
        chosen = _month(month, scorecard.current_month(clock.now()))
        months = []
        for each in scorecard.months_until(chosen, TREND_MONTHS):  # one Query a month
            summed = scorecard.total(store.scorecard_month(each, ward).values())
            months.append({"month": each, **scorecard.figures(summed, open_now=None, overdue_now=None)})
        payload = {"ward": ward, "ward_name": reference.ward_name(ward), "months": months}
        return cached_json(request, WardTrendView.model_validate(payload).model_dump(mode="json"), SCORECARD_MAX_AGE)
