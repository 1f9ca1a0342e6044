"""The deployed path of a CFC filing's account (issue 20) against moto's Cognito: a user pool made as
template.yaml declares it (phone numbers as usernames, custom:ward and custom:office), the function's own
cognito-idp client, and POST /cfc/grievances owning the grievance by the pool's `sub`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from grievance import accounts
from grievance.accounts import CognitoAccounts
from local.aws import LocalAws
from local.template import LocalNames, Template
from pmc_common.clock import FixedClock
from tests.harness import Api, Caller

CLERK = Caller("+919800000701", ("cfc_clerk",), office="OFF-15GFXMY5")
BODY = {
    "category": "garbage_not_collected",
    "description": "Garbage not collected behind Kasba Ganpati for three days.",
    "lat": 18.5196,
    "lng": 73.8553,
}


def walk_in() -> str:
    return f"+9196{uuid.uuid4().int % 10**8:08d}"


@pytest.fixture(scope="module")
def pool(local_aws: LocalAws, template: Template) -> str:
    """A user pool with the template's username and custom attributes (moto takes a subset of its properties)."""
    declared = template.resources["UserPool"]["Properties"]
    made = local_aws.client("cognito-idp").create_user_pool(
        PoolName=f"cfc-{uuid.uuid4().hex[:8]}",
        UsernameAttributes=declared["UsernameAttributes"],
        AutoVerifiedAttributes=declared["AutoVerifiedAttributes"],
        Schema=declared["Schema"],
    )
    return str(made["UserPool"]["Id"])


def users(local_aws: LocalAws, pool: str, phone_number: str) -> list[dict[str, Any]]:
    found = local_aws.client("cognito-idp").list_users(UserPoolId=pool, Filter=f'phone_number = "{phone_number}"')
    return [{a["Name"]: a["Value"] for a in u["Attributes"]} | {"status": u["UserStatus"]} for u in found["Users"]]


def test_the_template_declares_the_office_attribute_and_the_clerk_group(template: Template) -> None:
    resources = template.resources
    [office] = [a for a in resources["UserPool"]["Properties"]["Schema"] if a["Name"] == "office"]
    assert office["StringAttributeConstraints"] == {"MinLength": "12", "MaxLength": "12"}  # OFF- + 8
    groups = {r["Properties"]["GroupName"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert "cfc_clerk" in groups
    names = LocalNames()
    role = resources["GrievanceApiFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in template.resolve(p["PolicyDocument"]["Statement"], names)]
    cognito = [s for s in statements if any(str(a).startswith("cognito-idp:") for a in s["Action"])]
    assert cognito == [
        {
            "Sid": "CfcCitizenAccounts",
            "Effect": "Allow",
            "Action": ["cognito-idp:ListUsers", "cognito-idp:AdminCreateUser"],
            "Resource": f"arn:aws:cognito-idp:{names.region}:{names.account_id}:userpool/{names.region}_localUserPool",
        }
    ]  # the two calls of grievance.accounts on the one pool, nothing else
    environment = template.function_environment(template.functions["GrievanceApiFunction"], names)
    assert environment["USER_POOL_ID"] == f"{names.region}_localUserPool"


def test_a_missing_account_is_made_without_a_password_and_found_the_next_time(local_aws: LocalAws, pool: str) -> None:
    phone_number = walk_in()
    assert users(local_aws, pool, phone_number) == []
    sub = CognitoAccounts(pool).sub_of(phone_number)
    [made] = users(local_aws, pool, phone_number)
    assert (made["sub"], made["phone_number"], made["phone_number_verified"]) == (sub, phone_number, "true")
    assert made["status"] == "FORCE_CHANGE_PASSWORD"  # no password of the citizen's: they sign in by SMS code
    assert CognitoAccounts(pool).sub_of(phone_number) == sub
    assert len(users(local_aws, pool, phone_number)) == 1


def test_an_existing_account_is_used_as_it_is(local_aws: LocalAws, pool: str) -> None:
    phone_number = walk_in()
    signed_up = local_aws.client("cognito-idp").admin_create_user(
        UserPoolId=pool,
        Username=phone_number,
        UserAttributes=[{"Name": "phone_number", "Value": phone_number}],
        MessageAction="SUPPRESS",
    )
    sub = next(a["Value"] for a in signed_up["User"]["Attributes"] if a["Name"] == "sub")
    assert CognitoAccounts(pool).sub_of(phone_number) == sub
    assert len(users(local_aws, pool, phone_number)) == 1


def test_a_clerk_files_for_the_pools_account_and_a_bad_body_makes_none(
    api: Api, local_aws: LocalAws, pool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from grievance import api as grievance_api
    from grievance import store

    monkeypatch.setattr(accounts, "citizens", lambda: CognitoAccounts(pool))
    phone_number = walk_in()
    outside = {**BODY, "lat": 19.0760, "lng": 72.8777, "citizen_phone_number": phone_number}  # Mumbai
    fixed = FixedClock(datetime(2026, 6, 11, 5, 0, tzinfo=UTC))
    grievance_api.app.dependency_overrides[grievance_api.system_clock] = lambda: fixed
    try:
        refused = api.request("POST", "/cfc/grievances", json_body=outside, caller=CLERK)
        assert refused.status == 422, refused.body
        assert users(local_aws, pool, phone_number) == []  # checked before any account is made

        reply = api.request(
            "POST", "/cfc/grievances", json_body={**BODY, "citizen_phone_number": phone_number}, caller=CLERK
        )
        assert reply.status == 201, reply.body
    finally:
        grievance_api.app.dependency_overrides.clear()
    [made] = users(local_aws, pool, phone_number)
    g = store.get(reply.json()["id"])
    assert g is not None
    assert (g.owner_sub, g.owner_phone_number, g.channel) == (made["sub"], phone_number, "cfc")


class FirstLookupMisses(CognitoAccounts):
    """Another counter creates the account between this one's lookup and its AdminCreateUser."""

    def __init__(self, pool: str) -> None:
        super().__init__(pool)
        self.lookups = 0

    def _find(self, phone_number: str) -> str | None:
        self.lookups += 1
        return None if self.lookups == 1 else super()._find(phone_number)


def test_an_account_made_meanwhile_is_found_after_username_exists(local_aws: LocalAws, pool: str) -> None:
    phone_number = walk_in()
    other_counter = CognitoAccounts(pool).sub_of(phone_number)
    racing = FirstLookupMisses(pool)
    assert racing.sub_of(phone_number) == other_counter
    assert racing.lookups == 2  # AdminCreateUser answered UsernameExistsException, and the account was read
    assert len(users(local_aws, pool, phone_number)) == 1
