"""CFC clerks (issue 20) without AWS: the role and office read from claims, the local issuer's office claim and
`sub`, and the `created` entry of a filing that names its CFC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from local.tokens import InvalidTokenRequest, TokenAuthority, subject_of
from pmc_common.auth import caller_from_claims, cfc_clerk, staff
from pmc_common.errors import Forbidden

KASBA_CFC = "OFF-15GFXMY5"
AT = datetime(2026, 6, 10, 18, 29, tzinfo=UTC)  # 23:59 IST


def test_a_clerk_token_names_the_role_and_its_office() -> None:
    caller = caller_from_claims({"sub": "s", "cognito:groups": "[cfc_clerk]", "custom:office": KASBA_CFC})
    assert caller.is_cfc_clerk
    assert caller.office == KASBA_CFC
    assert not caller.is_staff
    assert cfc_clerk(caller) is caller


@pytest.mark.parametrize("office", [None, "", "W07", "OFF-15GFXMY", "off-15gfxmy5", "OFF-15GFXMYU"])
def test_a_clerk_without_a_valid_office_is_refused(office: str | None) -> None:
    claims = {"sub": "s", "cognito:groups": "[cfc_clerk]"} | ({"custom:office": office} if office is not None else {})
    caller = caller_from_claims(claims)
    assert caller.office is None
    with pytest.raises(Forbidden, match="no valid office"):
        cfc_clerk(caller)


@pytest.mark.parametrize("groups", ["[]", "[staff]", "[ward_officer]", "[admin]"])
def test_only_the_cfc_clerk_group_is_a_clerk(groups: str) -> None:
    caller = caller_from_claims(
        {"sub": "s", "cognito:groups": groups, "custom:ward": "W07", "custom:office": KASBA_CFC}
    )
    with pytest.raises(Forbidden, match="Citizen Facilitation Centre clerks"):
        cfc_clerk(caller)


def test_a_clerk_is_not_staff() -> None:
    caller = caller_from_claims({"sub": "s", "cognito:groups": "[cfc_clerk]", "custom:office": KASBA_CFC})
    with pytest.raises(Forbidden):
        staff(caller)


def test_the_local_issuer_puts_the_office_in_custom_office() -> None:
    authority = TokenAuthority("https://issuer.local")
    token = authority.issue({"phone_number": "+919800000501", "groups": ["cfc_clerk"], "office": KASBA_CFC})
    claims = jwt.decode(token["access_token"], options={"verify_signature": False})
    assert (claims["custom:office"], claims["cognito:groups"]) == (KASBA_CFC, ["cfc_clerk"])
    without = authority.issue({"phone_number": "+919800000501", "groups": ["cfc_clerk"]})
    assert "custom:office" not in jwt.decode(without["access_token"], options={"verify_signature": False})


@pytest.mark.parametrize("office", ["W07", 7, "OFF-15GFXMY", "OFF-15GFXMYI"])
def test_the_local_issuer_refuses_a_malformed_office(office: object) -> None:
    with pytest.raises(InvalidTokenRequest) as refused:
        TokenAuthority("https://issuer.local").issue({"phone_number": "+919800000501", "office": office})
    assert refused.value.field == "body.office"


def test_local_accounts_give_the_local_issuers_subject() -> None:
    """A walk-in citizen's grievance, filed on the local stack, belongs to the token the issuer gives that number."""
    from grievance.accounts import LocalAccounts

    for phone_number in ("+919800000001", "+917000012345"):
        assert LocalAccounts().sub_of(phone_number) == subject_of(phone_number)


def test_a_cfc_filing_records_its_office_as_the_clerk() -> None:
    from grievance import domain

    office = {"id": KASBA_CFC, "name": {"en": "Citizen Facilitation Centre, Kasba Peth (sample)", "mr": "x"}}
    kwargs: dict[str, Any] = {
        "grievance_id": "GRV-2606-7K3M9Q",
        "category": "garbage_not_collected",
        "department": "solid_waste_management",
        "sla_hours": 48,
        "ward": "W07",
        "description": "Garbage not collected for three days.",
        "lat": 18.5196,
        "lng": 73.8553,
        "owner_sub": "citizen",
        "owner_phone_number": "+919800000001",
        "now": AT,
    }
    created = domain.log(**kwargs, channel="cfc", office=office).grievance
    assert created.channel == "cfc"
    assert (created.timeline[0]["actor"], created.timeline[0]["office"]) == ("cfc_clerk", office)
    app = domain.log(**kwargs, channel="app").grievance
    assert app.timeline[0]["actor"] == "citizen"
    assert "office" not in app.timeline[0]  # stored entries of other channels are unchanged
    with pytest.raises(ValueError, match="names its office"):
        domain.log(**kwargs, channel="cfc")
    with pytest.raises(ValueError, match="names its office"):
        domain.log(**kwargs, channel="app", office=office)
