"""The caller, read from the claims API Gateway's JWT authorizer already verified (API.md 1.4).

Handlers never parse tokens: the gateway did. These dependencies (pmc_common.app.Depends) enforce the role
of a route; Mangum puts the v2 event in the ASGI scope as `aws.event`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pmc_common.app import Depends, Request
from pmc_common.errors import Forbidden, Unauthorized
from pmc_common.ids import WARD, is_id

STAFF_GROUPS = frozenset({"staff", "ward_officer", "admin"})
# Clerks of the 42 Citizen Facilitation Centres (issue 20): no staff group, so no staff route; their token
# names their CFC in `custom:office`.
CFC_CLERK_GROUP = "cfc_clerk"


@dataclass(frozen=True)
class Caller:
    sub: str
    phone_number: str | None
    groups: frozenset[str]
    ward: str | None  # custom:ward, only meaningful for ward officers
    office: str | None = None  # custom:office (an `OFF-` id), only meaningful for CFC clerks

    @property
    def is_staff(self) -> bool:
        return bool(self.groups & STAFF_GROUPS)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.groups

    @property
    def is_ward_officer(self) -> bool:
        """Limited to one ward: ward_officer without staff or admin."""
        return "ward_officer" in self.groups and not self.groups & {"staff", "admin"}

    @property
    def is_cfc_clerk(self) -> bool:
        return CFC_CLERK_GROUP in self.groups

    def covers_ward(self, ward: str | None) -> bool:
        """Whether the caller's staff scope includes this ward (city-wide staff cover all)."""
        return self.is_staff and (not self.is_ward_officer or ward == self.ward)


def parse_groups(raw: Any) -> frozenset[str]:
    """`cognito:groups` as API Gateway passes it (`"[staff ward_officer]"`), a JSON list, or a list."""
    if raw is None or raw == "":
        return frozenset()
    if isinstance(raw, list):
        return frozenset(str(g) for g in raw)
    text = str(raw).strip()
    if text.startswith("[") and ('"' in text or "," in text):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return frozenset(str(g) for g in parsed)
        except ValueError:
            pass
    return frozenset(part for part in re.split(r"[\s,]+", text.strip("[]")) if part)


def claims_of(request: Request) -> dict[str, Any] | None:
    event = request.scope.get("aws.event") or {}
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    return claims if isinstance(claims, dict) else None


def caller_from_claims(claims: dict[str, Any]) -> Caller:
    ward = claims.get("custom:ward") or None
    office = claims.get("custom:office") or None
    return Caller(
        sub=str(claims["sub"]),
        phone_number=claims.get("phone_number") or None,
        groups=parse_groups(claims.get("cognito:groups")),
        ward=ward if isinstance(ward, str) and WARD.match(ward) else None,
        office=office if isinstance(office, str) and is_id("OFF", office) else None,
    )


def citizen(request: Request) -> Caller:
    """Any valid token. The gateway rejects missing tokens; this guards against a route left public."""
    claims = claims_of(request)
    if not claims or not claims.get("sub"):
        raise Unauthorized("A valid bearer token is required")
    return caller_from_claims(claims)


def staff(caller: Annotated[Caller, Depends(citizen)]) -> Caller:
    if not caller.is_staff:
        raise Forbidden("This route is for PMC staff")
    if caller.is_ward_officer and caller.ward is None:
        raise Forbidden("Ward officer account has no valid ward")
    return caller


def staff_city_wide(caller: Annotated[Caller, Depends(staff)]) -> Caller:
    if caller.is_ward_officer:
        raise Forbidden("This change is city-wide; ward officers may not make it")
    return caller


def admin(caller: Annotated[Caller, Depends(citizen)]) -> Caller:
    if not caller.is_admin:
        raise Forbidden("This route is for administrators")
    return caller


def cfc_clerk(caller: Annotated[Caller, Depends(citizen)]) -> Caller:
    """A CFC clerk whose token names an office; which offices are CFCs is the grievance service's to know."""
    if not caller.is_cfc_clerk:
        raise Forbidden("This route is for Citizen Facilitation Centre clerks")
    if caller.office is None:
        raise Forbidden("CFC clerk account names no valid office")
    return caller


CitizenCaller = Annotated[Caller, Depends(citizen)]
StaffCaller = Annotated[Caller, Depends(staff)]
CityWideStaffCaller = Annotated[Caller, Depends(staff_city_wide)]
AdminCaller = Annotated[Caller, Depends(admin)]
CfcClerkCaller = Annotated[Caller, Depends(cfc_clerk)]
