"""Where the gateway's key id and secrets come from (docs/deploy.md): the SSM parameters the template names in
`RAZORPAY_*_PARAM`, read through Powertools Parameters at the gateway's first use (moto's SSM here, in-process),
else the variables, else the local defaults, which are refused outside the local stack."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from payments import gateways
from payments.gateways import GatewaySettings, RazorpayGateway, SandboxGateway
from pmc_common import settings as pmc_settings
from pmc_common.settings import ConfigurationError
from tests.moto_apart import moto_apart

ORDER = "order_Q4m8ZtY2xKp1Vd"
PAYMENT = "pay_Q4m9Lr7bNc2XyA"
KEY_ID = "/puneconnect/dev/razorpay/key-id"
KEY_SECRET = "/puneconnect/dev/razorpay/key-secret"
WEBHOOK_SECRET = "/puneconnect/dev/razorpay/webhook-secret"
# What the template passes the API function (all three) and the reconciler and stale_payments (no webhook).
API_FUNCTION = {
    "environment": "dev",
    "payment_gateway": "razorpay",
    "razorpay_key_id_param": KEY_ID,
    "razorpay_key_secret_param": KEY_SECRET,
    "razorpay_webhook_secret_param": WEBHOOK_SECRET,
}
RECONCILER = {k: v for k, v in API_FUNCTION.items() if k != "razorpay_webhook_secret_param"}
REPO = Path(__file__).resolve().parents[2]


def fresh_powertools() -> None:
    """Powertools keeps its values and its SSM client (made with the endpoint of its day) per process."""
    parameters.clear_caches()
    parameters.base.DEFAULT_PROVIDERS.clear()


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """moto's in-process SSM holding the dev parameters as docs/deploy.md creates them; Powertools' cache
    emptied. AWS's own endpoint, so moto intercepts it even after the integration tier pointed the
    process at its moto server."""
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSM", raising=False)
    fresh_powertools()
    with moto_apart(monkeypatch):  # never reset: the integration tier keeps its moto server in this process
        client = boto3.client("ssm", region_name="ap-south-1")
        client.put_parameter(Name=KEY_ID, Type="String", Value="rzp_live_Abc123", Overwrite=True)
        client.put_parameter(Name=KEY_SECRET, Type="SecureString", Value="ssm-key-secret", Overwrite=True)
        client.put_parameter(Name=WEBHOOK_SECRET, Type="SecureString", Value="ssm-webhook-secret", Overwrite=True)
        yield client
    fresh_powertools()


def test_the_api_function_reads_all_three_from_ssm_and_verifies_with_them(ssm: object) -> None:
    gateway = gateways.gateway_from(GatewaySettings.model_validate(API_FUNCTION))

    assert isinstance(gateway, RazorpayGateway)
    assert gateway.key_id == "rzp_live_Abc123"
    good = gateways.checkout_signature("ssm-key-secret", ORDER, PAYMENT)
    assert gateway.verify_checkout_signature(ORDER, PAYMENT, good)
    assert not gateway.verify_checkout_signature(ORDER, PAYMENT, gateways.checkout_signature("x", ORDER, PAYMENT))
    body = b'{"event":"payment.captured"}'
    assert gateway.verify_webhook_signature(body, gateways.webhook_signature("ssm-webhook-secret", body))
    assert not gateway.verify_webhook_signature(body, gateways.webhook_signature("local-webhook-secret", body))


def test_the_parameters_are_read_once_in_one_call(ssm: object) -> None:
    calls: list[str] = []
    fetch = gateways.ssm_parameters

    def counted(names: list[str]) -> dict[str, str]:
        calls.append(",".join(names))
        return fetch(names)

    settings = GatewaySettings.model_validate(API_FUNCTION)
    first = gateways.gateway_secrets(settings, counted)
    assert calls == [",".join(sorted([KEY_ID, KEY_SECRET, WEBHOOK_SECRET]))]
    assert first == gateways.GatewaySecrets("rzp_live_Abc123", "ssm-key-secret", "ssm-webhook-secret")
    assert gateways.ssm_parameters([KEY_SECRET]) == {KEY_SECRET: "ssm-key-secret"}  # Powertools' cache


def test_a_function_given_no_webhook_secret_refuses_to_verify_webhooks(ssm: object) -> None:
    gateway = gateways.gateway_from(GatewaySettings.model_validate(RECONCILER))

    assert gateway.verify_checkout_signature(
        ORDER, PAYMENT, gateways.checkout_signature("ssm-key-secret", ORDER, PAYMENT)
    )
    body = b'{"event":"payment.captured"}'
    with pytest.raises(ConfigurationError, match="RAZORPAY_WEBHOOK_SECRET_PARAM"):
        gateway.verify_webhook_signature(body, gateways.webhook_signature("local-webhook-secret", body))


def test_a_missing_parameter_fails_naming_it_and_showing_no_value(ssm: object) -> None:
    settings = GatewaySettings.model_validate(API_FUNCTION | {"razorpay_key_secret_param": "/puneconnect/dev/nope"})

    with pytest.raises(ConfigurationError, match="/puneconnect/dev/nope") as raised:
        gateways.gateway_from(settings)
    assert "ssm-webhook-secret" not in str(raised.value)
    assert "rzp_live_Abc123" not in str(raised.value)


def test_unreadable_ssm_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SSM at all (here: a connection refused on a closed loopback port) is a ConfigurationError too."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSM", "http://127.0.0.1:9")
    fresh_powertools()
    try:
        with pytest.raises(ConfigurationError, match=KEY_SECRET):
            gateways.ssm_parameters([KEY_SECRET])
    finally:
        fresh_powertools()


@pytest.mark.parametrize("value", ["local-key-secret", "local-webhook-secret", "rzp_test_sandbox"])
def test_a_parameter_holding_a_local_default_is_refused_outside_local(ssm: object, value: str) -> None:
    ssm.put_parameter(Name=KEY_SECRET, Type="SecureString", Value=value, Overwrite=True)  # type: ignore[attr-defined]

    with pytest.raises(ConfigurationError, match=KEY_SECRET):
        gateways.gateway_from(GatewaySettings.model_validate(API_FUNCTION))


def test_locally_nothing_is_read_from_ssm() -> None:
    def no_ssm(names: list[str]) -> Mapping[str, str]:
        raise AssertionError(f"read {names}")

    secrets = gateways.gateway_secrets(GatewaySettings.model_validate({"environment": "local"}), no_ssm)
    assert secrets == gateways.GatewaySecrets("rzp_test_sandbox", "local-key-secret", "local-webhook-secret")
    given = {"environment": "local", "payment_gateway": "razorpay", "razorpay_key_secret": "test-secret"}
    assert gateways.gateway_secrets(GatewaySettings.model_validate(given), no_ssm).key_secret == "test-secret"


def test_a_sandbox_cold_start_never_imports_powertools_parameters() -> None:
    code = (
        "import sys\n"
        "from payments import gateways\n"
        "gateways.gateway_from(gateways.GatewaySettings.model_validate({'environment': 'local'}))\n"
        "print('aws_lambda_powertools.utilities.parameters' in sys.modules, 'boto3' in sys.modules)\n"
    )
    path = os.pathsep.join(str(REPO / p) for p in ("layers/common", "functions/payments"))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ | {"PYTHONPATH": path}
    )
    assert done.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({}, "RAZORPAY_KEY_ID"),  # neither parameters nor values
        ({"RAZORPAY_KEY_ID_PARAM": KEY_ID}, "RAZORPAY_KEY_SECRET"),
        ({"RAZORPAY_KEY_ID_PARAM": KEY_ID, "RAZORPAY_KEY_SECRET": "local-key-secret"}, "RAZORPAY_KEY_SECRET"),
        ({"RAZORPAY_KEY_ID_PARAM": KEY_ID, "RAZORPAY_KEY_SECRET_PARAM": ""}, "RAZORPAY_KEY_SECRET_PARAM"),
        (
            {"PAYMENT_GATEWAY": "sandbox", "RAZORPAY_KEY_ID_PARAM": KEY_ID, "RAZORPAY_KEY_SECRET_PARAM": KEY_SECRET},
            "PAYMENT_GATEWAY",
        ),
    ],
)
def test_a_deployed_function_without_its_parameters_fails_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], named: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "prod")
    monkeypatch.setenv("PAYMENT_GATEWAY", "razorpay")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    pmc_settings.reset()
    try:
        with pytest.raises(pmc_settings.ConfigurationError, match=named):
            pmc_settings.load(GatewaySettings)
    finally:
        pmc_settings.reset()


def test_a_deployed_function_loads_its_parameter_names_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in RECONCILER.items():
        monkeypatch.setenv(name.upper(), value)
    pmc_settings.reset()
    try:
        loaded = pmc_settings.load(GatewaySettings)
    finally:
        pmc_settings.reset()
    assert loaded.parameter_names() == {"razorpay_key_id": KEY_ID, "razorpay_key_secret": KEY_SECRET}
    assert loaded.razorpay_webhook_secret is None  # no webhook verification in this function


def test_the_local_sandbox_keeps_its_documented_defaults() -> None:
    gateway = gateways.gateway_from(GatewaySettings.model_validate({"environment": "local"}))
    assert isinstance(gateway, SandboxGateway)
    body = b"{}"
    assert gateway.verify_webhook_signature(body, gateways.webhook_signature("local-webhook-secret", body))
