"""A Python client generated from the local stack's merged OpenAPI (openapi-python-client) works against the
stack: a public read, and a protected create and read with a bearer token. The client is generated into the
test's tmp_path, never kept."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

PACKAGE = "pmc_generated_client"


@pytest.fixture(scope="module")
def generated(stack: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, dict[str, Any]]]:
    """The generated client package, imported, and the document it came from."""
    root = tmp_path_factory.mktemp("client")
    document = httpx.get(f"{stack}/openapi.json", timeout=30).json()
    (root / "openapi.json").write_text(json.dumps(document))
    (root / "config.yaml").write_text("post_hooks: []\n")  # no formatter run: the client is thrown away
    command = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(root / "openapi.json")]
    command += ["--meta", "none", "--output-path", str(root / PACKAGE), "--config", str(root / "config.yaml")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr  # nothing left out
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE), document
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def endpoint(package: ModuleType, tag: str, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.api.{tag}.{name}")


def test_the_client_has_one_endpoint_per_operation(generated: tuple[ModuleType, dict[str, Any]]) -> None:
    package, document = generated
    modules = [p for p in (Path(str(package.__file__)).parent / "api").glob("*/*.py") if p.name != "__init__.py"]
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(modules) == len(operations)
    assert {p.stem for p in modules} >= {"list_facilities", "get_facility", "log_grievance", "get_grievance"}
    print(f"generated client: {len(modules)} endpoints")


def test_a_public_read_through_the_generated_client(generated: tuple[ModuleType, dict[str, Any]], stack: str) -> None:
    package, _ = generated
    list_facilities = endpoint(package, "lookup", "list_facilities")
    with package.Client(base_url=stack) as client:
        first = list_facilities.sync_detailed(client=client, limit=5)
        assert first.status_code == 200
        page = first.parsed
        assert len(page.items) == 5
        assert page.items[0].id.startswith("FAC-")
        assert page.items[0].name.mr  # bilingual, parsed into its model
        etag = first.headers["etag"]
        again = list_facilities.sync_detailed(client=client, limit=5, if_none_match=etag)
        assert again.status_code == 304
        one = endpoint(package, "lookup", "get_facility").sync(client=client, facility_id=page.items[0].id)
        assert one.id == page.items[0].id


def test_a_protected_create_and_read_through_the_generated_client(
    generated: tuple[ModuleType, dict[str, Any]], stack: str, token: Callable[..., str]
) -> None:
    package, _ = generated
    models = importlib.import_module(f"{package.__name__}.models")
    log_grievance = endpoint(package, "grievance", "log_grievance")
    get_grievance = endpoint(package, "grievance", "get_grievance")
    body = models.GrievanceCreate.from_dict(
        {
            "category": "garbage_not_collected",
            "description": "Garbage not collected near the Kasba Ganpati temple for three days.",
            "lat": 18.5196,
            "lng": 73.8553,
        }
    )
    with package.AuthenticatedClient(base_url=stack, token=token("+919800007101")) as client:
        key = str(uuid.uuid4())
        created = log_grievance.sync_detailed(client=client, body=body, idempotency_key=key)
        assert created.status_code == 201, created.content
        grievance = created.parsed
        assert grievance.id.startswith("GRV-")
        assert grievance.status == "submitted"
        assert created.headers["location"] == f"/grievances/{grievance.id}"
        replayed = log_grievance.sync_detailed(client=client, body=body, idempotency_key=key)
        assert (replayed.parsed.id, replayed.headers["idempotency-replayed"]) == (grievance.id, "true")
        read = get_grievance.sync(client=client, grievance_id=grievance.id)
        assert (read.id, read.relation) == (grievance.id, "owner")
    with package.Client(base_url=stack) as anonymous:  # no token: the documented 401, parsed as a Problem
        refused = get_grievance.sync_detailed(client=anonymous, grievance_id=grievance.id)
        assert refused.status_code == 401
        assert isinstance(refused.parsed, models.Problem)
        assert refused.parsed.status == 401
