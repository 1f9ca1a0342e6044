"""Drives civicbot's Open311 GeoReport v2 client (a published third-party package, installed unchanged at its
pin into .venv-open311-client by `make install`) the way an integrator's program would: it is given the base
URL and, to post, an issued key, and calls the client's own methods. Run by
tests/e2e/test_open311_third_party.py with that environment's Python (never with .venv's): one call a run,
its result printed as JSON, an HTTP error as {"http_error": status, "body": text} with exit status 3.

    python open311_third_party_client.py BASE_URL services
    python open311_third_party_client.py BASE_URL definition SERVICE_CODE
    python open311_third_party_client.py BASE_URL requests [--service-code C] [--status S] [--ids A,B]
    python open311_third_party_client.py BASE_URL request SERVICE_REQUEST_ID
    python open311_third_party_client.py BASE_URL token TOKEN
    python open311_third_party_client.py BASE_URL post API_KEY SERVICE_CODE --lat L --long L --description D
        [--attribute code=value ...] [--email E]
    python open311_third_party_client.py BASE_URL discovery   (the client's HTTP transport; it has no call)"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from civicbot.http import HttpError  # type: ignore[import-not-found]
from civicbot.open311 import Open311Client  # type: ignore[import-not-found]
from civicbot.registry import Endpoint  # type: ignore[import-not-found]

JURISDICTION = "pmc.gov.in"


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    calls = parser.add_subparsers(dest="call", required=True)
    calls.add_parser("discovery")
    calls.add_parser("services")
    calls.add_parser("definition").add_argument("service_code")
    listing = calls.add_parser("requests")
    listing.add_argument("--service-code")
    listing.add_argument("--status")
    listing.add_argument("--ids")
    calls.add_parser("request").add_argument("service_request_id")
    calls.add_parser("token").add_argument("token")
    post = calls.add_parser("post")
    post.add_argument("api_key")
    post.add_argument("service_code")
    post.add_argument("--lat", type=float, required=True)
    post.add_argument("--long", type=float, required=True)
    post.add_argument("--description", required=True)
    post.add_argument("--attribute", action="append", default=[])
    post.add_argument("--email")
    return parser.parse_args(argv)


def call(args: argparse.Namespace) -> Any:
    endpoint = Endpoint(id="pmc", name="Pune Municipal Corporation", base_url=args.base_url, write=True)
    client = Open311Client(endpoint, jurisdiction_id=JURISDICTION)
    if args.call == "discovery":
        return client.http.get_json(f"{args.base_url}/discovery.json")
    if args.call == "services":
        return client.list_services()
    if args.call == "definition":
        return client.get_service_definition(args.service_code)
    if args.call == "requests":
        ids = args.ids.split(",") if args.ids else None
        return client.list_requests(service_code=args.service_code, status=args.status, service_request_ids=ids)
    if args.call == "request":
        return client.get_request(args.service_request_id)
    if args.call == "token":
        return client.get_token(args.token)
    attributes = dict(pair.split("=", 1) for pair in args.attribute)
    prepared = client.create_request(
        args.service_code,
        dry_run=False,
        confirm="SEND",
        api_key=args.api_key,
        validate_remote=True,  # the client reads /services and the definition and checks the form against them
        lat=args.lat,
        lng=args.long,
        description=args.description,
        attributes=attributes,
        email=args.email,
    )
    return prepared.response


def main(argv: list[str]) -> int:
    try:
        print(json.dumps(call(arguments(argv)), ensure_ascii=False))
    except HttpError as error:
        print(json.dumps({"http_error": error.status, "body": error.body}, ensure_ascii=False))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
