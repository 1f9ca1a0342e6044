"""config.json of the staff admin page (tools/deploy_admin.py) from a stack's outputs: the API, the admin
page's Cognito client and the site's own URL as the OAuth redirect; no managed-login domain, no config."""

from __future__ import annotations

import pytest

from tools.deploy_admin import page_config

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.ap-south-1.amazonaws.com",
    "AdminSiteUrl": "https://d111111abcdef8.cloudfront.net",
    "AdminPageClientId": "4example0clientid",
    "AdminSiteBucket": "puneconnect-dev-admin",
    "AdminSiteDistributionId": "E1EXAMPLE",
}
DOMAIN = "https://puneconnect-dev.auth.ap-south-1.amazoncognito.com"


def test_config_json_points_the_page_at_the_stacks_api_and_admin_client() -> None:
    assert page_config(OUTPUTS, DOMAIN + "/") == {
        "api_url": "https://abc123.execute-api.ap-south-1.amazonaws.com",
        "cognito": {
            "domain": DOMAIN,
            "client_id": "4example0clientid",
            "redirect_uri": "https://d111111abcdef8.cloudfront.net/",
        },
    }


def test_an_admin_login_url_output_wins_over_the_argument() -> None:
    config = page_config(OUTPUTS | {"AdminLoginUrl": DOMAIN}, "https://other.example")
    assert config["cognito"]["domain"] == DOMAIN


def test_without_a_managed_login_domain_no_config_is_written() -> None:
    with pytest.raises(SystemExit, match="managed-login domain"):
        page_config(OUTPUTS, None)
