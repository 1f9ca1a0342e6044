"""moto's in-process mocks for a unit test, apart from the integration tier's moto server.

That server (local.aws) is a thread of the pytest process and keeps its queues, buckets and topics in
moto's per-process backends. A plain `mock_aws()` resets those backends on start and on stop, so whatever
test ran after it found the ReconciliationQueue gone (found twice by fresh-clone runs in a shuffled order).
`moto_apart` neither resets nor removes, and runs the test as another AWS account (MOTO_ACCOUNT_ID, read
by moto at each request), so the test sees none of the server's resources and leaves none in its account.
tests/unit/test_moto_apart.py fails on any other use of `mock_aws` under tests/."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from moto import mock_aws


@contextmanager
def moto_apart(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto for boto3 calls without an endpoint URL, in a fresh account of its own; yields that account id."""
    account = "9" + "".join(secrets.choice("0123456789") for _ in range(11))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    mock = mock_aws()
    mock.start(reset=False)
    try:
        yield account
    finally:
        mock.stop(remove_data=False)
