"""Request and response shapes of the payments routes (API.md 4.3, 4.4)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import StringConstraints

from pmc_common.models import Bilingual, Body, View, text

PropertyId = Annotated[str, StringConstraints(pattern=r"^PMC-W(0[1-9]|1[0-5])-[0-9]{6}$")]
ConsumerNo = Annotated[str, StringConstraints(pattern=r"^WC-[0-9]{7}$")]
ConnectionType = Literal["domestic", "non_domestic"]
LineStatus = Literal["unpaid", "partly_paid", "paid", "in_payment"]


class PropertyLinkBody(Body):
    property_id: PropertyId
    owner_name: text(2, 100)  # type: ignore[valid-type]


class WaterLinkBody(Body):
    consumer_no: ConsumerNo
    owner_name: text(2, 100)  # type: ignore[valid-type]


class PropertyQuickView(View):
    property_id: str
    ward: str
    owner_name_masked: str
    locality: Bilingual
    outstanding_paise: int
    as_of: date


class WaterQuickView(View):
    consumer_no: str
    ward: str
    owner_name_masked: str
    connection_type: ConnectionType
    outstanding_paise: int
    as_of: date


class PropertyLinkView(View):
    property_id: str
    ward: str
    owner_name: str
    locality: Bilingual
    outstanding_paise: int
    as_of: date
    linked_at: str


class WaterLinkView(View):
    consumer_no: str
    ward: str
    owner_name: str
    connection_type: ConnectionType
    outstanding_paise: int
    as_of: date
    linked_at: str


class DuesLineView(View):
    id: str
    installment: Literal["H1", "H2"]
    due_on: date
    principal_paise: int
    general_tax_paise: int
    paid_principal_paise: int
    unpaid_principal_paise: int
    months_late: int
    penalty_paise: int
    total_paise: int
    status: LineStatus


class DuesYearView(View):
    financial_year: str
    rebate_eligible: bool
    rebate_until: date | None
    rebate_paise: int
    total_paise: int
    lines: list[DuesLineView]


class PropertyDuesView(View):
    property_id: str
    as_of: date
    total_paise: int
    years: list[DuesYearView]


class BillItemView(View):
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


class WaterBillsView(View):
    consumer_no: str
    as_of: date
    total_paise: int
    bills: list[BillItemView]
