"""The payment gateways behind one small interface (API.md 4.5–4.8, 4.11): `sandbox`, the local default, and
`razorpay` on the official client. Signatures are checked here, constant-time, on raw bytes, before anything is
parsed; this module never logs a signature or a secret and never decides a payment's status (the reconciler does).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from pydantic import Field, ValidationInfo, field_validator

from pmc_common.errors import Conflict, NotFound
from pmc_common.ids import random_crockford
from pmc_common.settings import ConfigurationError, Settings

GatewayName = Literal["sandbox", "razorpay"]
# Razorpay's own vocabularies (orders: created → attempted → paid; payments: created → authorized → captured,
# or failed; refunded later). The reconciler maps them onto API.md 4.6; they are not PuneConnect statuses.
OrderStatus = Literal["created", "attempted", "paid"]
GatewayPaymentStatus = Literal["created", "authorized", "captured", "refunded", "failed"]
WebhookEvent = Literal["payment.captured", "payment.failed"]
CURRENCY = "INR"

# Local defaults (API.md 4.7, 4.8): good only for the sandbox on the local stack; GatewaySettings refuses them
# anywhere else, where the template passes the real values from SSM / Secrets Manager.
LOCAL_KEY_ID = "rzp_test_sandbox"
LOCAL_KEY_SECRET = "local-key-secret"  # noqa: S105 - a documented local default, refused outside `local`
LOCAL_WEBHOOK_SECRET = "local-webhook-secret"  # noqa: S105 - idem


class GatewayError(RuntimeError):
    """The gateway could not be reached or answered something unusable: retry later (never a verdict)."""


@dataclass(frozen=True)
class GatewayOrder:
    id: str  # order_ + 14 alphanumerics
    amount_paise: int
    currency: str
    status: OrderStatus
    receipt: str


@dataclass(frozen=True)
class GatewayPayment:
    """What the gateway knows of one payment attempt on an order."""

    id: str  # pay_ + 14 alphanumerics
    order_id: str
    amount_paise: int
    currency: str
    status: GatewayPaymentStatus


class Gateway(Protocol):
    """What the payments code asks of a gateway; nothing else of a gateway's API is used."""

    @property
    def name(self) -> GatewayName: ...

    @property
    def key_id(self) -> str: ...

    def create_order(self, amount_paise: int, receipt: str, notes: Mapping[str, str]) -> GatewayOrder: ...

    def verify_checkout_signature(self, order_id: str, payment_id: str, signature: str) -> bool: ...

    def verify_webhook_signature(self, raw_body: bytes, signature: str | None) -> bool: ...

    def fetch_payment(self, payment_id: str) -> GatewayPayment | None: ...

    def fetch_order_payments(self, order_id: str) -> list[GatewayPayment]: ...


# --- signatures, exactly as Razorpay computes them --------------------------------------------------------------


def hmac_sha256_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def checkout_signature(key_secret: str, order_id: str, payment_id: str) -> str:
    """Checkout's `razorpay_signature`: hex HMAC-SHA256 of `order_id|payment_id` with the key secret."""
    return hmac_sha256_hex(key_secret, f"{order_id}|{payment_id}".encode())


def webhook_signature(webhook_secret: str, raw_body: bytes) -> str:
    """`X-Razorpay-Signature`: hex HMAC-SHA256 of the raw body bytes with the webhook secret."""
    return hmac_sha256_hex(webhook_secret, raw_body)


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; compared as bytes, so a non-ASCII forgery is a mismatch, not a TypeError."""
    if not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


# Both gateways check signatures with this one code, not the razorpay client's utility: the client's
# verify_webhook_signature takes the body as str (re-encoding it, so a non-UTF-8 body cannot be checked byte for
# byte) and raises instead of answering; tests/unit/test_payments_gateways.py shows both agree.
class _Signatures:
    _key_secret: str
    _webhook_secret: str | None

    def verify_checkout_signature(self, order_id: str, payment_id: str, signature: str) -> bool:
        return signature_matches(checkout_signature(self._key_secret, order_id, payment_id), signature)

    def verify_webhook_signature(self, raw_body: bytes, signature: str | None) -> bool:
        if self._webhook_secret is None:  # a misconfigured function fails loudly (500), it never guesses
            raise ConfigurationError("no webhook secret configured (RAZORPAY_WEBHOOK_SECRET_PARAM)")
        return signature_matches(webhook_signature(self._webhook_secret, raw_body), signature)


# --- sandbox ----------------------------------------------------------------------------------------------------


def gateway_id(prefix: Literal["order", "pay"]) -> str:
    """`order_…` / `pay_…` + 14 Crockford characters: the shape of Razorpay's ids that confirm accepts (4.7)."""
    return f"{prefix}_{random_crockford(14)}"


class SandboxLedger(Protocol):
    """Where the sandbox keeps its orders and attempts: memory in unit tests, PaymentsTable on the local stack
    (payments.sandbox_ledger), so every payments function of the stack sees the same orders and attempts."""

    def put_order(self, order: GatewayOrder) -> None: ...

    def get_order(self, order_id: str) -> GatewayOrder | None: ...

    def add_attempt(self, payment: GatewayPayment, order: GatewayOrder) -> bool:
        """Record an attempt with its order's new status (`order`) at once, on condition that the order is not
        paid: False (nothing recorded) when it is, also when a concurrent attempt just captured it."""
        ...

    def get_payment(self, payment_id: str) -> GatewayPayment | None: ...

    def order_payments(self, order_id: str) -> list[GatewayPayment]:
        """The order's attempts, oldest first."""
        ...


class InMemorySandboxLedger:
    def __init__(self) -> None:
        self._orders: dict[str, GatewayOrder] = {}
        self._payments: dict[str, GatewayPayment] = {}

    def put_order(self, order: GatewayOrder) -> None:
        self._orders[order.id] = order

    def get_order(self, order_id: str) -> GatewayOrder | None:
        return self._orders.get(order_id)

    def add_attempt(self, payment: GatewayPayment, order: GatewayOrder) -> bool:
        stored = self._orders.get(order.id)
        if stored is None or stored.status == "paid":
            return False
        self._payments[payment.id] = payment
        self._orders[order.id] = order
        return True

    def get_payment(self, payment_id: str) -> GatewayPayment | None:
        return self._payments.get(payment_id)

    def order_payments(self, order_id: str) -> list[GatewayPayment]:
        return [p for p in self._payments.values() if p.order_id == order_id]  # insertion order: oldest first


@dataclass(frozen=True)
class SignedWebhook:
    """A webhook delivery as Razorpay makes it: these exact body bytes, signed, with an event id."""

    body: bytes
    signature: str  # X-Razorpay-Signature
    event_id: str  # X-Razorpay-Event-Id

    @property
    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "X-Razorpay-Signature": self.signature,
            "X-Razorpay-Event-Id": self.event_id,
        }


def webhook_body(payment: GatewayPayment) -> bytes:
    """The body of API.md 4.8 for a captured or failed payment (Razorpay's extra fields left out)."""
    event: WebhookEvent = "payment.captured" if payment.status == "captured" else "payment.failed"
    entity = {
        "id": payment.id,
        "order_id": payment.order_id,
        "amount": payment.amount_paise,
        "currency": payment.currency,
        "status": payment.status,
    }
    return json.dumps({"event": event, "payload": {"payment": {"entity": entity}}}, separators=(",", ":")).encode()


def signed_webhook(webhook_secret: str, payment: GatewayPayment, event_id: str) -> SignedWebhook:
    body = webhook_body(payment)
    return SignedWebhook(body, webhook_signature(webhook_secret, body), event_id)


@dataclass(frozen=True)
class SandboxAttempt:
    """What the sandbox's pay route (4.11) answers and delivers: the attempt, checkout's signature (None on
    failure, as Checkout gives none), and the webhook to POST to /webhooks/razorpay."""

    payment: GatewayPayment
    checkout_signature: str | None
    webhook: SignedWebhook


class SandboxGateway(_Signatures):
    """Razorpay's behaviour for the local stack: orders and attempts in a ledger, signatures made and checked
    with local secrets exactly as Razorpay's, answers in-process (no network)."""

    name: GatewayName = "sandbox"
    _webhook_secret: str  # the sandbox always has one (it signs the webhooks it delivers)

    def __init__(
        self,
        ledger: SandboxLedger,
        *,
        key_id: str = LOCAL_KEY_ID,
        key_secret: str = LOCAL_KEY_SECRET,
        webhook_secret: str = LOCAL_WEBHOOK_SECRET,
        new_id: Callable[[Literal["order", "pay"]], str] = gateway_id,
        new_event_id: Callable[[], str] | None = None,
    ) -> None:
        self._ledger = ledger
        self._key_id = key_id
        self._key_secret = key_secret
        self._webhook_secret = webhook_secret
        self._new_id = new_id
        self._new_event_id = new_event_id or (lambda: f"evt_{random_crockford(14)}")

    @property
    def key_id(self) -> str:
        return self._key_id

    def create_order(self, amount_paise: int, receipt: str, notes: Mapping[str, str]) -> GatewayOrder:
        if amount_paise < 100:  # Razorpay's minimum order: Re 1
            raise ValueError("an order needs at least 100 paise")
        order = GatewayOrder(self._new_id("order"), amount_paise, CURRENCY, "created", receipt)
        self._ledger.put_order(order)
        return order

    def get_order(self, order_id: str) -> GatewayOrder:
        order = self._ledger.get_order(order_id)
        if order is None:
            raise NotFound("no such sandbox order")
        return order

    def fetch_payment(self, payment_id: str) -> GatewayPayment | None:
        return self._ledger.get_payment(payment_id)

    def fetch_order_payments(self, order_id: str) -> list[GatewayPayment]:
        return self._ledger.order_payments(order_id)

    def pay(
        self, order_id: str, outcome: Literal["captured", "failed"], amount_paise: int | None = None
    ) -> SandboxAttempt:
        """Record one attempt (4.11): captured or failed, for the order's amount or another (a mismatch)."""
        order = self.get_order(order_id)
        if order.status == "paid":
            raise Conflict("this sandbox order is already paid", code="order_already_paid")
        amount = order.amount_paise if amount_paise is None else amount_paise
        if amount < 1:
            raise ValueError("amount_paise must be at least 1")
        payment = GatewayPayment(self._new_id("pay"), order.id, amount, order.currency, outcome)
        moved = replace(order, status="paid" if outcome == "captured" else "attempted")
        if not self._ledger.add_attempt(payment, moved):
            raise Conflict("this sandbox order is already paid", code="order_already_paid")  # paid meanwhile
        signature = checkout_signature(self._key_secret, order.id, payment.id) if outcome == "captured" else None
        return SandboxAttempt(payment, signature, signed_webhook(self._webhook_secret, payment, self._new_event_id()))


# --- Razorpay ---------------------------------------------------------------------------------------------------


def _payment_from(entity: Mapping[str, Any]) -> GatewayPayment:
    try:
        return GatewayPayment(
            id=str(entity["id"]),
            order_id=str(entity["order_id"]),
            amount_paise=int(entity["amount"]),
            currency=str(entity["currency"]),
            status=entity["status"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise GatewayError(f"unusable payment entity from Razorpay ({type(exc).__name__})") from None


class RazorpayGateway(_Signatures):
    """Razorpay's Orders and Payments APIs through the official `razorpay` client. The client (and `requests`)
    is imported here, when the gateway is built, so functions on the sandbox never load it."""

    name: GatewayName = "razorpay"

    def __init__(
        self,
        *,
        key_id: str,
        key_secret: str,
        webhook_secret: str | None,
        base_url: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        # Imported here, not at the top: requests and the client stay out of sandbox cold starts.
        import razorpay  # type: ignore[import-untyped]
        import requests

        self._key_id = key_id
        self._key_secret = key_secret
        self._webhook_secret = webhook_secret
        self._timeout = timeout_seconds
        options = {"base_url": base_url} if base_url else {}
        self._client: Any = razorpay.Client(auth=(key_id, key_secret), **options)
        self._bad_request: type[Exception] = razorpay.errors.BadRequestError
        self._failures: tuple[type[Exception], ...] = (
            razorpay.errors.ServerError,
            razorpay.errors.GatewayError,
            requests.RequestException,  # connection refused, timeouts, a body that is not JSON
            ValueError,
        )

    @property
    def key_id(self) -> str:
        return self._key_id

    def _call(self, what: str, call: Callable[[], Any], *, unknown_is_none: bool = False) -> Any:
        try:
            return call()
        except self._bad_request:
            if unknown_is_none:
                return None  # Razorpay answers 400 BAD_REQUEST_ERROR "The id provided does not exist"
            raise GatewayError(f"Razorpay refused to {what}") from None
        except self._failures as exc:
            raise GatewayError(f"Razorpay {what} failed ({type(exc).__name__})") from None

    def create_order(self, amount_paise: int, receipt: str, notes: Mapping[str, str]) -> GatewayOrder:
        data = {"amount": amount_paise, "currency": CURRENCY, "receipt": receipt, "notes": dict(notes)}
        body = self._call("create an order", lambda: self._client.order.create(data, timeout=self._timeout))
        try:
            return GatewayOrder(
                id=str(body["id"]),
                amount_paise=int(body["amount"]),
                currency=str(body["currency"]),
                status=body["status"],
                receipt=str(body.get("receipt") or receipt),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GatewayError(f"unusable order from Razorpay ({type(exc).__name__})") from None

    def fetch_payment(self, payment_id: str) -> GatewayPayment | None:
        body = self._call(
            "fetch a payment",
            lambda: self._client.payment.fetch(payment_id, timeout=self._timeout),
            unknown_is_none=True,
        )
        return None if body is None else _payment_from(body)

    def fetch_order_payments(self, order_id: str) -> list[GatewayPayment]:
        body = self._call(
            "fetch an order's payments", lambda: self._client.order.payments(order_id, timeout=self._timeout)
        )
        items = body.get("items") if isinstance(body, Mapping) else None
        if not isinstance(items, list):
            raise GatewayError("unusable payment list from Razorpay")
        return [_payment_from(item) for item in items]


# --- configuration ----------------------------------------------------------------------------------------------

# Where the template keeps Razorpay's key id and secrets: SSM parameter NAMES in these variables (the values
# stay out of the function's configuration, which anyone allowed to read the function can see). Each named
# parameter is read at the gateway's first use, all in one GetParameters call through Powertools Parameters,
# so no cold start pays for it and functions on the sandbox never import boto3 for it.
SECRET_FIELDS = ("razorpay_key_id", "razorpay_key_secret", "razorpay_webhook_secret")
LOCAL_SECRETS = (LOCAL_KEY_SECRET, LOCAL_WEBHOOK_SECRET)
# Powertools' cache of the values; the gateway built from them lives as long as the process (orders.gateway),
# so a rotated secret reaches a function when Lambda starts new environments for it (docs/deploy.md).
PARAMETERS_MAX_AGE_SECONDS = 300


class GatewaySettings(Settings):
    """PAYMENT_GATEWAY and Razorpay's key id, key secret and webhook secret: each from the SSM parameter its
    `*_PARAM` variable names (the template's way), else from its own variable, else the local default. The
    local defaults suit the sandbox only: elsewhere they are refused, so a forgotten parameter fails the first
    use instead of accepting webhooks signed with a published key. Outside the local stack a function given no
    webhook secret verifies no webhooks (the reconciler, stale_payments): verifying one is a ConfigurationError."""

    environment: Literal["local", "dev", "prod"]
    payment_gateway: GatewayName = Field("sandbox", validate_default=True)
    # Declared before the values, which are validated against them.
    razorpay_key_id_param: str | None = Field(None, min_length=1)
    razorpay_key_secret_param: str | None = Field(None, min_length=1)
    razorpay_webhook_secret_param: str | None = Field(None, min_length=1)
    razorpay_key_id: str = Field(LOCAL_KEY_ID, validate_default=True)
    razorpay_key_secret: str = Field(LOCAL_KEY_SECRET, validate_default=True)
    razorpay_webhook_secret: str | None = Field(LOCAL_WEBHOOK_SECRET, validate_default=True)
    razorpay_base_url: str | None = None  # tests point the client at a local fake

    @field_validator("payment_gateway")
    @classmethod
    def _sandbox_only_locally(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("environment", "local") != "local" and value == "sandbox":
            raise ValueError("sandbox is for the local stack only")
        return value

    @field_validator("razorpay_key_id", "razorpay_key_secret")
    @classmethod
    def _configured_outside_local(cls, value: str, info: ValidationInfo) -> str:
        field = str(info.field_name)
        if info.data.get("environment", "local") == "local" or info.data.get(f"{field}_param"):
            return value
        if value in (LOCAL_KEY_ID, *LOCAL_SECRETS):
            raise ValueError(f"set {field.upper()}_PARAM to its SSM parameter outside the local stack")
        return value

    @field_validator("razorpay_webhook_secret")
    @classmethod
    def _webhook_secret_outside_local(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("environment", "local") == "local" or info.data.get("razorpay_webhook_secret_param"):
            return value
        return None if value in LOCAL_SECRETS else value  # none given: this function verifies no webhooks

    def parameter_names(self) -> dict[str, str]:
        """`{field: SSM parameter name}` for each value kept in SSM."""
        return {field: name for field in SECRET_FIELDS if (name := getattr(self, f"{field}_param"))}


@dataclass(frozen=True)
class GatewaySecrets:
    key_id: str
    key_secret: str
    webhook_secret: str | None  # None: this function verifies no webhooks


def ssm_parameters(names: list[str]) -> dict[str, str]:
    """The values of SSM parameters (SecureStrings decrypted), one GetParameters call, cached by Powertools.
    Fails naming the parameters it could not read, never showing a value."""
    # Imported here: Powertools Parameters pulls boto3, which only a function reading a parameter needs.
    from aws_lambda_powertools.utilities import parameters
    from botocore.exceptions import BotoCoreError, ClientError

    wanted: dict[str, dict[str, Any]] = {name: {} for name in names}
    try:
        found: dict[str, Any] = parameters.get_parameters_by_name(
            wanted, decrypt=True, max_age=PARAMETERS_MAX_AGE_SECONDS, raise_on_error=False
        )
    except (parameters.exceptions.GetParameterError, BotoCoreError, ClientError) as exc:
        raise ConfigurationError(f"cannot read SSM parameters {', '.join(names)} ({type(exc).__name__})") from None
    errors: list[str] = found.pop("_errors", [])
    missing = sorted({*map(str, errors), *(name for name in names if name not in found)})
    if missing:
        raise ConfigurationError(f"SSM parameters missing or unreadable: {', '.join(missing)}")
    return {name: str(found[name]) for name in names}


def gateway_secrets(
    settings: GatewaySettings, fetch: Callable[[list[str]], Mapping[str, str]] = ssm_parameters
) -> GatewaySecrets:
    """Razorpay's key id and secrets for `settings`: the SSM parameters named, read now, or the variables."""
    named = settings.parameter_names()
    found = fetch(sorted(set(named.values()))) if named else {}
    values: dict[str, str | None] = {field: getattr(settings, field) for field in SECRET_FIELDS}
    values |= {field: found[name] for field, name in named.items()}
    if settings.environment != "local":
        for field, name in named.items():
            if not values[field] or values[field] in (LOCAL_KEY_ID, *LOCAL_SECRETS):
                raise ConfigurationError(f"SSM parameter {name} holds an empty value or a local default")
    key_id, key_secret = values["razorpay_key_id"], values["razorpay_key_secret"]
    assert key_id is not None  # the settings give both a value
    assert key_secret is not None
    return GatewaySecrets(key_id, key_secret, values["razorpay_webhook_secret"])


def gateway_from(settings: GatewaySettings, ledger: SandboxLedger | None = None) -> Gateway:
    """The configured gateway, its secrets read now (from SSM where the settings name parameters); the sandbox
    keeps its state in `ledger` (memory when none is given)."""
    secrets = gateway_secrets(settings)
    if settings.payment_gateway == "razorpay":
        return RazorpayGateway(
            key_id=secrets.key_id,
            key_secret=secrets.key_secret,
            webhook_secret=secrets.webhook_secret,
            base_url=settings.razorpay_base_url,
        )
    return SandboxGateway(
        ledger or InMemorySandboxLedger(),
        key_id=secrets.key_id,
        key_secret=secrets.key_secret,
        webhook_secret=secrets.webhook_secret or LOCAL_WEBHOOK_SECRET,
    )
