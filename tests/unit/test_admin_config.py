"""tools/deploy_admin.py: config.json of the staff admin page from a stack's outputs (the API, the managed
login, the admin page's client and its registered redirect URL), and the publishing itself on moto's
CloudFormation, S3 and CloudFront: every file of the build with its caching, config.json from the stack
(never a local one), one invalidation of the whole site."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.moto_apart import moto_apart
from tools.deploy_admin import REQUIRED_OUTPUTS, page_config, publish, stack_outputs

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.ap-south-1.amazonaws.com",
    "AdminLoginUrl": "https://puneconnect-dev-123456789012.auth.ap-south-1.amazoncognito.com",
    "AdminPageClientId": "4example0clientid",
    "AdminSignInRedirectUrl": "https://d111111abcdef8.cloudfront.net/",
    "AdminSiteUrl": "https://d111111abcdef8.cloudfront.net",
    "AdminSiteBucket": "puneconnect-dev-admin",
    "AdminSiteDistributionId": "E1EXAMPLE",
}
CONFIG = {
    "api_url": "https://abc123.execute-api.ap-south-1.amazonaws.com",
    "cognito": {
        "domain": "https://puneconnect-dev-123456789012.auth.ap-south-1.amazoncognito.com",
        "client_id": "4example0clientid",
        "redirect_uri": "https://d111111abcdef8.cloudfront.net/",
    },
}


def test_config_json_points_the_page_at_the_stacks_api_managed_login_and_admin_client() -> None:
    assert page_config(OUTPUTS) == CONFIG


def test_trailing_slashes_of_the_api_and_login_urls_are_dropped_but_the_redirect_is_kept_exact() -> None:
    outputs = OUTPUTS | {"ApiUrl": OUTPUTS["ApiUrl"] + "/", "AdminLoginUrl": OUTPUTS["AdminLoginUrl"] + "/"}
    assert page_config(outputs) == CONFIG


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_a_stack_without_an_output_gets_no_config(name: str) -> None:
    with pytest.raises(SystemExit, match=f"no {name} output"):
        page_config({k: v for k, v in OUTPUTS.items() if k != name})


def test_a_managed_login_url_that_is_not_https_gets_no_config() -> None:
    with pytest.raises(SystemExit, match="not an https URL"):
        page_config(OUTPUTS | {"AdminLoginUrl": "http://puneconnect-dev.auth.ap-south-1.amazoncognito.com"})


# ---------------------------------------------------------------- publishing, on moto


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    with moto_apart(monkeypatch):
        session = boto3.Session(region_name="ap-south-1")
        yield session
        s3 = session.resource("s3")
        for bucket in s3.buckets.all():  # bucket names are global across moto's accounts, as in AWS
            bucket.objects.all().delete()
            bucket.delete()


def deployed_stack(session: boto3.Session) -> dict[str, str]:
    """A stack whose outputs are the template's, pointing at a real (moto) bucket and distribution."""
    session.client("s3").create_bucket(
        Bucket="puneconnect-dev-admin", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}
    )
    distribution = session.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "admin-site",
            "Comment": "admin page",
            "Enabled": True,
            "DefaultRootObject": "index.html",
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "AdminSiteBucket",
                        "DomainName": "puneconnect-dev-admin.s3.ap-south-1.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "AdminSiteBucket",
                "ViewerProtocolPolicy": "redirect-to-https",
                "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
            },
        }
    )["Distribution"]
    site = f"https://{distribution['DomainName']}"
    values = OUTPUTS | {
        "AdminSiteDistributionId": distribution["Id"],
        "AdminSiteUrl": site,
        "AdminSignInRedirectUrl": site + "/",
    }
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {name: {"Value": value} for name, value in values.items()},
    }
    session.client("cloudformation").create_stack(StackName="puneconnect-dev", TemplateBody=json.dumps(template))
    return values


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>PMC</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-abc123.css").write_text("body{}")
    (tmp_path / "config.json").write_text('{"api_url": "", "cognito": null}')  # a local experiment
    return tmp_path


def objects(session: boto3.Session) -> dict[str, dict[str, Any]]:
    s3 = session.client("s3")
    listed = s3.list_objects_v2(Bucket="puneconnect-dev-admin").get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket="puneconnect-dev-admin", Key=o["Key"]) for o in listed}


def test_publish_uploads_the_build_and_the_stacks_config_and_invalidates_the_site(
    aws: boto3.Session, dist: Path
) -> None:
    values = deployed_stack(aws)
    outputs = stack_outputs(aws, "puneconnect-dev")
    assert outputs == values
    config = page_config(outputs)
    assert config["cognito"]["redirect_uri"] == values["AdminSignInRedirectUrl"]

    publish(aws, outputs, config, dist)

    stored = objects(aws)
    assert sorted(stored) == ["assets/index-abc123.css", "assets/index-abc123.js", "config.json", "index.html"]
    assert json.loads(stored["config.json"]["Body"].read()) == config  # the stack's, not dist's
    assert stored["config.json"]["ContentType"] == "application/json"
    assert stored["index.html"]["ContentType"] == "text/html"
    assert stored["assets/index-abc123.js"]["ContentType"] in ("text/javascript", "application/javascript")
    for key in ("config.json", "index.html"):
        assert stored[key]["CacheControl"] == "no-cache"
    for key in ("assets/index-abc123.js", "assets/index-abc123.css"):
        assert stored[key]["CacheControl"] == "public, max-age=31536000, immutable"
    invalidations = aws.client("cloudfront").list_invalidations(DistributionId=outputs["AdminSiteDistributionId"])
    items = invalidations["InvalidationList"]["Items"]
    assert len(items) == 1
    batch = aws.client("cloudfront").get_invalidation(
        DistributionId=outputs["AdminSiteDistributionId"], Id=items[0]["Id"]
    )["Invalidation"]["InvalidationBatch"]
    assert batch["Paths"]["Items"] == ["/*"]


def test_a_stack_deployed_before_the_sign_in_outputs_publishes_nothing(aws: boto3.Session) -> None:
    values = deployed_stack(aws)
    aws.client("cloudformation").delete_stack(StackName="puneconnect-dev")
    old = {k: v for k, v in values.items() if k not in ("AdminLoginUrl", "AdminSignInRedirectUrl")}
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {name: {"Value": value} for name, value in old.items()},
    }
    aws.client("cloudformation").create_stack(StackName="puneconnect-dev", TemplateBody=json.dumps(template))
    with pytest.raises(SystemExit, match="no AdminLoginUrl, AdminSignInRedirectUrl output"):
        page_config(stack_outputs(aws, "puneconnect-dev"))
    assert objects(aws) == {}
