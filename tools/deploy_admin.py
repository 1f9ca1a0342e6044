"""Publishes the staff admin page (admin/dist) for one deployed environment: writes config.json from the
stack outputs, uploads the files to the AdminSiteBucket and invalidates the CloudFront distribution.
Never touches the stack itself; run by `make deploy-admin ENV=dev|prod` after `make deploy`."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DIST = REPO_ROOT / "admin" / "dist"
STACKS = {"dev": "puneconnect-dev", "prod": "puneconnect-prod"}  # samconfig.toml
REGION = "ap-south-1"
# Hashed asset names never change content: cache them for a year; index.html and config.json not at all.
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"


def page_config(outputs: dict[str, str], cognito_domain: str | None) -> dict[str, Any]:
    """config.json of admin/src/config.ts from the stack outputs. The managed-login domain is the
    `AdminLoginUrl` output when the template has one, else the --cognito-domain given."""
    domain = (outputs.get("AdminLoginUrl") or cognito_domain or "").rstrip("/")
    if not domain.startswith("https://"):
        raise SystemExit("no Cognito managed-login domain: pass --cognito-domain https://<prefix>.auth.<region>...")
    site = outputs["AdminSiteUrl"].rstrip("/")
    return {
        "api_url": outputs["ApiUrl"].rstrip("/"),
        "cognito": {"domain": domain, "client_id": outputs["AdminPageClientId"], "redirect_uri": site + "/"},
    }


def stack_outputs(session: Any, stack_name: str) -> dict[str, str]:
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def publish(session: Any, outputs: dict[str, str], config: dict[str, Any]) -> None:
    s3 = session.client("s3")
    bucket = outputs["AdminSiteBucket"]
    for path in sorted(p for p in DIST.rglob("*") if p.is_file()):
        key = path.relative_to(DIST).as_posix()
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith("assets/") else NO_CACHE
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type, CacheControl=cache)
    body = json.dumps(config, indent=2).encode()
    s3.put_object(Bucket=bucket, Key="config.json", Body=body, ContentType="application/json", CacheControl=NO_CACHE)
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["AdminSiteDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time_ns())},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", choices=sorted(STACKS), default="dev")
    parser.add_argument("--cognito-domain", help="https://<prefix>.auth.<region>.amazoncognito.com")
    parser.add_argument("--dry-run", action="store_true", help="print config.json, upload nothing")
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        raise SystemExit("admin/dist is missing: run `make admin`")
    import boto3  # only when publishing: the tests import page_config without AWS

    session = boto3.Session(region_name=REGION)
    outputs = stack_outputs(session, STACKS[args.env])
    config = page_config(outputs, args.cognito_domain)
    sys.stdout.write(json.dumps(config, indent=2) + "\n")
    if not args.dry_run:
        publish(session, outputs, config)


if __name__ == "__main__":
    main()
