"""Stats (API.md 3.8) summed from the counters by the pure `domain.stats`: totals equal the sums of the
counters in scope, every ward in scope and every department listed with the seven statuses, zeros
included, SLA compliance from the first-resolution counters, and the reply a valid StatsView."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from grievance import domain
from grievance.domain import STATUSES, Counters
from grievance.models import StatsView
from pmc_common.ids import WARDS

NOW = datetime(2026, 6, 12, 6, 0, 0, tzinfo=UTC)
DEPARTMENTS = ("roads", "solid_waste_management", "water_supply")

wards = st.sampled_from(WARDS)
departments = st.sampled_from(DEPARTMENTS)
counts = st.dictionaries(st.tuples(wards, departments, st.sampled_from(STATUSES)), st.integers(0, 10**6), max_size=60)
sla_pairs = st.integers(0, 10**6).flatmap(lambda resolved: st.tuples(st.just(resolved), st.integers(0, resolved)))
slas = st.dictionaries(st.tuples(wards, departments), sla_pairs, max_size=30)


def stats_of(counters: Counters, ward: str | None = None, overdue: int = 0) -> dict[str, object]:
    return domain.stats(counters, ward=ward, wards=WARDS, departments=DEPARTMENTS, overdue=overdue, now=NOW)


@given(counts, slas)
def test_city_totals_equal_the_sums_of_the_counters(by_key: dict, sla: dict) -> None:  # type: ignore[type-arg]
    stats = stats_of(Counters(by_key, sla))
    by_status = stats["by_status"]
    assert isinstance(by_status, dict)
    assert stats["total"] == sum(by_key.values()) == sum(by_status.values())
    for status in STATUSES:
        expected = sum(n for (_, _, s), n in by_key.items() if s == status)
        assert by_status[status] == expected
        assert sum(w["by_status"][status] for w in stats["by_ward"]) == expected  # type: ignore[attr-defined]
        assert sum(d["by_status"][status] for d in stats["by_department"]) == expected  # type: ignore[attr-defined]
    assert stats["sla"] == {
        "resolved": sum(r for r, _ in sla.values()),
        "resolved_within_sla": sum(w for _, w in sla.values()),
        "compliance_pct": domain.compliance_pct(sum(r for r, _ in sla.values()), sum(w for _, w in sla.values())),
    }


@given(counts, slas, wards)
def test_a_ward_counts_only_its_own_counters(by_key: dict, sla: dict, ward: str) -> None:  # type: ignore[type-arg]
    stats = stats_of(Counters(by_key, sla), ward=ward)
    mine = {key: n for key, n in by_key.items() if key[0] == ward}
    assert stats["ward"] == ward
    assert stats["total"] == sum(mine.values())
    assert stats["by_ward"] == [{"ward": ward, "by_status": stats["by_status"]}]
    assert stats["sla"]["resolved"] == sum(r for (w, _), (r, _) in sla.items() if w == ward)  # type: ignore[index]


@given(counts, slas, st.none() | wards, st.integers(0, 10**6))
def test_every_ward_in_scope_and_department_is_listed_with_the_seven_statuses(
    by_key: dict,  # type: ignore[type-arg]
    sla: dict,  # type: ignore[type-arg]
    ward: str | None,
    overdue: int,
) -> None:
    stats = stats_of(Counters(by_key, sla), ward=ward, overdue=overdue)
    assert [w["ward"] for w in stats["by_ward"]] == ([ward] if ward else list(WARDS))  # type: ignore[attr-defined]
    assert [d["department"] for d in stats["by_department"]] == list(DEPARTMENTS)  # type: ignore[attr-defined]
    for row in [stats, *stats["by_ward"], *stats["by_department"]]:  # type: ignore[misc]
        assert list(row["by_status"]) == list(STATUSES)
    assert stats["overdue"] == overdue
    assert stats["as_of"] == "2026-06-12T06:00:00Z"
    StatsView.model_validate(stats)


def test_no_counters_are_zeros_everywhere_and_no_compliance() -> None:
    stats = stats_of(Counters({}, {}))
    assert stats["total"] == 0
    assert set(stats["by_status"].values()) == {0}  # type: ignore[attr-defined]
    assert stats["sla"] == {"resolved": 0, "resolved_within_sla": 0, "compliance_pct": None}


def test_counters_of_departments_no_longer_listed_still_count_in_the_totals() -> None:
    stats = stats_of(Counters({("W07", "retired_department", "submitted"): 3, ("W07", "roads", "submitted"): 2}, {}))
    assert stats["total"] == 5
    assert stats["by_status"]["submitted"] == 5  # type: ignore[index]
    assert sum(d["by_status"]["submitted"] for d in stats["by_department"]) == 2  # type: ignore[attr-defined]
