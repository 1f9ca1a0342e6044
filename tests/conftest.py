"""Test-wide safety: dummy AWS credentials and local settings before any handler is imported,
so nothing can reach real AWS."""

import os

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
os.environ.setdefault("LOOKUP_TABLE_NAME", "LookupTable")
