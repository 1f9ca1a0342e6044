"""template.yaml read into typed resources (tables, queues, functions and their events) for the local stack.

Read from the CloudFormation that SAM's own translator makes of it (local/cloudformation.py): Globals,
Events, HttpApi routes and authorizers and layers come out as they deploy. What remains here is what the
translator leaves to CloudFormation: intrinsics and conditions, resolved to local physical names (the
logical id). Never writes the template and never holds state of a running stack."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.cloudformation import LOCAL_CODE_BUCKET, TranslationError, translate

ACCOUNT_ID = "123456789012"  # moto's default account
REGION = "ap-south-1"
STACK_NAME = "puneconnect-local"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
EVENT_TYPES = frozenset(
    {"HttpApi", "Schedule", "ScheduleV2", "SQS", "S3", "DynamoDB", "EventBridgeRule", "CloudWatchEvent"}
)


class TemplateError(ValueError):
    """The template cannot be run locally; the message names the resource and what is wrong."""


class _NoValue:
    """AWS::NoValue: the key holding it disappears."""


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Table:
    logical_id: str
    properties: Mapping[str, Any]

    @property
    def name(self) -> str:
        return self.logical_id

    @property
    def ttl_attribute(self) -> str | None:
        spec = self.properties.get("TimeToLiveSpecification") or {}
        return str(spec["AttributeName"]) if spec.get("Enabled") and spec.get("AttributeName") else None


@dataclass(frozen=True)
class Bucket:
    logical_id: str

    @property
    def name(self) -> str:
        return self.logical_id


@dataclass(frozen=True)
class Queue:
    logical_id: str
    attributes: Mapping[str, str]  # SQS CreateQueue attributes other than RedrivePolicy
    dead_letter_queue: str | None = None  # logical id
    max_receive_count: int | None = None

    @property
    def name(self) -> str:
        return self.logical_id + (".fifo" if self.attributes.get("FifoQueue") == "true" else "")

    @property
    def visibility_timeout(self) -> int:
        return int(self.attributes.get("VisibilityTimeout", "30"))


@dataclass(frozen=True)
class EventBus:
    logical_id: str

    @property
    def name(self) -> str:
        return self.logical_id


@dataclass(frozen=True)
class Topic:
    logical_id: str

    @property
    def name(self) -> str:
        return self.logical_id


@dataclass(frozen=True)
class UserPool:
    logical_id: str
    clients: tuple[str, ...] = ()  # logical ids of its AWS::Cognito::UserPoolClient resources


@dataclass(frozen=True)
class HttpRoute:
    method: str  # upper case; ANY matches every method
    path: str  # as in the template: /facilities/{id}, /files/{proxy+}
    function: str  # logical id
    event_id: str
    public: bool

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Schedule:
    name: str  # snake_case of the event's logical id: AutoClose -> auto_close
    expression: str
    function: str
    event_id: str
    enabled: bool = True


@dataclass(frozen=True)
class SqsSource:
    function: str
    event_id: str
    queue: str  # logical id
    batch_size: int = 10
    report_batch_item_failures: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class S3Source:
    function: str
    event_id: str
    bucket: str  # logical id
    events: tuple[str, ...]
    filter_rules: tuple[tuple[str, str], ...] = ()  # (prefix|suffix, value)


@dataclass(frozen=True)
class StreamSource:
    """A DynamoDB event source mapping: the table's stream into a function with Lambda's batch settings."""

    function: str
    event_id: str
    table: str  # logical id
    starting_position: str = "LATEST"  # TRIM_HORIZON | LATEST
    batch_size: int = 100
    filters: tuple[Mapping[str, Any], ...] = ()  # FilterCriteria patterns, parsed; a record matching any passes
    report_batch_item_failures: bool = False
    bisect_on_error: bool = False
    max_retry_attempts: int = -1  # -1: until the record is too old
    max_record_age_seconds: int = -1  # -1: until it leaves the stream
    on_failure: str | None = None  # logical id of the SQS queue given up batches are described to
    enabled: bool = True


@dataclass(frozen=True)
class EventBridgeSource:
    function: str
    event_id: str
    bus: str  # bus name: a logical id of the template, or "default"
    pattern: Mapping[str, Any]


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str  # dotted: lookup.api.handler
    environment: Mapping[str, Any]  # unresolved: Globals merged, intrinsics kept
    timeout: int = 3
    memory_size: int = 128
    layers: tuple[Path, ...] = ()

    @property
    def package(self) -> str:
        """Top-level package of the handler (functions/lookup -> lookup)."""
        return self.handler.split(".", 1)[0]

    @property
    def handler_module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


@dataclass
class LocalNames:
    """Physical names and ARNs of template resources in the local stack."""

    region: str = REGION
    account_id: str = ACCOUNT_ID
    stack_name: str = STACK_NAME
    endpoint_url: str = "http://127.0.0.1:5000"  # queue URLs name the local SQS endpoint
    physical_ids: dict[str, str] = field(default_factory=dict)  # Ref overrides (e.g. moto's pool id)


def snake_case(name: str) -> str:
    """`AutoClose` -> `auto_close`, `StalePayments` -> `stale_payments`, `SMSDaily` -> `sms_daily`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def local_secret(reference: str) -> str:
    """A stable, obviously local stand-in for a `{{resolve:ssm:...}}` secret."""
    return "local-secret-" + hashlib.sha256(reference.encode()).hexdigest()[:24]


_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]+\}\}")
_SUB_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _logical_id_of(value: Any, what: str) -> str:
    """The logical id a `!Ref X`, `!GetAtt X.Arn` or `!Sub ${X}` points at."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0])
        if key == "Fn::Sub" and isinstance(arg, str):
            match = _SUB_VARIABLE.fullmatch(arg)
            if match:
                return match.group(1).split(".", 1)[0]
    raise TemplateError(f"{what}: expected !Ref or !GetAtt of a template resource, got {value!r}")


class Template:
    """A template as CloudFormation (SAM's translator applied) plus the resources the local stack runs."""

    def __init__(
        self,
        path: Path,
        translation: Mapping[str, Any],
        parameter_overrides: Mapping[str, str] | None = None,
    ):
        self.path = path
        self.directory = path.parent
        self.body: dict[str, Any] = dict(translation["cloudformation"])
        self.resources: dict[str, dict[str, Any]] = dict(self.body.get("Resources") or {})
        # Each function's SAM events in template order: only names and order, all else is read from the
        # CloudFormation the translator generated (`<function><event>`, `<function><event>Permission`).
        self._events: dict[str, dict[str, str]] = dict(translation.get("events") or {})
        self.parameters = self._parameter_values(parameter_overrides or {})
        self.tables: list[Table] = []
        self.buckets: list[Bucket] = []
        self.queues: list[Queue] = []
        self.buses: list[EventBus] = []
        self.topics: list[Topic] = []
        self.user_pools: list[UserPool] = []
        self.functions: dict[str, Function] = {}
        self.routes: list[HttpRoute] = []
        self.schedules: list[Schedule] = []
        self.sqs_sources: list[SqsSource] = []
        self.s3_sources: list[S3Source] = []
        self.eventbridge_sources: list[EventBridgeSource] = []
        self.stream_sources: list[StreamSource] = []
        self._read_resources()

    # ----------------------------------------------------------------- loading

    @classmethod
    def load(cls, path: Path | str, parameter_overrides: Mapping[str, str] | None = None) -> Template:
        path = Path(path).resolve()
        if not path.is_file():
            raise TemplateError(f"{path}: no such template")
        try:
            translation = translate(path, dict(parameter_overrides or {}), REGION)
        except TranslationError as exc:
            raise TemplateError(str(exc)) from None
        return cls(path, translation, parameter_overrides)

    def _parameter_values(self, overrides: Mapping[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in (self.body.get("Parameters") or {}).items():
            allowed = [str(v) for v in spec.get("AllowedValues") or []]
            if name in overrides:
                values[name] = overrides[name]
            elif "local" in allowed:
                values[name] = "local"  # e.g. Environment: local | dev | prod
            elif "Default" in spec:
                values[name] = spec["Default"]
        return values

    def _read_resources(self) -> None:
        for function, events in self._events.items():
            for event_id, event_type in events.items():
                if event_type not in EVENT_TYPES:
                    where = f"{function}.Events.{event_id}"
                    raise TemplateError(f"{where}: event type {event_type} is not emulated by the local stack")
        live = {
            logical_id: resource
            for logical_id, resource in self.resources.items()
            if "Condition" not in resource or self.condition(str(resource["Condition"]), LocalNames())
        }
        for logical_id, resource in live.items():
            kind = resource.get("Type")
            props = resource.get("Properties") or {}
            if kind == "AWS::DynamoDB::Table":
                self.tables.append(Table(logical_id, props))
            elif kind == "AWS::S3::Bucket":
                self.buckets.append(Bucket(logical_id))
            elif kind == "AWS::SQS::Queue":
                self.queues.append(self._queue(logical_id, props))
            elif kind == "AWS::Events::EventBus":
                self.buses.append(EventBus(logical_id))
            elif kind == "AWS::SNS::Topic":
                self.topics.append(Topic(logical_id))
            elif kind == "AWS::Cognito::UserPool":
                clients = tuple(
                    cid
                    for cid, other in live.items()
                    if other.get("Type") == "AWS::Cognito::UserPoolClient"
                    and _logical_id_of((other.get("Properties") or {}).get("UserPoolId"), cid) == logical_id
                )
                self.user_pools.append(UserPool(logical_id, clients))
            elif kind == "AWS::Lambda::Function":
                self.functions[logical_id] = self._function(logical_id, props)
        for logical_id, resource in live.items():  # event sources, once every function is known
            kind = resource.get("Type")
            props = resource.get("Properties") or {}
            if kind == "AWS::ApiGatewayV2::Api":
                self._api(logical_id, props)
            elif kind == "AWS::S3::Bucket":
                self._bucket_notifications(logical_id, props)
            elif kind == "AWS::Lambda::EventSourceMapping":
                self._event_source_mapping(logical_id, props)
            elif kind == "AWS::Events::Rule":
                self._rule(logical_id, props)
            elif kind == "AWS::Scheduler::Schedule":
                target = self._function_of(props.get("Target", {}).get("Arn"), f"{logical_id}.Target")
                self._schedule(target, logical_id, props.get("ScheduleExpression"), props.get("State"))
        order = {(f, e): i for i, (f, e) in enumerate((f, e) for f, es in self._events.items() for e in es)}
        for sources in (self.routes, self.schedules, self.sqs_sources, self.s3_sources, self.stream_sources):
            sources.sort(key=lambda s: order.get((s.function, s.event_id), len(order)))  # type: ignore[attr-defined]
        self.eventbridge_sources.sort(key=lambda s: order.get((s.function, s.event_id), len(order)))
        names = [s.name for s in self.schedules]
        for schedule in self.schedules:
            if names.count(schedule.name) > 1:
                where = f"{schedule.function}.Events.{schedule.event_id}"
                raise TemplateError(f"{where}: a schedule named {schedule.name} already exists")

    def _queue(self, logical_id: str, props: Mapping[str, Any]) -> Queue:
        attributes: dict[str, str] = {}
        for key in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "MaximumMessageSize",
            "FifoQueue",
            "ContentBasedDeduplication",
        ):
            if key in props:
                value = self.resolve(props[key], LocalNames())
                attributes[key] = str(value).lower() if isinstance(value, bool) else str(value)
        redrive = props.get("RedrivePolicy")
        if not redrive:
            return Queue(logical_id, attributes)
        dlq = _logical_id_of(redrive.get("deadLetterTargetArn"), f"{logical_id}.RedrivePolicy")
        return Queue(logical_id, attributes, dlq, int(redrive.get("maxReceiveCount", 10)))

    def _local_code(self, code: Any, where: str) -> Path:
        """The directory a CodeUri/ContentUri named (it went through the translator as s3://local-code/...)."""
        if not isinstance(code, Mapping) or code.get("S3Bucket") != LOCAL_CODE_BUCKET:
            raise TemplateError(f"{where}: CodeUri and ContentUri must be local paths locally, got {code!r}")
        return (self.directory / str(code["S3Key"])).resolve()

    def _function(self, logical_id: str, props: Mapping[str, Any]) -> Function:
        names = LocalNames()
        handler = self.resolve(props.get("Handler"), names)
        if not isinstance(handler, str):
            raise TemplateError(f"{logical_id}: Handler must be a plain string locally")
        layers = []
        for layer in props.get("Layers") or []:
            layer_id = _logical_id_of(layer, f"{logical_id}.Layers")
            content = (self.resources.get(layer_id, {}).get("Properties") or {}).get("Content")
            layers.append(self._local_code(content, f"{layer_id}.ContentUri"))
        return Function(
            logical_id=logical_id,
            code_uri=self._local_code(props.get("Code"), f"{logical_id}.CodeUri"),
            handler=handler,
            environment=dict((props.get("Environment") or {}).get("Variables") or {}),
            timeout=int(self.resolve(props.get("Timeout", 3), names)),
            memory_size=int(self.resolve(props.get("MemorySize", 128), names)),
            layers=tuple(dict.fromkeys(layers)),
        )

    def _function_of(self, value: Any, where: str) -> str:
        """The function an ARN or name points at, through an AutoPublishAlias's alias or version."""
        if isinstance(value, dict) and "Fn::Sub" in value:  # an integration uri: ...functions/${X.Arn}/invocations
            match = _SUB_VARIABLE.search(str(value["Fn::Sub"]).split("/functions/", 1)[-1])
            value = {"Ref": match.group(1).split(".", 1)[0]} if match else value
        logical_id = _logical_id_of(value, where)
        resource = self.resources.get(logical_id, {})
        if resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            logical_id = _logical_id_of(resource["Properties"]["FunctionName"], where)
        if logical_id not in self.functions:
            raise TemplateError(f"{where}: {logical_id} is not a function of the template")
        return logical_id

    def _event_of(self, function: str, generated_id: str, suffix: str = "") -> str:
        """The SAM event of `function` that generated the resource `generated_id` (`<function><event><suffix>`)."""
        for event_id in self._events.get(function, {}):
            if generated_id == function + event_id + suffix:
                return event_id
        return generated_id

    def _api(self, logical_id: str, props: Mapping[str, Any]) -> None:
        """Routes and their authorization from the OpenAPI body the translator generated for an HttpApi."""
        body = props.get("Body") or {}
        permissions = {}  # (function, METHOD/path as in a permission's SourceArn) -> event id
        for permission_id, resource in self.resources.items():
            source = (resource.get("Properties") or {}).get("SourceArn")
            if resource.get("Type") == "AWS::Lambda::Permission" and isinstance(source, dict) and "Fn::Sub" in source:
                text = source["Fn::Sub"][0] if isinstance(source["Fn::Sub"], list) else source["Fn::Sub"]
                function = self._function_of(resource["Properties"]["FunctionName"], permission_id)
                suffix = str(text).split("${__Stage__}/", 1)[-1]
                permissions[(function, suffix)] = self._event_of(function, permission_id, "Permission")
        default_security = body.get("security")
        for path, operations in (body.get("paths") or {}).items():
            for key, operation in operations.items():
                method = "ANY" if key == "x-amazon-apigateway-any-method" else key.upper()
                if method not in HTTP_METHODS or "x-amazon-apigateway-integration" not in operation:
                    continue
                where = f"{logical_id} {method} {path}"
                integration = operation["x-amazon-apigateway-integration"]
                function = self._function_of(integration.get("uri"), where)
                security = operation.get("security", default_security) or []
                public = not security or any("NONE" in requirement for requirement in security)
                wildcard = ("*" if method == "ANY" else method) + re.sub(r"\{[^}]+\}", "*", path)
                event_id = permissions.get((function, wildcard), f"{method} {path}")
                self.routes.append(HttpRoute(method, path, function, event_id, public))

    def _bucket_notifications(self, bucket: str, props: Mapping[str, Any]) -> None:
        groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for config in (props.get("NotificationConfiguration") or {}).get("LambdaConfigurations") or []:
            function = self._function_of(config.get("Function"), f"{bucket}.NotificationConfiguration")
            groups.setdefault((function, json.dumps(config.get("Filter"), sort_keys=True)), []).append(config)
        for (function, _), configs in groups.items():
            s3_events = [e for e, kind in self._events.get(function, {}).items() if kind == "S3"]
            taken = {s.event_id for s in self.s3_sources if s.function == function}
            event_id = next((e for e in s3_events if e not in taken), bucket)
            rules = ((configs[0].get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            self.s3_sources.append(
                S3Source(
                    function,
                    event_id,
                    bucket,
                    tuple(str(c["Event"]) for c in configs),
                    tuple((str(r["Name"]).lower(), str(r["Value"])) for r in rules),
                )
            )

    def _event_source_mapping(self, logical_id: str, props: Mapping[str, Any]) -> None:
        function = self._function_of(props.get("FunctionName"), f"{logical_id}.FunctionName")
        event_id = self._event_of(function, logical_id)
        where = f"{function}.Events.{event_id}"
        source = _logical_id_of(props.get("EventSourceArn"), f"{where}.Stream/Queue")
        kind = self._type_of(source)
        response_types = props.get("FunctionResponseTypes") or []
        enabled = props.get("Enabled", True) is not False
        if kind == "AWS::SQS::Queue":
            batch_size = int(props.get("BatchSize", 10))
            self.sqs_sources.append(
                SqsSource(function, event_id, source, batch_size, "ReportBatchItemFailures" in response_types, enabled)
            )
        elif kind == "AWS::DynamoDB::Table":
            self.stream_sources.append(self._stream_source(function, event_id, source, props))
        else:
            raise TemplateError(f"{where}: an event source mapping from {kind} is not emulated by the local stack")

    def _rule(self, logical_id: str, props: Mapping[str, Any]) -> None:
        targets = props.get("Targets") or []
        functions = [self._function_of(t.get("Arn"), f"{logical_id}.Targets") for t in targets]
        for function in functions:
            if "ScheduleExpression" in props:
                self._schedule(function, logical_id, props["ScheduleExpression"], props.get("State"))
                continue
            bus = props.get("EventBusName", "default")
            bus_name = bus if isinstance(bus, str) else _logical_id_of(bus, f"{logical_id}.EventBusName")
            pattern = props.get("EventPattern") or {}
            event_id = self._event_of(function, logical_id)
            self.eventbridge_sources.append(EventBridgeSource(function, event_id, bus_name, pattern))

    def _schedule(self, function: str, logical_id: str, expression: Any, state: Any) -> None:
        event_id = self._event_of(function, logical_id)
        enabled = state != "DISABLED"
        self.schedules.append(Schedule(snake_case(event_id), str(expression), function, event_id, enabled))

    def _stream_source(self, function: str, event_id: str, table: str, props: Mapping[str, Any]) -> StreamSource:
        where = f"{function}.Events.{event_id}"
        if "StreamSpecification" not in (self.resources[table].get("Properties") or {}):
            raise TemplateError(f"{where}: {table} is not a table with a StreamSpecification")
        filters = []
        for entry in (props.get("FilterCriteria") or {}).get("Filters") or []:
            pattern = entry.get("Pattern")
            try:
                filters.append(json.loads(pattern) if isinstance(pattern, str) else dict(pattern))
            except (TypeError, ValueError):
                raise TemplateError(f"{where}.FilterCriteria: a Pattern is not JSON: {pattern!r}") from None
        on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        return StreamSource(
            function,
            event_id,
            table,
            str(props.get("StartingPosition", "LATEST")),
            int(props.get("BatchSize", 100)),
            tuple(filters),
            "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            props.get("BisectBatchOnFunctionError", False) is True,
            int(props.get("MaximumRetryAttempts", -1)),
            int(props.get("MaximumRecordAgeInSeconds", -1)),
            _logical_id_of(on_failure, f"{where}.DestinationConfig") if on_failure is not None else None,
            props.get("Enabled", True) is not False,
        )

    # --------------------------------------------------------------- resolving

    def resolve(self, value: Any, names: LocalNames) -> Any:
        """Resolve intrinsic functions to local values; AWS::NoValue entries disappear."""
        if isinstance(value, list):
            return [v for v in (self.resolve(item, names) for item in value) if v is not NO_VALUE]
        if isinstance(value, str):
            return _DYNAMIC_REFERENCE.sub(lambda m: local_secret(m.group(0)), value)
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(str(arg), names)
            if key.startswith("Fn::") or key == "Condition":
                return self._function_call(key, arg, names)
        resolved = {k: self.resolve(v, names) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _function_call(self, key: str, arg: Any, names: LocalNames) -> Any:
        if key == "Fn::GetAtt":
            logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return self._attribute(str(logical_id), str(attribute), names)
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1], names))
            return self._sub(str(text), variables, names)
        if key == "Fn::Join":
            separator, items = arg
            return str(separator).join(str(v) for v in self.resolve(items, names))
        if key == "Fn::Select":
            index, items = self.resolve(arg, names)
            return items[int(index)]
        if key == "Fn::Split":
            separator, text = self.resolve(arg, names)
            return str(text).split(str(separator))
        if key == "Fn::If":
            condition, when_true, when_false = arg
            return self.resolve(when_true if self.condition(str(condition), names) else when_false, names)
        if key == "Fn::FindInMap":
            mapping, top, second = self.resolve(arg, names)
            return self.body["Mappings"][mapping][top][second]
        if key in ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"):
            return self._evaluate(key, arg, names)
        if key == "Fn::ToJsonString":
            return json.dumps(self.resolve(arg, names), separators=(",", ":"))
        raise TemplateError(f"{key} is not supported by the local stack")

    def condition(self, name: str, names: LocalNames) -> bool:
        conditions = self.body.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name], names))

    def _evaluate(self, key: str, arg: Any, names: LocalNames) -> bool:
        if key == "Condition":
            return self.condition(str(arg), names)
        if key == "Fn::Equals":
            left, right = self.resolve(arg, names)
            return str(left) == str(right)
        values = [bool(self.resolve(item, names)) for item in arg]
        if key == "Fn::Not":
            return not values[0]
        return all(values) if key == "Fn::And" else any(values)

    def _sub(self, text: str, variables: Mapping[str, Any], names: LocalNames) -> str:
        def replace(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                logical_id, attribute = expression.split(".", 1)
                return str(self._attribute(logical_id, attribute, names))
            return str(self._ref(expression, names))

        return _DYNAMIC_REFERENCE.sub(lambda m: local_secret(m.group(0)), _SUB_VARIABLE.sub(replace, text))

    def _ref(self, name: str, names: LocalNames) -> Any:
        pseudo = {
            "AWS::Region": names.region,
            "AWS::AccountId": names.account_id,
            "AWS::StackName": names.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{names.region}:{names.account_id}:stack/{names.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in names.physical_ids:
            return names.physical_ids[name]
        kind = self._type_of(name)
        if kind == "AWS::SQS::Queue":
            return f"{names.endpoint_url}/{names.account_id}/{self._queue_named(name).name}"
        if kind == "AWS::SNS::Topic":
            return self._attribute(name, "TopicArn", names)
        if kind == "AWS::Cognito::UserPool":
            return f"{names.region}_local{name}"
        if kind == "AWS::Cognito::UserPoolClient":
            return "local-" + snake_case(name.removesuffix("Client")).replace("_", "-")
        if kind in ("AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"):
            return "local"
        return name

    def _attribute(self, logical_id: str, attribute: str, names: LocalNames) -> str:
        kind = self._type_of(logical_id)
        region, account = names.region, names.account_id
        if kind == "AWS::DynamoDB::Table":
            table = f"arn:aws:dynamodb:{region}:{account}:table/{logical_id}"
            return {"Arn": table, "StreamArn": table + "/stream/local"}[attribute]
        if kind == "AWS::SQS::Queue":
            queue = self._queue_named(logical_id).name
            return {
                "Arn": f"arn:aws:sqs:{region}:{account}:{queue}",
                "QueueName": queue,
                "QueueUrl": f"{names.endpoint_url}/{account}/{queue}",
            }[attribute]
        if kind == "AWS::S3::Bucket":
            return {
                "Arn": f"arn:aws:s3:::{logical_id}",
                "DomainName": f"{logical_id}.s3.amazonaws.com",
                "RegionalDomainName": f"{logical_id}.s3.{region}.amazonaws.com",
            }[attribute]
        if kind == "AWS::Events::EventBus":
            return {"Arn": f"arn:aws:events:{region}:{account}:event-bus/{logical_id}", "Name": logical_id}[attribute]
        if kind == "AWS::SNS::Topic":
            return {"TopicArn": f"arn:aws:sns:{region}:{account}:{logical_id}", "TopicName": logical_id}[attribute]
        if kind == "AWS::Cognito::UserPool":
            pool = str(self._ref(logical_id, names))
            return {
                "Arn": f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}",
                "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool}",
                "UserPoolId": pool,
            }[attribute]
        if kind == "AWS::Lambda::Function" and attribute == "Arn":
            return f"arn:aws:lambda:{region}:{account}:function:{logical_id}"
        if attribute == "Arn":
            service = str(kind).split("::")[1].lower() if kind else "local"
            return f"arn:aws:{service}:{region}:{account}:{logical_id}"
        raise TemplateError(f"!GetAtt {logical_id}.{attribute} is not supported by the local stack")

    def _type_of(self, logical_id: str) -> str | None:
        if logical_id not in self.resources:
            raise TemplateError(f"!Ref/!GetAtt of unknown resource or parameter {logical_id}")
        kind = self.resources[logical_id].get("Type")
        return str(kind) if kind else None

    def _queue_named(self, logical_id: str) -> Queue:
        return next(q for q in self.queues if q.logical_id == logical_id)

    # ------------------------------------------------------------------ views

    def function_environment(self, function: Function, names: LocalNames) -> dict[str, str]:
        """A function's environment variables with every intrinsic resolved, as Lambda would see them."""
        environment: dict[str, str] = {}
        for key, raw in function.environment.items():
            value = self.resolve(raw, names)
            if value is NO_VALUE:
                continue
            environment[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return environment

    def table(self, logical_id: str) -> Table:
        return next(t for t in self.tables if t.logical_id == logical_id)

    def api_functions(self) -> list[Function]:
        """Functions serving HTTP routes, in template order."""
        ids = dict.fromkeys(route.function for route in self.routes)
        return [self.functions[i] for i in ids]

    def code_paths(self) -> list[Path]:
        """Directories to put on sys.path: every CodeUri and layer ContentUri."""
        paths: dict[Path, None] = {}
        for function in self.functions.values():
            paths[function.code_uri] = None
            paths.update(dict.fromkeys(function.layers))
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == "AWS::Lambda::LayerVersion":
                paths[self._local_code((resource.get("Properties") or {}).get("Content"), logical_id)] = None
        return list(paths)
