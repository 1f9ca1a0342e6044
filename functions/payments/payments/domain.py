"""Property tax and water bill rules (API.md 4.2, 4.4, 4.5, 4.6): dues in integer paise for an injected IST
"today", what a payment of some lines costs, and the payment status table. Pure: no I/O, no clock."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal, cast

from pmc_common import lifecycle
from pmc_common.clock import financial_year_start, iso, parse_iso
from pmc_common.errors import Conflict, Invalid
from pmc_common.money import rhu

Installment = Literal["H1", "H2"]
Quarter = Literal["Q1", "Q2", "Q3", "Q4"]
LineStatus = Literal["unpaid", "partly_paid", "paid", "in_payment"]
Kind = Literal["property_tax", "water_bill"]

PROPERTY_LINE = re.compile(r"^(\d{4}-\d{2})-(H[12])$")
WATER_LINE = re.compile(r"^(\d{4}-\d{2})-(Q[1-4])$")
PENALTY_PERCENT_PER_MONTH = 2
REBATE_PERCENT = 5
LATE_FEE_PER_MILLE_PER_MONTH = 15  # 1.5 %
MIN_LATE_FEE_PAISE = 1000  # Rs 10
MIN_PAYMENT_PAISE = 100
ORDER_TTL = timedelta(minutes=30)


# --- dates ---------------------------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def months_late(due_on: date, today: date) -> int:
    """0 on or before the due date, else every calendar month begun after the due month (due dates are
    month ends, so this counts started months late)."""
    if today <= due_on:
        return 0
    return (today.year - due_on.year) * 12 + today.month - due_on.month


def installment_due_on(financial_year: str, installment: Installment) -> date:
    """H1 (April–September) is due 30 June, H2 (October–March) 31 December, of the FY's first year."""
    first = financial_year_start(financial_year).year
    return date(first, 6, 30) if installment == "H1" else date(first, 12, 31)


def rebate_until(financial_year: str) -> date:
    """The last day a FY's rebate can be earned: 31 May of its first year."""
    return date(financial_year_start(financial_year).year, 5, 31)


@dataclass(frozen=True)
class BillPeriod:
    period_from: date
    period_to: date
    issued_on: date  # the day after the quarter ends
    due_on: date  # the last day of the month after the quarter


def bill_period(financial_year: str, quarter: Quarter) -> BillPeriod:
    """Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar: issued the next day, due at the end of that month."""
    start = financial_year_start(financial_year)
    first_month = start.month + 3 * (int(quarter[1]) - 1)  # 4, 7, 10, 13
    year, month = start.year + (first_month - 1) // 12, (first_month - 1) % 12 + 1
    period_to = month_end(year + (month + 1) // 12, (month + 1) % 12 + 1)
    issued_on = period_to + timedelta(days=1)
    return BillPeriod(date(year, month, 1), period_to, issued_on, month_end(issued_on.year, issued_on.month))


# --- records as stored ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandLine:
    """One property-tax installment on record: `2026-27-H1`."""

    id: str
    principal_paise: int
    general_tax_paise: int  # the part of the principal the early-payment rebate is computed on
    paid_principal_paise: int = 0

    def __post_init__(self) -> None:
        if PROPERTY_LINE.match(self.id) is None:
            raise ValueError(f"not a property-tax line id: {self.id!r}")
        financial_year_start(self.financial_year)
        _check_amounts(self.id, self.principal_paise, self.general_tax_paise, self.paid_principal_paise)
        if self.general_tax_paise > self.principal_paise or self.paid_principal_paise > self.principal_paise:
            raise ValueError(f"{self.id}: general tax and paid principal cannot exceed the principal")

    @property
    def financial_year(self) -> str:
        return self.id[:7]

    @property
    def installment(self) -> Installment:
        return "H1" if self.id.endswith("H1") else "H2"

    @property
    def due_on(self) -> date:
        return installment_due_on(self.financial_year, self.installment)

    @property
    def unpaid_principal_paise(self) -> int:
        return self.principal_paise - self.paid_principal_paise


@dataclass(frozen=True)
class WaterBill:
    """One quarterly water bill on record: `2026-27-Q1`; `consumption_kl` None when unmetered."""

    id: str
    amount_paise: int
    consumption_kl: int | None = None
    paid_paise: int = 0

    def __post_init__(self) -> None:
        if WATER_LINE.match(self.id) is None:
            raise ValueError(f"not a water bill id: {self.id!r}")
        financial_year_start(self.financial_year)
        _check_amounts(self.id, self.amount_paise, self.paid_paise)
        if self.paid_paise > self.amount_paise:
            raise ValueError(f"{self.id}: paid cannot exceed the amount")
        if self.consumption_kl is not None and (type(self.consumption_kl) is not int or self.consumption_kl < 0):
            raise ValueError(f"{self.id}: consumption must be whole kilolitres >= 0")

    @property
    def financial_year(self) -> str:
        return self.id[:7]

    @property
    def quarter(self) -> Quarter:
        return cast(Quarter, self.id[-2:])

    @property
    def period(self) -> BillPeriod:
        return bill_period(self.financial_year, self.quarter)

    @property
    def unpaid_paise(self) -> int:
        return self.amount_paise - self.paid_paise


def _check_amounts(where: str, *amounts: int) -> None:
    if any(type(a) is not int or a < 0 for a in amounts):
        raise ValueError(f"{where}: amounts are whole paise >= 0")


# --- owners' names (4.3) --------------------------------------------------------------------------

PROPERTY_ID = re.compile(r"^PMC-W(0[1-9]|1[0-5])-[0-9]{6}$")
CONSUMER_NO = re.compile(r"^WC-[0-9]{7}$")


def masked_name(name: str) -> str:
    """The quick view's owner: each whitespace-separated word as its first character and one `*` per
    further character, joined by single spaces (`Ramesh  Kulkarni` → `R***** K*******`)."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def name_key(name: str) -> str:
    """What two owner names are compared on: NFKC, case folded, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_owner(given: str, on_record: str) -> bool:
    return name_key(given) == name_key(on_record)


# --- the rules of 4.2 ----------------------------------------------------------------------------


def penalty_paise(unpaid_principal_paise: int, late: int) -> int:
    """2 % of the unpaid principal per started month late."""
    return rhu(unpaid_principal_paise * PENALTY_PERCENT_PER_MONTH * late, 100)


def late_fee_paise(unpaid_paise: int, late: int) -> int:
    """1.5 % of the unpaid amount per started month late, at least Rs 10; none when on time or paid."""
    if late == 0 or unpaid_paise == 0:
        return 0
    return max(MIN_LATE_FEE_PAISE, rhu(unpaid_paise * LATE_FEE_PER_MILLE_PER_MONTH * late, 1000))


def line_rebate_paise(line: DemandLine) -> int:
    return rhu(line.general_tax_paise * REBATE_PERCENT, 100)


def rebate_eligible(lines: Sequence[DemandLine], today: date, in_payment: Collection[str] = ()) -> bool:
    """A FY (all its lines) earns the rebate while today ≤ 31 May of its first year, none of its principal
    is paid and none of its lines is in an open payment."""
    return (
        bool(lines)
        and today <= rebate_until(lines[0].financial_year)
        and all(line.paid_principal_paise == 0 and line.id not in in_payment for line in lines)
    )


def _status(unpaid: int, paid: int, in_payment: bool) -> LineStatus:
    if unpaid == 0:
        return "paid"
    if in_payment:
        return "in_payment"
    return "partly_paid" if paid > 0 else "unpaid"


# --- the shapes of 4.4 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DuesLineView:
    id: str
    installment: Installment
    due_on: date
    principal_paise: int
    general_tax_paise: int
    paid_principal_paise: int
    unpaid_principal_paise: int
    months_late: int
    penalty_paise: int
    total_paise: int
    status: LineStatus


@dataclass(frozen=True)
class DuesYear:
    financial_year: str
    rebate_eligible: bool
    rebate_until: date | None
    rebate_paise: int
    total_paise: int
    lines: tuple[DuesLineView, ...]


@dataclass(frozen=True)
class PropertyDues:
    property_id: str
    as_of: date
    total_paise: int
    years: tuple[DuesYear, ...]


@dataclass(frozen=True)
class BillView:
    id: str
    financial_year: str
    period_from: date
    period_to: date
    issued_on: date
    due_on: date
    consumption_kl: int | None
    amount_paise: int
    paid_paise: int
    unpaid_paise: int
    months_late: int
    late_fee_paise: int
    total_paise: int
    status: LineStatus


@dataclass(frozen=True)
class WaterBills:
    consumer_no: str
    as_of: date
    total_paise: int
    bills: tuple[BillView, ...]


def dues_line(line: DemandLine, today: date, in_payment: Collection[str] = ()) -> DuesLineView:
    """A line's total is its unpaid principal plus the penalty for every started month late."""
    late = months_late(line.due_on, today)
    unpaid = line.unpaid_principal_paise
    penalty = penalty_paise(unpaid, late)
    return DuesLineView(
        id=line.id,
        installment=line.installment,
        due_on=line.due_on,
        principal_paise=line.principal_paise,
        general_tax_paise=line.general_tax_paise,
        paid_principal_paise=line.paid_principal_paise,
        unpaid_principal_paise=unpaid,
        months_late=late,
        penalty_paise=penalty,
        total_paise=unpaid + penalty,
        status=_status(unpaid, line.paid_principal_paise, line.id in in_payment),
    )


def by_year(lines: Iterable[DemandLine]) -> dict[str, list[DemandLine]]:
    """Lines grouped by FY, years and installments oldest first."""
    years: dict[str, list[DemandLine]] = {}
    for line in sorted(lines, key=lambda line: line.id):
        years.setdefault(line.financial_year, []).append(line)
    return years


def dues_year(lines: Sequence[DemandLine], today: date, in_payment: Collection[str] = ()) -> DuesYear:
    """FY total = Σ line totals − the rebate, when the year is eligible for it."""
    views = tuple(dues_line(line, today, in_payment) for line in lines)
    eligible = rebate_eligible(lines, today, in_payment)
    rebate = sum(line_rebate_paise(line) for line in lines) if eligible else 0
    return DuesYear(
        financial_year=lines[0].financial_year,
        rebate_eligible=eligible,
        rebate_until=rebate_until(lines[0].financial_year) if eligible else None,
        rebate_paise=rebate,
        total_paise=sum(v.total_paise for v in views) - rebate,
        lines=views,
    )


def property_dues(
    property_id: str, lines: Iterable[DemandLine], today: date, in_payment: Collection[str] = ()
) -> PropertyDues:
    """Every demand on record, oldest first: a FY's demand is raised on 1 April, so a later year's lines
    (seed data written ahead) are not shown before it starts. Total = the cost of paying everything today."""
    years = tuple(
        dues_year(year_lines, today, in_payment)
        for fy, year_lines in by_year(lines).items()
        if financial_year_start(fy) <= today
    )
    return PropertyDues(property_id, today, sum(y.total_paise for y in years), years)


def bill_view(bill: WaterBill, today: date, in_payment: Collection[str] = ()) -> BillView:
    """A bill's total is its unpaid amount plus the late fee."""
    period = bill.period
    late = months_late(period.due_on, today)
    unpaid = bill.unpaid_paise
    fee = late_fee_paise(unpaid, late)
    return BillView(
        id=bill.id,
        financial_year=bill.financial_year,
        period_from=period.period_from,
        period_to=period.period_to,
        issued_on=period.issued_on,
        due_on=period.due_on,
        consumption_kl=bill.consumption_kl,
        amount_paise=bill.amount_paise,
        paid_paise=bill.paid_paise,
        unpaid_paise=unpaid,
        months_late=late,
        late_fee_paise=fee,
        total_paise=unpaid + fee,
        status=_status(unpaid, bill.paid_paise, bill.id in in_payment),
    )


def water_bills(
    consumer_no: str, bills: Iterable[WaterBill], today: date, in_payment: Collection[str] = ()
) -> WaterBills:
    """Every bill issued by today, oldest first (a bill exists from its issue date)."""
    views = tuple(
        bill_view(bill, today, in_payment)
        for bill in sorted(bills, key=lambda b: b.id)
        if bill.period.issued_on <= today
    )
    return WaterBills(consumer_no, today, sum(v.total_paise for v in views), views)


# --- pricing a payment (4.5): the server computes the amount -------------------------------------


@dataclass(frozen=True)
class PaymentLine:
    id: str
    financial_year: str
    principal_paise: int  # the unpaid principal or unpaid bill amount being paid
    penalty_paise: int
    late_fee_paise: int
    amount_paise: int


@dataclass(frozen=True)
class Rebate:
    financial_year: str
    rebate_paise: int


@dataclass(frozen=True)
class Quote:
    """What a payment of some lines costs today; fixed at creation even if captured after midnight."""

    lines: tuple[PaymentLine, ...]
    rebates: tuple[Rebate, ...]

    @property
    def amount_paise(self) -> int:
        return sum(line.amount_paise for line in self.lines) - sum(r.rebate_paise for r in self.rebates)


def _chosen[L: (DemandLine, WaterBill)](
    records: Sequence[L], items: Sequence[str] | None, due: dict[str, int], in_payment: Collection[str]
) -> list[L]:
    """The lines asked for (None: every unpaid one), refused in API.md 4.5's order."""
    by_id = {r.id: r for r in records}
    if items is None:
        chosen = [r for r in records if due[r.id] > 0]
        if not chosen:
            raise Conflict("Nothing is due", code="nothing_due")
    else:
        for n, item in enumerate(items):
            if item not in by_id:
                raise Invalid.of(f"body.items.{n}", "is not a line of this reference")
        chosen = [by_id[item] for item in items]
        if any(due[r.id] == 0 for r in chosen):
            raise Conflict("A line asked for is paid already", code="already_paid")
    if any(r.id in in_payment for r in chosen):
        raise Conflict("A line asked for is in another open payment", code="payment_in_progress")
    return sorted(chosen, key=lambda r: r.id)


def _at_least_minimum(quote: Quote) -> Quote:
    if quote.amount_paise < MIN_PAYMENT_PAISE:
        raise Invalid.of("body.items", f"a payment must be at least {MIN_PAYMENT_PAISE} paise")
    return quote


def quote_property(
    lines: Sequence[DemandLine], items: Sequence[str] | None, today: date, in_payment: Collection[str] = ()
) -> Quote:
    """Whole lines at today's totals; a FY's rebate only when it is eligible and every line of it is paid."""
    current = [line for line in lines if financial_year_start(line.financial_year) <= today]
    due = {line.id: line.unpaid_principal_paise for line in current}
    chosen = _chosen(current, items, due, in_payment)
    paying = {line.id for line in chosen}
    views = [dues_line(line, today) for line in chosen]
    rebates = tuple(
        Rebate(fy, sum(line_rebate_paise(line) for line in year))
        for fy, year in by_year(current).items()
        if rebate_eligible(year, today, in_payment) and all(line.id in paying for line in year)
    )
    return _at_least_minimum(
        Quote(
            tuple(
                PaymentLine(v.id, v.id[:7], v.unpaid_principal_paise, v.penalty_paise, 0, v.total_paise) for v in views
            ),
            rebates,
        )
    )


def quote_water(
    bills: Sequence[WaterBill], items: Sequence[str] | None, today: date, in_payment: Collection[str] = ()
) -> Quote:
    issued = [bill for bill in bills if bill.period.issued_on <= today]
    chosen = _chosen(issued, items, {bill.id: bill.unpaid_paise for bill in issued}, in_payment)
    views = [bill_view(bill, today) for bill in chosen]
    return _at_least_minimum(
        Quote(
            tuple(
                PaymentLine(v.id, v.financial_year, v.unpaid_paise, 0, v.late_fee_paise, v.total_paise) for v in views
            ),
            (),
        )
    )


def settle_property(lines: Iterable[DemandLine], paid: Collection[str]) -> list[DemandLine]:
    """The lines after a capture allocated to `paid`: payments pay whole lines."""
    return [replace(line, paid_principal_paise=line.principal_paise) if line.id in paid else line for line in lines]


def settle_water(bills: Iterable[WaterBill], paid: Collection[str]) -> list[WaterBill]:
    return [replace(bill, paid_paise=bill.amount_paise) if bill.id in paid else bill for bill in bills]


# --- the payment status table (API.md 4.6) ---------------------------------------------------------

PaymentStatus = Literal["created", "pending", "captured", "failed", "expired", "flagged", "refund_due"]
STATUSES: tuple[PaymentStatus, ...] = ("created", "pending", "captured", "failed", "expired", "flagged", "refund_due")
FINAL: tuple[PaymentStatus, ...] = ("captured", "flagged", "refund_due")
OPEN: tuple[PaymentStatus, ...] = ("created", "pending")


# stale_payments asks the gateway about a captured order again (a second capture whose messages were lost) first
# this long after the capture, as it first asks about an open payment 15 minutes after its creation.
FIRST_CAPTURE_CHECK = timedelta(minutes=15)


def next_capture_check(captured_at: datetime, now: datetime, window: timedelta) -> datetime | None:
    """When to ask about a captured order again after asking at `now`: the interval doubles with the capture's
    age (at least 15 minutes), the last check 15 minutes before the window ends; None: that was the last."""
    last = captured_at + window - FIRST_CAPTURE_CHECK
    if now >= last:
        return None
    return min(now + max(FIRST_CAPTURE_CHECK, now - captured_at), last)


@dataclass(frozen=True)
class Payment:
    """A payment as 4.5 shows it (timestamps as API strings), and whose it is."""

    id: str
    owner_sub: str
    kind: Kind
    reference: str
    ward: str
    amount_paise: int
    lines: tuple[PaymentLine, ...]
    rebates: tuple[Rebate, ...]
    gateway: str
    gateway_order_id: str
    gateway_key_id: str
    checkout_url: str | None
    created_at: str
    expires_at: str
    status: PaymentStatus = "created"
    status_reason: str | None = None
    currency: str = "INR"
    gateway_payment_id: str | None = None
    captured_amount_paise: int | None = None
    receipt_no: str | None = None
    captured_at: str | None = None

    def is_open(self, now: datetime) -> bool:
        """Open = created/pending before `expires_at`: its lines show `in_payment` and no other payment may
        take them; past `expires_at` they are free again, even before stale_payments records `expired`."""
        return self.status in OPEN and now < parse_iso(self.expires_at)


By = Literal["reconciler"]
RECONCILER: frozenset[str] = frozenset({"reconciler"})
Rule = lifecycle.Rule[Payment]
Effect = lifecycle.Effect[Payment]
Guard = lifecycle.Guard[Payment]
CaptureOutcome = Literal["captured", "flagged", "refund_due"]


def capture_outcome(payment: Payment, amount_paise: int, currency: str, lines_paid_elsewhere: bool) -> CaptureOutcome:
    """A capture: amount or currency differs → flagged; else a line already paid → refund_due; else captured."""
    if amount_paise != payment.amount_paise or currency != payment.currency:
        return "flagged"
    return "refund_due" if lines_paid_elsewhere else "captured"


def _mismatch(p: Payment, given: lifecycle.Given) -> str | None:
    if given["currency"] != p.currency:
        return "currency_mismatch"
    return "amount_mismatch" if given["amount_paise"] != p.amount_paise else None


NOW = Effect("now", lambda p, given, now: iso(now))
GATEWAY_PAYMENT = Effect("the gateway's payment id", lambda p, given, now: given["gateway_payment_id"])
CAPTURED_AMOUNT = Effect("what the gateway captured", lambda p, given, now: given["amount_paise"])
RECEIPT = Effect("the FY's next receipt number", lambda p, given, now: given["receipt_no"])
MISMATCH = Effect("`amount_mismatch` or `currency_mismatch`", lambda p, given, now: _mismatch(p, given))
ALREADY_PAID = Effect("`already_paid`", lambda p, given, now: "already_paid")
LATEST_ATTEMPT = Effect("the failed attempt's id", lambda p, given, now: given["gateway_payment_id"])

MATCHES = Guard(
    "captured amount and currency = the payment's",
    "capture_mismatch",
    "The capture does not match the payment",
    lambda p, given, now: _mismatch(p, given) is None,
)
DIFFERS = Guard(
    "captured amount or currency ≠ the payment's",
    "capture_matches",
    "The capture matches the payment",
    lambda p, given, now: _mismatch(p, given) is not None,
)
LINES_FREE = Guard(
    "no line paid by another payment",
    "already_paid",
    "A line was paid by another payment",
    lambda p, given, now: not given["lines_paid_elsewhere"],
)
LINE_TAKEN = Guard(
    "a line paid by another payment",
    "lines_free",
    "No line was paid by another payment",
    lambda p, given, now: bool(given["lines_paid_elsewhere"]),
)
PAST_EXPIRY = Guard(
    "now ≥ expires_at",
    "not_expired",
    "The order has not expired yet",
    lambda p, given, now: now >= parse_iso(p.expires_at),
)
ANOTHER_ATTEMPT = Guard(
    "another gateway payment than the one recorded",
    "same_attempt",
    "This capture is the one recorded",
    lambda p, given, now: given["gateway_payment_id"] != p.gateway_payment_id,
)
CAPTURE = ("gateway_payment_id", "amount_paise", "currency", "lines_paid_elsewhere")
CAPTURABLE: tuple[PaymentStatus, ...] = ("created", "pending", "failed", "expired")  # a late capture still counts

# API.md 4.6 as data. Every move is the reconciler applying a message (a webhook, a confirm it checked
# with the gateway, or what stale_payments learnt); `via` names the gateway's news. A move not listed
# is refused, which the reconciler treats as a harmless repeat or a late event (a failure after a
# capture is ignored; nothing undoes a capture).
LIFECYCLE = lifecycle.Lifecycle[Payment](
    STATUSES,
    [
        Rule(
            "authorize",
            "created",
            "pending",
            RECONCILER,
            ("gateway_payment_id",),
            sets={"gateway_payment_id": GATEWAY_PAYMENT},
        ),
        Rule(
            "confirm",
            "created",
            "pending",
            RECONCILER,
            ("gateway_payment_id",),
            sets={"gateway_payment_id": GATEWAY_PAYMENT},
        ),
        *(
            Rule(
                "capture",
                status,
                "captured",
                RECONCILER,
                (*CAPTURE, "receipt_no"),
                guards=(MATCHES, LINES_FREE),
                sets={
                    "gateway_payment_id": GATEWAY_PAYMENT,
                    "captured_amount_paise": CAPTURED_AMOUNT,
                    "captured_at": NOW,
                    "receipt_no": RECEIPT,
                },
                clears=("status_reason",),
                records=("allocate", "receipt"),
            )
            for status in CAPTURABLE
        ),
        *(
            Rule(
                "capture",
                status,
                "flagged",
                RECONCILER,
                CAPTURE,
                guards=(DIFFERS,),
                sets={
                    "gateway_payment_id": GATEWAY_PAYMENT,
                    "captured_amount_paise": CAPTURED_AMOUNT,
                    "captured_at": NOW,
                    "status_reason": MISMATCH,
                },
            )
            for status in CAPTURABLE
        ),
        *(
            Rule(
                "capture",
                status,
                "refund_due",
                RECONCILER,
                CAPTURE,
                guards=(MATCHES, LINE_TAKEN),
                sets={
                    "gateway_payment_id": GATEWAY_PAYMENT,
                    "captured_amount_paise": CAPTURED_AMOUNT,
                    "captured_at": NOW,
                    "status_reason": ALREADY_PAID,
                },
            )
            for status in CAPTURABLE
        ),
        *(
            Rule(
                "fail",
                status,
                "failed",
                RECONCILER,
                ("gateway_payment_id",),
                sets={"gateway_payment_id": LATEST_ATTEMPT},
            )
            for status in OPEN
        ),
        *(Rule("expire", status, "expired", RECONCILER, guards=(PAST_EXPIRY,)) for status in OPEN),
        # A second capture (another gateway payment) on an order already captured, also with another amount or on
        # a line paid meanwhile: the payment stays as it is and the money is recorded on a new `refund_due`
        # record (`duplicate_capture`), so no rupee captured goes unrecorded.
        *(
            Rule(
                "capture",
                status,
                status,
                RECONCILER,
                ("gateway_payment_id", "amount_paise", "currency"),
                guards=(ANOTHER_ATTEMPT,),
                records=("duplicate_capture",),
            )
            for status in FINAL
        ),
    ],
    refusals={"capture": lifecycle.Refusal("illegal_transition", "A {from_status} payment takes no capture")},
    initial=("created", "citizen"),
    final=FINAL,
)


def allowed(from_status: str, to_status: str, by: str) -> bool:
    return LIFECYCLE.allowed(from_status, to_status, by)


def transition(
    current: Payment,
    via: str,
    *,
    given: lifecycle.Given,
    now: datetime,
    to: PaymentStatus | None = None,
    by: By = "reconciler",
) -> lifecycle.Move[Payment]:
    """The one gate for every status change of a payment: the row of LIFECYCLE for `via` from the current
    status. A capture names its outcome (`capture_outcome`); the row's guards check it agrees with what
    was given. Raises Conflict (409 `illegal_transition` or the guard's code) or Invalid (a message
    lacking a field); returns the move, never stores it."""
    if via == "capture" and to is None:
        if current.status in FINAL:
            to = current.status  # a second capture on a captured order: see duplicate_capture
        else:
            to = capture_outcome(current, given["amount_paise"], given["currency"], bool(given["lines_paid_elsewhere"]))
    return LIFECYCLE.apply(current, to, by=by, via=via, given=given, now=now)


def duplicate_capture(original: Payment, payment_id: str, given: lifecycle.Given, now: datetime) -> Payment:
    """The new record of a second capture on a captured order (4.6, the `capture` row that records
    `duplicate_capture`): the same owner, reference, ward, lines and gateway order as `original`, created now,
    `refund_due` with what the gateway captured; nothing allocated, no receipt. Staff refund it."""
    return replace(
        original,
        id=payment_id,
        created_at=iso(now),
        status="refund_due",
        status_reason="duplicate_capture",
        gateway_payment_id=given["gateway_payment_id"],
        captured_amount_paise=given["amount_paise"],
        captured_at=iso(now),
        receipt_no=None,
    )
