"""Reading ``template.yaml``: the single source of truth for tables, the user pool, routes and
function environments, for the local runner, the tests, the benchmarks and the capacity model alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _Tag:
    """A CloudFormation intrinsic function (``!Ref X`` becomes ``{"Ref": "X"}``)."""


class CfnLoader(yaml.SafeLoader):
    pass


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


@cache
def load(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as fh:
        return yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


def resources(of_type: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    template = template or load()
    return {name: res for name, res in template["Resources"].items() if res["Type"] == of_type}


def parameter_defaults(template: dict[str, Any] | None = None) -> dict[str, Any]:
    template = template or load()
    return {name: p.get("Default") for name, p in template.get("Parameters", {}).items()}


# --- tables ----------------------------------------------------------------------------------

_TABLE_FIELDS = ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
                 "StreamSpecification")


def local_table_name(logical_id: str, prefix: str = "clinic-local") -> str:
    return f"{prefix}-{logical_id}"


def table_definitions(prefix: str = "clinic-local") -> dict[str, dict[str, Any]]:
    """``create_table`` arguments for every table in the template, keyed by logical id.

    Only the schema carries over (keys, attributes, indexes, streams): encryption, recovery and
    protection settings have no meaning in moto.
    """
    definitions = {}
    for logical_id, res in resources("AWS::DynamoDB::Table").items():
        props = res["Properties"]
        args: dict[str, Any] = {"TableName": local_table_name(logical_id, prefix), "BillingMode": "PAY_PER_REQUEST"}
        for field in _TABLE_FIELDS:
            if field in props:
                args[field] = props[field]
        if "StreamSpecification" in args:  # CloudFormation has no StreamEnabled: the view type enables it
            args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
        if "TimeToLiveSpecification" in props:
            args["_ttl"] = props["TimeToLiveSpecification"]
        definitions[logical_id] = args
    return definitions


# --- queues ----------------------------------------------------------------------------------

_QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                     "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication")


def _queue_ref(value: Any) -> str | None:
    """The logical id of a queue named by ``!GetAtt Q.Arn`` or ``!Ref Q``."""
    if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "Arn":
        return str(value["Fn::GetAtt"][0])
    if isinstance(value, dict) and "Ref" in value:
        return str(value["Ref"])
    return None


def queue_definitions(prefix: str = "clinic-local") -> dict[str, dict[str, Any]]:
    """``create_queue`` arguments for every queue in the template, keyed by logical id, dead-letter
    queues before the queues that redrive to them. ``_redrive`` (when present) holds the
    RedrivePolicy with the target's logical id in place of its ARN, known only once it exists."""
    queues = resources("AWS::SQS::Queue")
    definitions: dict[str, dict[str, Any]] = {}

    def add(logical_id: str) -> None:
        if logical_id in definitions:
            return
        props = queues[logical_id].get("Properties", {})
        name = local_table_name(logical_id, prefix) + (".fifo" if props.get("FifoQueue") else "")
        attributes = {k: str(props[k]).lower() if isinstance(props[k], bool) else str(props[k])
                      for k in _QUEUE_ATTRIBUTES if k in props}
        args: dict[str, Any] = {"QueueName": name, "Attributes": attributes}
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = _queue_ref(redrive["deadLetterTargetArn"])
            if target not in queues:
                raise ValueError(f"{logical_id}: dead-letter target is not a queue of this template")
            add(target)
            args["_redrive"] = {"deadLetterTargetArn": target, "maxReceiveCount": int(redrive["maxReceiveCount"])}
        definitions[logical_id] = args

    for logical_id in queues:
        add(logical_id)
    return definitions


@dataclass(frozen=True)
class QueueSource:
    """A queue feeding a function (an event source mapping, or a SAM event of type SQS)."""

    function: str
    queue: str
    batch_size: int
    partial_failures: bool


def queue_sources() -> list[QueueSource]:
    template = load()
    found = []
    for res in resources("AWS::Lambda::EventSourceMapping").values():
        props = res["Properties"]
        queue, function = _queue_ref(props["EventSourceArn"]), _queue_ref(props["FunctionName"])
        if queue in template["Resources"] and function in template["Resources"]:
            found.append(QueueSource(function, queue, int(props.get("BatchSize", 10)),
                                     "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])))
    for logical_id, fn in functions().items():
        for event in (fn.properties.get("Events") or {}).values():
            if event["Type"] == "SQS":
                props = event["Properties"]
                found.append(QueueSource(logical_id, str(_queue_ref(props["Queue"])),
                                         int(props.get("BatchSize", 10)),
                                         "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])))
    return found


@dataclass(frozen=True)
class StreamSource:
    """A table's DynamoDB stream feeding a function (an event source mapping)."""

    function: str
    table: str
    batch_size: int
    maximum_retry_attempts: int
    partial_failures: bool


def _stream_ref(value: Any) -> str | None:
    """The logical id of a table named by ``!GetAtt T.StreamArn``."""
    if isinstance(value, dict) and "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "StreamArn":
        return str(value["Fn::GetAtt"][0])
    return None


def stream_sources() -> list[StreamSource]:
    found = []
    for res in resources("AWS::Lambda::EventSourceMapping").values():
        props = res["Properties"]
        table = _stream_ref(props["EventSourceArn"])
        if table is None:
            continue
        found.append(StreamSource(str(_queue_ref(props["FunctionName"])), table, int(props.get("BatchSize", 100)),
                                  int(props.get("MaximumRetryAttempts", -1)),
                                  "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])))
    return found


# --- functions and routes --------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway resource path, e.g. /appointments/{id}
    function: str  # logical id
    authorized: bool = True


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: Path
    handler: str
    properties: dict[str, Any]


def functions() -> dict[str, Function]:
    return dict(_functions())


@cache
def _functions() -> dict[str, Function]:
    """Read once: the template is loaded once (``load``), and the runner looks a function up on
    every request."""
    found = {}
    for logical_id, res in resources("AWS::Serverless::Function").items():
        props = res["Properties"]
        found[logical_id] = Function(logical_id, ROOT / props["CodeUri"], props["Handler"], props)
    return found


def routes() -> list[Route]:
    """Every REST route in the template (events of type Api), in template order."""
    found = []
    for logical_id, fn in functions().items():
        for event in (fn.properties.get("Events") or {}).values():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            auth = (props.get("Auth") or {}).get("Authorizer")
            found.append(Route(props["Method"].upper(), props["Path"], logical_id, authorized=auth != "NONE"))
    return found


@cache
def not_allowed_answers() -> dict[str, tuple[str, dict[str, Any]]]:
    """API path -> (``Allow``, error body) of the 405 API Gateway answers there for a method the
    path does not route: ClinicApi's MOCK ``ANY`` methods (tools/generate_template.py), so the
    runner and the deployed API say the same thing from one source."""
    (api,) = resources("AWS::Serverless::Api").values()
    answers = {}
    for path, methods in api["Properties"]["DefinitionBody"]["paths"].items():
        mock = methods["x-amazon-apigateway-any-method"]
        response = mock["x-amazon-apigateway-integration"]["responses"]["default"]
        allow = response["responseParameters"]["method.response.header.Allow"].strip("'")
        answers[path] = (allow, json.loads(response["responseTemplates"]["application/json"]))
    return answers


# --- environment -----------------------------------------------------------------------------


def resolve(value: Any, refs: dict[str, Any]) -> Any:
    """Resolve the intrinsics that appear in environment values, with ``refs`` for !Ref."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Ref":
            return refs.get(arg)
        if key == "Fn::GetAtt":
            return refs.get(".".join(arg))
        if key == "Fn::If":
            return None  # conditions are deployment choices: the runner sets such variables itself
        if key == "Fn::Sub" and isinstance(arg, str):
            out = arg
            for name, val in refs.items():
                out = out.replace("${" + name + "}", str(val))
            return out
    return value


def runtime_environment(refs: dict[str, Any]) -> dict[str, str]:
    """The environment every function sees locally: Globals plus each function's own variables,
    intrinsics resolved via ``refs``; variables that resolve to nothing locally are left out.

    All handlers share one process locally, so two functions giving one variable different
    values is an error here rather than a silent surprise.
    """
    template = load()
    globals_ = template.get("Globals", {}).get("Function", {})
    env: dict[str, Any] = dict(globals_.get("Environment", {}).get("Variables", {}))
    for fn in functions().values():
        for name, value in fn.properties.get("Environment", {}).get("Variables", {}).items():
            if name in env and env[name] != value:
                raise ValueError(f"{fn.logical_id} gives {name} a value that differs from another function's")
            env[name] = value
    resolved = {name: resolve(value, refs) for name, value in env.items()}
    return {name: str(value) for name, value in resolved.items() if value is not None}
