"""The Lambda entry's instrumentation: Powertools Logger and Metrics around every handler, the Tracer only
where X-Ray receives the segments, and the end of the cold start's garbage-collection pause (coldstart).

Imports no web framework: the API functions' Mangum handler and the event handlers share it.

Tracing: template.yaml's Globals set `Tracing: Active`, so in AWS the Tracer is always made and patches
botocore alone (`patch_modules=["botocore"]`): every DynamoDB, S3, EventBridge and SNS call, PynamoDB's
too, goes through botocore, and Powertools' default `patch_all()` would import every other library X-Ray
can patch that is installed, for nothing traced. Where tracing is off (the local stack, tests, sam local,
POWERTOOLS_TRACE_DISABLED=true) neither the Tracer nor aws_xray_sdk is imported. bench/RESULTS.md gives
the cold init both ways."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from pmc_common import coldstart

type LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

TRACED_MODULES = ["botocore"]


def instrumented(service: str, logger: Logger) -> Callable[[LambdaHandler], LambdaHandler]:
    """Logger (Lambda context, state cleared per call), Metrics (cold start metric, one Invocations count)
    and, where tracing is on, the Tracer's handler segment around any handler. Made at init."""
    metrics = Metrics(namespace="PuneConnect", service=service)

    def decorate(handler: LambdaHandler) -> LambdaHandler:
        @metrics.log_metrics(capture_cold_start_metric=True)
        def measured(event: dict[str, Any], context: Any) -> dict[str, Any]:
            metrics.add_metric(name="Invocations", unit=MetricUnit.Count, value=1)
            return handler(event, context)

        traced = measured
        if tracing_on():
            from aws_lambda_powertools import Tracer

            tracer = Tracer(service=service, patch_modules=TRACED_MODULES)
            traced = tracer.capture_lambda_handler(capture_response=False)(measured)
        logged = logger.inject_lambda_context(clear_state=True)(traced)

        def entry(event: dict[str, Any], context: Any) -> dict[str, Any]:
            try:
                response: dict[str, Any] = logged(event, context)
            finally:
                coldstart.end()  # after the first invocation: collect again (a no-op after that)
            return response

        return entry

    return decorate


def tracing_on() -> bool:
    """Powertools' own rule (Tracer._is_tracer_disabled, restated so that deciding imports nothing): off
    when POWERTOOLS_TRACE_DISABLED is true, outside a Lambda environment, and under sam local or chalice."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on", "y", "t"):
        return False
    in_lambda = bool(os.environ.get("LAMBDA_TASK_ROOT"))
    return in_lambda and not os.environ.get("AWS_SAM_LOCAL") and not os.environ.get("AWS_CHALICE_CLI_MODE")
