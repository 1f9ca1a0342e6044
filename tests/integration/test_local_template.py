"""The local stack's reading of a SAM template through SAM's own translator: routes, auth, schedules, event
sources, environment, table definitions, route precedence and the HTTP API v2 event it builds. No AWS needed."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from local import events
from local.aws import function_environment
from local.gateway import Router
from local.resources import table_definition
from local.template import LocalNames, Template, TemplateError, snake_case

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "local_stack" / "template.yaml"


@pytest.fixture(scope="module")
def fixture_template() -> Template:
    return Template.load(FIXTURE)


def test_routes_are_read_with_their_authorizer(fixture_template: Template) -> None:
    routes = {r.route_key: r for r in fixture_template.routes}
    assert routes["GET /echo"].public
    assert routes["GET /things/special"].public
    assert not routes["GET /things/{thing_id}"].public  # the HttpApi's DefaultAuthorizer applies
    assert not routes["POST /things"].public
    assert routes["ANY /files/{proxy+}"].function == "EchoApiFunction"
    assert routes["GET /raw/{kind}"].function == "RawApiFunction"


def test_schedules_get_snake_case_names(fixture_template: Template) -> None:
    schedules = [(s.name, s.expression, s.enabled) for s in fixture_template.schedules]
    assert schedules == [
        ("escalation", "rate(15 minutes)", True),
        ("auto_close", "cron(30 20 * * ? *)", True),
        ("stale_payments", "rate(10 minutes)", False),
    ]
    assert [snake_case(n) for n in ("Escalation", "AutoClose", "StalePayments", "SMSDaily")] == [
        "escalation",
        "auto_close",
        "stale_payments",
        "sms_daily",
    ]


def test_event_sources_keep_batch_and_filter_settings(fixture_template: Template) -> None:
    work, strict = fixture_template.sqs_sources
    assert (work.queue, work.batch_size, work.report_batch_item_failures) == ("WorkQueue", 5, True)
    assert (strict.queue, strict.batch_size, strict.report_batch_item_failures) == ("StrictQueue", 10, False)
    (upload,) = fixture_template.s3_sources
    assert upload.bucket == "UploadsBucket"
    assert upload.events == ("s3:ObjectCreated:*",)
    assert upload.filter_rules == (("prefix", "uploads/"), ("suffix", ".jpg"))
    (rule,) = fixture_template.eventbridge_sources
    assert rule.bus == "FixtureBus"
    assert rule.pattern == {"source": ["pmc.fixture"], "detail-type": ["ThingHappened"]}
    queues = {q.logical_id: q for q in fixture_template.queues}
    assert (queues["WorkQueue"].dead_letter_queue, queues["WorkQueue"].max_receive_count) == ("WorkDeadLetterQueue", 2)
    assert queues["WorkQueue"].visibility_timeout == 1


def test_stream_sources_keep_filter_batch_and_retry_settings(fixture_template: Template) -> None:
    (jobs,) = fixture_template.stream_sources
    assert (jobs.function, jobs.table, jobs.starting_position, jobs.batch_size) == (
        "StreamWorkerFunction",
        "FixtureTable",
        "LATEST",
        2,
    )
    assert jobs.filters == ({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["job"]}}}},)
    assert (jobs.report_batch_item_failures, jobs.bisect_on_error, jobs.max_retry_attempts) == (True, True, 2)
    assert jobs.on_failure == "StreamDeadLetterQueue"
    definition = table_definition(fixture_template.table("FixtureTable"), fixture_template)
    assert definition["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


def test_the_grievance_outbox_relay_reads_only_outbox_inserts() -> None:
    from local.streams import passes

    template = Template.load(ROOT / "template.yaml")
    (relay,) = [s for s in template.stream_sources if s.table == "GrievancesTable"]  # the survey has its own
    assert (relay.function, relay.table, relay.report_batch_item_failures) == (
        "OutboxRelayFunction",
        "GrievancesTable",
        True,
    )
    definition = table_definition(template.table("GrievancesTable"), template)
    assert definition["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert template.table("GrievancesTable").ttl_attribute == "expires_at"

    def record(event_name: str, kind: str) -> dict[str, object]:
        return {"eventName": event_name, "dynamodb": {"NewImage": {"kind": {"S": kind}}}}

    assert passes(relay.filters, record("INSERT", "outbox"))
    assert not passes(relay.filters, record("MODIFY", "outbox"))
    assert not passes(relay.filters, record("INSERT", "grievance"))
    assert not passes(relay.filters, {"eventName": "REMOVE", "dynamodb": {"Keys": {}}})  # a TTL delete


def test_functions_merge_globals_and_resolve_their_environment(fixture_template: Template) -> None:
    echo = fixture_template.functions["EchoApiFunction"]
    assert echo.handler == "fixture_api.api.handler"
    assert echo.package == "fixture_api"
    assert echo.timeout == 5
    assert echo.memory_size == 256
    assert echo.code_uri == FIXTURE.parent / "functions" / "fixture_api"
    assert echo.layers == (FIXTURE.parent / "layers" / "fixture_common",)
    names = LocalNames(endpoint_url="http://127.0.0.1:9")
    environment = fixture_template.function_environment(echo, names)
    assert environment["ENVIRONMENT"] == "local"  # the parameter allows "local"
    assert environment["QUEUE_URL"] == "http://127.0.0.1:9/123456789012/WorkQueue"
    assert environment["BUS_NAME"] == "FixtureBus"  # logical id, whatever Name the template gives
    assert environment["TOPIC_ARN"] == "arn:aws:sns:ap-south-1:123456789012:AlertsTopic"
    assert environment["LOG_LEVEL"] == "DEBUG"  # Fn::If on a condition
    assert environment["POWERTOOLS_SERVICE_NAME"] == "echo"
    secret = environment["CURSOR_SECRET"]
    assert secret.startswith("local-secret-")
    assert secret == fixture_template.function_environment(echo, names)["CURSOR_SECRET"]
    shared = function_environment(fixture_template, names)
    assert "POWERTOOLS_SERVICE_NAME" not in shared  # differs per function; skipped
    assert shared["TABLE_NAME"] == "FixtureTable"


def test_parameter_override_wins(fixture_template: Template) -> None:
    prod = Template.load(FIXTURE, {"Environment": "prod"})
    environment = prod.function_environment(prod.functions["EchoApiFunction"], LocalNames())
    assert (environment["ENVIRONMENT"], environment["LOG_LEVEL"]) == ("prod", "INFO")


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_functions_disagreeing_on_a_variable_fail_loudly(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: a/
              Handler: a.handler
              Runtime: python3.13
              Environment: {Variables: {TABLE_NAME: One, POWERTOOLS_SERVICE_NAME: a}}
          B:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: b/
              Handler: b.handler
              Runtime: python3.13
              Environment: {Variables: {TABLE_NAME: Two, POWERTOOLS_SERVICE_NAME: b}}
        """,
    )
    with pytest.raises(TemplateError, match=r"TABLE_NAME \(A vs B\)"):
        function_environment(Template.load(path), LocalNames())


def test_unsupported_event_type_is_named(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: a/
              Handler: a.handler
              Runtime: python3.13
              Events:
                Stream: {Type: Kinesis, Properties: {Stream: arn, StartingPosition: LATEST}}
        """,
    )
    with pytest.raises(TemplateError, match=r"A\.Events\.Stream: event type Kinesis"):
        Template.load(path)


def test_the_stack_is_read_from_the_translators_cloudformation(fixture_template: Template) -> None:
    kinds = {r["Type"] for r in fixture_template.resources.values()}
    assert not {k for k in kinds if k.startswith("AWS::Serverless::")}  # SAM's transform applied
    assert {"AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping", "AWS::ApiGatewayV2::Api"} <= kinds
    assert {"AWS::Lambda::LayerVersion", "AWS::Scheduler::Schedule", "AWS::Events::Rule"} <= kinds
    bucket = fixture_template.resources["UploadsBucket"]["Properties"]
    assert bucket["NotificationConfiguration"]["LambdaConfigurations"][0]["Event"] == "s3:ObjectCreated:*"
    api = fixture_template.resources["FixtureApi"]["Properties"]["Body"]  # the HttpApi as its OpenAPI body
    assert api["components"]["securitySchemes"]["CognitoJwt"]["x-amazon-apigateway-authorizer"]["type"] == "jwt"
    routes = {r.route_key: r.event_id for r in fixture_template.routes}
    assert routes["GET /things/{thing_id}"] == "GetThing"  # named after the SAM event, through its permission
    assert routes["GET /things/special"] == "GetSpecialThing"
    assert routes["ANY /files/{proxy+}"] == "Files"


def test_routes_of_alias_published_functions_keep_their_event_names() -> None:
    template = Template.load(ROOT / "template.yaml")
    routes = {r.route_key: r for r in template.routes}
    assert routes["GET /facilities"].function == "LookupApiFunction"  # integrated through its `live` alias
    assert routes["GET /facilities"].event_id == "ListFacilities"
    assert routes["GET /facilities"].public
    assert not routes["POST /facilities"].public


def test_a_resource_whose_condition_is_false_is_not_created(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Parameters:
          Environment: {Type: String, AllowedValues: [local, prod], Default: prod}
        Conditions:
          IsProd: !Equals [!Ref Environment, prod]
        Resources:
          ProdOnlyQueue:
            Type: AWS::SQS::Queue
            Condition: IsProd
          AlwaysQueue:
            Type: AWS::SQS::Queue
        """,
    )
    assert [q.logical_id for q in Template.load(path).queues] == ["AlwaysQueue"]
    assert [q.logical_id for q in Template.load(path, {"Environment": "prod"}).queues] == [
        "ProdOnlyQueue",
        "AlwaysQueue",
    ]


def test_the_translation_is_cached_by_content(monkeypatch: pytest.MonkeyPatch) -> None:
    Template.load(FIXTURE)  # translated (or already cached)

    def no_translator(*args: object, **kwargs: object) -> None:
        raise AssertionError("the translator ran for an unchanged template")

    monkeypatch.setattr(subprocess, "run", no_translator)
    assert Template.load(FIXTURE).routes == Template.load(FIXTURE).routes


def test_what_the_translator_refuses_is_a_template_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: a/
              Handler: a.handler
              Runtime: python3.13
              Events:
                Work: {Type: SQS, Properties: {BatchSize: 5}}
        """,
    )
    with pytest.raises(TemplateError, match=r"\[AWork\] is invalid. Missing required property .Queue."):
        Template.load(path)


def test_table_definition_keeps_keys_indexes_and_ttl(fixture_template: Template) -> None:
    table = fixture_template.table("FixtureTable")
    definition = table_definition(table, fixture_template)
    assert definition["TableName"] == "FixtureTable"
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in definition
    assert [i["IndexName"] for i in definition["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert table.ttl_attribute == "expires_at"


def test_router_prefers_static_then_parameter_then_greedy(fixture_template: Template) -> None:
    router = Router(fixture_template.routes)

    def route_key(method: str, path: str) -> str | None:
        match = router.match(method, path)
        return match.route.route_key if match else None

    assert route_key("GET", "/things/special") == "GET /things/special"
    assert route_key("GET", "/things/T9") == "GET /things/{thing_id}"
    assert route_key("DELETE", "/files/a/b") == "ANY /files/{proxy+}"
    assert route_key("GET", "/files") is None  # {proxy+} needs at least one segment
    assert route_key("DELETE", "/things/T9") is None
    assert route_key("GET", "/things/T9/more") is None


def test_repository_template_runs_locally_when_present() -> None:
    path = ROOT / "template.yaml"
    if not path.is_file():
        pytest.skip("template.yaml does not exist yet")
    template = Template.load(path)
    for function in template.functions.values():
        assert function.code_uri.is_dir(), f"{function.logical_id}: CodeUri {function.code_uri} missing"
    function_environment(template, LocalNames())  # functions agree on shared variables
    assert len({s.name for s in template.schedules}) == len(template.schedules)


# ------------------------------------------------------------------ v2 events

# Top-level and requestContext keys of the documented payload format 2.0 example
# (API Gateway developer guide, "Working with AWS Lambda proxy integrations for HTTP APIs").
V2_KEYS = {
    "version",
    "routeKey",
    "rawPath",
    "rawQueryString",
    "cookies",
    "headers",
    "queryStringParameters",
    "requestContext",
    "body",
    "pathParameters",
    "isBase64Encoded",
    "stageVariables",
}
V2_CONTEXT_KEYS = {
    "accountId",
    "apiId",
    "authorizer",
    "domainName",
    "domainPrefix",
    "http",
    "requestId",
    "routeKey",
    "stage",
    "time",
    "timeEpoch",
}


def _request(**changes: object) -> events.HttpRequest:
    values: dict[str, object] = {
        "method": "POST",
        "raw_path": "/things/T1",
        "raw_query_string": "a=1&a=2&b=",
        "headers": [
            ("Host", "api.local:3000"),
            ("Cookie", "s=1; t=2"),
            ("X-A", "1"),
            ("x-a", "2"),
            ("Content-Type", "application/json"),
        ],
        "body": b'{"name":"x"}',
        "source_ip": "203.0.113.9",
    } | changes
    return events.HttpRequest(**values)  # type: ignore[arg-type]


def test_v2_event_has_every_documented_field() -> None:
    claims = {"sub": "s", "cognito:groups": "[staff]"}
    event = events.http_api_event(_request(), "POST /things/{thing_id}", {"thing_id": "T1"}, claims, "rid-1")
    assert set(event) == V2_KEYS
    assert set(event["requestContext"]) == V2_CONTEXT_KEYS
    assert set(event["requestContext"]["http"]) == {"method", "path", "protocol", "sourceIp", "userAgent"}
    assert event["version"] == "2.0"
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-a"] == "1,2"
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["requestContext"]["authorizer"] == {"jwt": {"claims": claims, "scopes": None}}
    assert event["requestContext"]["domainName"] == "api.local"
    assert event["requestContext"]["http"]["sourceIp"] == "203.0.113.9"
    assert json.loads(event["body"]) == {"name": "x"}
    assert event["isBase64Encoded"] is False


def test_v2_event_omits_what_api_gateway_omits() -> None:
    request = _request(method="GET", raw_query_string="", headers=[("Host", "h")], body=b"")
    event = events.http_api_event(request, "GET /echo", {}, None, "rid-2")
    assert not {"cookies", "queryStringParameters", "pathParameters", "body"} & event.keys()
    assert "authorizer" not in event["requestContext"]
    assert event["isBase64Encoded"] is False


def test_binary_body_is_base64() -> None:
    request = _request(headers=[("Content-Type", "image/jpeg")], body=b"\xff\xd8\xff")
    event = events.http_api_event(request, "POST /x", {}, None, "rid-3")
    assert event["isBase64Encoded"] is True
    assert event["body"] == "/9j/"


def test_handler_results_map_to_http_as_payload_format_2() -> None:
    assert events.http_result({"ok": True}) == events.HttpResult(
        200, [("content-type", "application/json")], b'{"ok": true}'
    )
    result = events.http_result({"statusCode": 201, "headers": {"a": "1"}, "cookies": ["c=1"], "body": "x"})
    assert (result.status, result.headers, result.body) == (201, [("a", "1"), ("set-cookie", "c=1")], b"x")
    with pytest.raises(events.BadLambdaResponse):
        events.http_result({"statusCode": 200, "body": "%%%", "isBase64Encoded": True})
