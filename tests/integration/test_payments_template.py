"""template.yaml's payments configuration as deployed (Environment=dev) and as `make run` reads it (local): each
gateway function names exactly the SSM parameters it may read, and may read (and decrypt) no others; the alarms
watch what the reconciler publishes and the queue its failures end in. No AWS needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from local.aws import LocalAws
from local.template import LocalNames, Template
from payments.gateways import GatewaySettings

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_FUNCTIONS = ("PaymentsApiFunction", "ReconcilerFunction", "StalePaymentsFunction")
NAMES = LocalNames()


@pytest.fixture(scope="module")
def deployed() -> Template:
    return Template.load(ROOT / "template.yaml", {"Environment": "dev"})


def environment(template: Template, function: str) -> dict[str, str]:
    return template.function_environment(template.functions[function], NAMES)


def statements(template: Template, function: str) -> list[dict[str, Any]]:
    role = template.resources[f"{function}Role"]["Properties"]
    found: list[dict[str, Any]] = []
    for policy in role.get("Policies") or []:
        found += template.resolve(policy["PolicyDocument"]["Statement"], NAMES)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def parameter_arn(name: str) -> str:
    return f"arn:aws:ssm:{NAMES.region}:{NAMES.account_id}:parameter{name}"


@pytest.mark.parametrize("function", GATEWAY_FUNCTIONS)
def test_deployed_gateway_functions_may_read_exactly_the_parameters_they_name(
    deployed: Template, function: str
) -> None:
    env = environment(deployed, function)
    settings = GatewaySettings.model_validate({name.lower(): value for name, value in env.items()})
    named = settings.parameter_names()
    expected = {"razorpay_key_id", "razorpay_key_secret"} | (
        {"razorpay_webhook_secret"} if function == "PaymentsApiFunction" else set()
    )
    assert settings.payment_gateway == "razorpay"
    assert set(named) == expected  # only the API function verifies webhooks
    assert all(name.startswith("/puneconnect/dev/razorpay/") for name in named.values())

    granted = statements(deployed, function)
    ssm = [s for s in granted if any(str(a).startswith("ssm:") for a in as_list(s["Action"]))]
    assert [s["Action"] for s in ssm] == ["ssm:GetParameters"]  # payments.gateways.ssm_parameters' one call
    assert set(as_list(ssm[0]["Resource"])) == {parameter_arn(name) for name in named.values()}

    kms = [s for s in granted if any(str(a).startswith("kms:") for a in as_list(s["Action"]))]
    assert [s["Action"] for s in kms] == ["kms:Decrypt"]
    condition = kms[0]["Condition"]["StringEquals"]
    assert condition["kms:ViaService"] == f"ssm.{NAMES.region}.amazonaws.com"
    secrets = {name for field, name in named.items() if field != "razorpay_key_id"}  # the SecureStrings
    assert set(as_list(condition["kms:EncryptionContext:PARAMETER_ARN"])) == {parameter_arn(n) for n in secrets}


def test_no_other_role_may_read_ssm_parameters_or_decrypt(deployed: Template) -> None:
    gateway_roles = {f"{function}Role" for function in GATEWAY_FUNCTIONS}
    for logical_id, resource in deployed.resources.items():
        if resource.get("Type") != "AWS::IAM::Role" or logical_id in gateway_roles:
            continue
        for policy in resource["Properties"].get("Policies") or []:
            actions = {str(a) for s in policy["PolicyDocument"]["Statement"] for a in as_list(s["Action"])}
            assert not {a for a in actions if a.startswith(("ssm:", "kms:"))}, logical_id
    for function in deployed.functions:
        if function not in GATEWAY_FUNCTIONS:
            assert not {k for k in environment(deployed, function) if k.startswith("RAZORPAY_")}, function


@pytest.mark.parametrize("function", GATEWAY_FUNCTIONS)
def test_the_local_stack_runs_the_sandbox_with_its_documented_defaults(template: Template, function: str) -> None:
    env = environment(template, function)
    assert env["PAYMENT_GATEWAY"] == "sandbox"
    assert not {k for k in env if k.endswith("_PARAM")}
    settings = GatewaySettings.model_validate({name.lower(): value for name, value in env.items()})
    assert settings.parameter_names() == {}
    assert settings.razorpay_key_secret == "local-key-secret"


def resolved(template: Template, logical_id: str) -> dict[str, Any]:
    resolved_properties: dict[str, Any] = template.resolve(template.resources[logical_id]["Properties"], NAMES)
    return resolved_properties


@pytest.mark.parametrize(
    ("alarm", "metric"), [("FlaggedPaymentsAlarm", "FlaggedPayments"), ("RefundDuePaymentsAlarm", "RefundDuePayments")]
)
def test_a_single_flagged_or_refund_due_payment_in_five_minutes_raises_the_alarm(
    template: Template, alarm: str, metric: str
) -> None:
    reconciler = environment(template, "ReconcilerFunction")
    props = resolved(template, alarm)
    # Where the reconciler's Powertools Metrics publish: the template's namespace, dimension service=payments.
    assert (props["Namespace"], props["MetricName"]) == (reconciler["POWERTOOLS_METRICS_NAMESPACE"], metric)
    assert props["Dimensions"] == [{"Name": "service", "Value": reconciler["POWERTOOLS_SERVICE_NAME"]}]
    assert (props["Statistic"], props["Period"], props["EvaluationPeriods"]) == ("Sum", 300, 1)
    assert (props["ComparisonOperator"], props["Threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
    assert props["TreatMissingData"] == "notBreaching"
    dlq_alarm = resolved(template, "ReconciliationDLQDepthAlarm")
    assert (props["AlarmActions"], props["OKActions"]) == (dlq_alarm["AlarmActions"], dlq_alarm["OKActions"])
    dashboard = resolved(template, "OperationsDashboard")["DashboardBody"]
    assert f'"{metric}"' in dashboard


def test_a_message_failing_five_receives_reaches_the_watched_dlq(template: Template) -> None:
    queue = resolved(template, "ReconciliationQueue")
    dlq_arn = template.resolve({"Fn::GetAtt": ["ReconciliationDLQ", "Arn"]}, NAMES)
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}
    alarm = resolved(template, "ReconciliationDLQDepthAlarm")
    dlq_name = template.resolve({"Fn::GetAtt": ["ReconciliationDLQ", "QueueName"]}, NAMES)
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": dlq_name}]
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Threshold"]) == (
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
        0,
    )
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    sources = [s for s in template.sqs_sources if s.function == "ReconcilerFunction"]
    assert [(s.queue, s.batch_size, s.report_batch_item_failures) for s in sources] == [
        ("ReconciliationQueue", 10, True)
    ]


def test_the_alarms_watch_exactly_the_metrics_the_reconciler_publishes(local_aws: LocalAws, template: Template) -> None:
    from payments import reconciler

    alarmed = {resolved(template, alarm)["MetricName"] for alarm in ("FlaggedPaymentsAlarm", "RefundDuePaymentsAlarm")}
    assert set(reconciler.EXCEPTION_METRICS) == {"flagged", "refund_due"}
    assert set(reconciler.EXCEPTION_METRICS.values()) == alarmed
    assert reconciler.metrics.service == "payments"  # the alarms' `service` dimension
