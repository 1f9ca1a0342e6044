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


# The outputs this tool reads (template.yaml's Outputs); a stack without one predates the page's sign-in.
REQUIRED_OUTPUTS = (
    "ApiUrl",
    "AdminLoginUrl",
    "AdminPageClientId",
    "AdminSignInRedirectUrl",
    "AdminSiteBucket",
    "AdminSiteDistributionId",
)


def page_config(outputs: dict[str, str]) -> dict[str, Any]:
    """config.json of admin/src/config.ts from the stack outputs: the API, the user pool's managed login
    (AdminLoginUrl), the admin page's app client and its one registered redirect (and logout) URL."""
    missing = [name for name in REQUIRED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise SystemExit(f"the stack has no {', '.join(missing)} output: run `make deploy` first")
    domain = outputs["AdminLoginUrl"].rstrip("/")
    if not domain.startswith("https://"):
        raise SystemExit(f"AdminLoginUrl is not an https URL: {domain}")
    return {
        "api_url": outputs["ApiUrl"].rstrip("/"),
        "cognito": {
            "domain": domain,
            "client_id": outputs["AdminPageClientId"],
            "redirect_uri": outputs["AdminSignInRedirectUrl"],  # exactly as the client registers it
        },
    }


def stack_outputs(session: Any, stack_name: str) -> dict[str, str]:
    stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def publish(session: Any, outputs: dict[str, str], config: dict[str, Any], dist: Path = DIST) -> None:
    """Upload `dist` and config.json to the AdminSiteBucket (no-cache except hashed assets), then invalidate
    the distribution. A config.json in `dist` (a local experiment) is never uploaded: the stack's wins."""
    s3 = session.client("s3")
    bucket = outputs["AdminSiteBucket"]
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        key = path.relative_to(dist).as_posix()
        if key == "config.json":
            continue
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
    parser.add_argument("--dry-run", action="store_true", help="print config.json, upload nothing")
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        raise SystemExit("admin/dist is missing: run `make admin`")
    import boto3  # only when run: importing this module needs no AWS SDK

    session = boto3.Session(region_name=REGION)
    outputs = stack_outputs(session, STACKS[args.env])
    config = page_config(outputs)
    sys.stdout.write(json.dumps(config, indent=2) + "\n")
    if not args.dry_run:
        publish(session, outputs, config)


if __name__ == "__main__":
    main()
