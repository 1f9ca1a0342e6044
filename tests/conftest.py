"""Test-wide safety: dummy AWS credentials and local settings before any handler is imported,
so nothing can reach real AWS. The integration and end-to-end tiers run DynamoDB on the engine
DYNAMODB_ENGINE names (dynamodb-local, the default, or moto; see tests/integration/conftest.py)."""

import os

from hypothesis import settings

from local.dynamodb_local import engine

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-south-1",
        "AWS_REGION": "ap-south-1",
        "ENVIRONMENT": "local",
        "CURSOR_SECRET": "test-cursor-secret",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
# Table names as the local stack names them (the logical id), for stores imported at collection time.
os.environ.setdefault("LOOKUP_TABLE_NAME", "LookupTable")
os.environ.setdefault("GRIEVANCES_TABLE_NAME", "GrievancesTable")
os.environ.setdefault("IDEMPOTENCY_TABLE_NAME", "IdempotencyTable")
os.environ.setdefault("SURVEY_TABLE_NAME", "SurveyTable")


def pytest_report_header() -> str:
    return f"dynamodb engine (integration, e2e): {engine()}"


# Property tests check behaviour, not speed (benchmarks live in bench/): no per-example deadline, so a
# busy shared machine cannot fail them; a fixed derandomised run in CI keeps failures reproducible.
settings.register_profile("pmc", deadline=None, derandomize=bool(os.environ.get("CI")), print_blob=True)
settings.load_profile("pmc")
