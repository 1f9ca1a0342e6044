"""Drives georeport's GeoReport v2 client (a published third-party package, installed unchanged at its pin
into .venv-open311-client by `make install`), in either of its formats, the way an integrator's program
would: given the base URL, it calls the client's own methods. Run by tests/e2e/test_open311_third_party.py
with that environment's Python: one call a run, its result printed as JSON (what the client returns: for
XML, xmltodict's reading of the reply), an HTTP error as {"http_error": status, "body": text}, exit status 3.

    python open311_georeport_client.py BASE_URL json|xml services
    python open311_georeport_client.py BASE_URL json|xml definition SERVICE_CODE
    python open311_georeport_client.py BASE_URL json|xml requests [--service-code C] [--status S] [--ids A,B]
    python open311_georeport_client.py BASE_URL json|xml request SERVICE_REQUEST_ID"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import requests  # type: ignore[import-untyped]
from georeport import GeoReport  # type: ignore[import-not-found]

JURISDICTION = "pmc.gov.in"


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("format", choices=["json", "xml"])
    calls = parser.add_subparsers(dest="call", required=True)
    calls.add_parser("services")
    calls.add_parser("definition").add_argument("service_code")
    listing = calls.add_parser("requests")
    listing.add_argument("--service-code")
    listing.add_argument("--status")
    listing.add_argument("--ids")
    calls.add_parser("request").add_argument("service_request_id")
    return parser.parse_args(argv)


def call(args: argparse.Namespace) -> Any:
    client = GeoReport(args.base_url, jurisdiction=JURISDICTION, output_format=args.format)
    if args.call == "services":
        return client.get_service_list()
    if args.call == "definition":
        return client.get_service_definition(args.service_code)
    if args.call == "requests":
        return client.get_service_requests(
            service_request_id=args.ids, service_code=args.service_code, status=args.status
        )
    return client.get_service_request(args.service_request_id)


def main(argv: list[str]) -> int:
    try:
        print(json.dumps(call(arguments(argv)), ensure_ascii=False))
    except requests.HTTPError as error:
        print(json.dumps({"http_error": error.response.status_code, "body": error.response.text}))
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
