"""Third-party Open311 clients, unchanged, against the local stack (issue 19's "done when"), both from
requirements-open311-client.txt, installed by `make install` into .venv-open311-client (apart from the
project's .venv), each pointed at {stack}/open311/v2:

- civicbot's GeoReport v2 client (JSON), with a key an administrator issued: lists services, reads a service
  definition, posts a request, resolves its token and reads it back alone and in lists; the request is then
  in the staff queue with an Open311 actor; with the key revoked its POST is refused;
- georeport's client, in JSON and in XML: services, the definition, the request alone and in lists, the same
  in both formats.

Each call is a subprocess running tests/e2e/open311_third_party_client.py or open311_georeport_client.py
with that environment's Python."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.support import TokenFactory, bearer

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_PYTHON = REPO_ROOT / ".venv-open311-client" / "bin" / "python"
DRIVER = Path(__file__).with_name("open311_third_party_client.py")
GEOREPORT_DRIVER = Path(__file__).with_name("open311_georeport_client.py")
PINNED = {
    "civicbot": "0.4.0",
    "georeport": "0.3.1",
    "xmltodict": "0.14.2",
    "requests": "2.34.2",
    "urllib3": "2.8.0",
    "idna": "3.20",
    "certifi": "2026.10.19.post1",
    "charset-normalizer": "3.5.3",
}
# Every file of the installed clients whose hash pip recorded from the published wheel still has that hash.
UNCHANGED = """
import base64, hashlib, importlib.metadata as m
for name, least in (("civicbot", 20), ("georeport", 3)):
    files = [f for f in m.distribution(name).files if f.hash]
    assert len(files) >= least, files
    for f in files:
        digest = base64.urlsafe_b64encode(hashlib.new(f.hash.mode, f.read_binary()).digest()).rstrip(b"=")
        assert digest.decode() == f.hash.value, f
"""
CODE = "garbage_not_collected"  # a service with an extra question (bin_type)


def client(stack: str, *args: str, failing: bool = False, driver: Path = DRIVER) -> Any:
    """Run one call of a third-party client; its printed JSON."""
    if not CLIENT_PYTHON.is_file():
        pytest.fail("the third-party Open311 clients are not installed: run `make install` (.venv-open311-client)")
    done = subprocess.run(
        [str(CLIENT_PYTHON), "-I", str(driver), f"{stack}/open311/v2", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == (3 if failing else 0), done.stdout + done.stderr
    return json.loads(done.stdout)


def queued(http: httpx.Client, query: dict[str, str], staff: dict[str, str]) -> list[str]:
    """The ids of every page of the staff queue under `query`."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = http.get("/staff/grievances", params=query | ({"cursor": cursor} if cursor else {}), headers=staff)
        assert page.status_code == 200, page.text
        ids += [item["id"] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids


def test_the_client_is_the_published_package_unchanged() -> None:
    """The environment holds the clients at their pins, as published (pip's record of its files matches them), and
    nothing of the project's (-I: no PYTHONPATH, no working directory on the path)."""
    listed = subprocess.run(
        [str(CLIENT_PYTHON), "-I", "-m", "pip", "list", "--format=json"], capture_output=True, text=True, check=True
    )
    packages = {p["name"]: p["version"] for p in json.loads(listed.stdout)}
    assert packages == {**PINNED, "pip": packages["pip"]}
    record = subprocess.run(
        [str(CLIENT_PYTHON), "-I", "-c", UNCHANGED], capture_output=True, text=True, check=False, timeout=60
    )
    assert record.returncode == 0, record.stdout + record.stderr


def test_a_third_party_client_lists_reads_and_posts_with_an_issued_key(stack: str, token: TokenFactory) -> None:
    admin = bearer(token("+919800005910", ["admin"]))
    with httpx.Client(base_url=stack, timeout=30) as http:
        issued = http.post("/admin/open311/keys", json={"name": "civicbot e2e", "contact_email": None}, headers=admin)
        assert issued.status_code == 201, issued.text
        api_key = issued.json()["api_key"]

        discovery = client(stack, "discovery")
        assert discovery["endpoints"][0]["url"] == f"{stack}/open311/v2"

        services = {s["service_code"]: s for s in client(stack, "services")}
        assert {"pothole", CODE} <= set(services)
        assert services[CODE]["metadata"] is True
        assert services["pothole"]["type"] == "realtime"

        definition = client(stack, "definition", CODE)
        assert definition["service_code"] == CODE
        bin_type = next(a for a in definition["attributes"] if a["code"] == "bin_type")
        assert "community" in [v["key"] for v in bin_type["values"]]

        posted = client(
            stack,
            "post",
            api_key,
            CODE,
            "--lat=18.5196",
            "--long=73.8553",
            "--description=Community bin not emptied for three days.",
            "--attribute=bin_type=community",
            "--email=reporter@example.org",
        )
        (created,) = posted
        request_id, request_token = created["service_request_id"], created["token"]

        assert client(stack, "token", request_token) == [{"service_request_id": request_id, "token": request_token}]
        one = client(stack, "request", request_id)
        assert (one["service_request_id"], one["service_code"], one["status"]) == (request_id, CODE, "open")
        assert one["description"] == "Community bin not emptied for three days."
        assert (one["lat"], one["long"]) == (18.5196, 73.8553)
        listed = client(stack, "requests", "--service-code", CODE, "--status", "open")
        assert request_id in [r["service_request_id"] for r in listed]
        assert client(stack, "requests", "--ids", request_id) == [one]
        assert "reporter@" not in json.dumps([one, listed])

        # in the staff queue of its ward, created by the Open311 actor, with the answer to the extra question
        staff = bearer(token("+919800005911", ["staff"]))
        detail = http.get(f"/grievances/{request_id}", headers=staff).json()
        assert detail["timeline"][0]["actor"] == "open311"
        assert detail["attributes"] == {"bin_type": "community"}
        query = {"ward": detail["ward"], "category": CODE, "status": "submitted", "limit": "100"}
        assert request_id in queued(http, query, staff)

        # a key revoked: the same client's POST is refused with the specification's error list
        revoked = http.delete(f"/admin/open311/keys/{issued.json()['id']}", headers=admin)
        assert revoked.status_code == 204
        refused = client(
            stack, "post", api_key, CODE, "--lat=18.5196", "--long=73.8553", "--description=Again.", failing=True
        )
        assert refused["http_error"] == 403
        assert json.loads(refused["body"]) == [{"code": 403, "description": "api_key is not valid"}]


def georeport(stack: str, fmt: str, *args: str) -> Any:
    return client(stack, fmt, *args, driver=GEOREPORT_DRIVER)


def as_text(value: Any) -> Any:
    """A JSON value as the XML reply writes it (and xmltodict reads it back): text, lists and objects kept."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    return str(value)


def test_another_third_party_client_reads_the_same_in_json_and_xml(stack: str, token: TokenFactory) -> None:
    citizen = bearer(token("+919800005912"))
    body = {
        "category": CODE,
        "description": "Door-to-door collection missed twice this week.",
        "lat": 18.5196,
        "lng": 73.8553,
        "attributes": {"bin_type": "door_to_door"},
    }
    with httpx.Client(base_url=stack, timeout=30) as http:
        logged = http.post("/grievances", json=body, headers=citizen)
        assert logged.status_code == 201, logged.text
        gid = logged.json()["id"]

    services = georeport(stack, "json", "services")
    assert CODE in [s["service_code"] for s in services]
    assert georeport(stack, "xml", "services") == as_text(services)  # <services><service>… read back

    definition = georeport(stack, "json", "definition", CODE)
    assert "door_to_door" in [v["key"] for v in definition["attributes"][0]["values"]]
    xml_definition = georeport(stack, "xml", "definition", CODE)  # <service_definition><attributes><attribute>…
    attribute = xml_definition["attributes"]["attribute"]  # one attribute: xmltodict reads an object
    assert attribute["values"]["value"] == as_text(definition["attributes"][0]["values"])
    assert xml_definition["service_code"] == CODE

    one = georeport(stack, "json", "request", gid)
    assert (one["service_request_id"], one["status"], one["service_code"]) == (gid, "open", CODE)
    assert georeport(stack, "xml", "request", gid) == as_text(one)  # <service_requests><request>…
    listed = georeport(stack, "json", "requests", "--service-code", CODE, "--status", "open")
    assert one in listed
    xml_listed = georeport(stack, "xml", "requests", "--service-code", CODE, "--status", "open")
    assert as_text(one) in (xml_listed if isinstance(xml_listed, list) else [xml_listed])
    assert georeport(stack, "xml", "requests", "--ids", gid) == as_text(one)
