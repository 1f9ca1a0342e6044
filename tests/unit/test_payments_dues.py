"""The dues rules of API.md 4.2 in integer paise: the worked examples exactly, the seed records that the
examples name, date edges (month ends, leap years, the rebate's last day), pricing a payment (4.5), and
properties: never negative, always whole paise, paying a shown total leaves nothing due."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments import domain
from payments.domain import DemandLine, WaterBill
from pmc_common.clock import financial_year, financial_year_end, financial_year_start, ist_date
from pmc_common.errors import Conflict, Invalid

ROOT = Path(__file__).resolve().parents[2]
RAMESH = [DemandLine("2026-27-H1", 624000, 400000), DemandLine("2026-27-H2", 624000, 400000)]
RAMESH_WATER = [WaterBill("2026-27-Q1", 84250, consumption_kl=42)]


# --- the worked examples of 4.2 ------------------------------------------------------------------


def test_an_unpaid_year_before_31_may_earns_the_rebate_on_both_installments() -> None:
    dues = domain.property_dues("PMC-W07-000001", RAMESH, date(2026, 5, 10))
    [year] = dues.years
    assert (year.rebate_eligible, year.rebate_until, year.rebate_paise) == (True, date(2026, 5, 31), 40000)
    assert year.total_paise == dues.total_paise == 1208000
    assert [(v.id, v.due_on, v.total_paise, v.status) for v in year.lines] == [
        ("2026-27-H1", date(2026, 6, 30), 624000, "unpaid"),
        ("2026-27-H2", date(2026, 12, 31), 624000, "unpaid"),
    ]


def test_h1_unpaid_in_august_is_two_months_late_with_a_4_percent_penalty() -> None:
    dues = domain.property_dues("PMC-W07-000001", RAMESH, date(2026, 8, 5))
    [year] = dues.years
    h1, h2 = year.lines
    assert (h1.months_late, h1.penalty_paise, h1.total_paise) == (2, 24960, 648960)
    assert (h2.months_late, h2.penalty_paise, h2.total_paise) == (0, 0, 624000)
    assert (year.rebate_eligible, year.rebate_until, year.rebate_paise) == (False, None, 0)
    assert dues.total_paise == 648960 + 624000


def test_a_water_bill_paid_two_started_months_late_carries_the_rounded_up_fee() -> None:
    bills = domain.water_bills("WC-1000001", RAMESH_WATER, date(2026, 9, 2))
    [bill] = bills.bills
    assert (bill.period_from, bill.period_to, bill.issued_on, bill.due_on) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
        date(2026, 7, 1),
        date(2026, 7, 31),
    )
    assert (bill.months_late, bill.late_fee_paise, bill.total_paise, bill.status) == (2, 2528, 86778, "unpaid")
    assert bills.total_paise == 86778


def test_the_seed_records_are_the_ones_the_examples_name() -> None:
    properties = {p["property_id"]: p for p in json.loads((ROOT / "data/properties.json").read_text("utf-8"))}
    connections = {c["consumer_no"]: c for c in json.loads((ROOT / "data/water_connections.json").read_text("utf-8"))}
    ramesh = [DemandLine(**line) for line in properties["PMC-W07-000001"]["demands"]]
    assert domain.property_dues("PMC-W07-000001", ramesh, date(2026, 5, 10)).total_paise == 1208000
    assert domain.property_dues("PMC-W07-000001", ramesh, date(2026, 8, 5)).years[0].lines[0].total_paise == 648960
    water = [WaterBill(**bill) for bill in connections["WC-1000001"]["bills"]]
    assert domain.water_bills("WC-1000001", water, date(2026, 9, 2)).total_paise == 86778
    sunita = [DemandLine(**line) for line in properties["PMC-W03-000042"]["demands"]]
    dues = domain.property_dues("PMC-W03-000042", sunita, date(2026, 11, 30))
    assert dues.total_paise == 0
    assert {line.status for year in dues.years for line in year.lines} == {"paid"}
    assert [y.financial_year for y in dues.years] == ["2024-25", "2025-26", "2026-27"]


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_on", "today", "late"),
    [
        (date(2026, 6, 30), date(2026, 6, 30), 0),  # the due date itself is on time
        (date(2026, 6, 30), date(2026, 7, 1), 1),  # the day after starts a month
        (date(2026, 6, 30), date(2026, 7, 31), 1),
        (date(2026, 6, 30), date(2026, 8, 1), 2),
        (date(2026, 12, 31), date(2027, 1, 1), 1),  # across a year end
        (date(2026, 12, 31), date(2028, 3, 15), 15),
        (date(2028, 2, 29), date(2028, 3, 1), 1),  # a leap February's end
        (date(2027, 2, 28), date(2027, 3, 1), 1),
    ],
)
def test_months_late_counts_every_started_calendar_month_after_the_due_month(
    due_on: date, today: date, late: int
) -> None:
    assert domain.months_late(due_on, today) == late


@pytest.mark.parametrize(
    ("quarter", "period", "issued_on", "due_on"),
    [
        ("Q1", (date(2027, 4, 1), date(2027, 6, 30)), date(2027, 7, 1), date(2027, 7, 31)),
        ("Q2", (date(2027, 7, 1), date(2027, 9, 30)), date(2027, 10, 1), date(2027, 10, 31)),
        ("Q3", (date(2027, 10, 1), date(2027, 12, 31)), date(2028, 1, 1), date(2028, 1, 31)),
        ("Q4", (date(2028, 1, 1), date(2028, 3, 31)), date(2028, 4, 1), date(2028, 4, 30)),
    ],
)
def test_water_quarters_are_issued_the_next_day_and_due_at_the_end_of_that_month(
    quarter: domain.Quarter, period: tuple[date, date], issued_on: date, due_on: date
) -> None:
    got = domain.bill_period("2027-28", quarter)
    assert ((got.period_from, got.period_to), got.issued_on, got.due_on) == (period, issued_on, due_on)


def test_financial_years_run_from_1_april_to_31_march_ist() -> None:
    assert financial_year(date(2026, 4, 1)) == "2026-27"
    assert financial_year(date(2026, 3, 31)) == "2025-26"
    assert financial_year(date(2099, 12, 31)) == "2099-00"
    assert (financial_year_start("2026-27"), financial_year_end("2026-27")) == (date(2026, 4, 1), date(2027, 3, 31))
    # 31 March 19:00 UTC is already 1 April in Pune
    assert financial_year(ist_date(datetime(2027, 3, 31, 19, 0, tzinfo=UTC))) == "2027-28"
    for bad in ("2026-28", "26-27", "2026/27", "2026-2027"):
        with pytest.raises(ValueError, match="financial year"):
            financial_year_start(bad)


def test_the_rebate_lasts_through_31_may_and_not_a_day_longer() -> None:
    assert domain.property_dues("P", RAMESH, date(2026, 5, 31)).years[0].rebate_paise == 40000
    assert domain.property_dues("P", RAMESH, date(2026, 6, 1)).years[0].rebate_paise == 0


def test_a_year_with_any_principal_paid_or_a_line_in_an_open_payment_earns_no_rebate() -> None:
    partly = [DemandLine("2026-27-H1", 624000, 400000, paid_principal_paise=1), RAMESH[1]]
    assert not domain.property_dues("P", partly, date(2026, 4, 2)).years[0].rebate_eligible
    dues = domain.property_dues("P", RAMESH, date(2026, 4, 2), in_payment={"2026-27-H2"})
    assert not dues.years[0].rebate_eligible
    assert [v.status for v in dues.years[0].lines] == ["unpaid", "in_payment"]


def test_a_year_not_begun_and_a_bill_not_issued_are_not_shown() -> None:
    lines = [*RAMESH, DemandLine("2027-28-H1", 100, 0)]
    assert [y.financial_year for y in domain.property_dues("P", lines, date(2027, 3, 31)).years] == ["2026-27"]
    assert domain.water_bills("WC-1000001", RAMESH_WATER, date(2026, 6, 30)).bills == ()
    assert len(domain.water_bills("WC-1000001", RAMESH_WATER, date(2026, 7, 1)).bills) == 1


def test_a_late_fee_is_at_least_rs_10_and_none_when_paid_or_on_time() -> None:
    assert domain.late_fee_paise(100, 1) == 1000
    assert domain.late_fee_paise(0, 5) == 0
    assert domain.late_fee_paise(84250, 0) == 0


def test_a_partly_paid_line_keeps_its_unpaid_amount_and_is_charged_on_it() -> None:
    line = DemandLine("2025-26-H1", 500000, 300000, paid_principal_paise=200000)
    view = domain.dues_line(line, date(2025, 7, 1))
    assert (view.unpaid_principal_paise, view.penalty_paise, view.total_paise, view.status) == (
        300000,
        6000,
        306000,
        "partly_paid",
    )


def test_records_refuse_impossible_amounts() -> None:
    for bad in (
        lambda: DemandLine("2026-27-H1", 100, 200),
        lambda: DemandLine("2026-27-H1", 100, 0, paid_principal_paise=101),
        lambda: DemandLine("2026-27-H1", -1, 0),
        lambda: DemandLine("2026-27-H3", 100, 0),
        lambda: DemandLine("2026-28-H1", 100, 0),
        lambda: WaterBill("2026-27-Q1", 100, paid_paise=101),
        lambda: WaterBill("2026-27-Q5", 100),
        lambda: WaterBill("2026-27-Q1", 100, consumption_kl=-1),
        lambda: WaterBill("2026-27-Q1", 10.5),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - each record names its own fault
            bad()


# --- pricing a payment (4.5) ------------------------------------------------------------------------


def test_paying_the_whole_year_before_31_may_gets_the_rebate_and_one_line_does_not() -> None:
    whole = domain.quote_property(RAMESH, None, date(2026, 5, 10))
    assert whole.amount_paise == 1208000
    assert whole.rebates == (domain.Rebate("2026-27", 40000),)
    one = domain.quote_property(RAMESH, ["2026-27-H1"], date(2026, 5, 10))
    assert (one.amount_paise, one.rebates) == (624000, ())
    assert one.lines == (domain.PaymentLine("2026-27-H1", "2026-27", 624000, 0, 0, 624000),)


def test_a_payment_is_refused_in_the_order_of_4_5() -> None:
    paid = domain.settle_property(RAMESH, {"2026-27-H1"})
    with pytest.raises(Invalid) as invalid:
        domain.quote_property(RAMESH, ["2026-27-H1", "2025-26-H1"], date(2026, 5, 10))
    assert invalid.value.errors[0].field == "body.items.1"
    with pytest.raises(Conflict) as conflict:
        domain.quote_property(paid, ["2026-27-H1"], date(2026, 5, 10))
    assert conflict.value.code == "already_paid"
    with pytest.raises(Conflict) as conflict:
        domain.quote_property(RAMESH, None, date(2026, 5, 10), in_payment={"2026-27-H2"})
    assert conflict.value.code == "payment_in_progress"
    with pytest.raises(Conflict) as conflict:
        domain.quote_property(domain.settle_property(RAMESH, {"2026-27-H1", "2026-27-H2"}), None, date(2026, 5, 10))
    assert conflict.value.code == "nothing_due"
    with pytest.raises(Invalid):
        domain.quote_water([WaterBill("2026-27-Q1", 99)], None, date(2026, 7, 2))


# --- properties ------------------------------------------------------------------------------------

TODAY = st.dates(min_value=date(2024, 4, 1), max_value=date(2031, 3, 31))
YEARS = ("2024-25", "2025-26", "2026-27", "2027-28")


@st.composite
def demand_lines(draw: st.DrawFn) -> list[DemandLine]:
    lines = []
    for fy in draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=4, unique=True)):
        for installment in ("H1", "H2"):
            principal = draw(st.integers(min_value=100, max_value=10**9))
            general_tax = draw(st.integers(min_value=0, max_value=principal))
            paid = draw(st.one_of(st.just(0), st.just(principal), st.integers(min_value=0, max_value=principal)))
            lines.append(DemandLine(f"{fy}-{installment}", principal, general_tax, paid))
    return lines


@st.composite
def bills(draw: st.DrawFn) -> list[WaterBill]:
    found = []
    for fy in draw(st.lists(st.sampled_from(YEARS), min_size=1, max_size=4, unique=True)):
        for quarter in draw(st.lists(st.sampled_from(("Q1", "Q2", "Q3", "Q4")), min_size=1, max_size=4, unique=True)):
            amount = draw(st.integers(min_value=100, max_value=10**8))
            paid = draw(st.one_of(st.just(0), st.just(amount), st.integers(min_value=0, max_value=amount)))
            found.append(WaterBill(f"{fy}-{quarter}", amount, draw(st.none() | st.integers(0, 10**4)), paid))
    return found


def _whole_paise(*amounts: object) -> bool:
    return all(type(a) is int and a >= 0 for a in amounts)


@given(demand_lines(), TODAY)
def test_property_dues_are_whole_paise_and_never_negative(lines: list[DemandLine], today: date) -> None:
    dues = domain.property_dues("P", lines, today)
    assert _whole_paise(dues.total_paise)
    for year in dues.years:
        assert _whole_paise(year.rebate_paise, year.total_paise)
        assert year.total_paise == sum(v.total_paise for v in year.lines) - year.rebate_paise
        for v in year.lines:
            assert _whole_paise(v.unpaid_principal_paise, v.penalty_paise, v.total_paise, v.months_late)
            assert (v.status == "paid") == (v.total_paise == 0)


@given(bills(), TODAY)
def test_water_dues_are_whole_paise_and_never_negative(found: list[WaterBill], today: date) -> None:
    view = domain.water_bills("WC-1000001", found, today)
    assert _whole_paise(view.total_paise)
    for bill in view.bills:
        assert _whole_paise(bill.unpaid_paise, bill.late_fee_paise, bill.total_paise)
        assert bill.late_fee_paise == 0 or bill.late_fee_paise >= 1000


@given(demand_lines(), TODAY, st.data())
def test_paying_a_shown_line_or_year_total_leaves_nothing_due_there(
    lines: list[DemandLine], today: date, data: st.DataObject
) -> None:
    dues = domain.property_dues("P", lines, today)
    due_years = [y for y in dues.years if y.total_paise >= domain.MIN_PAYMENT_PAISE]
    if not due_years:
        return
    year = data.draw(st.sampled_from(due_years))
    unpaid = [v for v in year.lines if v.total_paise > 0]
    chosen = data.draw(st.sampled_from([[v.id for v in unpaid], [unpaid[0].id]]))
    # every unpaid line of the year: the year's total (paid lines show 0; the rebate only when all unpaid)
    shown = year.total_paise if len(chosen) == len(unpaid) else unpaid[0].total_paise
    if shown < domain.MIN_PAYMENT_PAISE:
        return
    quote = domain.quote_property(lines, chosen, today)
    assert quote.amount_paise == shown
    after = domain.property_dues("P", domain.settle_property(lines, set(chosen)), today)
    [year_after] = [y for y in after.years if y.financial_year == year.financial_year]
    assert all(v.total_paise == 0 for v in year_after.lines if v.id in chosen)
    if len(chosen) == len(unpaid):
        assert year_after.total_paise == 0


@given(demand_lines(), TODAY)
def test_paying_everything_shown_costs_the_dues_total_and_leaves_zero(lines: list[DemandLine], today: date) -> None:
    dues = domain.property_dues("P", lines, today)
    if dues.total_paise < domain.MIN_PAYMENT_PAISE:
        return
    quote = domain.quote_property(lines, None, today)
    assert quote.amount_paise == dues.total_paise
    paid = {line.id for line in quote.lines}
    assert domain.property_dues("P", domain.settle_property(lines, paid), today).total_paise == 0


@given(bills(), TODAY, st.data())
def test_paying_a_shown_bill_or_all_bills_leaves_zero(found: list[WaterBill], today: date, data: st.DataObject) -> None:
    view = domain.water_bills("WC-1000001", found, today)
    due = [b for b in view.bills if b.total_paise > 0]
    if not due:
        return
    bill = data.draw(st.sampled_from(due))
    if bill.total_paise >= domain.MIN_PAYMENT_PAISE:
        assert domain.quote_water(found, [bill.id], today).amount_paise == bill.total_paise
        after = domain.water_bills("WC-1000001", domain.settle_water(found, {bill.id}), today)
        assert {b.id: b.total_paise for b in after.bills}[bill.id] == 0
    if view.total_paise < domain.MIN_PAYMENT_PAISE:
        return
    quote = domain.quote_water(found, None, today)
    assert quote.amount_paise == view.total_paise
    settled = domain.settle_water(found, {line.id for line in quote.lines})
    assert domain.water_bills("WC-1000001", settled, today).total_paise == 0
