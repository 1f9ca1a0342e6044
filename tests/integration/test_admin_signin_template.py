"""template.yaml's admin sign-in agrees with the page, the deploy tool and the local stand-in: the admin page's
client has the code flow only (no implicit grant, no secret: PKCE), the scopes the page asks for, and one
redirect and logout URL, the one deploy_admin.py writes into config.json; its tokens pass the JWT authorizer;
the managed login's URL is an output. No AWS needed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from local import oauth2
from local.template import LocalNames, Template
from tools.deploy_admin import REQUIRED_OUTPUTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def deployed() -> Template:
    return Template.load(ROOT / "template.yaml", {"Environment": "dev"})


def client(template: Template) -> dict[str, Any]:
    properties: dict[str, Any] = template.resources["AdminPageClient"]["Properties"]
    return properties


def test_the_admin_client_is_a_public_code_flow_client(deployed: Template) -> None:
    properties = client(deployed)
    assert properties["AllowedOAuthFlowsUserPoolClient"] is True
    assert properties["AllowedOAuthFlows"] == ["code"]  # never implicit: no token in a URL
    assert properties["GenerateSecret"] is False  # a page keeps no secret: PKCE binds the code
    assert properties["SupportedIdentityProviders"] == ["COGNITO"]
    assert {"custom:ward", "custom:office"} <= set(properties["ReadAttributes"])  # in the ID token with openid


def test_callback_and_logout_urls_are_the_output_deploy_admin_writes(deployed: Template) -> None:
    properties = client(deployed)
    redirect = deployed.body["Outputs"]["AdminSignInRedirectUrl"]["Value"]
    assert properties["CallbackURLs"] == [redirect]
    assert properties["LogoutURLs"] == [redirect]
    assert redirect == {"Fn::Sub": "https://${AdminSiteDistribution.DomainName}/"}  # the page is at the root


def test_the_page_the_local_stand_in_and_the_client_agree_on_scopes(deployed: Template) -> None:
    scopes = set(client(deployed)["AllowedOAuthScopes"])
    assert scopes == {"openid", "phone"}
    asked = re.search(r'scope: "([^"]+)"', (ROOT / "admin" / "src" / "auth.ts").read_text())
    assert asked is not None
    assert set(asked.group(1).split()) == scopes
    assert scopes == oauth2.SCOPES


def test_the_admin_clients_tokens_pass_the_jwt_authorizer(deployed: Template) -> None:
    schemes = deployed.resources["CityApi"]["Properties"]["Body"]["components"]["securitySchemes"]
    audience = schemes["CognitoJwt"]["x-amazon-apigateway-authorizer"]["jwtConfiguration"]["audience"]
    assert {"Ref": "AdminPageClient"} in audience
    assert deployed.resolve({"Ref": "AdminPageClient"}, LocalNames()) == oauth2.ADMIN_CLIENT


def test_managed_login_has_a_domain_and_its_url_is_an_output(deployed: Template) -> None:
    domain = deployed.resources["AdminLoginDomain"]
    assert domain["Type"] == "AWS::Cognito::UserPoolDomain"
    assert domain["Properties"]["UserPoolId"] == {"Ref": "UserPool"}
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    branding = deployed.resources["AdminLoginBranding"]["Properties"]
    assert branding["ClientId"] == {"Ref": "AdminPageClient"}
    url = deployed.body["Outputs"]["AdminLoginUrl"]["Value"]
    assert url == {"Fn::Sub": "https://${AdminLoginDomain}.auth.${AWS::Region}.amazoncognito.com"}


def test_every_output_deploy_admin_reads_is_in_the_template(deployed: Template) -> None:
    assert set(REQUIRED_OUTPUTS) <= set(deployed.body["Outputs"])
