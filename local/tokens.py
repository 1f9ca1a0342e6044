"""Local identity: an RSA key, dev tokens with Cognito ID-token claims, and the JWT authorizer's checks.

Stands in for Cognito and the HttpApi JWT authorizer in the local stack only; never logs a token."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AUDIENCES = ("local-mobile-app", "local-admin-page")
TOKEN_LIFETIME_SECONDS = 3600
PHONE_NUMBER = re.compile(r"^\+91[0-9]{10}$")
WARD = re.compile(r"^W(0[1-9]|1[0-5])$")
GROUP = re.compile(r"^[a-z_]{1,64}$")
OFFICE = re.compile(r"^OFF-[0-9A-HJKMNP-TV-Z]{8}$")  # a CFC clerk's office (custom:office), data/offices.json
_SUB_NAMESPACE = uuid.UUID("8f0c7d52-2f4c-4f43-9a57-5d8a3c1e0b11")  # fixed: sub is stable across restarts


class InvalidToken(Exception):
    """The bearer fails a check the JWT authorizer makes; the message is safe to return."""


class InvalidTokenRequest(ValueError):
    """A /_local/token body that cannot become a token: field and message, for a 422."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def subject_of(phone_number: str) -> str:
    """`sub` for a phone number: a UUID v5, the same every run."""
    return str(uuid.uuid5(_SUB_NAMESPACE, phone_number))


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA private key")
    return key


class TokenAuthority:
    """Issues RS256 tokens and verifies them as API Gateway's JWT authorizer would."""

    def __init__(self, issuer: str, private_key: rsa.RSAPrivateKey | None = None, audiences: Sequence[str] = AUDIENCES):
        self.issuer = issuer
        self.audiences = tuple(audiences)
        self._key = private_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public_der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = uuid.uuid5(_SUB_NAMESPACE, public_der.hex()).hex[:16]

    def issue(self, body: Mapping[str, Any], now: float | None = None, audience: str | None = None) -> dict[str, Any]:
        """Validate a /_local/token body and answer `{"access_token", "token_type", "expires_in"}`: an ID token
        for `audience` (an app client id; default the mobile app's)."""
        if audience is not None and audience not in self.audiences:
            raise ValueError(f"{audience} is not one of this stack's app clients")
        phone_number = body.get("phone_number")
        if not isinstance(phone_number, str) or not PHONE_NUMBER.match(phone_number):
            raise InvalidTokenRequest("body.phone_number", "must match ^\\+91[0-9]{10}$")
        groups = body.get("groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) and GROUP.match(g) for g in groups):
            raise InvalidTokenRequest("body.groups", "must be a list of group names")
        ward = body.get("ward")
        if ward is not None and (not isinstance(ward, str) or not WARD.match(ward)):
            raise InvalidTokenRequest("body.ward", "must be W01..W15")
        office = body.get("office")
        if office is not None and (not isinstance(office, str) or not OFFICE.match(office)):
            raise InvalidTokenRequest("body.office", "must be an office id, OFF- and 8 Crockford characters")
        issued_at = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "sub": subject_of(phone_number),
            "phone_number": phone_number,
            "phone_number_verified": True,
            "cognito:groups": list(groups),
            "iss": self.issuer,
            "aud": audience or self.audiences[0],
            "token_use": "id",
            "auth_time": issued_at,
            "iat": issued_at,
            "exp": issued_at + TOKEN_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        if not groups:
            del claims["cognito:groups"]  # Cognito omits the claim for users in no group
        if ward is not None:
            claims["custom:ward"] = ward
        if office is not None:
            claims["custom:office"] = office
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def verify(self, authorization: str | None) -> dict[str, str]:
        """Claims of a valid `Authorization: Bearer` header, rendered as API Gateway passes them."""
        if not authorization:
            raise InvalidToken("Authorization header is missing")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("Authorization header is not a bearer token")
        try:
            header = jwt.get_unverified_header(token.strip())
            if header.get("kid") != self.kid:
                raise InvalidToken("Token was not signed by this stack's key")
            claims = jwt.decode(
                token.strip(),
                self._key.public_key(),
                algorithms=["RS256"],
                audience=list(self.audiences),
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("Token has expired") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("Token audience is not accepted") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("Token issuer is not accepted") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("Token signature is invalid") from None
        except jwt.PyJWTError:
            raise InvalidToken("Token is malformed") from None
        return gateway_claims(claims)


def gateway_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's JWT authorizer passes them: every value a string, lists as `[a b]`."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            rendered[name] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            rendered[name] = str(value).lower()
        else:
            rendered[name] = str(value)
    return rendered
