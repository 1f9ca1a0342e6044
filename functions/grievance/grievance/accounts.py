"""Citizens' accounts by phone number (issue 20): the `sub` that owns a grievance a CFC clerk files for a walk-in
citizen, found in the user pool or made there without a password. Never logs a phone number.

Deployed: Cognito (ListUsers by phone_number, else AdminCreateUser with the number verified and no invitation
sent). On the local stack: the local token issuer's subject for the number (local/tokens.py derives `sub` from
it), so the token the issuer gives that number later owns what the clerk filed."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from pmc_common import clients
from pmc_common.settings import CommonSettings, Settings, load

logger = Logger(service="grievance")

# local/tokens.py's namespace: `sub` = UUID v5 of the phone number (tests/unit/test_cfc_accounts.py pins the two)
LOCAL_SUB_NAMESPACE = uuid.UUID("8f0c7d52-2f4c-4f43-9a57-5d8a3c1e0b11")


class UserPool(Settings):
    """The API function's user pool (template.yaml USER_POOL_ID): read on the first CFC filing only."""

    user_pool_id: str


class CitizenAccounts(Protocol):
    def sub_of(self, phone_number: str) -> str:
        """The `sub` of the account signing in with this number, made now if there is none."""
        ...


class CognitoAccounts:
    """The Cognito user pool, through the function's cognito-idp client (ListUsers, AdminCreateUser only)."""

    def __init__(self, user_pool_id: str, client: Any | None = None) -> None:
        self.user_pool_id = user_pool_id
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or clients.client("cognito-idp")

    def sub_of(self, phone_number: str) -> str:
        found = self._find(phone_number)
        if found is not None:
            return found
        try:
            # No password and no invitation: the citizen signs in later with an SMS code to this number.
            made = self.client.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=phone_number,
                UserAttributes=[
                    {"Name": "phone_number", "Value": phone_number},
                    {"Name": "phone_number_verified", "Value": "true"},
                ],
                MessageAction="SUPPRESS",
            )
        except self.client.exceptions.UsernameExistsException:
            found = self._find(phone_number)  # made meanwhile (two counters, one citizen)
            if found is None:
                raise
            return found
        sub = _sub(made["User"].get("Attributes") or [])
        if sub is None:
            raise RuntimeError("AdminCreateUser answered a user without a sub")
        logger.info("citizen account created for a CFC filing", extra={"sub": sub})
        return sub

    def _find(self, phone_number: str) -> str | None:
        # ListUsers filters on the exact number; a verified or unverified one alike signs in with it
        users = self.client.list_users(
            UserPoolId=self.user_pool_id, Filter=f'phone_number = "{phone_number}"', Limit=1
        ).get("Users", [])
        return _sub(users[0].get("Attributes") or []) if users else None


def _sub(attributes: list[dict[str, str]]) -> str | None:
    return next((a["Value"] for a in attributes if a.get("Name") == "sub"), None)


class LocalAccounts:
    """The local stack's: the subject the local token issuer gives the number; nothing to create."""

    def sub_of(self, phone_number: str) -> str:
        return str(uuid.uuid5(LOCAL_SUB_NAMESPACE, phone_number))


@cache
def citizens() -> CitizenAccounts:
    """The process's accounts: the local issuer's on the local stack, the user pool's elsewhere."""
    if load(CommonSettings).environment == "local":
        return LocalAccounts()
    return CognitoAccounts(load(UserPool).user_pool_id)
